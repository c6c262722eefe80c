"""One article -> the events it reports and the people it names, each tied to its passage.

Pure and rule-based, on the same sentence reader as the short answers: an event is a
'Ngày hội / Hội nghị / Lễ …' phrase the article says took place; a person's sentence ties
them to the event it names ('Dự và chủ trì hội nghị có …'), else to the article's main one.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..answers.dates import event_day
from ..answers.names import people_in_sentence
from ..answers.places import extract_place
from ..answers.roles import ROLES
from ..places import provinces_of_article
from ..text import fold, sentence_spans
from ..types import Article, Chunk, SearchHit, Source
from .identity import named_places
from .model import ArticleFacts, EventRow, MentionRow

MAX_EVENTS = 8  # per article
MAX_EVIDENCE = 400  # characters of a sentence kept as a mention's evidence
_MAX_WHAT_WORDS = 24
_REACH = 60  # characters after a person's name and titles where the event they were at is named

# Event nouns, longest first ('Lễ hội' before 'Lễ'); matched case-insensitively.
_HEADS = (
    "ngày hội", "hội nghị", "lễ hội", "lễ kỷ niệm", "lễ khai mạc", "lễ bế mạc", "lễ phát động",
    "lễ ra quân", "lễ trao", "lễ", "đại hội", "hội thảo", "diễn đàn", "tọa đàm", "hội thi",
    "cuộc thi", "hội chợ", "triển lãm", "phiên họp", "kỳ họp", "buổi lễ", "lễ mít tinh",
    "mít tinh", "hội diễn", "liên hoan", "giải chạy", "chương trình",
)
_HEAD = re.compile(r"(?<!\w)(?:" + "|".join(sorted(_HEADS, key=len, reverse=True))
                   + r")(?!\w)", re.IGNORECASE)
# The event took place (as opposed to being planned, or only the subject of another).
_HAPPENED = re.compile(
    r"(?<!\w)(?:tổ chức|diễn ra|khai mạc|bế mạc|tham dự|đến dự|về dự|dự|chủ trì|"
    r"phát biểu tại|tại)(?!\w)", re.IGNORECASE)
# Words where an event's name ends ('Ngày hội … năm 2022 tại xã …').
_WHAT_END = re.compile(
    r"\s(?:tại|ở|do|vào|với|nhằm|được|đã|sẽ|cho|của các|diễn ra|có sự|cùng)\s"
    r"|[,;.:!?\n]|\s[-–]\s|\((?![A-ZĐ0-9]{2,8}\))")
_QUOTES = "“”\"'‘’«»"


@dataclass
class _Event:
    head: str  # folded head noun: 'ngay hoi'
    what: str
    start: int  # offsets of the phrase in the body
    end: int
    happened: bool
    sentences: list[tuple[int, int]]


def _what_at(body: str, start: int) -> str:
    """The event's name written from ``start``: to a clause end, quotes kept whole."""
    text = body[start:start + 300]
    in_quote = start > 0 and body[start - 1] in "“«\""
    end = len(text)
    for i, ch in enumerate(text):
        if ch in "”»" or (ch == '"' and in_quote):
            in_quote = False
        elif ch in "“«" or ch == '"':
            in_quote = True
        elif not in_quote and _WHAT_END.match(text, i):
            end = i
            break
    what = " ".join(text[:end].split()[:_MAX_WHAT_WORDS])
    if start > 0 and body[start - 1] in "“«\"":
        # Named from inside quotes: its closing quote goes with the opening one, dropped.
        what = re.sub(r"[”»\"]", "", what, count=1)
    what = what.strip(" " + _QUOTES)
    opened = sum(what.count(q) for q in "“«") - sum(what.count(q) for q in "”»")
    return what + "”" * max(opened, 0)


@dataclass(frozen=True)
class _Seen:
    head: str
    start: int
    named: bool  # written as a name: capitalised or in quotes
    happened: bool  # after 'tổ chức', 'dự', 'tại'…
    sentence: tuple[int, int]


