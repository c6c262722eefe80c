"""Writing a generation of the files store (``FilesWriter``, a ``StoreWriter``)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import numpy as np

from ..dense import build_dense
from ..diacritics import DiacriticRestorer
from ..errors import NewsQAError
from ..lexical import LexicalIndex
from ..settings import RetrievalSettings
from ..types import ArticleInfo
from .files import StoredGeneration
from .io import load_array, save_array, write_json
from .layout import (
    ARTICLES,
    CHUNKS,
    DIACRITICS,
    LEXICAL,
    MANIFEST,
    PEOPLE,
    TEXT_OFFSETS,
    TEXTS,
    VECTORS,
    IndexDir,
    dense_file,
    describe_files,
)
from .manifest import Manifest
from .protocol import PassageBatch


class FilesWriter:
    """One build of a files store: a new generation folder, made live by ``commit``."""

    def __init__(self, index_dir: IndexDir, settings: RetrievalSettings) -> None:
        self.index_dir = index_dir
        self.settings = settings
        self._stack = contextlib.ExitStack()
        self.folder: Path | None = None
        self._manifest: Manifest | None = None
        self._committed = False
        self._texts: IO[bytes] | None = None

    def __enter__(self) -> FilesWriter:
        self._stack.enter_context(self.index_dir.build_lock())
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            if not self._committed:
                self.abort()
        finally:
            self._stack.close()

    def reusable(self) -> StoredGeneration | None:
        try:
            folder = self.index_dir.current()
            if folder is None:
                return None
            # An index of an older format still holds reusable vectors: only the lexical
            # side and the manifest changed between formats.
            manifest = self.index_dir.read_manifest(folder, same_version=False)
            # Copy vectors only from files that still match their checksums: a damaged
            # generation must not be carried, freshly checksummed, into the next one.
            self.index_dir.verify_files(folder, manifest)
            return StoredGeneration(folder, manifest)
        except NewsQAError:
            # An unreadable old index is simply not reused; the new build replaces it.
            return None

    def begin(self, manifest: Manifest) -> None:
        self.folder = self.index_dir.new_generation()
        self._manifest = manifest
        count, dimension = manifest.counts.chunks, manifest.embedder.dimension
        # Vectors go to disk batch by batch (a million of them are 1.5 GB): the .npy header
        # first, as np.save writes it, then each batch's rows.
        self._vectors = open(self.folder / VECTORS, "wb")  # noqa: SIM115 - closed by commit/abort
        np.lib.format.write_array_header_1_0(self._vectors, {
            "descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
            "fortran_order": False, "shape": (count, dimension)})
        self._people = np.zeros(count, dtype=np.uint8)
        self._rows = np.zeros((count, 4), dtype=np.int32)  # article, ordinal, start, end
        self._offsets = np.zeros(count + 1, dtype=np.int64)
        self._terms: list[Sequence[str]] = []
        self._articles: list[ArticleInfo] = []
        self._texts = open(self.folder / TEXTS, "wb")  # noqa: SIM115 - closed by commit/abort

    def write_articles(self, articles: Sequence[ArticleInfo]) -> None:
        self._articles.extend(articles)

    def write_passages(self, batch: PassageBatch) -> None:
        assert self._texts is not None, "begin() first"
        rows = slice(batch.first, batch.first + len(batch))
        encoded = [text.encode("utf-8") for text in batch.texts]
        self._offsets[batch.first + 1:rows.stop + 1] = (
            self._offsets[batch.first] + np.cumsum([len(t) for t in encoded]))
        for text in encoded:
            self._texts.write(text)
        self._vectors.write(np.ascontiguousarray(batch.vectors, dtype=np.float32).tobytes())
        self._people[rows] = batch.people
        self._rows[rows] = np.stack([batch.articles, batch.ordinals, batch.starts, batch.ends],
                                    axis=1)
        self._terms.extend(batch.terms)

    def write_restorer(self, restorer: DiacriticRestorer) -> None:
        assert self.folder is not None, "begin() first"
        restorer.save(self.folder / DIACRITICS)

    def commit(self) -> str:
        folder, manifest, texts = self.folder, self._manifest, self._texts
        assert folder is not None and manifest is not None and texts is not None, "begin() first"
        texts.close()
        self._vectors.close()
        save_array(folder / TEXT_OFFSETS, self._offsets)
        save_array(folder / CHUNKS, self._rows)
        save_array(folder / PEOPLE, self._people)
        write_json(folder / ARTICLES, [_record(a) for a in self._articles])
        vectors = load_array(folder / VECTORS, mmap=True)
        build_dense(vectors, manifest.dense, self.settings).save(
            folder / dense_file(manifest.dense.backend))
        del vectors
        LexicalIndex.build(self._terms).save(folder / LEXICAL)
        final = replace(manifest, files=describe_files(folder))
        (folder / MANIFEST).write_text(final.to_json(), encoding="utf-8")
        self._manifest = final
        self.index_dir.commit(folder)
        self._committed = True
        return folder.name

    @property
    def manifest(self) -> Manifest | None:
        return self._manifest

    def abort(self) -> None:
        if self._texts is not None:
            # Closing flushes: on a full disk that fails too, and the folder goes anyway.
            for handle in (self._texts, self._vectors):
                with contextlib.suppress(OSError):
                    handle.close()
        if self.folder is not None and not self._committed:
            # A failed write (full disk, interrupted) must not leave a half generation.
            shutil.rmtree(self.folder, ignore_errors=True)


def _record(article: ArticleInfo) -> dict[str, Any]:
    """An article as articles.json has always held it."""
    record = asdict(article)
    return {key: record[key] for key in ("file", "title", "date", "content_hash",
                                         "first_chunk", "chunks", "has_headline")}
