"""Articles -> chunks -> vectors + lexical terms -> a new index generation.

Incremental: vectors of articles whose bytes did not change are copied from the live
generation; only new or changed articles are embedded. Deleted articles drop out.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .answers import people_in_passage
from .articles import load_articles
from .chunking import chunk_article
from .dense import FaissIndex, NumpyIndex, choose_faiss_kind
from .diacritics import DiacriticRestorer
from .embedding import Embedder, load_embedder
from .errors import NewsQAError, NoArticlesError
from .lexical import LexicalIndex
from .settings import RetrievalSettings
from .store import (
    FORMAT_VERSION,
    MANIFEST,
    PEOPLE_FILE,
    TOKENIZER_VERSION,
    ArticleRecord,
    IndexDir,
    Manifest,
    describe_files,
    load_array,
    save_array,
    write_json,
)
from .text import document_terms
from .types import Article, Chunk, SkippedFile

# (chunks embedded so far, chunks to embed in all)
ProgressCallback = Callable[[int, int], None]


@dataclass
class BuildReport:
    articles: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    reused_chunks: int = 0
    removed_articles: int = 0
    embedded_chars: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    full: bool = False
    generation: str = ""
    dense_kind: str = ""
    skipped: list[SkippedFile] = field(default_factory=list)

    def summary(self) -> str:
        rate = self.embedded_chunks / self.embed_seconds if self.embed_seconds > 0 else 0.0
        parts = [
            f"{self.articles} articles, {self.chunks} passages",
            f"{self.embedded_chunks} embedded ({rate:.1f}/s), {self.reused_chunks} reused",
        ]
        if self.removed_articles:
            parts.append(f"{self.removed_articles} removed")
        if self.skipped:
            parts.append(f"{len(self.skipped)} files skipped")
        return f"Index ready: {'; '.join(parts)}; {self.seconds:.1f}s."


def chunking_settings(settings: RetrievalSettings) -> dict[str, Any]:
    return {
        "max_tokens": settings.chunk_max_tokens,
        "overlap_sentences": settings.chunk_overlap_sentences,
        "embed_with_title": settings.embed_with_title,
    }


def embedding_input(article: Article, chunk: Chunk, with_title: bool) -> str:
    """What the model sees for a passage: the article's headline gives it context."""
    if not with_title or chunk.start == 0:
        return chunk.text
    return f"{article.title}\n{chunk.text}"


def build_index(
    settings: RetrievalSettings,
    *,
    full: bool = False,
    progress: ProgressCallback | None = None,
    on_skip: Callable[[SkippedFile], None] | None = None,
    embedder: Embedder | None = None,
) -> BuildReport:
    """Build (or update) the index for ``settings.articles_dir`` in ``settings.index_dir``."""
    started = time.perf_counter()
    report = BuildReport(full=full)
    index_dir = IndexDir(settings.index_dir)
    articles_dir = settings.articles_dir
    if not articles_dir.is_dir():
        raise NewsQAError(f"Articles folder {articles_dir} does not exist.")

    with index_dir.build_lock():
        articles = load_articles(articles_dir, on_skip=report.skipped.append,
                                 max_bytes=settings.max_article_bytes)
        for skipped in report.skipped:
            if on_skip:
                on_skip(skipped)
        if not articles:
            raise NoArticlesError(str(articles_dir))
        embedder = embedder or load_embedder(settings)
        chunks_by_article = [
            chunk_article(article, embedder.count_tokens, settings.chunk_max_tokens,
                          settings.chunk_overlap_sentences)
            for article in articles
        ]
        reusable, previous_files = _previous_index(index_dir, embedder, settings)
        if full:
            reusable = {}
        vectors, people, report = _vectors(articles, chunks_by_article, reusable, embedder,
                                           settings, progress, report)
        report.removed_articles = len(previous_files - {a.file for a in articles})

        try:
            generation = index_dir.new_generation()
            try:
                manifest = _write_generation(generation, articles, chunks_by_article, vectors,
                                             people, embedder, settings)
                index_dir.commit(generation)
            except BaseException:
                # A failed write (full disk, interrupted) must not leave a half generation.
                shutil.rmtree(generation, ignore_errors=True)
                raise
        except OSError as exc:
            raise NewsQAError(
                f"Could not write the index in {settings.index_dir}: "
                f"{exc.strerror or exc}. The previous index is unchanged."
            ) from exc
    report.articles = len(articles)
    report.chunks = sum(len(c) for c in chunks_by_article)
    report.generation = generation.name
    report.dense_kind = str(manifest.dense["kind"])
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class Reusable:
    """What an unchanged article brings from the live generation."""

    vectors: np.ndarray[Any, Any]
    people: np.ndarray[Any, Any] | None


def _previous_index(
    index_dir: IndexDir, embedder: Embedder, settings: RetrievalSettings
) -> tuple[dict[str, Reusable], set[str]]:
    """(content hash -> that article's chunk vectors if compatible, files) of the live index."""
    try:
        generation = index_dir.current()
        if generation is None:
            return {}, set()
        # An index of an older format still holds reusable vectors: only the lexical side
        # and the manifest changed between formats.
        manifest = index_dir.read_manifest(generation, same_version=False)
        files = set(manifest.article_hashes)
        if (manifest.embedder != embedder.identity.as_dict()
                or manifest.chunking != chunking_settings(settings)):
            return {}, files
        # Copy vectors only from files that still match their checksums: a damaged
        # generation must not be carried, freshly checksummed, into the next one.
        index_dir.verify_files(generation, manifest)
        records = [ArticleRecord(**r) for r in _load_records(generation)]
        vectors = load_array(generation / "vectors.npy", mmap=True)
        # Indexes of format 1 have no people counts: those are counted again.
        people = (load_array(generation / PEOPLE_FILE, mmap=True)
                  if (generation / PEOPLE_FILE).exists() else None)
    except NewsQAError:
        # An unreadable old index is simply not reused; the new build replaces it.
        return {}, set()
    reusable: dict[str, Reusable] = {}
    for record in records:
        rows = slice(record.first_chunk, record.first_chunk + record.chunks)
        block = vectors[rows]
        counts = people[rows] if people is not None and len(people) == len(vectors) else None
        if len(block) == record.chunks:
            reusable[record.content_hash] = Reusable(block, counts)
    return reusable, files


