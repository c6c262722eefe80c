"""Articles -> chunks -> vectors + lexical terms -> a new index generation.

Incremental: vectors of articles whose bytes did not change are copied from the live
generation; only new or changed articles are embedded. Deleted articles drop out.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

import numpy as np

from .answers import people_in_passage
from .articles import load_articles
from .chunking import chunk_article
from .diacritics import DiacriticRestorer
from .embedding import Embedder, load_embedder
from .errors import NewsQAError, NoArticlesError
from .events.storage import build_facts
from .settings import RetrievalSettings
from .store import (
    FORMAT_VERSION,
    TOKENIZER_VERSION,
    ChunkingSettings,
    Counts,
    Manifest,
    PassageBatch,
    StoredPassages,
    StoreWriter,
    open_store,
    plan_store_dense,
)
from .store.layout import write_error
from .store.sentences import SENTENCE_DTYPE, passage_sentences
from .text import document_terms
from .types import Article, ArticleInfo, Chunk, SkippedFile

# (chunks embedded so far, chunks to embed in all)
ProgressCallback = Callable[[int, int], None]


@dataclass
class BuildReport:
    articles: int = 0
    chunks: int = 0
    embedded_chunks: int = 0
    reused_chunks: int = 0
    removed_articles: int = 0
    facts_extracted: int = 0  # articles whose people and events were read anew
    embedded_chars: int = 0
    embedded_sentences: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    full: bool = False
    generation: str = ""
    dense_kind: str = ""
    # Left by builds that died (killed, out of disk) and removed before this one wrote.
    reclaimed_bytes: int = 0
    # Nothing changed since the live generation: no new one was written.
    up_to_date: bool = False
    skipped: list[SkippedFile] = field(default_factory=list)

    def summary(self) -> str:
        if self.up_to_date:
            return (f"Index up to date: {self.articles} articles, {self.chunks} passages; "
                    f"0 embedded, {self.reused_chunks} reused; nothing changed, nothing "
                    f"written; {self.seconds:.1f}s.")
        rate = self.embedded_chunks / self.embed_seconds if self.embed_seconds > 0 else 0.0
        parts = [
            f"{self.articles} articles, {self.chunks} passages",
            f"{self.embedded_chunks} embedded ({rate:.1f}/s), {self.reused_chunks} reused",
        ]
        if self.removed_articles:
            parts.append(f"{self.removed_articles} removed")
        if self.skipped:
            parts.append(f"{len(self.skipped)} files skipped")
        if self.reclaimed_bytes:
            parts.append(f"{self.reclaimed_bytes / 2**20:.1f} MB left by interrupted builds "
                         "reclaimed")
        return f"Index ready: {'; '.join(parts)}; {self.seconds:.1f}s."


def embedding_input(article: Article, chunk: Chunk, with_title: bool) -> str:
    """What the model sees for a passage: the article's headline gives it context."""
    if not with_title or chunk.start == 0:
        return chunk.text
    return f"{article.title}\n{chunk.text}"


