"""What a people answer shows, decided once for every front end (they only format it)."""

from __future__ import annotations

from dataclasses import dataclass

from ..types import Answer, Person

ATTENDED_HEADING = "Người tham dự"
MENTIONED_HEADING = "Cũng được nhắc đến"


@dataclass(frozen=True)
class PeopleGroup:
    """People shown under one heading ('Người tham dự', 'Cũng được nhắc đến')."""

    heading: str
    people: tuple[Person, ...]


def people_groups(answer: Answer | None) -> tuple[PeopleGroup, ...]:
    """The headed groups of a people answer, in order; empty for other answers.

    The people the passages say attended come first (the extractor orders them so);
    everyone after the first person who is only named goes under 'Cũng được nhắc đến'.
    """
    if answer is None or answer.kind != "people" or not answer.people:
        return ()
    people = answer.people
    lead = 0
    while lead < len(people) and people[lead].attended:
        lead += 1
    groups = []
    if lead:
        groups.append(PeopleGroup(ATTENDED_HEADING, people[:lead]))
    if lead < len(people):
        groups.append(PeopleGroup(MENTIONED_HEADING, people[lead:]))
    return tuple(groups)
