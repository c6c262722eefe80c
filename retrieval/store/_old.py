"""The index directory: generations written beside the live one, swapped in atomically.

Layout::

    INDEX_DIR/
      CURRENT            name of the live generation (replaced atomically)
      .lock              flock held by a running build
      fusion.json        fusion weights fitted by `newsqa eval --tune`, per embedder
      gen-<time>-<pid>/  manifest.json, articles.json, chunks.npy, texts.bin,
                         text_offsets.npy, vectors.npy, dense.faiss|dense.npy,
                         lexical/, diacritics.json

A build writes a whole new generation, fsyncs it, then replaces CURRENT: a build killed at
any point leaves the previous generation live. Readers (the bot, the REPL) see either
the old or the new generation, never a half-written one. No pickle anywhere.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CorruptIndexError, IndexLockedError, IndexMismatchError, IndexNotFoundError

# 2: lexical index in our own arrays, manifest checksum.
FORMAT_VERSION = 2
TOKENIZER_VERSION = "nfc-folded-syllable+bigram/2"
CURRENT = "CURRENT"
MANIFEST = "manifest.json"
# Per passage, how many people it names (uint8), counted at build time.
PEOPLE_FILE = "people.npy"
# Files above this total size are checked by size only on load; hashing them would slow
# every start of the bot.
CHECKSUM_LIMIT_BYTES = 512 * 1024 * 1024


@dataclass(frozen=True)
class ArticleRecord:
    file: str
    title: str
    date: str | None
    content_hash: str
    first_chunk: int
    chunks: int
    # Indexes written before the flag existed give their passages no headline context.
    has_headline: bool = False


@dataclass(frozen=True)
class Manifest:
    format_version: int
    created_at: str
    embedder: dict[str, Any]
    chunking: dict[str, Any]
    tokenizer: str
    dense: dict[str, Any]
    counts: dict[str, int]
    article_hashes: dict[str, str]
    files: dict[str, dict[str, Any]]  # relative path -> {size, sha256}

    def to_json(self) -> str:
        return json.dumps(sealed(asdict(self)), ensure_ascii=False, indent=1)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Manifest:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})


def manifest_checksum(data: dict[str, Any]) -> str:
    """sha256 of a manifest's fields (without its own checksum), in canonical JSON."""
    fields = {key: value for key, value in data.items() if key != "checksum"}
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def sealed(data: dict[str, Any]) -> dict[str, Any]:
    """The manifest's fields plus their checksum, so damage to the manifest itself is found
    as such (not as a checksum mismatch of the file whose entry it hit)."""
    return {**data, "checksum": manifest_checksum(data)}


