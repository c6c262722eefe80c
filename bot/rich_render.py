"""Rich renderables of an answer for the terminal REPL (same wording as `newsqa ask`)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from retrieval import (
    Answer,
    ArticleInfo,
    SearchHit,
    SearchResponse,
    answer_value,
    event_line,
    events_heading,
    people_groups,
)

from .frontend.messages import count, language, t
from .frontend.terminal import safe

RANK_STYLE = "bold cyan"
HIGHLIGHT_STYLE = "bold yellow"
SOURCE_STYLE = "dim"
NOTICE_STYLE = "yellow"
LABEL_STYLE = "bold green"


def render_response(response: SearchResponse) -> Group:
    """Notices, the short answer if any, then the numbered passages with their sources."""
    # English for an English question, else the REPL's language.
    english = response.english or language() == "en"
    parts: list[RenderableType] = [Text(f"! {notice}", style=NOTICE_STYLE)
                                   for notice in response.notices]
    if response.answer is not None:
        parts.extend(render_answer(response.answer, english=english))
    if not response.results:
        parts.append(Text(t("no_results", english=english)))
    for hit in response.results:
        parts.append(render_hit(hit))
        parts.append(render_source(hit, english=english))
    return Group(*parts)


def render_answer(answer: Answer, *, english: bool | None = None) -> list[Text]:
    """The people under their headings with each name's passage number, or one date / place
    line, worded in English or Vietnamese (None: the REPL's language)."""
    english = language() == "en" if english is None else english
    if answer.kind == "people":
        lines: list[Text] = []
        for group in people_groups(answer, english=english):
            lines.append(Text(f"{group.heading}:", style=LABEL_STYLE))
            for person in group.people:
                line = Text("  • ")
                line.append(person.name, style="bold")
                if person.title:
                    line.append(f" — {person.title}")
                line.append(f" [{person.rank_of_passage}]", style=RANK_STYLE)
                lines.append(line)
        return lines
    if answer.kind == "events":
        lines = [Text(f"{events_heading(answer, english=english)}:", style=LABEL_STYLE)]
        for event in answer.events:
            lines.append(Text.assemble("  • ", (safe(event_line(event, english=english)), "bold")))
            lines.append(Text(f"    “{safe(event.evidence)}”"))
            source = event.source
            date = source.date or t("unknown_date", english=english)
            lines.append(Text(f"    — {safe(source.title)} · {date} · {safe(source.file)}",
                              style=SOURCE_STYLE))
        return lines
    label = t("answer_date" if answer.kind == "date" else "answer_place", english=english) + ":"
    if not answer.value:
        return []
    value = answer_value(answer, english=english)
    line = Text.assemble((label, LABEL_STYLE), " ", (safe(value), "bold"))
    if answer.rank_of_passage is not None:
        line.append(f" [{answer.rank_of_passage}]", style=RANK_STYLE)
    return [line]


def render_hit(hit: SearchHit) -> Text:
    """'[rank] passage' with the words that matched the question highlighted."""
    passage = Text(hit.text)
    for start, end in hit.highlights:
        passage.stylize(HIGHLIGHT_STYLE, start, end)
    return Text.assemble((f"[{hit.rank}] ", RANK_STYLE), passage)


def render_source(hit: SearchHit, *, english: bool | None = None) -> Text:
    """The dim 'title · date · file' line under a passage."""
    source = hit.source
    date = source.date or t("unknown_date", english=english)
    line = f"    — {safe(source.title)} · {date} · {safe(source.file)}"
    if source.url:
        line += f"\n      {safe(source.url)}"
    return Text(line, style=SOURCE_STYLE)


def render_articles(articles: Sequence[ArticleInfo]) -> Table:
    """The indexed articles, one row each."""
    table = Table(title=t("sources_title", articles=count("n_articles", len(articles))),
                  title_justify="left", show_edge=False, pad_edge=False)
    table.add_column(t("col_date"), no_wrap=True)
    table.add_column(t("col_passages"), justify="right")
    table.add_column(t("col_file"), style=SOURCE_STYLE, no_wrap=True)
    table.add_column(t("col_title"))
    for info in articles:
        # Text cells, so brackets in a title are not read as rich markup.
        table.add_row(Text(info.date or "—"), Text(str(info.chunks)), Text(safe(info.file)),
                      Text(safe(info.title)))
    return table
