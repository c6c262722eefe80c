"""Filters a question states: a year, month or day ('năm 2023', 'tháng 8/2022', 'hôm
24/11'), a place ('ở Cà Mau', 'tai thanh hoa') and a relative time ('tuần trước', 'gần
đây'); with or without diacritics. They narrow the articles searched, by metadata."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..answers.gazetteer import PLACES
from ..places import is_unit_name, is_unit_spelling
from ..text import fold

RECENT_DAYS = 30  # 'gần đây', 'mới đây'


@dataclass(frozen=True)
class DayRange:
    """Inclusive days; ``any_year`` when only a day and month were given ('hôm 24/11')."""

    first: date
    last: date
    any_year: bool = False


@dataclass(frozen=True)
class ArticleFilter:
    """What to keep: articles dated (or reporting an event) within ``days``, and naming
    ``place`` among their places. ``said`` is how the filter reads, for the answer."""

    days: DayRange | None = None
    place: str | None = None  # as the user wrote it
    place_key: str | None = None  # folded, lower case: 'ca mau'
    said: tuple[str, ...] = field(default_factory=tuple)
    # Words typed without capitals may be read another way ('o vinh thanh': Vĩnh Thạnh or
    # Vinh; 'o rung thong': a commune or no place): the reading to use when no article
    # matches this one (it may be empty: no filter).
    otherwise: ArticleFilter | None = None

    @property
    def empty(self) -> bool:
        return self.days is None and self.place_key is None

    def merged(self, other: ArticleFilter | None) -> ArticleFilter:
        """This filter with ``other``'s parts where it sets them (explicit flags win)."""
        if other is None:
            return self
        otherwise = (self.otherwise.merged(other)
                     if self.otherwise is not None and other.place_key is None else None)
        return ArticleFilter(other.days or self.days, other.place or self.place,
                             other.place_key or self.place_key,
                             tuple(dict.fromkeys(self.said + other.said)), otherwise)


_YEAR = r"(19\d\d|20\d\d)"
_DAY_MONTH = re.compile(
    r"(?<!\w)(?:hôm|ngày|hom|ngay|on)\s+(\d{1,2})\s*[/.-]\s*(\d{1,2})(?:\s*[/.-]\s*" + _YEAR
    + r")?(?![\d/])", re.IGNORECASE)
_MONTH = re.compile(
    r"(?<!\w)(?:tháng|thang)\s+(\d{1,2})(?:\s*[/-]\s*|\s+(?:năm|nam)\s+)" + _YEAR + r"(?!\d)",
    re.IGNORECASE)
# English months with their year ('in August 2022', 'on 11 August 2022', 'Aug. 11, 2022').
_MONTH_NAMES = ("january february march april may june july august september october "
                "november december").split()
