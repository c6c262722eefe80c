"""Plain typed values passed between the retrieval stages and to the front ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Article:
    """One news article as read from disk (boilerplate removed, paragraphs kept)."""

    file: str  # path relative to the articles dir, '/'-separated
    title: str
    date: str | None  # ISO 'YYYY-MM-DD' or 'YYYY-MM' when only the month is known
    body: str  # the cleaned text that chunks point into
    content_hash: str  # sha256 of the raw file bytes
    # The title is a real headline (not just the first paragraph of a file without one):
    # only a headline says what every passage of the article is about.
    has_headline: bool = False
    url: str | None = None  # the page it was fetched from (newsqa add), if any


@dataclass(frozen=True)
class Chunk:
    """A passage of an article; ``text == article.body[start:end]``."""

    file: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Source:
    file: str
    title: str
    date: str | None
    url: str | None = None  # the page the article was fetched from (newsqa add), if any


@dataclass(frozen=True)
class SearchHit:
    """One ranked passage. ``highlights`` are [start, end) offsets into ``text``."""

    rank: int
    score: float
    text: str
    source: Source
    highlights: tuple[tuple[int, int], ...]
    chunk_id: int


# What a person did at an event, as the passage says.
Role = Literal["attended", "spoke", "presided", "awarded", "was_awarded"]


@dataclass(frozen=True)
class Person:
    """A person named in a passage, as the article writes them."""

    name: str
    title: str  # rank and position, e.g. 'Trung tướng, Thứ trưởng Bộ Công an' ('' if none)
    rank_of_passage: int  # SearchHit.rank of the passage that names them
    attended: bool  # the passage says they attended / spoke / were present
    roles: tuple[Role, ...] = ()  # every role the passages give them, in ROLES order


@dataclass(frozen=True)
class PersonEvent:
    """One event a person took part in, with what they did and the passage that says so."""

    what: str
    date: str | None  # ISO day, or the article's date when the text gives none
    place: str | None
    roles: tuple[Role, ...]
    title: str  # the person's title as that article gives it, at that date
    source: Source
    chunk: int  # ordinal of the passage in the article
    evidence: str  # the sentence that says so


@dataclass(frozen=True)
class Answer:
    """A short answer: people for who-questions, a date or place, or one person's events."""

    kind: Literal["people", "date", "place", "events"]
    people: tuple[Person, ...] = ()
    value: str | None = None  # the date or place, for kind 'date' / 'place'
    rank_of_passage: int | None = None  # for kind 'date' / 'place'
    role: Role | None = None  # for 'people' and 'events': the role the question asks about
    # For kind 'people': None unless the question names a title ('Ai là Chủ tịch UBND
    # …?'); then how many of the first people hold it (0: none; the others are only named).
    holders: int | None = None
    # For kind 'people': the people are those the question names ('Tô Lâm là ai?').
    named: bool = False
    person: str | None = None  # for kind 'events': whose events
    events: tuple[PersonEvent, ...] = ()  # for kind 'events', newest first
    filtered: bool = False  # for kind 'events': only those a filter of the question kept
    # For kind 'date': ``value`` is the ISO date of the passage's article, as no passage
    # gives the event's day (front ends show it with ``answer_value``).
    from_article_date: bool = False


@dataclass(frozen=True)
class SearchResponse:
    question: str  # the question as searched (normalized, possibly cut)
    results: tuple[SearchHit, ...]
    answer: Answer | None = None
    notices: tuple[str, ...] = field(default_factory=tuple)  # e.g. 'question cut to 1000 chars'
    total: int = 0  # how many results could be paged through
    # False: the best passage does not answer (the collection has nothing on the question);
    # the results are then only the closest passages, and a notice says so.
    answered: bool = True
    # The question was read as English: notices are in English, and front ends word the
    # answer around the (Vietnamese) passages in English too.
    english: bool = False


@dataclass(frozen=True)
class ArticleInfo:
    """An indexed article: what the front ends list, and what the store keeps of it."""

    file: str
    title: str
    date: str | None
    chunks: int  # how many passages it has
    # The title is a real headline (see ``Article.has_headline``); indexes written before
    # the flag existed give their passages no headline context.
    has_headline: bool = False
    content_hash: str = ""  # sha256 of the file's bytes when it was indexed
    first_chunk: int = 0  # id of its first passage; its passages are consecutive
    url: str | None = None  # the page it was fetched from (newsqa add), if any


@dataclass(frozen=True)
class SkippedFile:
    file: str
    reason: str
