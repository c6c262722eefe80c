"""Follow-up questions read against the chat's previous one: 'còn ở Thanh Hóa thì sao?',
'thế năm 2023?', 'ông ấy phát biểu gì?'. Per chat, bounded and expiring; pure text in,
text out, so every front end (REPL, bot) reads follow-ups the same way."""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date

from .filters.parse import parse_filter
from .text import fold, looks_english
from .types import SearchResponse

MAX_CHATS = 10_000
EXPIRES_AFTER = 30 * 60.0  # seconds: a question half an hour later starts afresh
_ANY_DAY = date(2000, 1, 1)  # relative words are only recognised here, never dated

# 'còn … thì sao', 'thế …', 'vậy …', 'what about …': the rest replaces part of the last one.
_LEAD = re.compile(r"^(?:còn|con|thế còn|the con|thế|the|vậy|vay|what about|and|how about)\s+",
                   re.IGNORECASE)
_TAIL = re.compile(r"\s*(?:thì sao|thi sao|thì thế nào|thi the nao|nữa|nua|then)?\s*[?.!]*$",
                   re.IGNORECASE)
# A pronoun for the person of the last answer.
_PRONOUN = re.compile(r"(?<!\w)(?:ông ấy|bà ấy|anh ấy|chị ấy|người đó|người này|vị này|"
                      r"ông ta|bà ta|ong ay|ba ay|anh ay|chi ay|nguoi do|he|she|him|her)(?!\w)",
                      re.IGNORECASE)


@dataclass(frozen=True)
class Turn:
    """What a follow-up may lean on: the question as searched and who the answer named."""

    question: str
    person: str | None


@dataclass(frozen=True)
class Reading:
    """The question to search, and how a follow-up was read (None: taken as it is)."""

    question: str
    how: str | None = None
    missing_context: bool = False  # a follow-up with no earlier question
    english: bool = False  # asked in English: ``how`` is in English too


def turn_of(response: SearchResponse) -> Turn:
    answer = response.answer
    person = None
    if answer is not None and answer.kind == "events":
        person = answer.person
    elif answer is not None and answer.kind == "people" and answer.people:
        person = answer.people[0].name
    return Turn(response.question, person)


def _without_filters(question: str, time: bool, place: bool) -> str:
    """The last question without the time and / or place it stated."""
    found, rest = parse_filter(question, _ANY_DAY)
    if found is None or not time:
        rest = question
    if found is not None and found.place and place:
        rest = re.sub(r"(?<!\w)(?:ở|tại|o|tai|in|at)\s+(?:tỉnh |thành phố |huyện |quận )?"
                      + re.escape(found.place) + r"(?!\w)", "", rest, flags=re.IGNORECASE)
    return " ".join(rest.split()).rstrip(" ?.!")


def read_followup(question: str, last: Turn | None) -> Reading:
    """``question`` completed from ``last`` when it leans on it, else as it is."""
    text = " ".join(question.split())
    english = looks_english(text)
    pronoun = _PRONOUN.search(text)
    lead = _LEAD.match(text)
    if pronoun is None and lead is None:
        return Reading(text, english=english)
    if last is None:
        return Reading(text, None, missing_context=True, english=english)
    if pronoun is not None:
        if last.person is None:
            return Reading(text, None, missing_context=True, english=english)
        # Unaccented in an English question, which it would otherwise stop being.
        name = fold(last.person) if english else last.person
        resolved = text[:pronoun.start()] + name + text[pronoun.end():]
        how = (f"reading «{pronoun.group()}» as {last.person}" if english
               else f"hiểu «{pronoun.group()}» là {last.person}")
        return Reading(resolved, how, english=english)
    assert lead is not None
    part = _TAIL.sub("", text[lead.end():]).strip()
    if not part:
        return Reading(text, english=english)
    new_filter, _ = parse_filter(part, _ANY_DAY)
    if new_filter is None:
        # 'còn gì nữa?': not a part of the last question to swap
        return Reading(text, english=english)
    base = _without_filters(last.question, new_filter.days is not None,
                            new_filter.place is not None)
    resolved = f"{base} {part}?"
    english = looks_english(resolved)  # 'and in Thanh Hoa?' is as English as what it ends
    how = f"read as: «{resolved}»" if english else f"hiểu là: «{resolved}»"
    return Reading(resolved, how, english=english)


class Conversations:
    """The last turn of each chat: bounded (the chats asked longest ago go first), expiring."""

    def __init__(self, max_chats: int = MAX_CHATS, expires_after: float = EXPIRES_AFTER,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._turns: OrderedDict[Hashable, tuple[float, Turn]] = OrderedDict()
        self._max = max_chats
        self._expires = expires_after
        self._clock = clock
        self._lock = threading.Lock()

    def last(self, chat: Hashable) -> Turn | None:
        with self._lock:
            found = self._turns.get(chat)
            if found is None:
                return None
            if self._clock() - found[0] > self._expires:
                del self._turns[chat]
                return None
            return found[1]

    def remember(self, chat: Hashable, turn: Turn) -> None:
        with self._lock:
            self._turns[chat] = (self._clock(), turn)
            self._turns.move_to_end(chat)
            while len(self._turns) > self._max:
                self._turns.popitem(last=False)

    def read(self, chat: Hashable, question: str) -> Reading:
        return read_followup(question, self.last(chat))

    def __len__(self) -> int:
        return len(self._turns)
