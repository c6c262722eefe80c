"""What a people answer shows, decided once for every front end (they only format it)."""

from __future__ import annotations

from dataclasses import dataclass

from ..types import Answer, Person, PersonEvent, Role

ATTENDED_HEADING = "Người tham dự"
MENTIONED_HEADING = "Cũng được nhắc đến"
ROLE_HEADINGS: dict[Role, str] = {
    "attended": ATTENDED_HEADING,
    "spoke": "Người phát biểu",
    "presided": "Người chủ trì",
    "awarded": "Người trao thưởng",
    "was_awarded": "Người được trao thưởng",
}
# Said when the passages name people but none in the role asked about.
ROLE_MISSING: dict[Role, str] = {
    "attended": "Không đoạn nào nói ai tham dự",
    "spoke": "Không đoạn nào nói ai phát biểu",
    "presided": "Không đoạn nào nói ai chủ trì",
    "awarded": "Không đoạn nào nói ai trao thưởng",
    "was_awarded": "Không đoạn nào nói ai được trao thưởng",
}


@dataclass(frozen=True)
class PeopleGroup:
    """People shown under one heading ('Người phát biểu', 'Cũng được nhắc đến')."""

    heading: str
    people: tuple[Person, ...]


def people_groups(answer: Answer | None) -> tuple[PeopleGroup, ...]:
    """The headed groups of a people answer, in order; empty for other answers.

    A question about a role ('Ai phát biểu …?') shows only the people the passages give
    that role; if none, it says so and shows who is named. Otherwise the people the
    passages say attended come first (the extractor orders them so) and everyone after
    the first person who is only named goes under 'Cũng được nhắc đến'.
    """
    if answer is None or answer.kind != "people" or not answer.people:
        return ()
    people = answer.people
    role = answer.role
    if role is not None and role != "attended":
        matching = tuple(p for p in people if role in p.roles)
        if matching:
            return (PeopleGroup(ROLE_HEADINGS[role], matching),)
        return (PeopleGroup(f"{ROLE_MISSING[role]}; {MENTIONED_HEADING.lower()}", people),)
    lead = 0
    while lead < len(people) and people[lead].attended:
        lead += 1
    groups = []
    if lead:
        groups.append(PeopleGroup(ATTENDED_HEADING, people[:lead]))
    if lead < len(people):
        groups.append(PeopleGroup(MENTIONED_HEADING, people[lead:]))
    return tuple(groups)


# --- one person's events ---------------------------------------------------------------

ROLE_LABELS: dict[Role, str] = {
    "attended": "tham dự",
    "spoke": "phát biểu",
    "presided": "chủ trì",
    "awarded": "trao thưởng",
    "was_awarded": "được trao thưởng",
}
NO_DATE = "không rõ ngày"


def display_date(date: str | None) -> str:
    """'2022-08-11' -> '11/8/2022', '2022-08' -> 'tháng 8/2022', None -> 'không rõ ngày'."""
    parts = (date or "").split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[2])}/{int(parts[1])}/{parts[0]}"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"tháng {int(parts[1])}/{parts[0]}"
    return NO_DATE


def roles_text(roles: tuple[Role, ...]) -> str:
    """'tham dự, phát biểu'; what someone did beyond being there comes first."""
    ordered = [r for r in roles if r != "attended"] + [r for r in roles if r == "attended"]
    return ", ".join(ROLE_LABELS[r] for r in ordered)


def events_heading(answer: Answer) -> str:
    """'Sự kiện Tô Lâm đã phát biểu (2)', or that none were found."""
    verb = ROLE_LABELS[answer.role] if answer.role else "tham gia"
    if answer.role not in (None, "was_awarded"):
        verb = "đã " + verb
    where = "trong phạm vi đã lọc" if answer.filtered else "trong các bài đã lập chỉ mục"
    if not answer.events:
        return f"Không thấy sự kiện nào {answer.person} {verb} {where}"
    count = f"{len(answer.events)}, {where}" if answer.filtered else str(len(answer.events))
    return f"Sự kiện {answer.person} {verb} ({count})"


def event_line(event: PersonEvent) -> str:
    """'Ngày hội … — 11/8/2022 · xã Hưng Mỹ · phát biểu, trao thưởng, tham dự'."""
    parts = [display_date(event.date)]
    if event.place:
        parts.append(event.place)
    parts.append(roles_text(event.roles))
    return f"{event.what} — {' · '.join(parts)}"