def sentence_input(article: Article, chunk: Chunk, sentence: str, with_title: bool) -> str:
    """What the model sees for one sentence of a passage: a real headline gives it the
    context its passage has (a collection without headlines gains nothing from a lead)."""
    if not with_title or not article.has_headline or chunk.start == 0:
        return sentence
    return f"{article.title}\n{sentence}"


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
    articles_dir = settings.articles_dir
    if not articles_dir.is_dir():
        raise NewsQAError(f"Articles folder {articles_dir} does not exist.")

    with open_store(settings).writer() as writer:
        try:
            report.reclaimed_bytes = writer.reclaim()
        except OSError as exc:
            raise write_error(exc, settings.index_dir) from exc
        articles = load_articles(articles_dir, on_skip=report.skipped.append,
                                 max_bytes=settings.max_article_bytes)
        for skipped in report.skipped:
            if on_skip:
                on_skip(skipped)
        if not articles:
            raise NoArticlesError(str(articles_dir))
        embedder = embedder or load_embedder(settings)
        previous = writer.reusable()
        if not full and previous is not None:
            # The same articles, model and settings as the live index: nothing to write.
            same = plan_manifest(articles, embedder, settings, previous.manifest.counts.chunks)
            if writer.up_to_date(same):
                report.up_to_date = True
                report.articles, report.chunks = len(articles), same.counts.chunks
                report.reused_chunks = report.chunks  # every passage kept as it was
                report.dense_kind = same.dense.kind
                report.seconds = time.perf_counter() - started
                return report
        reusable = {} if full else _reusable(previous, embedder, settings)
        chunks_by_article = [_chunks(article, reusable.get(article.content_hash), embedder,
                                     settings) for article in articles]
        earlier = {} if full or previous is None else {f.file: f for f in previous.facts()}
        facts, report.facts_extracted = build_facts(articles, chunks_by_article, earlier)
        embedded = _vectors(articles, chunks_by_article, reusable, embedder, settings,
                            progress, report)
        previous_files = set(previous.manifest.article_hashes) if previous else set()
        report.removed_articles = len(previous_files - {a.file for a in articles})
        try:
            reused = (previous, embedded.origins) if previous is not None and reusable else None
            manifest = _write_generation(writer, articles, chunks_by_article, embedded,
                                         embedder, settings, reused)
            writer.write_facts(facts)
            report.generation = writer.commit()
        except OSError as exc:
            raise write_error(exc, settings.index_dir) from exc
    report.articles = len(articles)
    report.chunks = sum(len(c) for c in chunks_by_article)
    report.dense_kind = manifest.dense.kind
    report.seconds = time.perf_counter() - started
    return report


@dataclass(frozen=True)
class Reusable:
    """What an unchanged article brings from the live generation."""

    vectors: np.ndarray[Any, Any]
    people: np.ndarray[Any, Any] | None
    spans: np.ndarray[Any, Any] | None  # (ordinal, start, end) of each passage
    first: int  # number of its first passage in the earlier generation
    sentences: tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None  # offsets, vectors


def _reusable(previous: StoredPassages | None, embedder: Embedder,
              settings: RetrievalSettings) -> dict[str, Reusable]:
    """Content hash -> that article's passage vectors, if the earlier generation's vectors
    were made the same way."""
    if previous is None:
        return {}
    manifest = previous.manifest
    if (manifest.embedder != embedder.identity
            or manifest.chunking != ChunkingSettings.of(settings)):
        return {}
    reusable: dict[str, Reusable] = {}
    for record in previous.articles():
        stop = record.first_chunk + record.chunks
        block = previous.passage_vectors(record.first_chunk, stop)
        if len(block) == record.chunks:
            reusable[record.content_hash] = Reusable(
                block, previous.people_counts(record.first_chunk, stop),
                previous.passage_spans(record.first_chunk, stop), record.first_chunk,
                previous.sentence_vectors(record.first_chunk, stop))
    return reusable


def _chunks(article: Article, old: Reusable | None, embedder: Embedder,
            settings: RetrievalSettings) -> list[Chunk]:
    """The article's passages: an unchanged article's cut again where the earlier
    generation cut it (chunking is a function of the body, the tokenizer and the settings,
    all the same for a reusable generation), others by the tokenizer."""
    spans = old.spans if old is not None else None
    body = article.body
    if (old is not None and spans is not None and 0 < len(spans) == len(old.vectors)
            and bool((spans[:, 0] == np.arange(len(spans))).all())
            and bool((spans[:, 1] < spans[:, 2]).all()) and int(spans[:, 2].max()) <= len(body)):
        return [Chunk(article.file, int(o), int(a), int(b), body[int(a):int(b)])
                for o, a, b in spans.tolist()]
    return chunk_article(article, embedder.count_tokens, settings.chunk_max_tokens,
                         settings.chunk_overlap_sentences, settings.chunk_max_sentences)


