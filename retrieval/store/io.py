"""Reading and writing the files of a generation: arrays without pickle, JSON, checksums."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CorruptIndexError


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


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


def fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileBytes:
    """A file's bytes, read a slice at a time so a large collection's text stays out of RAM.

    A search reads a dozen passages. Memory-mapped, each read also mapped the pages the
    kernel holds around it (whole large folios once the file had been read back from
    disk): 64-89 MB of a 94 MB text file counted in the process's memory after 200
    questions at 10^5 passages (docs/benchmarks.md). ``os.pread`` maps nothing and is safe
    from many threads; the file stays readable after a newer generation replaces it.
    """

    def __init__(self, path: Path) -> None:
        try:
            self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError as exc:
            raise CorruptIndexError(str(path), exc.strerror or str(exc)) from exc
        self.path = path
        self.size = os.fstat(self._fd).st_size

    def __getitem__(self, span: slice) -> bytes:
        start, stop = span.start, span.stop
        try:
            data = os.pread(self._fd, stop - start, start)
        except (OSError, OverflowError, ValueError) as exc:
            raise CorruptIndexError(str(self.path), f"cannot read bytes {start}-{stop}: {exc}"
                                    ) from exc
        if len(data) != stop - start:
            raise CorruptIndexError(str(self.path), f"ends before byte {stop}")
        return data

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)
