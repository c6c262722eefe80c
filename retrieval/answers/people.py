"""People of several passages merged by name: fullest titles, order for the answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ..types import Person, Role, SearchHit
from .gazetteer import _POSITION_MODIFIERS, _PREFIXES
from .lexicon import norm
from .names import people_in_passage
from .roles import ROLES
from .titles import title_match

MAX_PEOPLE = 20


@dataclass
class _Merged:
    """A person's mentions across the passages, merged."""

    name: str
    titles: list[list[str]] = field(default_factory=list)  # title segments, per mention
    attended: bool = False
    rank: int = 0
    attended_rank: int | None = None
    group: int = 0  # order of the person's article among the hits
    position: int = 0
    role_ranks: dict[Role, int] = field(default_factory=dict)  # first passage per role


def _same_title(short: str, long: str) -> bool:
    """'Thứ trưởng' is said fully by 'Thứ trưởng Bộ Công an'; 'Bí thư Tỉnh ủy' is not
    'Phó Bí thư Tỉnh ủy'."""
    if f" {short} " not in f" {long} ":
        return False
    before = long[:long.index(short)].split() if short else []
    return not (before and (before[-1],) in _POSITION_MODIFIERS)


def _merge_segments(into: list[str], new: Sequence[str]) -> None:
    """Add title segments, keeping the fullest form of each."""
    for seg in new:
        key = " ".join(norm(w) for w in seg.split())
        for index, old in enumerate(into):
            old_key = " ".join(norm(w) for w in old.split())
            if _same_title(key, old_key):
                break
            if _same_title(old_key, key):
                into[index] = seg
                break
        else:
            into.append(seg)


def _title_text(titles: Sequence[Sequence[str]]) -> str:
    """One title from every mention's: the fullest mention's order, then what others add;
    ranks and academic titles first ('Đại tướng, Bộ trưởng Bộ Công an')."""
    segments: list[str] = []
    for title in sorted(titles, key=lambda t: (-len(t), -sum(map(len, t)))):
        _merge_segments(segments, title)
    ranks = [s for s in segments if tuple(norm(w) for w in s.split()) in _PREFIXES]
    rest = [s for s in segments if s not in ranks]
    return ", ".join(ranks + rest)


def extract_people(hits: Sequence[SearchHit], asked: frozenset[str] = frozenset(),
                   role: Role | None = None) -> tuple[Person, ...]:
    """People named in the passages, merged by name, with the passage that names them.

    Order: those the passages give the asked ``role`` first (their passage is the one that
    says so); then those whose title holds most of ``asked`` (the folded words of a
    question that names a title: 'Chủ tịch UBND tỉnh Cà Mau là ai?'); then the people of
    the best hit's article (articles in hit order); within an article, those the passages
    say attended before those only mentioned.
    """
    groups: dict[str, int] = {}
    merged: dict[str, _Merged] = {}
    for hit in hits:
        group = groups.setdefault(hit.source.file, len(groups))
        for m in people_in_passage(hit.text):
            person = merged.get(m.key)
            if person is None:
                person = merged[m.key] = _Merged(m.name, rank=hit.rank, group=group,
                                                 position=m.position)
            person.titles.append(m.segments)
            if m.attended and not person.attended:
                person.attended = True
                person.attended_rank = hit.rank
            for found in m.roles:
                person.role_ranks.setdefault(found, hit.rank)
    people = [(Person(p.name, _title_text(p.titles),
                      (role and p.role_ranks.get(role)) or p.attended_rank or p.rank,
                      p.attended, tuple(r for r in ROLES if r in p.role_ranks)),
               p) for p in merged.values()]
    ordered = sorted(
        people,
        key=lambda pair: (role is not None and role not in pair[1].role_ranks,
                          -title_match(asked, pair[0].title), pair[1].group,
                          not pair[1].attended, pair[0].rank_of_passage, pair[1].position),
    )
    return tuple(person for person, _ in ordered[:MAX_PEOPLE])

