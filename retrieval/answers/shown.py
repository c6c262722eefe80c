"""What a people answer shows, decided once for every front end (they only format it)."""

from __future__ import annotations

from dataclasses import dataclass

from ..types import Answer, Person, Role

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
