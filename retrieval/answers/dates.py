"""When an event took place: dates in the passages, else the article's date."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..text import sentence_spans
from ..types import Answer, SearchHit
from .gazetteer import _DOCUMENT_BEFORE, _EVENT_CUE
from .questions import _overlap, _question_words

# --- dates and places --------------------------------------------------------------------

_DATE = re.compile(
    r"(?<![\w/.,-])(?:(?P<tod>rạng sáng|sáng|chiều|tối|trưa|đêm|hôm)\s+(?:nay\s+)?"
    r"(?:ngày\s+)?|(?P<ngay>ngày)\s+)?"
    r"(?P<d>\d{1,2})\s?[/.-]\s?(?P<m>\d{1,2})(?:\s?[/.-]\s?(?P<y>\d{4}))?(?![\d%])"
    r"|(?<!\w)(?:(?P<tod2>sáng|chiều|tối|trưa|đêm)\s+)?ngày\s+(?P<d2>\d{1,2})\s+tháng\s+"
    r"(?P<m2>\d{1,2})(?:\s+năm\s+(?P<y2>\d{4}))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Found:
    """A date or place found in a passage, with how likely it is the event's."""

    value: str
    rank: int
    score: float


_ISO = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


# Characters each side of a date whose words are compared with the question's: "… trở về
# từ TP Vũ Hán hôm 21/1" answers when she came back, though "Chiều 2/2, …" opens the
# sentence.
NEAR_DATE = 60


def _date_in(hit: SearchHit, order: int, asked: set[str]) -> list[_Found]:
    """Dates of events in the passage, scored: a time of day, an event in the sentence and
    the question's words next to the date count."""
    text = hit.text
    lower = text.lower()
    iso = _ISO.fullmatch(hit.source.date or "")
    year_context = iso.group(1) if iso else None
    spans = sentence_spans(text)
    starts = [start for start, _ in spans]
    found: list[_Found] = []
    for m in _event_dates(text, lower):
        day, month = m.group("d") or m.group("d2"), m.group("m") or m.group("m2")
        year = m.group("y") or m.group("y2")
        tod = m.group("tod") or m.group("tod2")
        index = bisect_right(starts, m.start()) - 1
        sentence = lower[spans[index][0]:spans[index][1]] if index >= 0 else ""
        score = 3.0 * bool(tod) + 1.0 * bool(year) + 2.0 * bool(_EVENT_CUE.search(sentence))
        if asked and index >= 0:
            first, last = spans[index]
            near = text[max(first, m.start() - NEAR_DATE):min(last, m.end() + NEAR_DATE)]
            score += 2.0 * _overlap(asked, near)
        score -= 2.0 * order + 0.001 * m.start() / max(len(text), 1)
        value = m.group().strip()
        value = value[0].upper() + value[1:]
        if not year and year_context:
            value += f" ({int(day)}/{int(month)}/{year_context})"
        found.append(_Found(value, hit.rank, score))
    return found


def _event_dates(text: str, lower: str) -> Iterator[re.Match[str]]:
    """Dates in the text that may be an event's (not a range, not a document's date)."""
    for m in _DATE.finditer(text):
        day, month = m.group("d") or m.group("d2"), m.group("m") or m.group("m2")
        if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
            continue
        if not (m.group("tod") or m.group("tod2") or m.group("ngay") or m.group("y")
                or m.group("y2") or m.group("d2")):
            continue  # '3-8' alone may be a range
        if _DOCUMENT_BEFORE.search(lower[max(0, m.start() - 40):m.start()]):
            continue  # 'Nghị quyết số 12, ngày 16/3/2022' dates a document, not the event
        yield m


def names_a_date(text: str) -> bool:
    """The passage gives a day an event happened (what a when-question wants)."""
    return next(_event_dates(text, text.lower()), None) is not None


def extract_date(hits: Sequence[SearchHit], question: str = "") -> Answer | None:
    """The event's date from the passages, else the date of the best hit's article."""
    asked = _question_words(question)
    found = [f for order, hit in enumerate(hits) for f in _date_in(hit, order, asked)]
    if found:
        best = max(found, key=lambda f: f.score)
        return Answer(kind="date", value=best.value, rank_of_passage=best.rank)
    for hit in hits:
        if hit.source.date is not None and _ISO.fullmatch(hit.source.date):
            return Answer(kind="date", value=hit.source.date, rank_of_passage=hit.rank,
                          from_article_date=True)
    return None


@dataclass(frozen=True)
class EventDay:
    """The day an event took place: ISO when the year is known (given or the article's)."""

    iso: str | None  # 'YYYY-MM-DD'
    written: str  # as the text writes it: 'Sáng 11/8/2022', 'sáng 28/7'


def event_day(text: str, article_date: str | None) -> EventDay | None:
    """The likeliest event day written in ``text`` (a time of day and an event nearby
    count, as for when-questions); None if it gives none."""
    lower = text.lower()
    iso = _ISO.fullmatch(article_date or "")
    year_context = iso.group(1) if iso else None
    spans = sentence_spans(text)
    starts = [start for start, _ in spans]
    best: tuple[float, EventDay] | None = None
    for m in _event_dates(text, lower):
        day, month = m.group("d") or m.group("d2"), m.group("m") or m.group("m2")
        year = m.group("y") or m.group("y2") or year_context
        tod = m.group("tod") or m.group("tod2")
        index = bisect_right(starts, m.start()) - 1
        sentence = lower[spans[index][0]:spans[index][1]] if index >= 0 else ""
        score = (3.0 * bool(tod) + 1.0 * bool(m.group("y") or m.group("y2"))
                 + 2.0 * bool(_EVENT_CUE.search(sentence)) - 0.001 * m.start() / len(text))
        found = EventDay(f"{year}-{int(month):02d}-{int(day):02d}" if year else None,
                         m.group().strip())
        if best is None or score > best[0]:
            best = (score, found)
    return best[1] if best else None
