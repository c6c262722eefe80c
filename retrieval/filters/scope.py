"""A search narrowed by a filter: which passages it may answer from, the question left to
match, and what the answer says about it (applied, or left nothing and so not applied)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from ..store.protocol import Candidates, FloatArray, Generation, IntArray
from ..text import QueryTerms
from ..types import ArticleInfo
from .apply import MetaIndex, article_meta, kept_passages
from .parse import ArticleFilter, parse_filter

MAX_SCORED = 20_000  # kept passages all scored both ways; above that, each ranker's best


@dataclass(frozen=True)
class Scope:
    question: str  # what to match
    passages: IntArray | None  # the passages the search may return; None: all
    notices: tuple[str, ...]
    applied: ArticleFilter | None
    english: bool = False  # the notices speak the question's language

    def unfiltered(self, question: str) -> Scope:
        """The filter's articles have no passage for the question: search them all."""
        if self.applied is None:
            return self
        return Scope(question, None, (nothing_matched(self),), None, self.english)


class Scoper:
    """Scopes searches of one generation (article metadata read once, on first use)."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        self._metas: MetaIndex | None = None

    def scope(self, question: str, explicit: ArticleFilter | None,
              today: date | None = None, *, english: bool = False) -> Scope:
        asked, _ = parse_filter(question, today or date.today())
        if (asked is None or asked.empty) and (explicit is None or explicit.empty):
            return Scope(question, None, (), None, english)  # no metadata read for most
        if self._metas is None:
            self._metas = MetaIndex(article_meta(self.generation.articles(),
                                                 self.generation.facts()))
        return scope_of(question, self.generation.articles(), self._metas, explicit,
                        today or date.today(), english=english)


# How a filter's parts read in an English answer ('ở Cà Mau' -> 'in Cà Mau').
_ENGLISH_WORDS = (("ở ", "in "), ("từ ", "from "), ("đến ", "until "), ("năm ", "in "),
                  ("nam ", "in "))

_NOTICES = {
    False: ("Không có bài nào {said}: đây là kết quả không lọc.",
            "Đã lọc: {said} (mọi bài đều khớp).",
            "Đã lọc: {said} ({kept}/{total} bài).",
            "Không đoạn nào {said} khớp câu hỏi: đây là kết quả không lọc."),
    True: ("No article {said}: these results are not filtered.",
           "Filtered: {said} (every article matches).",
           "Filtered: {said} ({kept} of {total} articles).",
           "No passage {said} matches the question: these results are not filtered."),
}


def _said(wanted: ArticleFilter, english: bool) -> str:
    parts = list(wanted.said)
    if english:
        for i, part in enumerate(parts):
            for vietnamese, word in _ENGLISH_WORDS:
                if part.lower().startswith(vietnamese):
                    parts[i] = word + part[len(vietnamese):]
                    break
    return " · ".join(parts)


def scope_of(question: str, articles: Sequence[ArticleInfo], metas: MetaIndex,
             explicit: ArticleFilter | None, today: date, *, english: bool = False) -> Scope:
    """The scope of a search for ``question`` (its own filter, and the explicit one)."""
    # The question is matched whole: its filter words narrow the articles, and 'năm 2023'
    # is still often written in the passage that answers ('Ngày hội … năm 2023').
    asked, _ = parse_filter(question, today)
    wanted = asked.merged(explicit) if asked is not None else explicit
    if wanted is None or wanted.empty:
        return Scope(question, None, (), None, english)
    wanted, numbers = metas.settled(wanted)
    if wanted.empty:  # words read as a place only if some article names it
        return Scope(question, None, (), None, english)
    none, every, some, _ = _NOTICES[english]
    said = _said(wanted, english)
    if not numbers:
        return Scope(question, None, (none.format(said=said),), None, english)
    if len(numbers) == len(articles):
        return Scope(question, None, (every.format(said=said),), wanted, english)
    passages = kept_passages(articles, numbers)
    notice = some.format(said=said, kept=len(numbers), total=len(articles))
    return Scope(question, passages, (notice,), wanted, english)


def nothing_matched(scope: Scope) -> str:
    assert scope.applied is not None
    return _NOTICES[scope.english][3].format(said=_said(scope.applied, scope.english))


def scoped_candidates(generation: Generation, terms: QueryTerms, vector: FloatArray | None,
                      depth: int, passages: IntArray) -> Candidates:
    """Candidates among ``passages`` only: all of them scored when few; else each ranker's
    best ``depth`` of them, as an unfiltered search takes the collection's."""
    if len(passages) <= MAX_SCORED:
        scored = generation.scored(passages, terms, vector)
        if vector is not None:
            return scored
        keep = scored.lexical > 0
        return Candidates(passages[keep], scored.lexical[keep], scored.dense[keep])
    return generation.best_within(passages, terms, vector, depth)
