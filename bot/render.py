"""Plain-text rendering of an answer for `newsqa ask` (no colour codes)."""

from __future__ import annotations

from typing import Any

from retrieval import people_groups

from .serialize import answer_from_dict


def render_plain(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for notice in data.get("notices", []):
        lines.append(f"! {notice}")
    answer = answer_from_dict(data.get("answer"))
    for group in people_groups(answer):
        lines.append(f"{group.heading}:")
        for person in group.people:
            title = f" — {person.title}" if person.title else ""
            lines.append(f"  • {person.name}{title} [{person.rank_of_passage}]")
    if answer is not None and answer.kind != "people" and answer.value:
        label = "Thời gian" if answer.kind == "date" else "Địa điểm"
        lines.append(f"{label}: {answer.value} [{answer.rank_of_passage}]")
    if not data["results"]:
        lines.append("Không tìm thấy đoạn nào phù hợp.")
    for result in data["results"]:
        source = result["source"]
        lines.append(f"[{result['rank']}] {result['text']}")
        lines.append(f"    — {source['title']} · {source['date'] or 'không rõ ngày'} · "
                     f"{source['file']}")
    return "\n".join(lines) + "\n\n"
