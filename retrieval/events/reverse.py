"""Questions about a person's events ('Tô Lâm đã tham dự những sự kiện nào?', 'X phát
biểu ở đâu?', 'Which events did X attend?'), answered from the people catalog."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..answers.questions import question_role
from ..filters.apply import event_meta, matches
from ..filters.scope import Scope
from ..text import fold
from ..types import Answer, Role
from .catalog import PeopleCatalog

# The question asks for events, or where someone did something.
_EVENTS_ASKED = re.compile(
    r"(?<!\w)(?:(?:nhung|cac) (?:su kien|hoat dong|buoi|hoi nghi|ngay hoi|le)|"
    r"su kien (?:nao|gi)|hoat dong (?:nao|gi)|o dau|tai dau|nhung dau|noi nao|"
    r"(?:which|what) events?|events? did|where did|where has|where have)(?!\w)")
# 'Tô Lâm dự ngày hội ở đâu?' asks where one event was (the place answer does that).
_ONE_EVENT = re.compile(r"(?<!\w)(?:ngay hoi|hoi nghi|hoi thao|dai hoi|le|buoi|festival|"
                        r"conference|ceremony|meeting|forum|workshop|congress)(?!\w)")
MAX_EVENTS = 20  # newest, in an answer (`newsqa people NAME` lists them all)


@dataclass(frozen=True)
class PersonQuery:
    """Whose events a question asks for, in which role (None: any)."""

    name: str
    role: Role | None


def asks_for_events(question: str) -> bool:
    """Whether the question asks for events or where something was done: only then may it
    be a reverse question (and the people catalog be needed: built, it holds tens of MiB
    and takes seconds at 10^5 passages)."""
    return _EVENTS_ASKED.search(fold(question.lower())) is not None


def events_question(question: str, catalog: PeopleCatalog) -> PersonQuery | None:
    """The person and role a reverse question asks about; None for other questions or
    when it names no one of the collection."""
    folded = fold(question.lower())
    found = _EVENTS_ASKED.search(folded)
    if found is None:
        return None
    match = catalog.find(question)
    if not match.exact or len(match.people) != 1:
        return None
    person = match.people[0]
    asks_where = found.group().startswith(("o dau", "tai dau", "nhung dau", "noi nao",
                                           "where"))
    # The name's syllables are no event word ('Lê' folds to 'le', as 'lễ' does).
    rest = f" {folded} ".replace(f" {fold(person.key)} ", " ")
    if asks_where and _ONE_EVENT.search(rest):
        return None
    return PersonQuery(person.id, question_role(question))


def events_answer(question: str, catalog: PeopleCatalog,
                  scope: Scope | None = None) -> Answer | None:
    """The events answer to a reverse question (possibly with no events), else None; only
    the events the scope's filter keeps, if it applied one."""
    query = events_question(question, catalog)
    if query is None:
        return None
    person = catalog.person(query.name)
    if person is None:
        return None
    events = catalog.events_of(person, query.role)
    applied = scope.applied if scope is not None else None
    if applied is not None:
        events = [e for e in events if matches(event_meta(e), applied)]
    return Answer(kind="events", person=person.name, role=query.role,
                  events=tuple(events[:MAX_EVENTS]), filtered=applied is not None)