class IndexDir:
    def __init__(self, root: Path) -> None:
        self.root = root

    # --- reading ---------------------------------------------------------------------------

    def current(self) -> Path | None:
        """The live generation folder, or None when no index was ever committed."""
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:  # damaged bytes may not decode
            raise CorruptIndexError(str(self.root / CURRENT), str(exc)) from exc
        if not name or "/" in name or name.startswith("."):
            raise CorruptIndexError(str(self.root / CURRENT), "it does not name a generation")
        generation = self.root / name
        if not generation.is_dir():
            # Name the pointer: it is the file to blame when its name points nowhere.
            raise CorruptIndexError(str(self.root / CURRENT),
                                    f"it names {name!r}, which is not a generation folder")
        return generation

    def require_current(self) -> Path:
        generation = self.current()
        if generation is None:
            raise IndexNotFoundError(str(self.root))
        return generation

    def read_manifest(self, generation: Path, *, same_version: bool = True) -> Manifest:
        """The generation's manifest; ``same_version=False`` also accepts an older index
        format or tokenizer (their vectors and articles are still reusable)."""
        path = generation / MANIFEST
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            if data.get("checksum") != manifest_checksum(data):
                # Formats before 2 were not sealed; anything else unsealed is damage.
                if "checksum" in data or data.get("format_version") == FORMAT_VERSION:
                    raise CorruptIndexError(str(path), "its contents do not match its checksum")
                if same_version:
                    raise IndexMismatchError(
                        f"index format {data.get('format_version')!r}, this version reads "
                        f"{FORMAT_VERSION}")
            manifest = Manifest.from_dict(data)
            _check_fields(manifest)
        except FileNotFoundError as exc:
            raise CorruptIndexError(str(path), "missing") from exc
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CorruptIndexError(str(path), f"not a valid manifest: {exc!r}") from exc
        if not same_version:
            return manifest
        if manifest.format_version != FORMAT_VERSION:
            raise IndexMismatchError(
                f"index format {manifest.format_version}, this version reads {FORMAT_VERSION}"
            )
        if manifest.tokenizer != TOKENIZER_VERSION:
            raise IndexMismatchError(f"tokenizer {manifest.tokenizer!r}")
        return manifest

    def verify_files(self, generation: Path, manifest: Manifest) -> None:
        """Every file the manifest lists is there with its size (and checksum if small)."""
        total = sum(int(meta["size"]) for meta in manifest.files.values())
        for relative, meta in manifest.files.items():
            path = generation / relative
            try:
                size = path.stat().st_size
            except OSError as exc:
                raise CorruptIndexError(str(path), "missing") from exc
            if size != int(meta["size"]):
                raise CorruptIndexError(
                    str(path), f"{size} bytes where the manifest says {meta['size']} (truncated?)"
                )
            if total <= CHECKSUM_LIMIT_BYTES and file_sha256(path) != meta["sha256"]:
                raise CorruptIndexError(str(path), "its checksum differs from the manifest")

    # --- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        """Held for a whole build; a second build on the same folder is refused."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / ".lock", "a+b")  # noqa: SIM115 - held across the yield
        try:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise IndexLockedError(str(self.root)) from exc
                raise
            yield
        finally:
            handle.close()

    def new_generation(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        generation = self.root / f"gen-{stamp}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
        generation.mkdir(parents=True)
        return generation

    def commit(self, generation: Path) -> None:
        """Make ``generation`` live; then remove generations older than the previous one."""
        for path in generation.rglob("*"):
            if path.is_file():
                _fsync_path(path)
        _fsync_path(generation)
        previous = self.current_name()
        pointer = self.root / f".{CURRENT}.{os.getpid()}.tmp"
        with open(pointer, "w", encoding="utf-8") as handle:
            handle.write(generation.name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(pointer, self.root / CURRENT)
        _fsync_path(self.root)
        keep = {generation.name, previous}
        self.remove_stale(keep)

    def current_name(self) -> str | None:
        try:
            return (self.root / CURRENT).read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError):
            return None

    def remove_stale(self, keep: set[str | None]) -> None:
        """Drop generation folders (and pointer temp files) that are neither live nor kept.

        Only called under the build lock, so no other build is writing one of them.
        """
        for entry in self.root.iterdir():
            if entry.name.startswith("gen-") and entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(f".{CURRENT}.") and entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)


def _check_fields(manifest: Manifest) -> None:
    """Fields read after loading: one garbled by damage must fail here, naming the manifest."""
    for meta in manifest.files.values():
        if not isinstance(meta["size"], int) or not isinstance(meta["sha256"], str):
            raise ValueError("a file entry is garbled")
    if not isinstance(manifest.counts["chunks"], int):
        raise ValueError("the chunk count is garbled")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_files(generation: Path) -> dict[str, dict[str, Any]]:
    files: dict[str, dict[str, Any]] = {}
    for path in sorted(generation.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            files[path.relative_to(generation).as_posix()] = {
                "size": path.stat().st_size, "sha256": file_sha256(path),
            }
    return files


def save_array(path: Path, array: np.ndarray[Any, Any]) -> None:
    with open(path, "wb") as handle:
        np.save(handle, array, allow_pickle=False)


def load_array(path: Path, mmap: bool = False) -> np.ndarray[Any, Any]:
    try:
        array: np.ndarray[Any, Any] = np.load(path, mmap_mode="r" if mmap else None,
                                              allow_pickle=False)
        return array
    except (OSError, ValueError, EOFError) as exc:
        raise CorruptIndexError(str(path), str(exc) or type(exc).__name__) from exc


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorruptIndexError(str(path), str(exc)) from exc


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
