"""Fusion weights fitted by `newsqa eval --tune`, kept per embedder in the index folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .io import load_json
from .layout import FUSION_FILE


def embedder_key(embedder: dict[str, Any]) -> str:
    return json.dumps(embedder, sort_keys=True)


def read_tuned_weights(index_dir: Path, embedder: dict[str, Any]) -> tuple[float, float] | None:
    path = index_dir / FUSION_FILE
    if not path.exists():
        return None
    data = load_json(path)
    entry = data.get(embedder_key(embedder)) if isinstance(data, dict) else None
    if not entry:
        return None
    return float(entry["accented"]), float(entry["unaccented"])


def write_tuned_weights(index_dir: Path, embedder: dict[str, Any], accented: float,
                        unaccented: float, questions: int) -> Path:
    path = index_dir / FUSION_FILE
    data: dict[str, Any] = load_json(path) if path.exists() else {}
    data[embedder_key(embedder)] = {
        "accented": accented, "unaccented": unaccented, "questions": questions,
    }
    index_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)
    return path


def clear_tuned_weights(index_dir: Path, embedder: dict[str, Any]) -> bool:
    """Remove the weights tuned for ``embedder``; True when there were some."""
    path = index_dir / FUSION_FILE
    if not path.exists():
        return False
    data = load_json(path)
    key = embedder_key(embedder)
    if not isinstance(data, dict) or key not in data:
        return False
    del data[key]
    if not data:
        path.unlink()
        return True
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    temporary.replace(path)
    return True