def find_events(body: str, spans: Sequence[tuple[int, int]]) -> list[_Event]:
    """The events the article says took place, by head noun, each named by its first
    capitalised mention in a sentence that says so (else its first capitalised one)."""
    seen: list[_Seen] = []
    for s_start, s_end in spans:
        sentence = body[s_start:s_end]
        for m in _HEAD.finditer(sentence):
            start = s_start + m.start()
            seen.append(_Seen(
                fold(m.group().lower()), start,
                m.group()[0].isupper() or (start > 0 and body[start - 1] in _QUOTES),
                bool(_HAPPENED.search(sentence[max(0, m.start() - 40):m.start()])),
                (s_start, s_end)))
    events: dict[str, _Event] = {}
    for head in dict.fromkeys(s.head for s in seen):
        mine = [s for s in seen if s.head == head]
        named = ([s for s in mine if s.named and s.happened] or [s for s in mine if s.named]
                 or mine)
        first = named[0]
        what = _what_at(body, first.start) if first.named else body[
            first.start:first.start + len(head)]
        events[head] = _Event(head, what, first.start, first.start + len(what), False, [])
    for s in seen:
        event = events[s.head]
        if _inside(s.start, events.values(), event):
            continue  # 'Hội nghị tổng kết … “Ngày hội …”': the subject of another event
        event.happened = event.happened or s.happened
        if s.sentence not in event.sentences:
            event.sentences.append(s.sentence)
    happened = [e for e in events.values() if e.happened]
    return sorted(happened, key=lambda e: e.start)[:MAX_EVENTS]


def _inside(pos: int, events: Iterable[_Event], own: _Event) -> bool:
    return any(e is not own and e.start <= pos < e.end for e in events)


def _event_of(body: str, start: int, end: int, events: Sequence[_Event]) -> int | None:
    """The event a sentence names (not inside another's name); None if none."""
    for m in _HEAD.finditer(body, start, end):
        head = fold(m.group().lower())
        for index, event in enumerate(events):
            if event.head == head and not _inside(m.start(), events, event):
                return index
    return None


def _chunk_of(chunks: Sequence[Chunk], position: int) -> int:
    starts = [c.start for c in chunks]
    index = max(bisect_right(starts, position) - 1, 0)
    return chunks[index].ordinal if chunks else 0


def extract_facts(article: Article, chunks: Sequence[Chunk]) -> ArticleFacts:
    """The events ``article`` reports and the people it names (``chunks`` are its passages,
    to tie each row to one)."""
    body = article.body
    spans = sentence_spans(body)
    found = find_events(body, spans)
    # The main event: the first one the people are tied to when their sentence names none.
    main = 0 if found else None
    mentions: list[MentionRow] = []
    event_people: dict[int, int] = {}
    for s_start, s_end in spans:
        people = people_in_sentence(body, s_start, s_end)
        if not people:
            continue
        for m in people:
            # The event named before the person or just after their name and titles
            # ('A, Thứ trưởng …, phát biểu tại Ngày hội'), not one they only talk about.
            reach = min(s_end, m.position + len(m.name) + sum(map(len, m.segments)) + _REACH)
            named = _event_of(body, s_start, reach, found)
            tied = named if named is not None else (main if m.roles else None)
            if tied is not None and m.roles:
                event_people[tied] = event_people.get(tied, 0) + 1
            mentions.append(MentionRow(
                name=m.name, key=m.key, title=", ".join(m.segments),
                roles=tuple(r for r in ROLES if r in m.roles), event=tied,
                chunk=_chunk_of(chunks, m.position),
                start=s_start, end=s_end, evidence=body[s_start:s_end][:MAX_EVIDENCE],
            ))
    rows: list[EventRow] = []
    for index, found_event in enumerate(found):
        if index != main and index not in event_people:
            continue  # named in passing: no one is said to be there
        rows.append(_event_row(article, chunks, found_event, index))
    kept = {row.index for row in rows}
    mentions = [m if m.event is None or m.event in kept else _no_event(m) for m in mentions]
    places = tuple(sorted(named_places(f"{article.title}\n{body}")))
    return ArticleFacts(article.file, article.title, article.date, article.content_hash,
                        tuple(rows), tuple(mentions), places, article_provinces(article))


def article_provinces(article: Article) -> tuple[str, ...]:
    """The provinces the article is set in, as re-ranking and answers compare them."""
    return tuple(sorted(provinces_of_article([article.title, article.body])))


def _no_event(m: MentionRow) -> MentionRow:
    return MentionRow(m.name, m.key, m.title, m.roles, None, m.chunk, m.start, m.end,
                      m.evidence)


def _event_row(article: Article, chunks: Sequence[Chunk], event: _Event,
               index: int) -> EventRow:
    body = article.body
    text = " ".join(body[a:b] for a, b in event.sentences)
    day = event_day(text, article.date)
    hits = [SearchHit(rank=i + 1, score=0.0, text=body[a:b],
                      source=Source(article.file, article.title, article.date),
                      highlights=(), chunk_id=i)
            for i, (a, b) in enumerate(event.sentences[:12])]
    place = extract_place(event.what, hits)
    first = event.sentences[0] if event.sentences else (event.start, event.end)
    return EventRow(
        index=index, what=event.what,
        date=(day.iso if day and day.iso else article.date),
        date_text=day.written if day else None,
        place=place.value if place else None,
        chunk=_chunk_of(chunks, event.start),
        evidence=body[first[0]:first[1]][:MAX_EVIDENCE],
    )
