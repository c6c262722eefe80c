"""What an answer shows, decided once for every front end (they only format it).

Every text here exists in Vietnamese and English: a front end asks for English when the
question was asked in English (``SearchResponse.english``) or its user chose English.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..types import Answer, Person, PersonEvent, Role


@dataclass(frozen=True)
class AnswerWords:
    """The words around an answer, in one language."""

    attended: str
    mentioned: str
    holders: str  # those holding the title a question names
    named: str  # the people a question asks about ('Tô Lâm là ai?')
    holders_missing: str  # said when the passages name people but none holding it
    role_headings: dict[Role, str]
    # Said when the passages name people but none in the role asked about.
    role_missing: dict[Role, str]
    # What someone did at an event, after their name in an event line.
    role_labels: dict[Role, str]
    no_date: str
    month: str  # before 'M/YYYY' for a month without its day
    article_date: str  # after a date that is the article's, not one the passage gives


VIETNAMESE = AnswerWords(
    attended="Người tham dự",
    mentioned="Cũng được nhắc đến",
    holders="Người giữ chức vụ được hỏi",
    named="Người được hỏi",
    holders_missing="Không đoạn nào nêu người giữ chức vụ được hỏi",
    role_headings={"attended": "Người tham dự", "spoke": "Người phát biểu",
                   "presided": "Người chủ trì", "awarded": "Người trao thưởng",
                   "was_awarded": "Người được trao thưởng"},
    role_missing={"attended": "Không đoạn nào nói ai tham dự",
                  "spoke": "Không đoạn nào nói ai phát biểu",
                  "presided": "Không đoạn nào nói ai chủ trì",
                  "awarded": "Không đoạn nào nói ai trao thưởng",
                  "was_awarded": "Không đoạn nào nói ai được trao thưởng"},
    role_labels={"attended": "tham dự", "spoke": "phát biểu", "presided": "chủ trì",
                 "awarded": "trao thưởng", "was_awarded": "được trao thưởng"},
    no_date="không rõ ngày",
    month="tháng ",
    article_date="ngày của bài báo",
)
ENGLISH = AnswerWords(
    attended="Attended",
    mentioned="Also mentioned",
    holders="Holding the title asked about",
    named="Asked about",
    holders_missing="No passage names who holds the title asked about",
    role_headings={"attended": "Attended", "spoke": "Spoke", "presided": "Presided",
                   "awarded": "Presented awards", "was_awarded": "Received awards"},
    role_missing={"attended": "No passage says who attended",
                  "spoke": "No passage says who spoke",
                  "presided": "No passage says who presided",
                  "awarded": "No passage says who presented awards",
                  "was_awarded": "No passage says who received awards"},
    role_labels={"attended": "attended", "spoke": "spoke", "presided": "presided",
                 "awarded": "presented awards", "was_awarded": "received awards"},
    no_date="date unknown",
    month="",
    article_date="the article's date",
)


def answer_words(english: bool) -> AnswerWords:
    return ENGLISH if english else VIETNAMESE


@dataclass(frozen=True)
class PeopleGroup:
    """People shown under one heading ('Người phát biểu', 'Cũng được nhắc đến')."""

    heading: str
    people: tuple[Person, ...]


def people_groups(answer: Answer | None, *, english: bool = False) -> tuple[PeopleGroup, ...]:
    """The headed groups of a people answer, in order; empty for other answers.

    A question about a role ('Ai phát biểu …?') shows only the people the passages give
    that role; if none, it says so and shows who is named. A question naming a title
    ('Ai là Chủ tịch UBND …?') shows those holding it, then the others as only named; if
    none holds it, it says so and shows who is named. A question asking who someone is
    shows them under 'Người được hỏi'. Otherwise the people the passages say attended come
    first (the extractor orders them so) and everyone after the first person who is only
    named goes under 'Cũng được nhắc đến'.
    """
    if answer is None or answer.kind != "people" or not answer.people:
        return ()
    said = answer_words(english)
    people = answer.people
    role = answer.role
    if role is not None and role != "attended":
        matching = tuple(p for p in people if role in p.roles)
        if matching:
            return (PeopleGroup(said.role_headings[role], matching),)
        return (PeopleGroup(f"{said.role_missing[role]}; {said.mentioned.lower()}", people),)
    if answer.named:
        return (PeopleGroup(said.named, people),)
    if answer.holders == 0:
        return (PeopleGroup(f"{said.holders_missing}; {said.mentioned.lower()}", people),)
    if answer.holders is not None:
        held = (PeopleGroup(said.holders, people[:answer.holders]),)
        rest = people[answer.holders:]
        return (*held, PeopleGroup(said.mentioned, rest)) if rest else held
    lead = 0
    while lead < len(people) and people[lead].attended:
        lead += 1
    groups = []
    if lead:
        groups.append(PeopleGroup(said.attended, people[:lead]))
    if lead < len(people):
        groups.append(PeopleGroup(said.mentioned, people[lead:]))
    return tuple(groups)


def answer_value(answer: Answer, *, english: bool = False) -> str:
    """The date or place a short answer gives, as shown: a date taken from the article
    rather than from its text says so ('11/8/2022 (ngày của bài báo)')."""
    if answer.from_article_date:
        said = answer_words(english)
        return f"{display_date(answer.value, english=english)} ({said.article_date})"
    return answer.value or ""


# --- one person's events ---------------------------------------------------------------

def display_date(date: str | None, *, english: bool = False) -> str:
    """'2022-08-11' -> '11/8/2022', '2022-08' -> 'tháng 8/2022', None -> 'không rõ ngày'."""
    said = answer_words(english)
    parts = (date or "").split("-")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        return f"{int(parts[2])}/{int(parts[1])}/{parts[0]}"
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        return f"{said.month}{int(parts[1])}/{parts[0]}"
    return said.no_date


def roles_text(roles: tuple[Role, ...], *, english: bool = False) -> str:
    """'tham dự, phát biểu'; what someone did beyond being there comes first."""
    labels = answer_words(english).role_labels
    ordered = [r for r in roles if r != "attended"] + [r for r in roles if r == "attended"]
    return ", ".join(labels[r] for r in ordered)


# 'Events Tô Lâm spoke at': the preposition an English verb needs before its event.
_ENGLISH_EVENT_VERBS: dict[Role | None, str] = {
    None: "took part in", "attended": "attended", "spoke": "spoke at",
    "presided": "presided over", "awarded": "presented awards at",
    "was_awarded": "received awards at",
}


def events_heading(answer: Answer, *, english: bool = False) -> str:
    """'Sự kiện Tô Lâm đã phát biểu (2)', or that none were found."""
    if english:
        verb = _ENGLISH_EVENT_VERBS[answer.role]
        where = "within the filter" if answer.filtered else "in the indexed articles"
        if not answer.events:
            return f"No events {answer.person} {verb} {where}"
        count = f"{len(answer.events)}, {where}" if answer.filtered else str(len(answer.events))
        return f"Events {answer.person} {verb} ({count})"
    verb = VIETNAMESE.role_labels[answer.role] if answer.role else "tham gia"
    if answer.role not in (None, "was_awarded"):
        verb = "đã " + verb
    where = "trong phạm vi đã lọc" if answer.filtered else "trong các bài đã lập chỉ mục"
    if not answer.events:
        return f"Không thấy sự kiện nào {answer.person} {verb} {where}"
    count = f"{len(answer.events)}, {where}" if answer.filtered else str(len(answer.events))
    return f"Sự kiện {answer.person} {verb} ({count})"


def event_line(event: PersonEvent, *, english: bool = False) -> str:
    """'Ngày hội … — 11/8/2022 · xã Hưng Mỹ · phát biểu, trao thưởng, tham dự'."""
    parts = [display_date(event.date, english=english)]
    if event.place:
        parts.append(event.place)
    parts.append(roles_text(event.roles, english=english))
    return f"{event.what} — {' · '.join(parts)}"
