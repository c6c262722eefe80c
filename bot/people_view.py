"""`people [NAME]` and `events` formatted: plain lines (`newsqa`), rich text (REPL) and
Telegram blocks. What is listed, and every heading, comes from `retrieval.events.lookup`."""

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

MORE = "… và {n} mục nữa"


# --- plain -------------------------------------------------------------------------------

def people_plain(report: PeopleReport) -> str:
    lines = [report.heading]
    lines += [f"  • {person_line(p)}" for p in report.people]
    for entry in report.persons:
        if len(report.persons) > 1:
            lines.append(f"{person_line(entry.summary)}:")
        if not entry.events:
            lines.append("  (không có sự kiện nào: chỉ được nhắc đến)")
        for event in entry.events:
            source = event.source
            title = f" — {event.title}" if event.title else ""
            lines.append(f"  • {event_line(event)}")
            lines.append(f"    {entry.summary.name}{title}")
            lines.append(f"    “{event.evidence}”")
            lines.append(f"    — {source.title} · {display_date(source.date)} · {source.file}")
    if report.more:
        lines.append(MORE.format(n=report.more))
    return "\n".join(lines) + "\n"


def events_plain(catalog: PeopleCatalog) -> str:
    heading, events, more = events_listing(catalog)
    lines = [heading] + [f"  • {event_summary_line(e)}  [{e.file}]" for e in events]
    if more:
        lines.append(MORE.format(n=more))
    return "\n".join(lines) + "\n"


# --- rich (REPL) -------------------------------------------------------------------------

LABEL_STYLE = "bold green"
SOURCE_STYLE = "dim"


def people_rich(report: PeopleReport) -> list[Text]:
    out = [Text(report.heading, style=LABEL_STYLE)]
    out += [Text(f"  • {person_line(p)}") for p in report.people]
    for entry in report.persons:
        if len(report.persons) > 1:
            out.append(Text(person_line(entry.summary), style="bold"))
        if not entry.events:
            out.append(Text("  (không có sự kiện nào: chỉ được nhắc đến)"))
        for event in entry.events:
            source = event.source
            out.append(Text.assemble("  • ", (event_line(event), "bold")))
            if event.title:
                out.append(Text(f"    {entry.summary.name} — {event.title}"))
            out.append(Text(f"    “{event.evidence}”"))
            out.append(Text(f"    — {source.title} · {display_date(source.date)} · "
                            f"{source.file}", style=SOURCE_STYLE))
    if report.more:
        out.append(Text(MORE.format(n=report.more), style=SOURCE_STYLE))
    return out


def events_rich(catalog: PeopleCatalog) -> list[Text]:
    heading, events, more = events_listing(catalog)
    out = [Text(heading, style=LABEL_STYLE)]
    out += [Text.assemble("  • ", event_summary_line(e), (f"  [{e.file}]", SOURCE_STYLE))
            for e in events]
    if more:
        out.append(Text(MORE.format(n=more), style=SOURCE_STYLE))
    return out


# --- Telegram ----------------------------------------------------------------------------

def people_pages(report: PeopleReport) -> list[str]:
    blocks: list[Block] = [(Span("👤 "), Span(report.heading, bold=True))]
    if report.people:
        blocks.append(tuple(Span(("\n" if i else "") + "• " + person_line(p))
                            for i, p in enumerate(report.people)))
    for entry in report.persons:
        if len(report.persons) > 1:
            blocks.append((Span(person_line(entry.summary), bold=True),))
        if not entry.events:
            blocks.append((Span("(không có sự kiện nào: chỉ được nhắc đến)"),))
        for event in entry.events:
            title = f"{entry.summary.name} — {event.title}\n" if event.title else ""
            blocks.append((Span("• "), Span(event_line(event), bold=True),
                           Span(f"\n{title}“{event.evidence}”\n"), *source_line(event.source)))
    if report.more:
        blocks.append((Span(MORE.format(n=report.more), italic=True),))
    return pack_blocks(blocks)


def events_pages(catalog: PeopleCatalog) -> list[str]:
    heading, events, more = events_listing(catalog)
    blocks: list[Block] = [(Span("🗓 "), Span(heading, bold=True))]
    blocks += [_event_block(e) for e in events]
    if more:
        blocks.append((Span(MORE.format(n=more), italic=True),))
    return pack_blocks(blocks)


def _event_block(event: EventSummary) -> Block:
    return (Span("• "), Span(event_summary_line(event)), Span(" "),
            Span(event.file, code=True))
