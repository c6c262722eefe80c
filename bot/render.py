"""Plain-text rendering of an answer for `newsqa ask` (no colour codes)."""

from __future__ import annotations

from typing import Any

from retrieval import people_groups

from .frontend.messages import t
from .frontend.terminal import safe, safe_text
from .serialize import answer_from_dict


def render_plain(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for notice in data.get("notices", []):
        lines.append(f"! {safe(notice)}")
    answer = answer_from_dict(data.get("answer"))
    for group in people_groups(answer):
        lines.append(f"{group.heading}:")
        for person in group.people:
            title = f" — {safe(person.title)}" if person.title else ""
            lines.append(f"  • {safe(person.name)}{title} [{person.rank_of_passage}]")
    if answer is not None and answer.kind != "people" and answer.value:
        label = t("answer_date") if answer.kind == "date" else t("answer_place")
        lines.append(f"{label}: {answer.value} [{answer.rank_of_passage}]")
    if not data["results"]:
        lines.append(t("no_results"))
    for result in data["results"]:
        source = result["source"]
        lines.append(f"[{result['rank']}] {safe_text(result['text'])}")
        lines.append(f"    — {safe(source['title'])} · {source['date'] or t('unknown_date')} · "
                     f"{safe(source['file'])}")
    return "\n".join(lines) + "\n\n"
