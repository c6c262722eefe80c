"""`people [NAME]` and `events` formatted: plain lines (`newsqa`), rich text (REPL) and
Telegram blocks. What is listed, and every heading, comes from `retrieval.events.lookup`;
``english`` picks its language (the CLI's and the REPL's setting, the Telegram user's)."""

from __future__ import annotations

from rich.text import Text

from retrieval import display_date, event_line
from retrieval.events.catalog import EventSummary, PeopleCatalog
from retrieval.events.lookup import (
    PeopleReport,
    event_summary_line,
    events_listing,
    person_line,
)

from .formatting import Block, Span, pack_blocks, source_line


def _more(count: int, english: bool) -> str:
    return f"… and {count} more" if english else f"… và {count} mục nữa"


def _no_events(english: bool) -> str:
    return ("(no event: only mentioned)" if english
            else "(không có sự kiện nào: chỉ được nhắc đến)")


# --- plain -------------------------------------------------------------------------------

def people_plain(report: PeopleReport, *, english: bool = False) -> str:
    lines = [report.heading]
    lines += [f"  • {person_line(p, english=english)}" for p in report.people]
    for entry in report.persons:
        if len(report.persons) > 1:
            lines.append(f"{person_line(entry.summary, english=english)}:")
        if not entry.events:
            lines.append(f"  {_no_events(english)}")
        for event in entry.events:
            source = event.source
            title = f" — {event.title}" if event.title else ""
            lines.append(f"  • {event_line(event, english=english)}")
            lines.append(f"    {entry.summary.name}{title}")
            lines.append(f"    “{event.evidence}”")
            lines.append(f"    — {source.title} · {display_date(source.date, english=english)}"
                         f" · {source.file}")
    if report.more:
        lines.append(_more(report.more, english))
    return "\n".join(lines) + "\n"


def events_plain(catalog: PeopleCatalog, *, english: bool = False) -> str:
    heading, events, more = events_listing(catalog, english=english)
    lines = [heading] + [f"  • {event_summary_line(e, english=english)}  [{e.file}]"
                         for e in events]
    if more:
        lines.append(_more(more, english))
    return "\n".join(lines) + "\n"


# --- rich (REPL) -------------------------------------------------------------------------

LABEL_STYLE = "bold green"
SOURCE_STYLE = "dim"


def people_rich(report: PeopleReport, *, english: bool = False) -> list[Text]:
    out = [Text(report.heading, style=LABEL_STYLE)]
    out += [Text(f"  • {person_line(p, english=english)}") for p in report.people]
    for entry in report.persons:
        if len(report.persons) > 1:
            out.append(Text(person_line(entry.summary, english=english), style="bold"))
        if not entry.events:
            out.append(Text(f"  {_no_events(english)}"))
        for event in entry.events:
            source = event.source
            out.append(Text.assemble("  • ", (event_line(event, english=english), "bold")))
            if event.title:
                out.append(Text(f"    {entry.summary.name} — {event.title}"))
            out.append(Text(f"    “{event.evidence}”"))
            out.append(Text(f"    — {source.title} · {display_date(source.date, english=english)}"
                            f" · {source.file}", style=SOURCE_STYLE))
    if report.more:
        out.append(Text(_more(report.more, english), style=SOURCE_STYLE))
    return out


def events_rich(catalog: PeopleCatalog, *, english: bool = False) -> list[Text]:
    heading, events, more = events_listing(catalog, english=english)
    out = [Text(heading, style=LABEL_STYLE)]
    out += [Text.assemble("  • ", event_summary_line(e, english=english),
                          (f"  [{e.file}]", SOURCE_STYLE))
            for e in events]
    if more:
        out.append(Text(_more(more, english), style=SOURCE_STYLE))
    return out


# --- Telegram ----------------------------------------------------------------------------

def people_pages(report: PeopleReport, *, english: bool = False) -> list[str]:
    blocks: list[Block] = [(Span("👤 "), Span(report.heading, bold=True))]
    if report.people:
        blocks.append(tuple(Span(("\n" if i else "") + "• " + person_line(p, english=english))
                            for i, p in enumerate(report.people)))
    for entry in report.persons:
        if len(report.persons) > 1:
            blocks.append((Span(person_line(entry.summary, english=english), bold=True),))
        if not entry.events:
            blocks.append((Span(_no_events(english)),))
        for event in entry.events:
            title = f"{entry.summary.name} — {event.title}\n" if event.title else ""
            blocks.append((Span("• "), Span(event_line(event, english=english), bold=True),
                           Span(f"\n{title}“{event.evidence}”\n"),
                           *source_line(event.source, english=english)))
    if report.more:
        blocks.append((Span(_more(report.more, english), italic=True),))
    return pack_blocks(blocks)


def events_pages(catalog: PeopleCatalog, *, english: bool = False) -> list[str]:
    heading, events, more = events_listing(catalog, english=english)
    blocks: list[Block] = [(Span("🗓 "), Span(heading, bold=True))]
    blocks += [_event_block(e, english) for e in events]
    if more:
        blocks.append((Span(_more(more, english), italic=True),))
    return pack_blocks(blocks)


def _event_block(event: EventSummary, english: bool) -> Block:
    return (Span("• "), Span(event_summary_line(event, english=english)), Span(" "),
            Span(event.file, code=True))
