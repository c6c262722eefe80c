"""Re-ranking above the store: best-sentence coverage of the top candidates (``coverage``),
the answer-type prior, and collapsing near-duplicates, with the per-passage term cache they
share.

Identical for every store: it reads passages only through ``store.Generation``.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from .answers import names_a_date, question_kind
from .coverage import CoverageQuery, PassageTerms, sentence_coverages
from .fusion import zscore
from .places import provinces_named, provinces_of_article
from .settings import RetrievalSettings
from .store.protocol import FloatArray, Generation
from .text import (
    QueryTerms,
    fold_in_place,
)

# Candidates re-scored by their best sentence (the rest keep their fused order).
RERANK_DEPTH = 30
# Passages whose folded text, sentence ends, token and syllable keys and sketch stay
# cached (~5 kB each for ~180 words).
TERM_CACHE_SIZE = 2_000
ANSWER_TYPE_DEPTH = 10
# Results kept after collapsing (enough pages for anyone); collapsing more costs time.
RESULT_CAP = 30
# Within one article, a passage mostly inside a better one (overlapping chunks) adds nothing.
SAME_ARTICLE_CONTAINMENT = 0.8
# Across articles only true copies (the same wire story in two papers) collapse: a merely
# similar passage may be the one the reader wants, measured on uitqa-reg (docs/benchmarks.md).
COPY_JACCARD = 0.95
# Copies differ in length (bytes of UTF-8) by at most this share (a changed byline or date).
COPY_LENGTH_SLACK = 0.15

class PassageTermCache:
    """``PassageTerms`` of one generation's passages, reused across questions (making one
    takes ~0.25 ms). Words are kept as integer keys: as sets of strings a passage's entry
    took several times more."""

    def __init__(self, generation: Generation, size: int = TERM_CACHE_SIZE) -> None:
        self.generation = generation
        self.size = size
        self._terms: OrderedDict[int, PassageTerms] = OrderedDict()
        # An article's headline is folded once for all its passages (a title each: bounded
        # by the article list the generation holds already).
        self._folded_headlines: dict[int, str] = {}
        # Provinces an article's units lie in, read when a question names a province.
        self._provinces: dict[int, frozenset[str]] = {}
        self._stored_read = False
        self._lock = threading.Lock()

    def terms(self, passage: int) -> PassageTerms:
        """The passage folded in place, where its sentences end, its distinct words, and its
        article's headline unless the passage begins the article (and so holds it)."""
        cached = self._terms.get(passage)
        if cached is None:
            generation = self.generation
            headline = ("" if generation.start_of(passage) == 0
                        else self._folded_headline(generation.article_of(passage)))
            cached = PassageTerms.of(generation.text(passage), headline)
            with self._lock:
                self._terms[passage] = cached
                while len(self._terms) > self.size:
                    self._terms.popitem(last=False)
        return cached

    def prefetch(self, passages: Sequence[int]) -> None:
        """Read the texts of the passages not cached yet at once: a store over the network
        then pays one round trip for a search's re-ranking, not one per passage."""
        missing = [p for p in passages if p not in self._terms]
        if len(missing) > 1:
            self.generation.texts(missing)

    def provinces(self, passage: int) -> frozenset[str]:
        """Provinces the passage's article is set in (``places.provinces_of_article``), read
        once per article, when a question names a province."""
        return self.provinces_of([passage])[0]

    def provinces_of(self, passages: Sequence[int]) -> list[frozenset[str]]:
        """``provinces`` of several passages: stored with the articles' facts at build time;
        an article whose facts predate them has its passages read, all at once."""
        generation = self.generation
        numbers = [generation.article_of(p) for p in passages]
        if not self._stored_read:
            stored = self._stored_provinces()
            with self._lock:
                self._provinces.update(stored)
                self._stored_read = True
        missing = sorted(set(numbers) - set(self._provinces))
        if missing:
            articles = [generation.article(n) for n in missing]
            texts = iter(generation.texts([p for a in articles for p in
                                           range(a.first_chunk, a.first_chunk + a.chunks)]))
            found = {n: provinces_of_article([a.title, *(next(texts) for _ in range(a.chunks))])
                     for n, a in zip(missing, articles, strict=True)}
            with self._lock:
                self._provinces.update(found)
        return [self._provinces[n] for n in numbers]

    def _stored_provinces(self) -> dict[int, frozenset[str]]:
        by_file = {f.file: f.provinces for f in self.generation.facts()}
        stored: dict[int, frozenset[str]] = {}
        for number, article in enumerate(self.generation.articles()):
            provinces = by_file.get(article.file)
            if provinces is not None:
                stored[number] = frozenset(provinces)
        return stored

    def clear(self) -> None:
        with self._lock:
            self._terms.clear()

    def _folded_headline(self, article_no: int) -> str:
        """The article's headline folded in place ('' if it has none), folded once."""
        folded = self._folded_headlines.get(article_no)
        if folded is None:
            article = self.generation.article(article_no)
            folded = fold_in_place(article.title) if article.has_headline else ""
            with self._lock:
                self._folded_headlines[article_no] = folded
        return folded


