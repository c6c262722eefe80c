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
        # A plain view of a mapped file: np.memmap's slices cost ~0.8 µs more each.
        return np.asarray(array)
    except (OSError, ValueError, EOFError) as exc:
        raise CorruptIndexError(str(path), str(exc) or type(exc).__name__) from exc


def load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CorruptIndexError(str(path), str(exc)) from exc


def write_json(path: Path, data: Any) -> None:
    write_text(path, json.dumps(data, ensure_ascii=False, indent=1))


def write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


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

    def read_into(self, buffer: memoryview, start: int) -> None:
        """Fill ``buffer`` with the bytes from ``start`` on."""
        try:
            got = os.preadv(self._fd, [buffer], start)
        except (OSError, OverflowError, ValueError) as exc:
            raise CorruptIndexError(str(self.path), f"cannot read from byte {start}: {exc}"
                                    ) from exc
        if got != len(buffer):
            raise CorruptIndexError(str(self.path), f"ends before byte {start + len(buffer)}")

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)


class MatrixRows:
    """A matrix on disk (rows of ``dimension`` values of ``dtype`` from byte ``offset`` on),
    read with ``pread`` (``FileBytes``), each run of consecutive rows asked for in one read:
    nothing is mapped, so what a search reads does not stay in the process's memory."""

    def __init__(self, file: FileBytes, dimension: int, dtype: np.dtype[Any] | type,
                 offset: int = 0) -> None:
        self._file = file
        self.dtype = np.dtype(dtype)
        self.dimension = dimension
        self._offset = offset
        self._row_bytes = dimension * self.dtype.itemsize
        self.rows = (file.size - offset) // self._row_bytes

    def __len__(self) -> int:
        return self.rows

    def __getitem__(self, span: slice) -> np.ndarray[Any, Any]:
        start, stop, _ = span.indices(self.rows)
        if stop <= start:
            return np.zeros((0, self.dimension), dtype=self.dtype)
        data = self._file[self._offset + start * self._row_bytes:
                          self._offset + stop * self._row_bytes]
        return np.frombuffer(data, dtype=self.dtype).reshape(stop - start, self.dimension)

    def take(self, ids: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """The rows ``ids`` (any order, repeats allowed)."""
        ids = np.asarray(ids, dtype=np.int64)
        ascending = bool((ids[1:] > ids[:-1]).all())
        wanted, back = (ids, None) if ascending else np.unique(ids, return_inverse=True)
        if not len(wanted):
            return np.zeros((0, self.dimension), dtype=self.dtype)
        if int(wanted[0]) < 0 or int(wanted[-1]) >= self.rows:
            raise IndexError(f"rows {int(wanted[0])}-{int(wanted[-1])} of {self.rows}")
        breaks = np.flatnonzero(np.diff(wanted) != 1) + 1
        firsts = np.concatenate([[0], breaks]).astype(np.int64)
        ends = np.concatenate([breaks, [len(wanted)]]).astype(np.int64)
        size = self._row_bytes
        buffer = bytearray(len(wanted) * size)
        view = memoryview(buffer)
        for first, end, row in zip(firsts.tolist(), ends.tolist(), wanted[firsts].tolist(),
                                   strict=True):
            self._file.read_into(view[first * size:end * size], self._offset + row * size)
        rows = np.frombuffer(buffer, dtype=self.dtype).reshape(len(wanted), self.dimension)
        return rows if back is None else rows[back.reshape(-1)]


def npy_rows(path: Path) -> MatrixRows:
    """The rows of a 2-D ``.npy`` file (as ``save_array`` and the files writer write it)."""
    file = FileBytes(path)
    try:
        with open(path, "rb") as handle:
            read_header = (np.lib.format.read_array_header_1_0
                           if np.lib.format.read_magic(handle) == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, fortran_order, dtype = read_header(handle)
            offset = handle.tell()
    except (OSError, ValueError) as exc:
        raise CorruptIndexError(str(path), str(exc) or type(exc).__name__) from exc
    if (len(shape) != 2 or fortran_order or dtype.hasobject
            or file.size != offset + shape[0] * shape[1] * dtype.itemsize):
        raise CorruptIndexError(str(path), "not a 2-D array of the size its header says")
    return MatrixRows(file, int(shape[1]), dtype, offset)
