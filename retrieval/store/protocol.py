"""The store interface: everything a search reads of an index, and how a build writes one.

Two stores implement it: the files store (``retrieval.store.files``, the default, a folder
of generations) and the PostgreSQL store. Fusion, re-ranking, collapsing and answers stay
in Python above it, identical for every store.

Passages are numbered ``0 .. size-1`` within a generation; an article's passages are
consecutive (``ArticleInfo.first_chunk``, ``ArticleInfo.chunks``) and articles are numbered
by their position in ``articles()``. Lexical scores are BM25 over our own terms
(``text.document_terms`` / ``text.query_terms``); dense scores are inner products of the
query vector with the stored passage vectors.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent import futures
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np

from ..diacritics import DiacriticRestorer
from ..events.model import ArticleFacts
from ..lexical import top_k
from ..text import QueryTerms
from ..types import ArticleInfo, Source
from .manifest import Manifest

First = TypeVar("First")
Second = TypeVar("Second")
FloatArray = np.ndarray[Any, np.dtype[np.float32]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]


@dataclass(frozen=True)
class Candidates:
    """A search's candidate passages with both scores of every one of them.

    With a query vector: the sorted union of the lexical and the dense top-k; without one:
    the lexical top-k, best first, and dense scores all zero.
    """

    ids: IntArray
    lexical: FloatArray  # BM25 of each candidate (0 where it has none of the terms)
    dense: FloatArray  # inner product with the query vector


@runtime_checkable
class Generation(Protocol):
    """One committed generation, read-only: it never changes under a search."""

    @property
    def name(self) -> str: ...

    @property
    def manifest(self) -> Manifest: ...

    @property
    def size(self) -> int:
        """How many passages."""

    # --- passages ---------------------------------------------------------------------------

    def text(self, passage: int) -> str: ...

    def texts(self, passages: Sequence[int]) -> list[str]:
        """Texts of several passages at once (one round trip)."""

    def text_bytes(self, passage: int) -> int:
        """Length of the passage's text in bytes of UTF-8 (without reading it)."""

    def article_of(self, passage: int) -> int:
        """Number of the passage's article (its position in ``articles()``)."""

    def start_of(self, passage: int) -> int:
        """Character offset of the passage in its article's body (0: it begins it)."""

    def people_count(self, passage: int) -> int:
        """How many people the passage names (counted when it was written, at most 255)."""

    def source(self, passage: int) -> Source: ...

    # --- articles ---------------------------------------------------------------------------

    def articles(self) -> Sequence[ArticleInfo]: ...

    def article(self, number: int) -> ArticleInfo: ...

    def facts(self) -> Sequence[ArticleFacts]:
        """The people and events extracted from each article (none for an index built
        before they were), without each mention's sentence: ``body_text`` reads it from
        the article's passages when shown (held, they were half the facts' memory)."""

    # --- lexical ----------------------------------------------------------------------------

    def lexical_top(self, terms: QueryTerms, k: int) -> tuple[IntArray, FloatArray]:
        """The ``k`` best passages with a positive BM25 score and their scores, best first."""

    def lexical_scores(self, passages: IntArray, terms: QueryTerms) -> FloatArray:
        """BM25 of the given passages (any order), aligned with them."""

    def idf(self, terms: Sequence[str]) -> FloatArray:
        """BM25 idf of each term (0 for a term no passage has)."""

    # --- dense ------------------------------------------------------------------------------

    def dense_top(self, vector: FloatArray, k: int) -> tuple[IntArray, FloatArray]:
        """The ``min(k, size)`` passages nearest to ``vector`` and their scores, best first."""

    def dense_scores(self, passages: IntArray, vector: FloatArray) -> FloatArray:
        """Scores of the given passages against ``vector``, aligned with them."""

    def sentence_scores(self, passages: IntArray, vector: FloatArray) -> FloatArray | None:
        """Each given passage's best score of one of its sentences against ``vector``,
        aligned with them; None if the generation has no sentence vectors."""

    # --- both -------------------------------------------------------------------------------

    def candidates(self, terms: QueryTerms, vector: FloatArray | None, k: int) -> Candidates:
        """Lexical and (with a vector) dense top-k, each candidate with both scores; a store
        may answer this in one round trip (``candidates_of`` composes the calls above)."""

    def scored(self, passages: IntArray, terms: QueryTerms,
               vector: FloatArray | None) -> Candidates:
        """``passages`` with both their scores (dense 0 without a vector); ``scored_of``
        composes the calls above."""

    def best_within(self, passages: IntArray, terms: QueryTerms, vector: FloatArray | None,
                    depth: int) -> Candidates:
        """Each ranker's best ``depth`` of ``passages`` (too many to score all both ways)
        with both their scores; ``best_within_of`` composes the calls above."""

    def restore_diacritics(self, text: str) -> str:
        """Unaccented words of ``text`` given their likeliest accents in this collection."""


