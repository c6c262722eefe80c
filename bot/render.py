"""Plain-text rendering of an answer for `newsqa ask` (no colour codes)."""

from __future__ import annotations

from typing import Any

from retrieval import answer_value, event_line, events_heading, people_groups

from .frontend.messages import language, t
from .frontend.terminal import safe, safe_text
from .serialize import answer_from_dict


def render_plain(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for notice in data.get("notices", []):
        lines.append(f"! {safe(notice)}")
    answer = answer_from_dict(data.get("answer"))
    # The answer's words: English for an English question, else the CLI's language.
    english = bool(data.get("english")) or language() == "en"
    undated = t("unknown_date", english=english)
    for group in people_groups(answer, english=english):
        lines.append(f"{group.heading}:")
        for person in group.people:
            title = f" — {safe(person.title)}" if person.title else ""
            lines.append(f"  • {safe(person.name)}{title} [{person.rank_of_passage}]")
    if answer is not None and answer.kind == "events":
        lines.append(f"{events_heading(answer, english=english)}:")
        for event in answer.events:
            source = event.source
            lines.append(f"  • {safe(event_line(event, english=english))}")
            lines.append(f"    “{safe_text(event.evidence)}”")
            lines.append(f"    — {safe(source.title)} · {source.date or undated} · "
                         f"{safe(source.file)}")
    if answer is not None and answer.kind in ("date", "place") and answer.value:
        label = t("answer_date" if answer.kind == "date" else "answer_place", english=english)
        value = answer_value(answer, english=english)
        lines.append(f"{label}: {safe(value)} [{answer.rank_of_passage}]")
    if not data["results"]:
        lines.append(t("no_results", english=english))
    for result in data["results"]:
        source = result["source"]
        lines.append(f"[{result['rank']}] {safe_text(result['text'])}")
        lines.append(f"    — {safe(source['title'])} · {source['date'] or undated} · "
                     f"{safe(source['file'])}")
        if source.get("url"):
            lines.append(f"      {safe(source['url'])}")
    return "\n".join(lines) + "\n\n"