def _load_records(generation: Path) -> list[dict[str, Any]]:
    from .store import load_json

    records: list[dict[str, Any]] = load_json(generation / "articles.json")
    return records


def people_counts(chunks: list[Chunk]) -> np.ndarray[Any, Any]:
    """How many people each passage names (for the who-question prior), counted once at
    build time: finding people costs 1-3 ms a passage, too much for every search."""
    return np.fromiter((min(len({m.key for m in people_in_passage(c.text)}), 255)
                        for c in chunks), dtype=np.uint8, count=len(chunks))


def _vectors(
    articles: list[Article], chunks_by_article: list[list[Chunk]],
    reusable: dict[str, Reusable], embedder: Embedder,
    settings: RetrievalSettings, progress: ProgressCallback | None, report: BuildReport,
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], BuildReport]:
    dimension = embedder.identity.dimension
    total = sum(len(c) for c in chunks_by_article)
    vectors = np.empty((total, dimension), dtype=np.float32)
    people = np.zeros(total, dtype=np.uint8)
    to_embed: list[str] = []
    rows: list[int] = []
    row = 0
    for article, chunks in zip(articles, chunks_by_article, strict=True):
        old = reusable.get(article.content_hash)
        if old is not None and len(old.vectors) != len(chunks):
            old = None
        people[row:row + len(chunks)] = (old.people if old is not None and old.people is not None
                                         else people_counts(chunks))
        if old is not None:
            vectors[row:row + len(chunks)] = old.vectors
            report.reused_chunks += len(chunks)
        else:
            for offset, chunk in enumerate(chunks):
                to_embed.append(embedding_input(article, chunk, settings.embed_with_title))
                rows.append(row + offset)
        row += len(chunks)

    done = 0
    if progress:
        progress(0, len(to_embed))

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, len(to_embed))

    embed_started = time.perf_counter()
    if to_embed:
        vectors[np.asarray(rows)] = embedder.embed_passages(to_embed, on_batch=advance)
    report.embed_seconds = time.perf_counter() - embed_started
    report.embedded_chunks = len(to_embed)
    report.embedded_chars = sum(len(t) for t in to_embed)
    return vectors, people, report


def _write_generation(
    generation: Path, articles: list[Article], chunks_by_article: list[list[Chunk]],
    vectors: np.ndarray[Any, Any], people: np.ndarray[Any, Any], embedder: Embedder,
    settings: RetrievalSettings,
) -> Manifest:
    records: list[dict[str, Any]] = []
    chunk_rows: list[tuple[int, int, int, int]] = []  # article, ordinal, start, end
    texts: list[bytes] = []
    first = 0
    for article_no, (article, chunks) in enumerate(zip(articles, chunks_by_article, strict=True)):
        records.append(asdict(ArticleRecord(article.file, article.title, article.date,
                                            article.content_hash, first, len(chunks),
                                            article.has_headline)))
        for chunk in chunks:
            chunk_rows.append((article_no, chunk.ordinal, chunk.start, chunk.end))
            texts.append(chunk.text.encode("utf-8"))
        first += len(chunks)

    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    with open(generation / "texts.bin", "wb") as handle:
        for text in texts:
            handle.write(text)
    save_array(generation / "text_offsets.npy", offsets)
    save_array(generation / "chunks.npy", np.asarray(chunk_rows, dtype=np.int32).reshape(-1, 4))
    save_array(generation / "vectors.npy", vectors)
    save_array(generation / PEOPLE_FILE, people)
    write_json(generation / "articles.json", records)

    kind = choose_faiss_kind(settings.faiss_index, len(vectors), settings.exact_max_chunks)
    dense: dict[str, Any] = {"backend": settings.dense_backend}
    if settings.dense_backend == "faiss":
        dense.update(kind=kind, hnsw_m=settings.hnsw_m,
                     ef_construction=settings.hnsw_ef_construction,
                     vector_storage="float16" if kind == "hnsw" else "float32")
        FaissIndex.build(vectors, kind, hnsw_m=settings.hnsw_m,
                         ef_construction=settings.hnsw_ef_construction,
                         ef_search=settings.hnsw_ef_search).save(generation / "dense.faiss")
    else:
        dense.update(kind="exact")
        NumpyIndex(vectors).save(generation / "dense.npy")

    lexical_dir = generation / "lexical"
    lexical_dir.mkdir()
    LexicalIndex.build([document_terms(t.decode("utf-8")) for t in texts]).save(lexical_dir)
    DiacriticRestorer.fit(a.body for a in articles).save(generation / "diacritics.json")

    manifest = Manifest(
        format_version=FORMAT_VERSION,
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        embedder=embedder.identity.as_dict(),
        chunking=chunking_settings(settings),
        tokenizer=TOKENIZER_VERSION,
        dense=dense,
        counts={"articles": len(articles), "chunks": len(texts)},
        article_hashes={a.file: a.content_hash for a in articles},
        files=describe_files(generation),
    )
    (generation / MANIFEST).write_text(manifest.to_json(), encoding="utf-8")
    return manifest
