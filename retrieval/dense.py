"""Dense vector search behind one interface: FAISS (flat or HNSW) and an exact NumPy oracle.

Row ``i`` of the index is chunk ``i`` of the chunk store; scores are inner products of
normalized vectors (cosine similarity). ``build_dense`` and ``load_dense`` are the one place
a backend is chosen (by ``settings.dense_backend`` when building, by the manifest's
``DenseSettings`` when loading).
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .embedding import FloatArray
from .settings import RetrievalSettings

IntArray = np.ndarray[Any, np.dtype[np.int64]]
ByteArray = np.ndarray[Any, np.dtype[np.uint8]]


@dataclass(frozen=True)
class DenseSettings:
    """How a generation's dense side was built (part of its manifest): ``backend`` 'faiss' or
    'numpy' (or another store's own), ``kind`` 'flat', 'hnsw' or 'exact'; the HNSW fields
    are None where they do not apply."""

    backend: str
    kind: str
    hnsw_m: int | None = None
    ef_construction: int | None = None
    vector_storage: str | None = None

    def as_dict(self) -> dict[str, Any]:
        # Fields that do not apply are left out, as format 2 always wrote them.
        return {key: value for key, value in asdict(self).items() if value is not None}


class DenseIndex(ABC):
    kind: str

    @abstractmethod
    def search(self, queries: FloatArray, k: int) -> tuple[FloatArray, IntArray]:
        """(scores, ids), each shaped (n_queries, k'); k' = min(k, size); ids -1 pad."""

    @abstractmethod
    def vectors(self, ids: IntArray) -> FloatArray:
        """The stored vectors of rows ``ids``."""

    def scores(self, ids: IntArray, query: FloatArray) -> FloatArray:
        """The scores of rows ``ids`` (any order) for ``query``, as ``search`` scores them
        (to score candidates found elsewhere)."""
        return np.asarray(self.vectors(ids) @ query, dtype=np.float32)

    @abstractmethod
    def save(self, path: Path) -> None: ...

    @abstractmethod
    def to_bytes(self) -> ByteArray:
        """The index as ``save`` writes it, in memory (a store that keeps it elsewhere)."""

    @classmethod
    @abstractmethod
    def from_bytes(cls, data: ByteArray, dense: DenseSettings,
                   settings: RetrievalSettings) -> DenseIndex:
        """The index ``to_bytes`` gave."""

    @classmethod
    @abstractmethod
    def load(cls, path: Path, dense: DenseSettings, settings: RetrievalSettings) -> DenseIndex:
        """The index saved at ``path`` and described by ``dense``."""

    @classmethod
    @abstractmethod
    def plan(cls, settings: RetrievalSettings, count: int) -> DenseSettings:
        """How an index of ``count`` vectors is built under ``settings``."""

    @classmethod
    @abstractmethod
    def create(cls, vectors: FloatArray, dense: DenseSettings,
               settings: RetrievalSettings) -> DenseIndex:
        """An index of ``vectors`` built as ``dense`` (from ``plan``) says."""

    @property
    @abstractmethod
    def size(self) -> int: ...


class NumpyIndex(DenseIndex):
    """Exact brute-force search: the fallback and the test oracle for FAISS."""

    kind = "numpy"

    def __init__(self, vectors: FloatArray) -> None:
        self._vectors = np.ascontiguousarray(vectors, dtype=np.float32)

    @property
    def size(self) -> int:
        return int(self._vectors.shape[0])

    def search(self, queries: FloatArray, k: int) -> tuple[FloatArray, IntArray]:
        k = min(k, self.size)
        if k <= 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        scores = queries @ self._vectors.T
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        top_scores = np.take_along_axis(scores, top, axis=1)
        order = np.argsort(-top_scores, axis=1, kind="stable")
        return (np.take_along_axis(top_scores, order, axis=1).astype(np.float32),
                np.take_along_axis(top, order, axis=1).astype(np.int64))

    def vectors(self, ids: IntArray) -> FloatArray:
        return self._vectors[np.asarray(ids, dtype=np.int64)]

    def save(self, path: Path) -> None:
        with open(path, "wb") as handle:
            np.save(handle, self._vectors, allow_pickle=False)

    @classmethod
    def load(cls, path: Path, dense: DenseSettings | None = None,
             settings: RetrievalSettings | None = None) -> NumpyIndex:
        return cls(np.load(path, allow_pickle=False))

    def to_bytes(self) -> ByteArray:
        buffer = io.BytesIO()
        np.save(buffer, self._vectors, allow_pickle=False)
        return np.frombuffer(buffer.getbuffer(), dtype=np.uint8)

    @classmethod
    def from_bytes(cls, data: ByteArray, dense: DenseSettings | None = None,
                   settings: RetrievalSettings | None = None) -> NumpyIndex:
        buffer = io.BytesIO(np.asarray(data, dtype=np.uint8).tobytes())
        return cls(np.load(buffer, allow_pickle=False))

    @classmethod
    def plan(cls, settings: RetrievalSettings, count: int) -> DenseSettings:
        return DenseSettings(backend="numpy", kind="exact")

    @classmethod
    def create(cls, vectors: FloatArray, dense: DenseSettings,
               settings: RetrievalSettings) -> NumpyIndex:
        return cls(vectors)


SCAN_FROM_ROWS = 1_000  # HNSW rows scored by a FAISS scan from this many on


class FaissIndex(DenseIndex):
    def __init__(self, index: Any, kind: str) -> None:
        self._index = index
        self.kind = kind

    @classmethod
    def build(cls, vectors: FloatArray, kind: str, *, hnsw_m: int = 32,
              ef_construction: int = 80, ef_search: int = 128) -> FaissIndex:
        import faiss

        dimension = vectors.shape[1]
        index: Any
        if kind == "hnsw":
            # Vectors kept as float16: half the memory of float32 for the same recall (the
            # approximate graph, not the rounding, limits it; docs/benchmarks.md).
            index = faiss.IndexHNSWSQ(dimension, faiss.ScalarQuantizer.QT_fp16,  # type: ignore[arg-type]
                                      hnsw_m,
                                      faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            index.hnsw.efSearch = ef_search
        elif kind == "flat":
            index = faiss.IndexFlatIP(dimension)
        else:
            raise ValueError(f"unknown FAISS index kind {kind!r} (expected 'flat' or 'hnsw')")
        if len(vectors):
            if not index.is_trained:
                index.train(np.ascontiguousarray(vectors, dtype=np.float32))
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, kind)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    def set_ef_construction(self, ef_construction: int) -> None:
        if self.kind == "hnsw":
            self._index.hnsw.efConstruction = ef_construction

    def add(self, vectors: FloatArray) -> None:
        if len(vectors):
            self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def set_ef_search(self, ef_search: int) -> None:
        if self.kind == "hnsw":
            self._index.hnsw.efSearch = ef_search

    def search(self, queries: FloatArray, k: int) -> tuple[FloatArray, IntArray]:
        k = min(k, self.size)
        if k <= 0:
            empty = np.zeros((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        scores, ids = self._index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
        return scores.astype(np.float32), ids.astype(np.int64)

    def vectors(self, ids: IntArray) -> FloatArray:
        if len(ids) == 0:
            return np.zeros((0, self._index.d), dtype=np.float32)
        return np.asarray(self._index.reconstruct_batch(np.asarray(ids, dtype=np.int64)),
                          dtype=np.float32)

    def scores(self, ids: IntArray, query: FloatArray) -> FloatArray:
        if self.kind != "hnsw":
            return super().scores(ids, query)
        import faiss

        ids = np.asarray(ids, dtype=np.int64)
        storage: Any = faiss.downcast_index(self._index.storage)
        # The float16 copies are read where FAISS keeps them (decoding them through FAISS
        # is slower than the reading); above a thousand rows a scan of the copies limited
        # to the rows is quicker than NumPy's float16 conversion, and frees the GIL.
        if len(ids) < SCAN_FROM_ROWS:
            codes = faiss.rev_swig_ptr(storage.codes.data(), storage.codes.size())
            halves = codes.view(np.float16).reshape(self.size, self.dimension)
            return np.asarray(halves[ids].astype(np.float32) @ query, dtype=np.float32)
        rows, back = np.unique(ids, return_inverse=True)
        chosen = np.zeros(self.size, dtype=bool)
        chosen[rows] = True
        bits = np.packbits(chosen, bitorder="little")
        selector = faiss.IDSelectorBitmap(self.size, faiss.swig_ptr(bits))  # lives to the end
        within = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        found, found_ids = storage.search(np.ascontiguousarray(query[None, :], dtype=np.float32),
                                          len(rows), params=within)
        out = np.empty(len(rows), dtype=np.float32)
        out[np.searchsorted(rows, found_ids[0])] = found[0]
        return out[back]

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, dense: DenseSettings, settings: RetrievalSettings) -> FaissIndex:
        return cls.read(path, dense.kind, settings.hnsw_ef_search)

    @classmethod
    def read(cls, path: Path, kind: str, ef_search: int) -> FaissIndex:
        import faiss

        loaded = cls(faiss.read_index(str(path)), kind)
        loaded.set_ef_search(ef_search)
        return loaded

    def to_bytes(self) -> ByteArray:
        import faiss

        return np.asarray(faiss.serialize_index(self._index), dtype=np.uint8)

    @classmethod
    def from_bytes(cls, data: ByteArray, dense: DenseSettings,
                   settings: RetrievalSettings) -> FaissIndex:
        import faiss

        loaded = cls(faiss.deserialize_index(np.asarray(data, dtype=np.uint8)), dense.kind)
        loaded.set_ef_search(settings.hnsw_ef_search)
        return loaded

    @classmethod
    def plan(cls, settings: RetrievalSettings, count: int) -> DenseSettings:
        kind = choose_faiss_kind(settings.faiss_index, count, settings.exact_max_chunks)
        return DenseSettings(backend="faiss", kind=kind, hnsw_m=settings.hnsw_m,
                             ef_construction=settings.hnsw_ef_construction,
                             vector_storage="float16" if kind == "hnsw" else "float32")

    @classmethod
    def create(cls, vectors: FloatArray, dense: DenseSettings,
               settings: RetrievalSettings) -> FaissIndex:
        return cls.build(vectors, dense.kind, hnsw_m=dense.hnsw_m or settings.hnsw_m,
                         ef_construction=dense.ef_construction or settings.hnsw_ef_construction,
                         ef_search=settings.hnsw_ef_search)


def choose_faiss_kind(requested: str, n_vectors: int, exact_max: int) -> str:
    if requested == "auto":
        return "flat" if n_vectors <= exact_max else "hnsw"
    return requested


DENSE_BACKENDS: dict[str, type[DenseIndex]] = {"faiss": FaissIndex, "numpy": NumpyIndex}


def plan_dense(settings: RetrievalSettings, count: int) -> DenseSettings:
    """How the dense index of ``count`` vectors is built for ``settings.dense_backend``."""
    return DENSE_BACKENDS[settings.dense_backend].plan(settings, count)


def build_dense(vectors: FloatArray, dense: DenseSettings,
                settings: RetrievalSettings) -> DenseIndex:
    """The dense index of ``vectors`` as ``dense`` (from ``plan_dense``) describes it."""
    return DENSE_BACKENDS[dense.backend].create(vectors, dense, settings)


def extend_dense(path: Path, dense: DenseSettings, settings: RetrievalSettings,
                 vectors: FloatArray, reused: int) -> DenseIndex | None:
    """The saved index at ``path`` (of ``vectors``' first ``reused`` rows) with the others added:
    an HNSW graph takes new nodes as it took every other one, so only they are linked in
    (building it again from all vectors is most of an update at 10^5 passages). None where
    a fresh build is as cheap (an exact index) or the saved one does not fit."""
    if dense.backend != "faiss" or dense.kind != "hnsw":
        return None
    return extend_loaded(FaissIndex.read(path, dense.kind, settings.hnsw_ef_search), dense,
                         settings, vectors, reused)


def extend_loaded(index: DenseIndex, dense: DenseSettings, settings: RetrievalSettings,
                  vectors: FloatArray, reused: int) -> DenseIndex | None:
    """``extend_dense`` of an index already read (a store that does not keep files)."""
    if not isinstance(index, FaissIndex) or dense.kind != "hnsw":
        return None
    if index.size != reused or reused > len(vectors) or index.dimension != vectors.shape[1]:
        return None
    index.set_ef_construction(dense.ef_construction or settings.hnsw_ef_construction)
    index.add(vectors[reused:])
    return index


def load_dense(path: Path, dense: DenseSettings, settings: RetrievalSettings) -> DenseIndex:
    """The saved index ``dense`` describes (KeyError for a backend this version lacks)."""
    return DENSE_BACKENDS[dense.backend].load(path, dense, settings)


def dense_from_bytes(data: ByteArray, dense: DenseSettings,
                     settings: RetrievalSettings) -> DenseIndex:
    """``load_dense`` of an index kept in memory (``DenseIndex.to_bytes``)."""
    return DENSE_BACKENDS[dense.backend].from_bytes(data, dense, settings)
