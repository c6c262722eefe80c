"""What `people [NAME]` and `events` show, decided once for the CLI, the REPL and the bot:
the people with counts, one person's events (or why there are none), every event."""

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


def people_report(catalog: PeopleCatalog, name: str | None = None) -> PeopleReport:
    """Everyone with counts when ``name`` is empty; else that person's events."""
    if not catalog.facts:
        return PeopleReport("empty", EMPTY)
    query = " ".join((name or "").split())
    if not query:
        everyone = catalog.summaries()
        articles = len(catalog.facts)
        return PeopleReport("people", f"{len(everyone)} người được nhắc đến trong {articles} bài",
                            people=tuple(everyone[:MAX_LISTED]),
                            more=max(len(everyone) - MAX_LISTED, 0))
    if len(query) > MAX_NAME_CHARS:
        return PeopleReport("bad", f"Tên quá dài (tối đa {MAX_NAME_CHARS} ký tự).")
    match = catalog.find(query)
    if not match.people:
        return PeopleReport("unknown",
                            f"Không thấy ai tên «{query}» trong các bài đã lập chỉ mục.")
    summaries = {s.id: s for s in catalog.summaries()}
    if not match.exact and len(match.people) > 1:
        candidates = tuple(summaries[p.id] for p in match.people)
        return PeopleReport(
            "ambiguous",
            f"«{query}» có thể là {len(candidates)} người; hãy gõ đủ họ tên:",
            people=candidates[:MAX_LISTED], more=max(len(candidates) - MAX_LISTED, 0))
    persons = tuple(PersonEvents(summaries[p.id], tuple(catalog.events_of(p)))
                    for p in match.people)
    first = persons[0].summary.name
    if len(persons) > 1:
        heading = (f"Có {len(persons)} người tên {first} (chức danh ở những nơi khác nhau), "
                   "mỗi người một danh sách:")
    elif not match.exact:
        heading = f"Hiểu «{query}» là {first}:"
    else:
        heading = f"{first}:"
    return PeopleReport("person", heading, persons=persons)


def person_line(summary: PersonSummary) -> str:
    """'Tô Lâm — Đại tướng, Bộ trưởng Bộ Công an · 3 sự kiện · 4 bài'."""
    title = f" — {summary.title}" if summary.title else ""
    return f"{summary.name}{title} · {summary.events} sự kiện · {summary.articles} bài"


def events_listing(catalog: PeopleCatalog) -> tuple[str, tuple[EventSummary, ...], int]:
    """The heading, the events newest first (at most MAX_LISTED), and how many more."""
    if not catalog.facts:
        return EMPTY, (), 0
    events = catalog.events()
    if not events:
        return "Các bài đã lập chỉ mục không kể sự kiện nào.", (), 0
    heading = f"{len(events)} sự kiện trong {len(catalog.facts)} bài"
    return heading, tuple(events[:MAX_LISTED]), max(len(events) - MAX_LISTED, 0)


def event_summary_line(event: EventSummary) -> str:
    """'11/8/2022 · Ngày hội … · xã Hưng Mỹ · Tô Lâm, Huỳnh Quốc Việt'."""
    parts = [display_date(event.date), event.what]
    if event.place:
        parts.append(event.place)
    if event.people:
        shown = ", ".join(event.people[:6])
        parts.append(shown + (f" và {len(event.people) - 6} người khác"
                              if len(event.people) > 6 else ""))
    return " · ".join(parts)