Ids = np.ndarray[Any, np.dtype[np.int64]]


def rerank_by_sentence(cache: PassageTermCache, settings: RetrievalSettings, question: str,
                       terms: QueryTerms, candidates: Ids, fused: FloatArray
                       ) -> tuple[Ids, FloatArray]:
    """Re-order the best candidates by fused score plus best-sentence coverage."""
    generation = cache.generation
    head = min(RERANK_DEPTH, len(candidates))
    query = CoverageQuery.of(terms, generation.idf(terms.terms))
    cache.prefetch(candidates[:head].tolist())
    coverage = sentence_coverages([cache.terms(c) for c in candidates[:head].tolist()], query,
                                  settings.headline_weight).astype(np.float32)
    rescored = fused[:head] + settings.sentence_weight * zscore(coverage)
    asked = provinces_named(question)
    if asked and settings.answer_type_weight > 0:
        # "… ở Thanh Hóa?": passages of articles set there (named, or by a district or
        # commune of it: 'thị trấn Rừng Thông') come first, like the answer-type priors.
        here = [not found.isdisjoint(asked) for found in cache.provinces_of(
            candidates[:head].tolist())]
        rescored += settings.answer_type_weight * zscore(np.array(here, dtype=np.float32))
    kind = question_kind(question) if settings.answer_type_weight > 0 else None
    if kind in ("who", "date"):
        # A who-question is answered by a passage that names people (with their titles),
        # a when-question by one that gives a date. The first few only, as measured on
        # the seed questions (docs/benchmarks.md).
        few = min(ANSWER_TYPE_DEPTH, head)
        if kind == "who":
            found = [min(generation.people_count(int(c)), 3) for c in candidates[:few]]
        else:
            found = [names_a_date(generation.text(int(c))) for c in candidates[:few]]
        rescored[:few] += settings.answer_type_weight * zscore(np.array(found, dtype=np.float32))
    order = np.argsort(-rescored, kind="stable")
    return (np.concatenate([candidates[:head][order], candidates[head:]]),
            np.concatenate([rescored[order], fused[head:]]))


def collapse(cache: PassageTermCache, ids: Ids, scores: FloatArray, wanted: int,
             per_article_cap: int) -> list[tuple[int, float]]:
    """Drop near-duplicate passages and cap passages per article."""
    generation = cache.generation
    kept: list[tuple[int, float]] = []
    kept_info: list[tuple[int, int, int]] = []  # chunk, article, text length
    per_article: dict[int, int] = {}
    for chunk_id, score in zip(ids.tolist(), scores.tolist(), strict=True):
        article = generation.article_of(chunk_id)
        if per_article.get(article, 0) >= per_article_cap:
            continue
        length = generation.text_bytes(chunk_id)
        # Term sets are compared only where a duplicate is possible: a passage of the
        # same article, or one of about the same length (a copy); most candidates are
        # neither, and building term sets was the costliest step of a search.
        rivals = [(other, other_article) for other, other_article, other_length in kept_info
                  if other_article == article
                  or abs(other_length - length) <= COPY_LENGTH_SLACK * max(length, 1)]
        if rivals:
            terms = cache.terms(chunk_id)
            if any(is_duplicate(terms, article, cache.terms(other), other_article)
                   for other, other_article in rivals):
                continue
        kept.append((chunk_id, score))
        kept_info.append((chunk_id, article, length))
        per_article[article] = per_article.get(article, 0) + 1
        if len(kept) >= max(wanted, RESULT_CAP):
            break
    return kept


def is_duplicate(passage: PassageTerms, article: int, other: PassageTerms,
                 other_article: int) -> bool:
    """``passage`` is mostly inside ``other`` of the same article, or a copy of a passage
    of another article (``SAME_ARTICLE_CONTAINMENT``, ``COPY_JACCARD`` of their words)."""
    terms, other_terms = passage.words, other.words
    if not len(terms) or not len(other_terms):
        return False
    if article == other_article:
        small, large = (passage, other) if len(terms) <= len(other_terms) else (other, passage)
        # Each sketch bit of the smaller one the larger lacks is a word it lacks (the
        # +1 only guards the float product).
        if (small.sketch & ~large.sketch).bit_count() > (
                (1 - SAME_ARTICLE_CONTAINMENT) * len(small.words) + 1):
            return False
    else:
        if min(len(terms), len(other_terms)) < COPY_JACCARD * max(len(terms), len(other_terms)):
            return False  # Jaccard is at most the ratio of the set sizes
        # Bits set in one sketch only are words in one passage only.
        if (passage.sketch ^ other.sketch).bit_count() > (
                (1 - COPY_JACCARD) * (len(terms) + len(other_terms)) + 1):
            return False
    shared = len(np.intersect1d(terms, other_terms, assume_unique=True))
    if article == other_article:
        return shared / min(len(terms), len(other_terms)) >= SAME_ARTICLE_CONTAINMENT
    return shared / (len(terms) + len(other_terms) - shared) >= COPY_JACCARD
