"""Which articles a filter keeps, from their metadata: the article's date and the days of
the events it reports; its headline and the places of its events."""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from ..events.model import ArticleFacts
from ..text import fold
from ..types import ArticleInfo, PersonEvent
from .parse import ArticleFilter, DayRange

_ISO = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?$")


@dataclass(frozen=True)
class ArticleMeta:
    """What filters look at of one article (folded, lower-case texts)."""

    dates: tuple[str, ...]  # ISO 'YYYY-MM-DD' or 'YYYY-MM': the article's, its events'
    # the places it names, the provinces they lie in, its headline, its events' places
    places: tuple[str, ...]


def article_meta(articles: Sequence[ArticleInfo],
                 facts: Sequence[ArticleFacts]) -> list[ArticleMeta]:
    """Metadata of each article, in the order of ``articles`` (facts matched by file)."""
    by_file = {f.file: f for f in facts}
    out: list[ArticleMeta] = []
    keys: dict[str, str] = {}  # place names repeat across articles: each folded once
    for info in articles:
        found = by_file.get(info.file)
        dates = [info.date] if info.date else []
        places = [info.title]
        if found is not None:
            dates += [e.date for e in found.events if e.date]
            places += [p for e in found.events for p in (e.place or "", e.evidence) if p]
            places += list(found.places)
            # The provinces its districts and communes lie in: "ở Thanh Hóa" keeps the
            # article on 'thị trấn Rừng Thông', which never names its province.
            places += list(found.provinces or ())
        out.append(ArticleMeta(tuple(dict.fromkeys(dates)),
                               tuple(_key(p, keys) for p in places)))
    return out


def _place_text(place: str) -> str:
    """``place`` as ``matches`` compares it: folded, spaced, a space at each end."""
    return f" {' '.join(fold(place.lower()).split())} "


def _key(place: str, keys: dict[str, str]) -> str:
    """``_place_text``, each distinct place folded once."""
    key = keys.get(place)
    if key is None:
        key = keys[place] = _place_text(place)
    return key


def _span(iso: str) -> tuple[date, date] | None:
    m = _ISO.match(iso)
    if m is None:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    try:
        if m.group(3):
            day = date(year, month, int(m.group(3)))
            return day, day
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        return None


def _span_matches(span: tuple[date, date] | None, days: DayRange) -> bool:
    if span is None:
        return False
    first, last = span
    if days.any_year:
        # 'hôm 24/11': that day of any year; a month-only date matches its month.
        if first == last:
            return (first.month, first.day) == (days.first.month, days.first.day)
        return first.month == days.first.month
    return first <= days.last and days.first <= last


def event_meta(event: PersonEvent) -> ArticleMeta:
    """An event of a person as filters see it: its day, its article's, its place."""
    dates = tuple(d for d in (event.date, event.source.date) if d)
    places = (event.place or "", event.evidence, event.source.title)
    return ArticleMeta(dates, tuple(_place_text(p) for p in places))


def _place_key(place_key: str) -> str:
    return f" {' '.join(place_key.split())} "


def matches(meta: ArticleMeta, wanted: ArticleFilter) -> bool:
    """Whether the article may answer. An undated article passes a date filter (its date
    is unknown, not another one): collections without dates stay searchable."""
    if wanted.days is not None and meta.dates and not any(
            _span_matches(_span(d), wanted.days) for d in meta.dates):
        return False
    if wanted.place_key:
        key = _place_key(wanted.place_key)
        if not any(key in place for place in meta.places):
            return False
    return True


class MetaIndex:
    """``matches`` over a whole collection at once, for every search with a filter: the
    articles naming each word and each pair of words of their places listed once, so a
    place is looked up, and their dates parsed once."""

    def __init__(self, metas: Sequence[ArticleMeta]) -> None:
        self.size = len(metas)
        # '\n' parts places: a key (spaces inside, none at the ends but its own) never
        # spans two places.
        self._texts = ["\n".join(meta.places) for meta in metas]
        articles_with: dict[str, list[int]] = {}
        for number, meta in enumerate(metas):
            for part in {part for place in meta.places for part in _words_and_pairs(place)}:
                articles_with.setdefault(part, []).append(number)
        self._articles_with = {part: np.asarray(numbers, dtype=np.int32)
                               for part, numbers in articles_with.items()}
        self._spans = [tuple(_span(d) for d in meta.dates) for meta in metas]

    def _with_place(self, key: str) -> list[int]:
        # The articles having every word pair of the key, then a longer key looked for in
        # those alone: a scan of every article's places took 6-22 ms at 10^5 passages.
        words = key.split()
        pairs = _words_and_pairs(key)[len(words):]
        found = [self._articles_with.get(part) for part in pairs or words]
        if not found or any(numbers is None for numbers in found):
            return []
        present = sorted((numbers for numbers in found if numbers is not None), key=len)
        candidates = present[0]
        for numbers in present[1:]:
            candidates = np.intersect1d(candidates, numbers, assume_unique=True)
        kept: list[int] = candidates.tolist()
        if len(words) <= 2:  # the key is one word or one pair: found exactly
            return kept
        return [n for n in kept if key in self._texts[n]]

    def kept(self, wanted: ArticleFilter) -> list[int]:
        """Numbers of the articles ``wanted`` keeps; none when a time filter keeps no dated
        article (undated ones alone would say nothing about the time asked)."""
        numbers: Sequence[int] = (self._with_place(_place_key(wanted.place_key))
                                  if wanted.place_key
                                  else range(self.size))
        if wanted.days is None:
            return list(numbers)
        days, spans = wanted.days, self._spans
        kept = [n for n in numbers
                if not spans[n] or any(_span_matches(span, days) for span in spans[n])]
        return kept if any(spans[n] for n in kept) else []

    def settled(self, wanted: ArticleFilter) -> tuple[ArticleFilter, list[int]]:
        """``wanted``, or the first of its other readings (``otherwise``) that keeps some
        article, with the articles it keeps (none when no reading does)."""
        numbers = self.kept(wanted)
        while not numbers and wanted.otherwise is not None:
            wanted = wanted.otherwise
            numbers = self.kept(wanted)
        return wanted, numbers


def _words_and_pairs(place: str) -> list[str]:
    """A place's words, then each pair of neighbouring words ('ca', 'mau', 'ca mau')."""
    words = place.split()
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def kept_articles(metas: Sequence[ArticleMeta], wanted: ArticleFilter) -> list[int]:
    """The articles ``MetaIndex.settled`` keeps, for a one-off list of articles (none when
    the reading it settles on is no filter)."""
    settled, numbers = MetaIndex(metas).settled(wanted)
    return [] if settled.empty else numbers


def kept_passages(articles: Sequence[ArticleInfo],
                  numbers: Sequence[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Passage ids of those articles, in their order (each article's passages are
    consecutive)."""
    firsts = np.fromiter((articles[n].first_chunk for n in numbers), np.int64, len(numbers))
    counts = np.fromiter((articles[n].chunks for n in numbers), np.int64, len(numbers))
    # Each passage: its article's first id plus its place among the article's passages.
    ends = np.cumsum(counts)
    return np.repeat(firsts, counts) + np.arange(int(ends[-1]) if len(ends) else 0) \
        - np.repeat(ends - counts, counts)
