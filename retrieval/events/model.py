"""The people and events of an article as plain rows (strings, ints, None), so any store
can keep them: a JSON side file per index generation, or two SQL tables."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from sys import intern
from typing import Any, cast

from ..types import Role

FACTS_VERSION = 2  # bump when extraction changes: stored facts are then rebuilt


@dataclass(frozen=True, slots=True)
class EventRow:
    """An event an article reports ('Ngày hội … năm 2022'), with its day and place."""

    index: int  # within the article
    what: str
    date: str | None  # ISO 'YYYY-MM-DD', or the article's 'YYYY-MM[-DD]' when none given
    date_text: str | None  # as written: 'Sáng 11/8/2022'
    place: str | None
    chunk: int  # ordinal of the passage that reports it
    evidence: str  # the sentence that reports it


@dataclass(frozen=True, slots=True)
class MentionRow:
    """A person named in an article, with the title given there and what they did."""

    name: str  # as written: 'Tô Lâm'
    key: str  # normalized name: 'tô lâm'
    title: str  # the title the sentence gives ('' if none)
    roles: tuple[Role, ...]  # empty: only named
    event: int | None  # EventRow.index this mention is about
    chunk: int  # ordinal of the passage that names them
    start: int  # offsets of the sentence in the article body
    end: int
    evidence: str  # that sentence (cut to a few hundred characters)


@dataclass(frozen=True, slots=True)
class ArticleFacts:
    """Everything extracted from one article; rebuilt only when the article changes."""

    file: str
    title: str
    date: str | None
    content_hash: str
    events: tuple[EventRow, ...] = ()
    mentions: tuple[MentionRow, ...] = field(default_factory=tuple)
    places: tuple[str, ...] = ()  # folded places the article names ('ca mau', 'ninh kieu')
    # Folded provinces it is set in (``places.provinces_of_article``), read once at build
    # time; None in facts stored before they were (then read from the text when asked).
    provinces: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @staticmethod
    def from_dict(data: dict[str, Any], *, sentences: bool = True) -> ArticleFacts:
        """The inverse of ``to_dict``; without ``sentences``, each mention's ``evidence``
        is '' (a served generation reads it from the passages when shown)."""
        # Names, titles, roles, events and places repeat across articles: one object each
        # in memory.
        def shared(text: str | None) -> str | None:
            return None if text is None else intern(text)

        def roles(names: list[str]) -> tuple[Role, ...]:
            key = tuple(names)
            found = _ROLES.get(key)
            if found is None:
                found = _ROLES[key] = cast(tuple[Role, ...], tuple(intern(r) for r in key))
            return found

        return ArticleFacts(
            file=data["file"], title=data["title"], date=shared(data["date"]),
            content_hash=data["content_hash"],
            events=tuple(EventRow(row["index"], intern(row["what"]), shared(row["date"]),
                                  row["date_text"], shared(row["place"]), row["chunk"],
                                  row["evidence"]) for row in data["events"]),
            mentions=tuple(MentionRow(intern(row["name"]), intern(row["key"]),
                                      intern(row["title"]), roles(row["roles"]),
                                      row["event"], row["chunk"], row["start"], row["end"],
                                      row["evidence"] if sentences else "")
                           for row in data["mentions"]),
            places=tuple(intern(p) for p in data.get("places", ())),
            provinces=(None if data.get("provinces") is None
                       else tuple(intern(p) for p in data["provinces"])),
        )


# The roles of a mention, one tuple per combination (there are a few dozen).
_ROLES: dict[tuple[str, ...], tuple[Role, ...]] = {}