_MONTH_NAME = (r"(" + "|".join(_MONTH_NAMES)
               + r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?")
_ENGLISH_DAY = re.compile(
    r"(?<!\w)(?:on\s+)?(?:(\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH_NAME + r"|"
    + _MONTH_NAME + r"\s+(\d{1,2})(?:st|nd|rd|th)?)"
    r",?\s+" + _YEAR + r"(?!\d)", re.IGNORECASE)
_ENGLISH_MONTH = re.compile(
    r"(?<!\w)(?:in\s+)?" + _MONTH_NAME + r",?\s+(?:of\s+)?" + _YEAR + r"(?!\d)",
    re.IGNORECASE)
_YEAR_ONLY = re.compile(r"(?<!\w)(?:năm|nam|in|of)\s+" + _YEAR + r"(?!\d)", re.IGNORECASE)
_RELATIVE = re.compile(
    r"(?<!\w)(hôm qua|hom qua|yesterday|tuần trước|tuan truoc|last week|tuần này|tuan nay|"
    r"this week|tháng trước|thang truoc|last month|tháng này|thang nay|this month|"
    r"năm ngoái|nam ngoai|năm trước|nam truoc|last year|năm nay|nam nay|this year|"
    r"gần đây|gan day|mới đây|moi day|recently|lately)(?!\w)", re.IGNORECASE)
# 'so với năm trước', 'cùng kỳ năm 2021', 'than in 2021': a time to compare with, not when
# the news happened.
_COMPARED = re.compile(r"(?<!\w)(?:so với|so voi|cùng kỳ|cung ky|hơn|hon|compared with|"
                       r"compared to|than|versus|vs\.?)\s*$", re.IGNORECASE)
# '2 năm trước', 'vài tháng trước': that long ago, not the last calendar year or month;
# 'năm trước đó': the year before another one.
_COUNTED = re.compile(r"(?<!\w)(?:\d+|mấy|may|vài|vai|nhiều|nhieu|một|mot|hai|ba|bốn|bon|"
                      r"năm|nam)\s*$", re.IGNORECASE)
_BEFORE_THAT = re.compile(r"\s*(?:đó|do|ấy|ay)(?!\w)", re.IGNORECASE)
# A place after 'ở' / 'tại' / 'in' (capitalised words, or a known place typed in lower case).
_PLACE_LEAD = re.compile(r"(?<!\w)(?:ở|tại|o|tai|in|at)\s+", re.IGNORECASE)
_NOT_A_PLACE = frozenset({"dau", "nao", "day", "do", "the", "a", "an", "which", "what",
                          "where", "nha", "nhà", "đâu", "nào", "đây", "đó"})
# Capitalised words that start an event or organisation, not a place ('tại Ngày hội').
_EVENT_WORDS = frozenset(fold(w) for w in (
    "ngày hội lễ hội nghị đại hội hội thảo chương trình buổi cuộc ủy ban bộ sở trường "
    "công an ban đảng"
).split())
_WORD = re.compile(r"[^\W\d_]+")
_NAME_GAP = re.compile(r"\s+|\.|\s*-\s*")
_ADMIN = ("tỉnh", "thành phố", "tp", "huyện", "quận", "thị xã", "thị trấn", "xã", "phường")
_FOLDED_PLACES = sorted({fold(" ".join(p)) for p in PLACES}, key=len, reverse=True)


def _month_number(name: str) -> int:
    """'August', 'aug', 'Sept.' -> 8, 8, 9."""
    return [n[:3] for n in _MONTH_NAMES].index(name.lower()[:3]) + 1


def _month_range(year: int, month: int) -> DayRange:
    return DayRange(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def _relative(word: str, today: date) -> DayRange:
    key = fold(word.lower())
    if key in {"hom qua", "yesterday"}:
        day = today - timedelta(days=1)
        return DayRange(day, day)
    monday = today - timedelta(days=today.weekday())
    if key in {"tuan truoc", "last week"}:
        return DayRange(monday - timedelta(days=7), monday - timedelta(days=1))
    if key in {"tuan nay", "this week"}:
        return DayRange(monday, today)
    if key in {"thang truoc", "last month"}:
        last = today.replace(day=1) - timedelta(days=1)
        return _month_range(last.year, last.month)
    if key in {"thang nay", "this month"}:
        return DayRange(today.replace(day=1), today)
    if key in {"nam ngoai", "nam truoc", "last year"}:
        return DayRange(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    if key in {"nam nay", "this year"}:
        return DayRange(date(today.year, 1, 1), today)
    return DayRange(today - timedelta(days=RECENT_DAYS), today)


def _not_when(question: str, found: re.Match[str], relative: bool) -> bool:
    """The time words found say something else than when the news happened."""
    before = question[:found.start()]
    if _COMPARED.search(before):
        return True
    return relative and (fold(found.group(1).lower()).split()[0] in {"nam", "thang", "tuan"}
                         and (_COUNTED.search(before) is not None
                              or _BEFORE_THAT.match(question, found.end()) is not None))


def _days(question: str, today: date) -> tuple[DayRange | None, str | None, str]:
    """The time the question states, how it was written, and the question without it."""
    for pattern in (_DAY_MONTH, _MONTH, _ENGLISH_DAY, _ENGLISH_MONTH, _YEAR_ONLY, _RELATIVE):
        m = next((m for m in pattern.finditer(question)
                  if not _not_when(question, m, pattern is _RELATIVE)), None)
        if m is None:
            continue
        try:
            if pattern is _DAY_MONTH:
                day, month = int(m.group(1)), int(m.group(2))
                if m.group(3):
                    first = date(int(m.group(3)), month, day)
                    found = DayRange(first, first)
                else:
                    date(2000, month, day)  # a real day and month (2000: a leap year)
                    found = DayRange(date(2000, month, day), date(2000, month, day), True)
            elif pattern is _MONTH:
                found = _month_range(int(m.group(2)), int(m.group(1)))
            elif pattern is _ENGLISH_DAY:
                first = date(int(m.group(5)), _month_number(m.group(2) or m.group(3)),
                             int(m.group(1) or m.group(4)))
                found = DayRange(first, first)
            elif pattern is _ENGLISH_MONTH:
                found = _month_range(int(m.group(2)), _month_number(m.group(1)))
            elif pattern is _YEAR_ONLY:
                year = int(m.group(1))
                found = DayRange(date(year, 1, 1), date(year, 12, 31))
            else:
                found = _relative(m.group(1), today)
        except ValueError:
            continue  # '31/2', 'tháng 13/2022': not a date
        rest = " ".join((question[:m.start()] + question[m.end():]).split())
        return found, m.group().strip(), re.sub(r"\s+([?.!,;:])", r"\1", rest)
    return None, None, question


def _unit_name_at(tail: str) -> str | None:
    """The longest district or commune name of the gazetteer (two to four words, no
    punctuation between them) that ``tail`` starts with."""
    words = tail.split()[:4]
    for size in range(len(words), 1, -1):
        if all(word[-1].isalnum() for word in words[:size - 1]):
            name = " ".join(words[:size]).strip(" ?.,!;:")
            if is_unit_name(name):
                return name
    return None


_Reading = tuple[str, str] | None  # a place as written and as a key; None: no place


def _place(question: str) -> list[_Reading]:
    """The readings of a place after 'ở' / 'tại', most likely first: a known place, a
    name written with capitals, or, typed without capitals, a district or commune name
    of the gazetteer (tried first, with the shorter known place or no place after it)."""
    uncapitalised: list[_Reading] = []
    for lead in _PLACE_LEAD.finditer(question):
        tail = question[lead.end():]
        folded_tail = fold(tail.lower())
        for admin in _ADMIN:
            if folded_tail.startswith(fold(admin) + " "):
                tail = tail[len(admin) + 1:]
                folded_tail = folded_tail[len(admin) + 1:]
                break
        words = list(_WORD.finditer(tail))
        if not words or fold(words[0].group().lower()) in _NOT_A_PLACE:
            continue
        for known in _FOLDED_PLACES:
            if folded_tail == known or re.match(re.escape(known) + r"(?!\w)", folded_tail):
                size = len(known.split())
                written = " ".join(tail.split()[:size]).strip(" ?.,!;:")
                # The known place may start a longer district or commune name: 'Vĩnh
                # Thạnh' after 'Vinh'.
                unit = _unit_name_at(tail)
                if unit is None or len(unit.split()) <= size:
                    return [(written, known)]
                if unit.split()[size][:1].isupper():
                    break  # 'ở Vĩnh Thạnh' (a district) is not 'ở Vinh' (a city)
                if written.islower() and is_unit_spelling(unit):  # 'o vinh thanh': either
                    return [(unit, fold(unit.lower())), (written, known)]
                # Capitalised, as names are written: 'ở Vinh bao giờ' is the city.
                return [(written, known)]
        capitalised: list[str] = []
        end = 0
        for word in words:
            # One name: 'Cà Mau', 'TP.HCM', 'Bà Rịa - Vũng Tàu'; not 'Khoản 2, Điều 6'.
            if (not word.group()[0].isupper()
                    or (capitalised and not _NAME_GAP.fullmatch(tail, end, word.start()))):
                break
            capitalised.append(word.group())
            end = word.end()
        if 2 <= len(capitalised) <= 4 and fold(capitalised[0].lower()) not in _EVENT_WORDS:
            written = " ".join(capitalised)
            return [(written, fold(written.lower()))]
        unit = None if uncapitalised or capitalised else _unit_name_at(tail)
        if unit is not None and unit.islower() and is_unit_spelling(unit):
            uncapitalised = [(unit, fold(unit)), None]
    return uncapitalised


def parse_filter(question: str, today: date) -> tuple[ArticleFilter | None, str]:
    """The filter the question states and the question left to search (the time words
    taken out: they are no words to match; a place stays, it is also what it is about)."""
    days, said_days, rest = _days(question, today)
    found = _reading(days, said_days, _place(rest))
    if found.empty:
        return None, question
    return found, rest if rest.strip() else question


def _reading(days: DayRange | None, said_days: str | None,
             places: list[_Reading]) -> ArticleFilter:
    """The filter of the first place reading, the others after it as ``otherwise``."""
    place, place_key = places[0] if places and places[0] is not None else (None, None)
    said = tuple(s for s in (said_days, f"ở {place}" if place else None) if s)
    otherwise = _reading(days, said_days, places[1:]) if len(places) > 1 else None
    return ArticleFilter(days, place, place_key, said, otherwise)


def explicit_filter(since: date | None, until: date | None,
                    place: str | None) -> ArticleFilter | None:
    """The filter of `ask --since/--until/--place`."""
    if since is None and until is None and not place:
        return None
    days = None
    said: list[str] = []
    if since is not None or until is not None:
        days = DayRange(since or date(1, 1, 1), until or date(9999, 12, 31))
        if since is not None:
            said.append(f"từ {since.day}/{since.month}/{since.year}")
        if until is not None:
            said.append(f"đến {until.day}/{until.month}/{until.year}")
    place = " ".join((place or "").split()) or None
    if place:
        said.append(f"ở {place}")
    return ArticleFilter(days, place, fold(place.lower()) if place else None, tuple(said))

