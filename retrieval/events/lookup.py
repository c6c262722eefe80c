"""What `people [NAME]` and `events` show, decided once for the CLI, the REPL and the bot:
the people with counts, one person's events (or why there are none), every event; in
Vietnamese, or in English for a front end that speaks English."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..answers.shown import display_date
from ..types import PersonEvent
from .catalog import EventSummary, PeopleCatalog, PersonSummary

MAX_NAME_CHARS = 200
MAX_LISTED = 200  # people or events in one listing (the rest are counted)

ReportKind = Literal["people", "person", "unknown", "ambiguous", "empty", "bad"]


@dataclass(frozen=True)
class PersonEvents:
    """One person and their events, newest first."""

    summary: PersonSummary
    events: tuple[PersonEvent, ...]


@dataclass(frozen=True)
class PeopleReport:
    kind: ReportKind
    heading: str  # one line, shown first
    people: tuple[PersonSummary, ...] = ()  # 'people': everyone; 'ambiguous': the candidates
    persons: tuple[PersonEvents, ...] = ()  # 'person': one (or namesakes, each apart)
    more: int = 0  # listed beyond MAX_LISTED, left out


EMPTY = ("Chỉ mục chưa có danh sách người và sự kiện (lập trước khi có tính năng này); "
         "chạy: newsqa index")
EMPTY_EN = ("The index has no list of people and events (it was built before the feature); "
            "run: newsqa index")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def people_report(catalog: PeopleCatalog, name: str | None = None, *,
                  english: bool = False) -> PeopleReport:
    """Everyone with counts when ``name`` is empty; else that person's events."""
    if not catalog.facts:
        return PeopleReport("empty", EMPTY_EN if english else EMPTY)
    query = " ".join((name or "").split())
    if not query:
        everyone = catalog.summaries()
        articles = len(catalog.facts)
        people = "person" if len(everyone) == 1 else "people"
        heading = (f"{len(everyone)} {people} named in {_plural(articles, 'article')}"
                   if english else f"{len(everyone)} người được nhắc đến trong {articles} bài")
        return PeopleReport("people", heading,
                            people=tuple(everyone[:MAX_LISTED]),
                            more=max(len(everyone) - MAX_LISTED, 0))
    if len(query) > MAX_NAME_CHARS:
        return PeopleReport("bad", f"The name is too long (at most {MAX_NAME_CHARS} "
                            "characters)." if english
                            else f"Tên quá dài (tối đa {MAX_NAME_CHARS} ký tự).")
    match = catalog.find(query)
    if not match.people:
        return PeopleReport("unknown", f"Nobody named «{query}» in the indexed articles."
                            if english else
                            f"Không thấy ai tên «{query}» trong các bài đã lập chỉ mục.")
    summaries = {s.id: s for s in catalog.summaries()}
    if not match.exact and len(match.people) > 1:
        candidates = tuple(summaries[p.id] for p in match.people)
        return PeopleReport(
            "ambiguous",
            f"«{query}» may be {len(candidates)} people; type the full name:" if english
            else f"«{query}» có thể là {len(candidates)} người; hãy gõ đủ họ tên:",
            people=candidates[:MAX_LISTED], more=max(len(candidates) - MAX_LISTED, 0))
    persons = tuple(PersonEvents(summaries[p.id], tuple(catalog.events_of(p)))
                    for p in match.people)
    first = persons[0].summary.name
    if len(persons) > 1:
        heading = (f"{len(persons)} people are named {first} (titles in different places), "
                   "one list each:" if english else
                   f"Có {len(persons)} người tên {first} (chức danh ở những nơi khác nhau), "
                   "mỗi người một danh sách:")
    elif not match.exact:
        heading = f"Reading «{query}» as {first}:" if english else f"Hiểu «{query}» là {first}:"
    else:
        heading = f"{first}:"
    return PeopleReport("person", heading, persons=persons)


def person_line(summary: PersonSummary, *, english: bool = False) -> str:
    """'Tô Lâm — Đại tướng, Bộ trưởng Bộ Công an · 3 sự kiện · 4 bài'."""
    title = f" — {summary.title}" if summary.title else ""
    if english:
        return (f"{summary.name}{title} · {_plural(summary.events, 'event')} · "
                f"{_plural(summary.articles, 'article')}")
    return f"{summary.name}{title} · {summary.events} sự kiện · {summary.articles} bài"


def events_listing(catalog: PeopleCatalog, *, english: bool = False
                   ) -> tuple[str, tuple[EventSummary, ...], int]:
    """The heading, the events newest first (at most MAX_LISTED), and how many more."""
    if not catalog.facts:
        return EMPTY_EN if english else EMPTY, (), 0
    events = catalog.events()
    if not events:
        return ("The indexed articles report no event." if english
                else "Các bài đã lập chỉ mục không kể sự kiện nào."), (), 0
    articles = len(catalog.facts)
    heading = (f"{_plural(len(events), 'event')} in {_plural(articles, 'article')}" if english
               else f"{len(events)} sự kiện trong {articles} bài")
    return heading, tuple(events[:MAX_LISTED]), max(len(events) - MAX_LISTED, 0)


def event_summary_line(event: EventSummary, *, english: bool = False) -> str:
    """'11/8/2022 · Ngày hội … · xã Hưng Mỹ · Tô Lâm, Huỳnh Quốc Việt'."""
    parts = [display_date(event.date, english=english), event.what]
    if event.place:
        parts.append(event.place)
    if event.people:
        shown = ", ".join(event.people[:6])
        others = len(event.people) - 6
        if others > 0:
            shown += f" and {others} more" if english else f" và {others} người khác"
        parts.append(shown)
    return " · ".join(parts)