@dataclass(frozen=True)
class PassageBatch:
    """Consecutive passages ``first .. first+len-1`` to write, aligned arrays and lists."""

    first: int
    texts: Sequence[str]
    terms: Sequence[Sequence[str]]  # text.document_terms of each text
    vectors: FloatArray  # (n, dimension), L2-normalized
    people: np.ndarray[Any, np.dtype[np.uint8]]
    articles: IntArray  # article number of each passage
    ordinals: IntArray  # position of the passage within its article
    starts: IntArray  # character offsets [start, end) in the article body
    ends: IntArray
    # The vectors of each passage's sentences: passage ``first + i`` owns rows
    # ``sentence_offsets[i] .. sentence_offsets[i+1]-1`` (at least one; offsets from 0).
    sentence_offsets: IntArray
    sentence_vectors: FloatArray

    def __len__(self) -> int:
        return len(self.texts)


class StoredPassages(Protocol):
    """What an incremental build reuses of an earlier generation: the vectors and people
    counts of its unchanged articles (found by ``ArticleInfo.content_hash``)."""

    @property
    def manifest(self) -> Manifest: ...

    def articles(self) -> Sequence[ArticleInfo]: ...

    def passage_vectors(self, start: int, stop: int) -> FloatArray:
        """The vectors of passages ``start .. stop-1`` as embedded."""

    def facts(self) -> Sequence[ArticleFacts]:
        """The people and events of its articles (none if it predates them)."""

    def people_counts(self, start: int, stop: int) -> np.ndarray[Any, np.dtype[np.uint8]] | None:
        """People counts of passages ``start .. stop-1``; None if the generation has none."""

    def restorer(self) -> DiacriticRestorer | None:
        """The diacritic statistics as fitted (their words in the order ``fit`` met them),
        or None if the store does not keep that order."""

    def sentence_vectors(self, start: int, stop: int) -> tuple[IntArray, FloatArray] | None:
        """The sentence vectors of passages ``start .. stop-1`` as ``PassageBatch`` holds
        them (offsets from 0, vectors); None if the generation has none (built before them)."""

    def passage_spans(self, start: int, stop: int) -> IntArray | None:
        """(ordinal, start, end) of passages ``start .. stop-1`` (rows of 3): an unchanged
        article's passages are cut from its body again without the tokenizer. None if the
        store cannot tell."""


class StoreWriter(Protocol):
    """One build. Used as a context manager: entering takes the store's build lock (a
    second build is refused with ``IndexLockedError``); leaving without ``commit`` aborts.

    Order: ``begin``, then ``write_articles``, ``write_passages`` (in order of ``first``),
    ``write_restorer`` in any order, then ``commit``. Until ``commit`` returns, readers see
    the previous generation; a build killed at any point leaves it live.
    """

    def __enter__(self) -> StoreWriter: ...

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None: ...

    def reusable(self) -> StoredPassages | None:
        """The newest intact generation (the live one, or an older one when the live one is
        damaged or gone): what an incremental build reuses. None when there is none; the
        manifest may be of an older format (its vectors are still good)."""

    def reclaim(self) -> int:
        """Remove what builds that are no longer running left behind (their unfinished
        generations), never the live one; returns the bytes freed. Called before writing."""

    def up_to_date(self, manifest: Manifest) -> bool:
        """The live generation is intact and was built as ``manifest`` describes (all but
        ``created_at`` and ``files``): writing it again would change nothing."""

    def begin(self, manifest: Manifest) -> None:
        """Start a new generation described by ``manifest`` (its ``files`` are the
        store's to fill in)."""

    def write_articles(self, articles: Sequence[ArticleInfo]) -> None: ...

    def write_passages(self, batch: PassageBatch) -> None: ...

    def write_facts(self, facts: Sequence[ArticleFacts]) -> None:
        """The people and events of the articles (plain rows: ``events.storage.facts_rows``)."""

    def write_restorer(self, restorer: DiacriticRestorer) -> None: ...

    def reuses(self, previous: StoredPassages, origins: IntArray) -> None:
        """Declares (after ``begin``) that passage ``i`` of the new generation is passage
        ``origins[i]`` of ``previous`` (same text, terms and vector), or new where it is -1.
        A store may then carry over what it derived from them (lexical postings, the dense
        graph) instead of deriving it again; it may also ignore this."""

    def commit(self) -> str:
        """Make the new generation live in one atomic step; returns its name. Whatever
        follows the switch (pruning old generations) is best-effort and never undoes it."""

    def abort(self) -> None:
        """Drop the unfinished generation; never touches the live one."""


class Store(Protocol):
    """An index: its live generation for searches, and writers for builds."""

    def current(self) -> Generation:
        """The loaded live generation (``IndexNotFoundError`` if none was ever committed)."""

    def refresh(self) -> bool:
        """Move to the newest committed generation; True if it changed."""

    def writer(self) -> StoreWriter: ...

    def close(self) -> None: ...


