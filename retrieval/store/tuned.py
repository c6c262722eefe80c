"""Fusion weights fitted by `newsqa eval --tune`, kept per embedder in the index folder.

``fusion.json`` maps an embedder's identity (canonical JSON) to its weights; each entry is
sealed by a checksum of its key and fields: a flipped byte, a hand edit or a value out of
range (checked with the settings' own ``DenseWeight``) is named as damage, never used.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import NewsQAError
from ..settings import DenseWeight
from .layout import FUSION_FILE

CHECKSUM = "checksum"


class TunedEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    accented: DenseWeight
    unaccented: DenseWeight
    questions: int = Field(ge=0)


class TunedWeightsError(NewsQAError):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            f"Tuned fusion weights {path} are damaged ({detail}). Remove them with "
            "`newsqa eval --reset-tuning` (or delete the file) to search with the default "
            "weights, or tune again with `newsqa eval --tune`.")
        self.path = path


def embedder_key(embedder: dict[str, Any]) -> str:
    return json.dumps(embedder, sort_keys=True)


def _checksum(key: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps([key, {k: v for k, v in fields.items() if k != CHECKSUM}],
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def read_entries(index_dir: Path) -> dict[str, TunedEntry]:
    """Every embedder's tuned weights ({} when there is no file); TunedWeightsError if the
    file is damaged in any way."""
    path = index_dir / FUSION_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise TunedWeightsError(path, str(exc)) from exc
    try:
        data = json.loads(text, parse_constant=_no_constants)
    except ValueError as exc:
        raise TunedWeightsError(path, "not valid JSON" if text.strip() else "empty") from exc
    if not isinstance(data, dict):
        raise TunedWeightsError(path, "not a JSON object")
    entries: dict[str, TunedEntry] = {}
    try:
        for key, value in data.items():
            if not isinstance(value, dict):
                raise TunedWeightsError(path, f"{key}: not an object")
            # Entries of versions before the checksum are read (and sealed when written).
            if CHECKSUM in value and value[CHECKSUM] != _checksum(key, value):
                raise TunedWeightsError(path, "its contents do not match their checksum")
            entries[key] = TunedEntry.model_validate(
                {k: v for k, v in value.items() if k != CHECKSUM})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "an entry"
        raise TunedWeightsError(path, f"{where}: {first['msg']}") from exc
    return entries


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def write_entries(index_dir: Path, entries: dict[str, TunedEntry]) -> Path:
    path = index_dir / FUSION_FILE
    if not entries:
        path.unlink(missing_ok=True)
        return path
    data: dict[str, Any] = {}
    for key, entry in entries.items():
        fields = entry.model_dump()
        data[key] = {**fields, CHECKSUM: _checksum(key, fields)}
    index_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)
    return path


def read_tuned_weights(index_dir: Path, embedder: dict[str, Any]) -> tuple[float, float] | None:
    """(accented, unaccented) tuned for ``embedder``, None if none; TunedWeightsError if the
    file is damaged."""
    entry = read_entries(index_dir).get(embedder_key(embedder))
    return None if entry is None else (entry.accented, entry.unaccented)


def write_tuned_weights(index_dir: Path, embedder: dict[str, Any], accented: float,
                        unaccented: float, questions: int) -> Path:
    """Store weights for ``embedder`` (a damaged file is replaced: tuning again is its fix)."""
    try:
        entries = read_entries(index_dir)
    except TunedWeightsError:
        entries = {}
    entries[embedder_key(embedder)] = TunedEntry(accented=accented, unaccented=unaccented,
                                                 questions=questions)
    return write_entries(index_dir, entries)


def clear_tuned_weights(index_dir: Path, embedder: dict[str, Any]) -> bool:
    """Remove the weights tuned for ``embedder``; True when there were some. A damaged file
    is removed whole (it cannot be read to keep the other models' weights)."""
    path = index_dir / FUSION_FILE
    try:
        entries = read_entries(index_dir)
    except TunedWeightsError:
        path.unlink(missing_ok=True)
        return True
    if entries.pop(embedder_key(embedder), None) is None:
        return False
    write_entries(index_dir, entries)
    return True
