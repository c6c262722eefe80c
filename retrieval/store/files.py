"""The files store: generations in a folder (see ``layout``), read by ``FilesGeneration``.

The default store: ``make run`` needs no server. One generation is loaded at a time; a
search holds the generation it started with, so a ``refresh`` in between never mixes two.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent import futures
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..dense import DenseIndex, load_dense
from ..diacritics import DiacriticRestorer
from ..embedding import EmbedderIdentity
from ..errors import CorruptIndexError, IndexMismatchError
from ..events.model import ArticleFacts
from ..events.storage import read_facts_file
from ..lexical import LexicalIndex
from ..settings import RetrievalSettings
from ..text import QueryTerms
from ..types import ArticleInfo, Source
from .io import FileBytes, load_array, load_json, npy_rows
from .layout import (
    ARTICLES,
    CHUNKS,
    DIACRITICS,
    LEXICAL,
    PEOPLE,
    SENTENCE_OFFSETS,
    SENTENCE_VECTORS,
    TEXT_OFFSETS,
    TEXTS,
    VECTORS,
    IndexDir,
    dense_file,
)
from .manifest import FORMAT_VERSION, Manifest
from .protocol import (
    Candidates,
    FloatArray,
    IntArray,
    StoreWriter,
    best_within_of,
    candidates_of,
    scored_of,
)
from .sentences import SENTENCE_DTYPE, SentenceRows, best_sentence_scores, sentences_of

# Columns of the chunk table (chunks.npy); only this module reads it.
_ARTICLE, _ORDINAL, _START, _END = range(4)


def load_sentences(folder: Path, manifest: Manifest
                   ) -> tuple[IntArray, SentenceRows | np.ndarray[Any, Any]] | None:
    """The passages' sentence offsets and vectors (read from the file as asked for), or None
    for a generation built before them."""
    if not manifest.sentence_vectors:
        return None
    offsets = load_array(folder / SENTENCE_OFFSETS)
    path = folder / SENTENCE_VECTORS
    dimension = int(manifest.embedder.dimension)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CorruptIndexError(str(path), str(exc)) from exc
    rows = int(offsets[-1]) if len(offsets) else -1
    if (len(offsets) != manifest.counts.chunks + 1 or int(offsets[0]) != 0
            or bool((offsets[1:] <= offsets[:-1]).any())
            or size != rows * dimension * np.dtype(SENTENCE_DTYPE).itemsize):
        raise CorruptIndexError(str(path), "sentence vectors do not fit their offsets")
    if rows == 0:
        return offsets, np.zeros((0, dimension), dtype=SENTENCE_DTYPE)
    return offsets, SentenceRows(FileBytes(path), dimension)


def load_articles_file(path: Path) -> list[ArticleInfo]:
    records = load_json(path)
    try:
        return [ArticleInfo(**record) for record in records]
    except TypeError as exc:
        raise CorruptIndexError(str(path), str(exc)) from exc


DENSE_THREADS = 4  # searches whose dense top-k may be searched at once
# Dense work over fewer rows than this is done here: handing it to a thread cost more than
# it saved (185 passages: 2.2 ms a question alone, 2.6 ms with the thread).
SIDE_BY_SIDE_ROWS = 2_000


class FilesGeneration:
    """One loaded, read-only generation of the files store."""

    def __init__(self, folder: Path, manifest: Manifest, settings: RetrievalSettings,
                 background: futures.Executor | None = None) -> None:
        self.folder = folder
        self._background = background
        # Searching needs neither the per-article hashes nor the file checksums (the
        # indexer reads them from disk): at 10^4 articles they held megabytes.
        self._manifest = replace(manifest, article_hashes={}, files={})
        self._articles = load_articles_file(folder / ARTICLES)
        self._facts: list[ArticleFacts] | None = None
        self._chunks = load_array(folder / CHUNKS)
        self._offsets = load_array(folder / TEXT_OFFSETS)
        self._people = load_array(folder / PEOPLE)
        self._texts = FileBytes(folder / TEXTS)
        count = manifest.counts.chunks
        if (len(self._chunks) != count or len(self._offsets) != count + 1
                or len(self._people) != count):
            raise CorruptIndexError(str(folder / CHUNKS), "chunk count differs")
        offsets = self._offsets
        if (int(offsets[0]) != 0 or int(offsets[-1]) != self._texts.size
                or bool((offsets[1:] < offsets[:-1]).any())):
            raise CorruptIndexError(str(folder / TEXT_OFFSETS),
                                    "passage offsets do not fit texts.bin")
        self.dense = _load_dense(folder, manifest, settings)
        # Searches score with the dense index's copies; the stored rows (what the next
        # build reuses) are checked here so damage is named before it is built on.
        vectors = npy_rows(folder / VECTORS)
        if (len(vectors) != count or vectors.dimension != manifest.embedder.dimension
                or vectors.dtype != np.float32):
            raise CorruptIndexError(str(folder / VECTORS), "vector count or size differs")
        self._sentences = load_sentences(folder, manifest)
        self.lexical = LexicalIndex.load(folder / LEXICAL)
        try:
            self.restorer = DiacriticRestorer.load(folder / DIACRITICS)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CorruptIndexError(str(folder / DIACRITICS), str(exc)) from exc
        if self.dense.size != count or self.lexical.size != count:
            raise CorruptIndexError(str(folder), "dense, lexical and chunk counts differ")

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    @property
    def size(self) -> int:
        return len(self._chunks)

    # --- passages ---------------------------------------------------------------------------

    def text(self, passage: int) -> str:
        start, end = int(self._offsets[passage]), int(self._offsets[passage + 1])
        return self._texts[start:end].decode("utf-8")

    def texts(self, passages: Sequence[int]) -> list[str]:
        return [self.text(int(p)) for p in passages]

    def text_bytes(self, passage: int) -> int:
        return int(self._offsets[passage + 1] - self._offsets[passage])

    def article_of(self, passage: int) -> int:
        return int(self._chunks[passage, _ARTICLE])

    def start_of(self, passage: int) -> int:
        return int(self._chunks[passage, _START])

    def people_count(self, passage: int) -> int:
        return int(self._people[passage])

    def source(self, passage: int) -> Source:
        record = self._articles[self.article_of(passage)]
        return Source(record.file, record.title, record.date, record.url)

    # --- articles ---------------------------------------------------------------------------

    def articles(self) -> Sequence[ArticleInfo]:
        return self._articles

    def article(self, number: int) -> ArticleInfo:
        return self._articles[number]

    def facts(self) -> Sequence[ArticleFacts]:
        if self._facts is None:  # read on first use: only people questions need them
            self._facts = read_facts_file(self.folder, sentences=False)
        return self._facts

    # --- lexical and dense ------------------------------------------------------------------

    def lexical_top(self, terms: QueryTerms, k: int) -> tuple[IntArray, FloatArray]:
        return self.lexical.top(terms, k)

    def lexical_scores(self, passages: IntArray, terms: QueryTerms) -> FloatArray:
        return self.lexical.scores_for(passages, terms)

    def idf(self, terms: Sequence[str]) -> FloatArray:
        return self.lexical.idf(terms)

    def dense_top(self, vector: FloatArray, k: int) -> tuple[IntArray, FloatArray]:
        scores, ids = self.dense.search(vector[None, :], k)
        return ids[0], scores[0]

    def dense_scores(self, passages: IntArray, vector: FloatArray) -> FloatArray:
        return self.dense.scores(passages, vector)

    def sentence_scores(self, passages: IntArray, vector: FloatArray) -> FloatArray | None:
        if self._sentences is None:
            return None
        return best_sentence_scores(*self._sentences, passages, vector)

    def candidates(self, terms: QueryTerms, vector: FloatArray | None, k: int) -> Candidates:
        threaded = self.dense.kind == "hnsw" or self.size >= SIDE_BY_SIDE_ROWS
        return candidates_of(self, terms, vector, k, self._background if threaded else None)

    def scored(self, passages: IntArray, terms: QueryTerms,
               vector: FloatArray | None) -> Candidates:
        many = len(passages) >= SIDE_BY_SIDE_ROWS
        return scored_of(self, passages, terms, vector, self._background if many else None)

    def best_within(self, passages: IntArray, terms: QueryTerms, vector: FloatArray | None,
                    depth: int) -> Candidates:
        return best_within_of(self, passages, terms, vector, depth, self._background)

    def restore_diacritics(self, text: str) -> str:
        return self.restorer.restore(text)


def _load_dense(folder: Path, manifest: Manifest, settings: RetrievalSettings) -> DenseIndex:
    try:
        path = folder / dense_file(manifest.dense.backend)
    except ValueError as exc:
        raise CorruptIndexError(str(folder / "manifest.json"), str(exc)) from exc
    try:
        return load_dense(path, manifest.dense, settings)
    except CorruptIndexError:
        raise
    except Exception as exc:  # faiss raises RuntimeError with C++ text on damaged files
        raise CorruptIndexError(str(path), str(exc).splitlines()[0][:200]) from exc


class StoredGeneration:
    """An earlier generation as an incremental build reuses it (any format since 1)."""

    def __init__(self, folder: Path, manifest: Manifest) -> None:
        self._folder = folder
        self._manifest = manifest
        self._articles = load_articles_file(folder / ARTICLES)
        self._vectors = load_array(folder / VECTORS, mmap=True)
        # Passage boundaries are reused only from a generation of this very format.
        self._chunks = (load_array(folder / CHUNKS, mmap=True)
                        if manifest.format_version == FORMAT_VERSION else None)
        # Indexes of format 1 have no people counts: those are counted again.
        people = (load_array(folder / PEOPLE, mmap=True) if (folder / PEOPLE).exists()
                  else None)
        self._people = people if people is not None and len(people) == len(self._vectors) \
            else None
        try:
            self._sentences = load_sentences(folder, manifest)
        except (CorruptIndexError, OSError, ValueError):
            self._sentences = None  # embedded again
        if self._sentences is not None and len(self._sentences[0]) != len(self._vectors) + 1:
            self._sentences = None

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    def articles(self) -> Sequence[ArticleInfo]:
        return self._articles

    def passage_vectors(self, start: int, stop: int) -> FloatArray:
        return self._vectors[start:stop]

    def facts(self) -> Sequence[ArticleFacts]:
        try:
            return read_facts_file(self._folder)
        except CorruptIndexError:
            return []  # their articles are read again

    def people_counts(self, start: int, stop: int) -> np.ndarray[Any, np.dtype[np.uint8]] | None:
        return None if self._people is None else self._people[start:stop]

    def sentence_vectors(self, start: int, stop: int) -> tuple[IntArray, FloatArray] | None:
        if self._sentences is None:
            return None
        return sentences_of(*self._sentences, start, stop)

    def restorer(self) -> DiacriticRestorer | None:
        try:
            return DiacriticRestorer.load(self._folder / DIACRITICS)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def passage_spans(self, start: int, stop: int) -> IntArray | None:
        if self._chunks is None or len(self._chunks) != len(self._vectors):
            return None
        return np.asarray(self._chunks[start:stop, _ORDINAL:_END + 1], dtype=np.int64)

    @property
    def folder(self) -> Path:
        return self._folder


def check_embedder(manifest: Manifest, embedder: EmbedderIdentity | None) -> None:
    if embedder is not None and manifest.embedder != embedder:
        raise IndexMismatchError(
            f"built with {manifest.embedder.model!r}, configured model is {embedder.model!r}")


class FilesStore:
    """The index folder ``settings.index_dir`` as a ``Store``."""

    def __init__(self, settings: RetrievalSettings,
                 embedder: EmbedderIdentity | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.index_dir = IndexDir(settings.index_dir)
        self._lock = threading.Lock()
        self._current: FilesGeneration | None = None
        # Where a search's dense top-k is searched while its lexical top-k is scored.
        self._background = futures.ThreadPoolExecutor(DENSE_THREADS, "newsqa-dense")

    def _load(self) -> FilesGeneration:
        folder = self.index_dir.require_current()
        manifest = self.index_dir.read_manifest(folder)
        check_embedder(manifest, self.embedder)
        self.index_dir.verify_files(folder, manifest)
        return FilesGeneration(folder, manifest, self.settings, self._background)

    def current(self) -> FilesGeneration:
        current = self._current
        if current is None:
            with self._lock:
                if self._current is None:
                    self._current = self._load()
                current = self._current
        return current

    def refresh(self) -> bool:
        folder = self.index_dir.current()
        loaded = self._current
        if folder is None or (loaded is not None and folder == loaded.folder):
            return False
        with self._lock:
            if self._current is None or folder != self._current.folder:
                self._current = self._load()
                return True
        return False

    def writer(self) -> StoreWriter:
        from .writer import FilesWriter

        return FilesWriter(self.index_dir, self.settings)

    def close(self) -> None:
        self._current = None
        self._background.shutdown(wait=True)