def candidates_of(generation: Generation, terms: QueryTerms, vector: FloatArray | None,
                  k: int, background: futures.Executor | None = None) -> Candidates:
    """``Generation.candidates`` from the single calls (for stores without a combined one).
    With ``background``, the dense top-k (FAISS, which lets go of the GIL) is searched there
    while the lexical top-k is scored here."""
    if vector is None:
        lexical_ids, lexical_scores = generation.lexical_top(terms, k)
        return Candidates(lexical_ids, lexical_scores,
                          np.zeros(len(lexical_ids), dtype=np.float32))
    (lexical_ids, lexical_scores), (dense_ids, _) = side_by_side(
        background, lambda: generation.lexical_top(terms, k),
        lambda: generation.dense_top(vector, k))
    ids = np.union1d(lexical_ids, dense_ids[dense_ids >= 0]).astype(np.int64)
    dense = generation.dense_scores(ids, vector)
    scores = np.zeros(len(ids), dtype=np.float32)
    known = np.zeros(len(ids), dtype=bool)
    if len(lexical_ids):
        order = np.argsort(lexical_ids)
        position = np.minimum(np.searchsorted(lexical_ids[order], ids), len(order) - 1)
        known = lexical_ids[order][position] == ids
        scores[known] = np.asarray(lexical_scores)[order][position[known]]
    if not known.all():
        scores[~known] = generation.lexical_scores(ids[~known], terms)
    return Candidates(ids, scores, dense)


def scored_of(generation: Generation, passages: IntArray, terms: QueryTerms,
              vector: FloatArray | None, background: futures.Executor | None = None
              ) -> Candidates:
    """``Generation.scored`` from the single calls; with ``background``, the dense scores
    are computed there while the lexical ones are computed here."""
    if vector is None:
        return Candidates(passages, generation.lexical_scores(passages, terms),
                          np.zeros(len(passages), dtype=np.float32))
    lexical, dense = side_by_side(background,
                                  lambda: generation.lexical_scores(passages, terms),
                                  lambda: generation.dense_scores(passages, vector))
    return Candidates(passages, lexical, dense)


def best_within_of(generation: Generation, passages: IntArray, terms: QueryTerms,
                   vector: FloatArray | None, depth: int,
                   background: futures.Executor | None = None) -> Candidates:
    """``Generation.best_within`` from the single calls: every given passage's lexical
    score (one pass over the question's postings) and, meanwhile in ``background`` when
    given, the collection's dense top ``8 × depth``, of which those among ``passages`` are
    the dense side's best, as an unfiltered search takes each ranker's best."""
    if vector is None:
        lexical = generation.lexical_scores(passages, terms)
        best = top_k(lexical, depth)
        return Candidates(passages[best], lexical[best], np.zeros(len(best), dtype=np.float32))
    lexical, (dense_ids, _) = side_by_side(
        background, lambda: generation.lexical_scores(passages, terms),
        lambda: generation.dense_top(vector, 8 * depth))
    best = top_k(lexical, depth)
    order = np.argsort(passages, kind="stable")
    position = np.minimum(np.searchsorted(passages[order], dense_ids), len(passages) - 1)
    kept = passages[order][position] == dense_ids
    chosen = np.union1d(best, order[position[kept]])
    ids = passages[chosen]
    return Candidates(ids, lexical[chosen], generation.dense_scores(ids, vector))


def side_by_side(background: futures.Executor | None, here: Callable[[], First],
                 there: Callable[[], Second]) -> tuple[First, Second]:
    """``(here(), there())``, ``there`` run in ``background`` meanwhile when given."""
    if background is None:
        return here(), there()
    later = background.submit(there)
    try:
        first = here()
    except BaseException:
        futures.wait([later])
        raise
    return first, later.result()


def body_reader(generation: Generation) -> Callable[[str, int, int, int], str]:
    """``body_text`` by article file (the people catalog's ``BodyReader``)."""
    by_file = {article.file: article for article in generation.articles()}

    def read(file: str, start: int, end: int, near: int) -> str:
        article = by_file.get(file)
        return "" if article is None else body_text(generation, article, start, end, near)
    return read


def body_text(generation: Generation, article: ArticleInfo, start: int, end: int,
              near: int = 0) -> str:
    """``body[start:end]`` of an indexed article, read from its passages (each one is the
    body from its ``start_of``), looking back from its passage ``near``; what no passage
    holds is left out."""
    first, stop = article.first_chunk, article.first_chunk + article.chunks
    if first >= stop or start >= end:
        return ""
    passage = min(max(first + near, first), stop - 1)
    while passage > first and generation.start_of(passage) > start:
        passage -= 1
    pieces: list[str] = []
    at = start
    while passage < stop and at < end:
        offset = generation.start_of(passage)
        if offset > at:
            break  # no passage holds the body from ``at``
        text = generation.text(passage)
        if offset + len(text) > at:
            piece = text[at - offset:end - offset]
            pieces.append(piece)
            at += len(piece)
        passage += 1
    return "".join(pieces)