def people_counts(chunks: list[Chunk]) -> np.ndarray[Any, Any]:
    """How many people each passage names (for the who-question prior), counted once at
    build time: finding people costs 1-3 ms a passage, too much for every search."""
    return np.fromiter((min(len({m.key for m in people_in_passage(c.text)}), 255)
                        for c in chunks), dtype=np.uint8, count=len(chunks))


@dataclass(frozen=True)
class EmbeddedPassages:
    """Every passage's vector and people count, its sentences' vectors, and where each
    passage was in the earlier generation (-1: embedded now)."""

    vectors: np.ndarray[Any, Any]
    people: np.ndarray[Any, Any]
    origins: np.ndarray[Any, Any]
    sentence_offsets: np.ndarray[Any, Any]  # passage i owns rows offsets[i] .. offsets[i+1]-1
    sentence_vectors: np.ndarray[Any, Any]  # float16


def _vectors(
    articles: list[Article], chunks_by_article: list[list[Chunk]],
    reusable: dict[str, Reusable], embedder: Embedder,
    settings: RetrievalSettings, progress: ProgressCallback | None, report: BuildReport,
) -> EmbeddedPassages:
    dimension = embedder.identity.dimension
    total = sum(len(c) for c in chunks_by_article)
    vectors = np.empty((total, dimension), dtype=np.float32)
    people = np.zeros(total, dtype=np.uint8)
    origins = np.full(total, -1, dtype=np.int64)
    to_embed: list[str] = []
    rows: list[int] = []
    sentences_to_embed: list[str] = []
    # Per article, in order: an unchanged article's sentence vectors, or the rows of
    # ``sentences_to_embed`` that its passages' sentences are (rows of the embedded ones).
    sentence_blocks: list[np.ndarray[Any, Any]] = []
    sentence_counts: list[int] = []  # per passage
    row = 0
    for article, chunks in zip(articles, chunks_by_article, strict=True):
        old = reusable.get(article.content_hash)
        if old is not None and len(old.vectors) != len(chunks):
            old = None
        people[row:row + len(chunks)] = (old.people if old is not None and old.people is not None
                                         else people_counts(chunks))
        if old is not None:
            vectors[row:row + len(chunks)] = old.vectors
            origins[row:row + len(chunks)] = np.arange(old.first, old.first + len(chunks))
            report.reused_chunks += len(chunks)
        else:
            for offset, chunk in enumerate(chunks):
                to_embed.append(embedding_input(article, chunk, settings.embed_with_title))
                rows.append(row + offset)
        if old is not None and old.sentences is not None:
            offsets, block = old.sentences
            sentence_blocks.append(np.asarray(block, dtype=SENTENCE_DTYPE))
            sentence_counts.extend(np.diff(offsets).tolist())
        else:
            # An article's passages share sentences (the overlap): each is embedded once.
            known: dict[str, int] = {}
            article_rows: list[int] = []
            for chunk in chunks:
                inputs = [sentence_input(article, chunk, sentence, settings.embed_with_title)
                          for sentence in passage_sentences(chunk.text)]
                for text in inputs:
                    if text not in known:
                        known[text] = len(sentences_to_embed)
                        sentences_to_embed.append(text)
                    article_rows.append(known[text])
                sentence_counts.append(len(inputs))
            sentence_blocks.append(np.asarray(article_rows, dtype=np.int64))
        row += len(chunks)

    texts = to_embed + sentences_to_embed
    done = 0
    if progress:
        progress(0, len(texts))

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress:
            progress(done, len(texts))

    embed_started = time.perf_counter()
    embedded = (embedder.embed_passages(texts, on_batch=advance) if texts
                else np.zeros((0, dimension), dtype=np.float32))
    if to_embed:
        vectors[np.asarray(rows)] = embedded[:len(to_embed)]
    report.embed_seconds = time.perf_counter() - embed_started
    report.embedded_chunks = len(to_embed)
    report.embedded_sentences = len(sentences_to_embed)
    report.embedded_chars = sum(len(t) for t in texts)
    sentences = embedded[len(to_embed):].astype(SENTENCE_DTYPE)
    blocks = [block if block.dtype == SENTENCE_DTYPE else sentences[block]
              for block in sentence_blocks]
    offsets = np.zeros(total + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(sentence_counts)
    return EmbeddedPassages(vectors, people, origins, offsets,
                            np.concatenate(blocks) if blocks else sentences[:0])


def _restorer(articles: list[Article], previous: StoredPassages | None) -> DiacriticRestorer:
    """The diacritic statistics: the earlier generation's plus the added articles' when
    articles were only added after its own (what fitting them all gives), else fitted."""
    if previous is not None and previous.manifest.tokenizer == TOKENIZER_VERSION:
        old = previous.articles()
        if len(old) <= len(articles) and all(
                record.file == article.file and record.content_hash == article.content_hash
                for record, article in zip(old, articles, strict=False)):
            earlier = previous.restorer()
            extended = earlier.extended(a.body for a in articles[len(old):]) if earlier else None
            if extended is not None:
                return extended
    return DiacriticRestorer.fit(a.body for a in articles)


class LazyTerms(Sequence[list[str]]):
    """``text.document_terms`` of each text, computed when asked for: a store that carries
    the unchanged passages' postings over never asks for theirs."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._texts = texts

    def __len__(self) -> int:
        return len(self._texts)

    @overload
    def __getitem__(self, index: int) -> list[str]: ...

    @overload
    def __getitem__(self, index: slice) -> list[list[str]]: ...

    def __getitem__(self, index: int | slice) -> list[str] | list[list[str]]:
        if isinstance(index, slice):
            return [document_terms(t) for t in self._texts[index]]
        return document_terms(self._texts[index])


def plan_manifest(articles: list[Article], embedder: Embedder, settings: RetrievalSettings,
                  chunks: int) -> Manifest:
    """The manifest of a generation of ``articles`` cut into ``chunks`` passages."""
    return Manifest(
        format_version=FORMAT_VERSION,
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        embedder=embedder.identity,
        chunking=ChunkingSettings.of(settings),
        tokenizer=TOKENIZER_VERSION,
        dense=plan_store_dense(settings, chunks),
        counts=Counts(articles=len(articles), chunks=chunks),
        article_hashes={a.file: a.content_hash for a in articles},
        sentence_vectors=True,
    )


def _write_generation(
    writer: StoreWriter, articles: list[Article], chunks_by_article: list[list[Chunk]],
    embedded: EmbeddedPassages, embedder: Embedder, settings: RetrievalSettings,
    reused: tuple[StoredPassages, np.ndarray[Any, Any]] | None = None,
) -> Manifest:
    vectors, people, offsets = embedded.vectors, embedded.people, embedded.sentence_offsets
    manifest = plan_manifest(articles, embedder, settings, len(vectors))
    writer.begin(manifest)
    if reused is not None:
        writer.reuses(*reused)
    records: list[ArticleInfo] = []
    first = 0
    for article_no, (article, chunks) in enumerate(zip(articles, chunks_by_article, strict=True)):
        records.append(ArticleInfo(article.file, article.title, article.date, len(chunks),
                                   article.has_headline, article.content_hash, first,
                                   article.url))
        stop = first + len(chunks)
        texts = [chunk.text for chunk in chunks]
        writer.write_passages(PassageBatch(
            first=first, texts=texts, terms=LazyTerms(texts),
            vectors=vectors[first:stop], people=people[first:stop],
            articles=np.full(len(chunks), article_no, dtype=np.int64),
            ordinals=np.array([c.ordinal for c in chunks], dtype=np.int64),
            starts=np.array([c.start for c in chunks], dtype=np.int64),
            ends=np.array([c.end for c in chunks], dtype=np.int64),
            sentence_offsets=offsets[first:stop + 1] - offsets[first],
            sentence_vectors=embedded.sentence_vectors[offsets[first]:offsets[stop]]))
        first = stop
    writer.write_articles(records)
    writer.write_restorer(_restorer(articles, reused[0] if reused else None))
    return manifest
