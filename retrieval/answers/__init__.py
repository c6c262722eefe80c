"""Short answers drawn from the passages: who attended (names and titles), when, where.

Rule-based and fast: passages are split into sentences and tokens, and a gazetteer of
Vietnamese ranks, positions and honorifics anchors the personal names around them.
Stages: ``lexicon`` and ``gazetteer`` (words), ``tokens``, ``names`` (one passage),
``people`` (merged across passages), ``questions`` (what is asked), ``titles`` (a title
against the one asked for), ``dates``, ``places``, ``topic`` (which articles answer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..places import provinces_named, provinces_of_article
from ..types import Answer, Person, Role, SearchHit
from .dates import extract_date, names_a_date
from .lexicon import norm
from .names import Mention, people_in_passage, people_in_sentence
from .people import MAX_PEOPLE, extract_people
from .places import extract_place
from .questions import (
    QuestionKind,
    _asked_title_words,
    asks_about_someone,
    names_in_question,
    person_asked_about,
    question_kind,
    question_role,
)
from .titles import asked_positions, holds_position, title_match
from .tokens import Tok, tokenize
from .topic import TOPIC_MARGIN, on_topic, touching_topic

__all__ = [
    "MAX_PASSAGE_CHARS",
    "MAX_PEOPLE",
    "TOPIC_MARGIN",
    "Mention",
    "QuestionKind",
    "Tok",
    "extract_answer",
    "extract_date",
    "extract_people",
    "extract_place",
    "names_a_date",
    "norm",
    "on_topic",
    "people_in_passage",
    "people_in_sentence",
    "question_kind",
    "question_role",
    "tokenize",
]

# Half the words of the title asked for in a person's title, when the question names no
# position (naming one, the person must hold it: ``holds_position``).
TITLE_FIT = 0.5
MAX_PASSAGE_CHARS = 2000  # chunks are ~128 model tokens, a few hundred characters


def _fits(person: Person, role: Role | None, asked: frozenset[str],
          positions: Sequence[tuple[str, ...]]) -> bool:
    if role is not None:
        return role in person.roles
    if positions:
        return holds_position(asked, positions, person.title)
    return title_match(asked, person.title) >= TITLE_FIT


def _holders_first(question: str, people: tuple[Person, ...], asked: frozenset[str],
                   positions: Sequence[tuple[str, ...]], hits: Sequence[SearchHit]
                   ) -> tuple[tuple[Person, ...], int]:
    """The people with those holding the title asked for first, and how many they are: of
    those fitting it, set where the question says (a 'Bí thư Tỉnh ủy' in an article set in
    Cà Mau is not the Bí thư Tỉnh ủy Thanh Hóa asked for), those matching it best (place
    words alone fit half of 'Chủ tịch UBND TP Cần Thơ': its Giám đốc Công an does not)."""
    wanted = set(provinces_named(question))
    by_rank = {hit.rank: hit for hit in hits}
    settings: dict[str, frozenset[str]] = {}

    def placed(person: Person) -> bool:
        if not wanted or wanted.intersection(provinces_named(person.title)):
            return True
        hit = by_rank.get(person.rank_of_passage)
        if hit is None:
            return False
        file = hit.source.file
        if file not in settings:
            settings[file] = provinces_of_article(
                [hit.source.title, *(h.text for h in hits if h.source.file == file)])
        return bool(wanted & settings[file])

    fitting = {p.name: title_match(asked, p.title) for p in people
               if _fits(p, None, asked, positions) and placed(p)}
    if not fitting:
        return people, 0
    best = max(fitting.values())
    held = [p for p in people if fitting.get(p.name, -1.0) >= best - 1e-9]
    return (*held, *(p for p in people if p not in held)), len(held)


def extract_answer(question: str, hits: Sequence[SearchHit]) -> Answer | None:
    """A short answer for who / when / where questions, from the passages; else None."""
    if not hits:
        return None
    kind = question_kind(question)
    if kind is None:
        return None
    # Passages are a few sentences; a huge one (not from our chunker) is read in part only,
    # as sentence splitting grows faster than linearly with text length.
    hits = [replace(h, text=h.text[:MAX_PASSAGE_CHARS]) if len(h.text) > MAX_PASSAGE_CHARS
            else h for h in hits]
    relevant = on_topic(question, hits)
    if kind == "who":
        role, asked = question_role(question), _asked_title_words(question)
        positions = asked_positions(question, asked) if asked else []
        people = extract_people(relevant, asked, role)
        if (role or asked) and not any(_fits(p, role, asked, positions) for p in people):
            # Nobody in the best article did what is asked or holds the title asked for:
            # the passage of another article shown that names them answers instead, if
            # that article holds some of what the question names (not another event).
            wider = extract_people(touching_topic(question, hits), asked, role)
            if any(_fits(p, role, asked, positions) for p in wider):
                people = tuple(p for p in wider if _fits(p, role, asked, positions))
        holders: int | None = None
        if role is None and asked:
            people, holders = _holders_first(question, people, asked, positions, hits)
        named: list[str] = []
        if asks_about_someone(question):
            # "Nguyễn Tiến Hải là ai?": that person, with the title the passages give.
            everyone = {p.name: p for p in (*extract_people(hits), *people)}
            named = names_in_question(question, everyone)
            if named:
                people, holders = tuple(everyone[name] for name in named), None
            elif person_asked_about(question) is not None:
                return None  # 'Who is Pham Minh Chinh?' and no passage names him
        return (Answer(kind="people", people=people, role=role, holders=holders,
                       named=bool(named)) if people else None)
    if kind == "date":
        return extract_date(relevant, question)
    return extract_place(question, relevant)
