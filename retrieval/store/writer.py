"""Writing a generation of the files store (``FilesWriter``, a ``StoreWriter``)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import numpy as np

from ..dense import DenseIndex, build_dense, extend_dense
from ..diacritics import DiacriticRestorer
from ..errors import IndexWriteError, NewsQAError
from ..events.model import ArticleFacts
from ..events.storage import FACTS_FILE, write_facts_file
from ..lexical import LexicalIndex
from ..lexical_merge import merge_lexical
from ..settings import RetrievalSettings
from ..types import ArticleInfo
from .files import StoredGeneration
from .io import load_array, save_array, write_json, write_text
from .layout import (
    ARTICLES,
    CHUNKS,
    DIACRITICS,
    LEXICAL,
    MANIFEST,
    PEOPLE,
    SENTENCE_OFFSETS,
    SENTENCE_VECTORS,
    TEXT_OFFSETS,
    TEXTS,
    VECTORS,
    IndexDir,
    dense_file,
    describe_files,
    write_error,
)
from .manifest import Manifest
from .protocol import FloatArray, IntArray, PassageBatch, StoredPassages
from .sentences import SENTENCE_DTYPE


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
        self._vectors: IO[bytes] | None = None
        self._sentences: IO[bytes] | None = None
        self._verified: set[Path] = set()  # folders whose files matched their checksums
        # The earlier generation, its manifest and where each new passage was in it.
        self._reuse: tuple[Path, Manifest, IntArray] | None = None

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
        """The live generation, or when it is damaged or gone (CURRENT naming a folder
        that was deleted) the newest intact older one."""
        try:
            live = self.index_dir.current()
        except NewsQAError:
            live = None
        candidates = [live] if live is not None else []
        candidates += [g for g in self.index_dir.generations() if g != live]
        for folder in candidates:
            try:
                # An index of an older format still holds reusable vectors: only the lexical
                # side and the manifest changed between formats.
                manifest = self.index_dir.read_manifest(folder, same_version=False)
                # Copy vectors only from files that still match their checksums: a damaged
                # generation must not be carried, freshly checksummed, into the next one.
                self.index_dir.verify_files(folder, manifest)
                self._verified.add(folder)
                return StoredGeneration(folder, manifest)
            except (NewsQAError, OSError):
                continue  # an unreadable generation is simply not reused
        return None

    def reclaim(self) -> int:
        """Remove generation folders of dead builds (under the build lock no other build
        runs): all but the live one and the newest complete one besides it, which readers
        may still hold and which the next build falls back on if the live one is lost."""
        live = self.index_dir.current_name()
        folders = self.index_dir.generations()
        complete = [f for f in folders if f.name != live and (f / MANIFEST).is_file()]
        keep = {live, complete[0].name if complete else None}
        freed = 0
        for folder in folders:
            if folder.name not in keep:
                freed += folder_bytes(folder)
                shutil.rmtree(folder, ignore_errors=True)
                freed -= folder_bytes(folder)  # what could not be removed stays counted out
        self.index_dir.remove_stale({f.name for f in folders if f.name in keep})
        return freed

    def up_to_date(self, manifest: Manifest) -> bool:
        try:
            folder = self.index_dir.current()
            if folder is None:
                return False
            live = self.index_dir.read_manifest(folder)
            if folder not in self._verified:
                self.index_dir.verify_files(folder, live)
        except NewsQAError:
            return False
        return replace(live, created_at="", files={}) == replace(manifest, created_at="",
                                                                 files={})

    def begin(self, manifest: Manifest) -> None:
        with writing(self.index_dir.root):
            self.folder = self.index_dir.new_generation()
        self._manifest = manifest
        count, dimension = manifest.counts.chunks, manifest.embedder.dimension
        self._people = np.zeros(count, dtype=np.uint8)
        self._rows = np.zeros((count, 4), dtype=np.int32)  # article, ordinal, start, end
        self._offsets = np.zeros(count + 1, dtype=np.int64)
        self._sentence_offsets = np.zeros(count + 1, dtype=np.int64)
        self._terms: list[Sequence[Sequence[str]]] = []  # each batch's, in order
        self._articles: list[ArticleInfo] = []
        # Vectors go to disk batch by batch (a million of them are 1.5 GB): the .npy header
        # first, as np.save writes it, then each batch's rows.
        with writing(self.folder / VECTORS):
            self._vectors = open(self.folder / VECTORS, "wb")  # noqa: SIM115 - closed by commit/abort
            np.lib.format.write_array_header_1_0(self._vectors, {
                "descr": np.lib.format.dtype_to_descr(np.dtype(np.float32)),
                "fortran_order": False, "shape": (count, dimension)})
        with writing(self.folder / TEXTS):
            self._texts = open(self.folder / TEXTS, "wb")  # noqa: SIM115 - closed by commit/abort
        with writing(self.folder / SENTENCE_VECTORS):
            self._sentences = open(self.folder / SENTENCE_VECTORS, "wb")  # noqa: SIM115 - closed by commit/abort

    def write_articles(self, articles: Sequence[ArticleInfo]) -> None:
        self._articles.extend(articles)

    def write_passages(self, batch: PassageBatch) -> None:
        assert self._texts is not None, "begin() first"
        rows = slice(batch.first, batch.first + len(batch))
        encoded = [text.encode("utf-8") for text in batch.texts]
        self._offsets[batch.first + 1:rows.stop + 1] = (
            self._offsets[batch.first] + np.cumsum([len(t) for t in encoded]))
        assert self.folder is not None and self._vectors is not None
        with writing(self.folder / TEXTS):
            for text in encoded:
                self._texts.write(text)
        with writing(self.folder / VECTORS):
            self._vectors.write(np.ascontiguousarray(batch.vectors, dtype=np.float32).tobytes())
        offsets = np.asarray(batch.sentence_offsets, dtype=np.int64)
        if (len(offsets) != len(batch) + 1 or int(offsets[0]) != 0
                or bool((offsets[1:] <= offsets[:-1]).any())
                or len(batch.sentence_vectors) != int(offsets[-1])):
            raise ValueError("every passage needs its sentence vectors, in order")
        self._sentence_offsets[batch.first + 1:rows.stop + 1] = (
            self._sentence_offsets[batch.first] + offsets[1:])
        assert self._sentences is not None
        with writing(self.folder / SENTENCE_VECTORS):
            self._sentences.write(np.ascontiguousarray(batch.sentence_vectors,
                                                       dtype=SENTENCE_DTYPE).tobytes())
        self._people[rows] = batch.people
        self._rows[rows] = np.stack([batch.articles, batch.ordinals, batch.starts, batch.ends],
                                    axis=1)
        self._terms.append(batch.terms)  # not iterated: it may compute them on demand

    def write_facts(self, facts: Sequence[ArticleFacts]) -> None:
        assert self.folder is not None, "begin() first"
        with writing(self.folder / FACTS_FILE):
            write_facts_file(self.folder, facts)

    def write_restorer(self, restorer: DiacriticRestorer) -> None:
        assert self.folder is not None, "begin() first"
        with writing(self.folder / DIACRITICS):
            restorer.save(self.folder / DIACRITICS)

    def reuses(self, previous: StoredPassages, origins: IntArray) -> None:
        # Only a generation whose files matched their checksums lends its derived files.
        if isinstance(previous, StoredGeneration) and previous.folder in self._verified:
            self._reuse = (previous.folder, previous.manifest, np.asarray(origins))

    def commit(self) -> str:
        folder, manifest, texts = self.folder, self._manifest, self._texts
        assert folder is not None and manifest is not None and texts is not None, "begin() first"
        assert self._vectors is not None
        with writing(folder / TEXTS):
            texts.close()
        with writing(folder / VECTORS):
            self._vectors.close()
        assert self._sentences is not None
        with writing(folder / SENTENCE_VECTORS):
            self._sentences.close()
        for name, array in ((TEXT_OFFSETS, self._offsets), (CHUNKS, self._rows),
                            (PEOPLE, self._people),
                            (SENTENCE_OFFSETS, self._sentence_offsets)):
            with writing(folder / name):
                save_array(folder / name, array)
        with writing(folder / ARTICLES):
            write_json(folder / ARTICLES, [_record(a) for a in self._articles])
        vectors = load_array(folder / VECTORS, mmap=True)
        dense_path = folder / dense_file(manifest.dense.backend)
        with writing(dense_path):
            self._dense(vectors, manifest).save(dense_path)
        del vectors
        with writing(folder / LEXICAL):
            self._lexical(manifest).save(folder / LEXICAL)
        final = replace(manifest, files=describe_files(folder))
        with writing(folder / MANIFEST):
            write_text(folder / MANIFEST, final.to_json())
        self._manifest = final
        with writing(self.index_dir.root):
            self.index_dir.commit(folder)
        self._committed = True
        return folder.name

    def _dense(self, vectors: FloatArray, manifest: Manifest) -> DenseIndex:
        """The earlier generation's graph with the new vectors added when this generation
        begins with all of its passages in order; otherwise built from all vectors."""
        if self._reuse is not None:
            folder, earlier, origins = self._reuse
            count = earlier.counts.chunks
            if (earlier.dense == manifest.dense and count <= len(origins)
                    and bool((origins[:count] == np.arange(count)).all())):
                try:
                    extended = extend_dense(folder / dense_file(manifest.dense.backend),
                                            manifest.dense, self.settings, vectors, count)
                except (OSError, RuntimeError, ValueError):
                    extended = None  # an unreadable earlier graph: build one anew
                if extended is not None:
                    return extended
        return build_dense(vectors, manifest.dense, self.settings)

    def _lexical(self, manifest: Manifest) -> LexicalIndex:
        """Unchanged passages' postings carried over from the earlier generation (same
        terms), the new passages' terms added; or built from every passage's terms."""
        if self._reuse is not None:
            folder, earlier, origins = self._reuse
            previous = (LexicalIndex.load_for_build(folder / LEXICAL)
                        if earlier.tokenizer == manifest.tokenizer else None)
            if previous is not None and bool((origins < previous.size).all()):
                sizes = [len(batch) for batch in self._terms]
                starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

                def terms_of(passage: int) -> Sequence[str]:
                    batch = int(np.searchsorted(starts, passage, side="right")) - 1
                    return self._terms[batch][passage - int(starts[batch])]

                return merge_lexical(previous, origins, terms_of)
        return LexicalIndex.build([terms for batch in self._terms for terms in batch])

    @property
    def manifest(self) -> Manifest | None:
        return self._manifest

    def abort(self) -> None:
        # Closing flushes: on a full disk that fails too, and the folder goes anyway.
        for handle in (self._texts, self._vectors, self._sentences):
            if handle is not None:
                with contextlib.suppress(OSError):
                    handle.close()
        if self.folder is not None and not self._committed:
            # A failed write (full disk, interrupted) must not leave a half generation.
            self.index_dir.remove_generation(self.folder)


@contextlib.contextmanager
def writing(path: Path) -> Iterator[None]:
    """Any failure to write ``path`` becomes the one-line ``IndexWriteError`` naming it:
    OSError, and FAISS's RuntimeError (its C++ text) when its file cannot be written."""
    try:
        yield
    except OSError as exc:
        raise write_error(exc, path) from exc
    except RuntimeError as exc:
        text = str(exc)
        reason = ("No space left on device" if "No space left" in text
                  else (text.strip().splitlines() or ["write error"])[-1][:200])
        raise IndexWriteError(str(path), reason) from exc


def folder_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder`` (0 once it is gone)."""
    total = 0
    for path in folder.rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file():
                total += path.stat().st_size
    return total


def _record(article: ArticleInfo) -> dict[str, Any]:
    """An article as articles.json has always held it."""
    record = asdict(article)
    kept = {key: record[key] for key in ("file", "title", "date", "content_hash",
                                         "first_chunk", "chunks", "has_headline")}
    if article.url is not None:  # only articles added from the web have one
        kept["url"] = article.url
    return kept
