"""Plain-text rendering of an answer for `newsqa ask` (no colour codes)."""

from __future__ import annotations

from typing import Any


def render_plain(data: dict[str, Any]) -> str:
    lines: list[str] = []
    for notice in data.get("notices", []):
        lines.append(f"! {notice}")
    answer = data.get("answer")
    if answer and answer["kind"] == "people" and answer["people"]:
        for index, person in enumerate(answer["people"]):
            # Attended people come first; the rest are only named in the passages.
            if index == 0 and person["attended"]:
                lines.append("Người tham dự:")
            if not person["attended"] and (index == 0 or answer["people"][index - 1]["attended"]):
                lines.append("Cũng được nhắc đến:")
            title = f" — {person['title']}" if person["title"] else ""
            lines.append(f"  • {person['name']}{title} [{person['rank_of_passage']}]")
    elif answer and answer.get("value"):
        label = "Thời gian" if answer["kind"] == "date" else "Địa điểm"
        lines.append(f"{label}: {answer['value']} [{answer['rank_of_passage']}]")
    if not data["results"]:
        lines.append("Không tìm thấy đoạn nào phù hợp.")
    for result in data["results"]:
        source = result["source"]
        lines.append(f"[{result['rank']}] {result['text']}")
        lines.append(f"    — {source['title']} · {source['date'] or 'không rõ ngày'} · "
                     f"{source['file']}")
    return "\n".join(lines) + "\n\n"
