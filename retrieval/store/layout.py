"""The files store's folder: every name in it, the live-generation pointer and the build lock.

Layout::

    INDEX_DIR/
      CURRENT            name of the live generation (replaced atomically)
      fusion.json        fusion weights fitted by `newsqa eval --tune`, per embedder
      gen-<time>-<pid>/  manifest.json, articles.json, chunks.npy, texts.bin,
                         text_offsets.npy, vectors.npy, people.npy, dense.faiss|dense.npy,
                         sentence_vectors.f16, sentence_offsets.npy, lexical/,
                         diacritics.json

A running build holds an flock on INDEX_DIR itself. A build writes a whole new generation,
fsyncs it, then replaces CURRENT: a build killed at any point leaves the previous generation
live. Readers (the bot, the REPL) see either
the old or the new generation, never a half-written one. No pickle anywhere.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from ..errors import (
    CorruptIndexError,
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
    IndexWriteError,
    NewsQAError,
)
from .io import file_sha256, fsync_path
from .manifest import (
    FORMAT_VERSION,
    TOKENIZER_VERSION,
    FileEntry,
    Manifest,
    manifest_checksum,
)

CURRENT = "CURRENT"
FUSION_FILE = "fusion.json"
GENERATION_PREFIX = "gen-"
# Files of a generation.
MANIFEST = "manifest.json"
ARTICLES = "articles.json"
# Per passage: article number, ordinal in the article, start and end offsets in its body.
CHUNKS = "chunks.npy"
TEXTS = "texts.bin"
TEXT_OFFSETS = "text_offsets.npy"
VECTORS = "vectors.npy"
# Per passage, how many people it names (uint8), counted at build time.
PEOPLE = "people.npy"
# Per passage, the vectors of its sentences (float16 rows, no header: their number is the
# last offset) and where each passage's rows start (``store.sentences``).
SENTENCE_VECTORS = "sentence_vectors.f16"
SENTENCE_OFFSETS = "sentence_offsets.npy"
LEXICAL = "lexical"
DIACRITICS = "diacritics.json"
DENSE_FILES = {"faiss": "dense.faiss", "numpy": "dense.npy"}
# Files above this total size are checked by size only on load; hashing them would slow
# every start of the bot.
CHECKSUM_LIMIT_BYTES = 512 * 1024 * 1024


def dense_file(backend: str) -> str:
    try:
        return DENSE_FILES[backend]
    except KeyError:
        raise ValueError(f"unknown dense backend {backend!r}") from None


class IndexDir:
    def __init__(self, root: Path) -> None:
        self.root = root

    # --- reading ---------------------------------------------------------------------------

    def current(self) -> Path | None:
        """The live generation folder, or None when no index was ever committed."""
        self.require_folder()
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

    def require_folder(self) -> None:
        """The index path, if it exists, is a folder (--index may name a file by mistake)."""
        if self.root.exists() and not self.root.is_dir():
            raise NewsQAError(f"The index folder {self.root} is a file, not a folder: point "
                              "--index (NEWSQA_INDEX_DIR) at a folder.")

    def require_current(self) -> Path:
        generation = self.current()
        if generation is None:
            raise IndexNotFoundError(str(self.root))
        return generation

    def current_name(self) -> str | None:
        try:
            return (self.root / CURRENT).read_text(encoding="utf-8").strip() or None
        except (OSError, UnicodeDecodeError):
            return None

    def generations(self) -> list[Path]:
        """Generation folders, newest first (their names begin with the build's time)."""
        try:
            entries = list(self.root.iterdir())
        except FileNotFoundError:
            return []
        return sorted((e for e in entries if e.name.startswith(GENERATION_PREFIX)
                       and e.is_dir()), key=lambda e: e.name, reverse=True)

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
        total = sum(entry.size for entry in manifest.files.values())
        for relative, entry in manifest.files.items():
            path = generation / relative
            try:
                size = path.stat().st_size
            except OSError as exc:
                raise CorruptIndexError(str(path), "missing") from exc
            if size != entry.size:
                raise CorruptIndexError(
                    str(path), f"{size} bytes where the manifest says {entry.size} (truncated?)"
                )
            if total <= CHECKSUM_LIMIT_BYTES and file_sha256(path) != entry.sha256:
                raise CorruptIndexError(str(path), "its checksum differs from the manifest")

    # --- writing ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def build_lock(self) -> Iterator[None]:
        """Held for a whole build; a second build on the same folder is refused.

        The lock is an flock on the index folder itself, not on a file in it: a lock file
        deleted (or replaced) under a running build let a second build take a new one.
        """
        self.require_folder()
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise write_error(exc, self.root) from exc
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise IndexLockedError(str(self.root)) from exc
                raise write_error(exc, self.root) from exc
            yield
        finally:
            os.close(fd)

    def new_generation(self) -> Path:
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
        generation = self.root / (f"{GENERATION_PREFIX}{stamp}-{os.getpid()}-"
                                  f"{time.monotonic_ns() % 10**6:06d}")
        generation.mkdir(parents=True)
        return generation

    def commit(self, generation: Path) -> None:
        """Make ``generation`` live in one step, the rename of the pointer over CURRENT.

        Everything before it may fail and leaves the previous generation live; everything
        after it (fsync of the folder, pruning old generations) is best-effort: an error
        there is ignored and an interrupt there leaves the new generation live.
        """
        for path in generation.rglob("*"):
            if path.is_file():
                fsync_path(path)
        fsync_path(generation)
        previous = self.current_name()
        pointer = self.root / f".{CURRENT}.{os.getpid()}.tmp"
        try:
            with open(pointer, "w", encoding="utf-8") as handle:
                handle.write(generation.name + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(pointer, self.root / CURRENT)  # the commit point
        except BaseException:
            with contextlib.suppress(OSError):
                pointer.unlink(missing_ok=True)
            raise
        with contextlib.suppress(OSError):
            fsync_path(self.root)
            self.remove_stale({generation.name, previous})

    def remove_stale(self, keep: set[str | None]) -> None:
        """Drop generation folders (and pointer temp files) that are neither live nor kept;
        the one CURRENT names is always kept.

        Only called under the build lock, so no other build is writing one of them.
        """
        keep = keep | {self.current_name()}
        for entry in self.root.iterdir():
            if entry.name.startswith(GENERATION_PREFIX) and entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.startswith(f".{CURRENT}.") and entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)

    def remove_generation(self, generation: Path) -> None:
        """Remove a generation folder unless CURRENT names it (cleanup of a failed build:
        a failure after the commit point must not delete what is now live)."""
        if self.current_name() != generation.name:
            shutil.rmtree(generation, ignore_errors=True)


def write_error(exc: OSError, fallback: Path) -> IndexWriteError:
    """The one-line error for a failed write: the path it failed on, and why."""
    return IndexWriteError(str(exc.filename or fallback), os_reason(exc))


def os_reason(exc: OSError) -> str:
    if exc.strerror:
        return exc.strerror
    if "requested and" in str(exc):  # numpy's short write: the disk filled up under it
        return f"No space left on device ({exc})"
    return str(exc) or type(exc).__name__


def describe_files(generation: Path) -> dict[str, FileEntry]:
    files: dict[str, FileEntry] = {}
    for path in sorted(generation.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            files[path.relative_to(generation).as_posix()] = FileEntry(
                path.stat().st_size, file_sha256(path))
    return files
