"""The people and events of the collection, queried: who is named and how often, one
person's events newest first, every event with its day and place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..answers.lexicon import norm
from ..answers.roles import ROLES
from ..text import fold, has_diacritics
from ..types import PersonEvent, Role, Source
from .extract import MAX_EVIDENCE
from .identity import PersonEntry, resolve_people
from .model import ArticleFacts, EventRow, MentionRow

# ``body[start:end]`` of the article in ``file``, near its passage ``chunk``: a served
# generation's facts leave each mention's sentence out (``Generation.facts``).
BodyReader = Callable[[str, int, int, int], str]


@dataclass(frozen=True)
class PersonSummary:
    id: str
    name: str
    title: str  # the title of their newest article ('' if none)
    events: int  # events they are said to have taken part in
    articles: int


@dataclass(frozen=True)
class EventSummary:
    what: str
    date: str | None
    place: str | None
    file: str
    article_title: str
    people: tuple[str, ...]  # names of the people taking part, in article order


@dataclass(frozen=True)
class Match:
    """People a name given by the user may mean; ``exact`` when the whole name matched."""

    people: tuple[PersonEntry, ...]
    exact: bool


def _words(name: str) -> tuple[str, ...]:
    return tuple(norm(w) for w in name.replace("-", " ").split())


def _sort_date(date: str | None) -> str:
    return date or ""


class PeopleCatalog:
    """Built from every article's facts (cheap: a pass over plain rows)."""

    def __init__(self, facts: Sequence[ArticleFacts], body: BodyReader | None = None) -> None:
        self.facts = list(facts)
        self._body = body
        self.people = resolve_people(self.facts)
        self._by_id = {p.id: p for p in self.people}
        self._name_indexes: dict[bool, tuple[dict[tuple[str, ...], list[int]],
                                             dict[tuple[str, ...], list[int]],
                                             list[tuple[str, ...]]]] = {}

    # --- people ------------------------------------------------------------------------

    def summaries(self) -> list[PersonSummary]:
        """Everyone named, most events first, then most articles, then by name."""
        out = []
        for person in self.people:
            events = self.events_of(person)
            articles = {a for a, _ in person.mentions}
            newest = max(articles, key=lambda a: _sort_date(self.facts[a].date))
            titles = [self.facts[a].mentions[i].title for a, i in person.mentions
                      if a == newest and self.facts[a].mentions[i].title]
            out.append(PersonSummary(person.id, person.name,
                                     max(titles, key=len, default=""),
                                     len(events), len(articles)))
        return sorted(out, key=lambda s: (-s.events, -s.articles, fold(s.name)))

    def find(self, name: str) -> Match:
        """The people ``name`` may mean: the whole name anywhere in it ('Đại tướng Tô Lâm',
        'to lam'), else people whose name ends with it ('Lâm'); empty if none."""
        words = _words(name)
        if not words:
            return Match((), False)
        folded = not has_diacritics(name)
        query = tuple(fold(w) for w in words) if folded else words
        by_key, by_ending, keys = self._name_index(folded)
        # Every run of the name's words that is someone's whole name.
        whole = sorted({i for start in range(len(query))
                        for end in range(start + 1, len(query) + 1)
                        for i in by_key.get(query[start:end], ())})
        if whole:
            longest = max(len(keys[i]) for i in whole)
            return Match(tuple(self.people[i] for i in whole if len(keys[i]) == longest), True)
        return Match(tuple(self.people[i] for i in by_ending.get(query, ())), False)

    def _name_index(self, folded: bool) -> tuple[dict[tuple[str, ...], list[int]],
                                                 dict[tuple[str, ...], list[int]],
                                                 list[tuple[str, ...]]]:
        """People by name and by each ending of their name (accents folded or not), in
        catalog order: a question naming someone is looked up, not compared with everyone
        (a linear scan took 50-120 ms at 10^5 passages)."""
        index = self._name_indexes.get(folded)
        if index is None:
            keys = [tuple(fold(w) for w in p.key.split()) if folded else tuple(p.key.split())
                    for p in self.people]
            by_key: dict[tuple[str, ...], list[int]] = {}
            by_ending: dict[tuple[str, ...], list[int]] = {}
            for i, key in enumerate(keys):
                by_key.setdefault(key, []).append(i)
                for start in range(len(key)):
                    by_ending.setdefault(key[start:], []).append(i)
            index = self._name_indexes[folded] = (by_key, by_ending, keys)
        return index

    def person(self, person_id: str) -> PersonEntry | None:
        return self._by_id.get(person_id)

    # --- events ------------------------------------------------------------------------

    def events_of(self, person: PersonEntry, role: Role | None = None) -> list[PersonEvent]:
        """The events ``person`` took part in (in ``role`` if given), newest first."""
        found: dict[tuple[int, int], list[int]] = {}
        for a, i in person.mentions:
            mention = self.facts[a].mentions[i]
            if mention.event is not None and mention.roles:
                found.setdefault((a, mention.event), []).append(i)
        out: list[PersonEvent] = []
        for (a, event_index), indices in found.items():
            article = self.facts[a]
            mentions = [article.mentions[i] for i in indices]
            roles = tuple(r for r in ROLES if any(r in m.roles for m in mentions))
            if role is not None and role not in roles and not (
                    role == "attended" and roles):
                continue
            # The passage that says what was asked (else the first that ties them to it).
            best = next((m for m in mentions if role in m.roles), mentions[0])
            event = _event(article, event_index)
            out.append(PersonEvent(
                what=event.what, date=event.date, place=event.place, roles=roles,
                title=max((m.title for m in mentions), key=len),
                source=Source(article.file, article.title, article.date),
                chunk=best.chunk, evidence=self._sentence(article.file, best)))
        return sorted(out, key=lambda e: (_sort_date(e.date), e.source.file), reverse=True)

    def _sentence(self, file: str, mention: MentionRow) -> str:
        if mention.evidence or self._body is None:
            return mention.evidence
        return self._body(file, mention.start, min(mention.end, mention.start + MAX_EVIDENCE),
                          mention.chunk)

    def events(self) -> list[EventSummary]:
        """Every event of the collection, newest first."""
        out = []
        for article in self.facts:
            for event in article.events:
                names: list[str] = []
                for m in article.mentions:
                    if m.event == event.index and m.roles and m.name not in names:
                        names.append(m.name)
                out.append(EventSummary(event.what, event.date, event.place, article.file,
                                        article.title, tuple(names)))
        return sorted(out, key=lambda e: (_sort_date(e.date), e.file), reverse=True)


def _event(article: ArticleFacts, index: int) -> EventRow:
    return next(e for e in article.events if e.index == index)
