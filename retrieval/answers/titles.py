"""A person's title against the title a question asks for ('Chủ tịch UBND tỉnh Cà Mau là
ai?'): how much of it they hold, and whether they hold its position in its body, level and
place."""

from __future__ import annotations

from collections.abc import Sequence

from ..text import fold, looks_english, syllables
from .gazetteer import _POSITION_HEADS, _POSITION_MODIFIERS
from .lexicon import norm

# 'Thứ trưởng' is a deputy minister: not one of the position modifiers the name reader
# skips before a title, but a deputy all the same when a title is matched.
_DEPUTY_HEADS = frozenset({"thứ"})


# A people's council, its committee and the Fatherland Front are different bodies with
# the same titles: the Chủ tịch HĐND is not the Chủ tịch UBND asked for.
_BODIES = {"ubnd": "uy ban nhan dan", "hdnd": "hoi dong nhan dan", "mttq": "mat tran to quoc"}


def _bodies_asked(asked: frozenset[str]) -> set[str]:
    return {short for short, long in _BODIES.items()
            if short in asked or asked.issuperset(long.split())}


def _short_bodies(text: str) -> list[str]:
    """The folded syllables of ``text``, a body's name spelled out as its acronym."""
    folded = f" {' '.join(fold(w) for w in syllables(text))} "
    for short, long in _BODIES.items():
        folded = folded.replace(f" {long} ", f" {short} ")
    return folded.split()


# The level of a body ('UBND tỉnh', 'Huyện ủy', 'Công an TP'): the Bí thư Huyện ủy is not
# the Bí thư Tỉnh ủy asked for, whatever other words they share.
_LEVELS = frozenset({"tinh", "huyen", "xa", "quan", "phuong", "tp"})


def _levels(words: Sequence[str]) -> set[str]:
    found = set(_LEVELS.intersection(words))
    if "thanh" in words and "pho" in words:
        found.add("tp")
    return found


_FOLDED_HEADS = tuple(tuple(fold(w) for w in head) for head in _POSITION_HEADS)


def _holds_head(words: Sequence[str], heads: Sequence[tuple[str, ...]]) -> bool:
    return any(tuple(words[i:i + len(h)]) == h for h in heads for i in range(len(words)))


def _asked_heads(asked: frozenset[str]) -> list[tuple[str, ...]]:
    return [h for h in _FOLDED_HEADS if asked.issuperset(h)]


def asked_positions(question: str, asked: frozenset[str]) -> list[tuple[str, ...]]:
    """The positions a question names ('chủ tịch', 'trưởng ban', 'chủ tịch nước'), folded,
    the longest of those written in it: 'Trưởng Ban Nội chính' names 'trưởng ban', not
    also the 'trưởng' a Trưởng Công an xã holds; 'Chủ tịch UBND huyện Cái Nước' names
    'chủ tịch', not 'chủ tịch nước'. An English question's come from its translated words
    (``asked``), those of two words or more if any."""
    if looks_english(question):
        heads = _asked_heads(asked)
        return [h for h in heads if len(h) > 1] or heads
    words = [fold(w) for w in syllables(question[:2000])]
    found = [h for h in _FOLDED_HEADS if _holds_head(words, [h])]
    return [h for h in found if not any(len(o) > len(h) and _holds_head(o, [h]) for o in found)]


# Words naming the body a position is in ('Quốc hội', 'Công an', 'Tỉnh ủy'), folded and
# told apart from levels and names ('quân' folds as 'quận' does); a place is often left to
# the article ('Bí thư Tỉnh ủy' in an article set in Cà Mau).
_BODY_WORDS = frozenset(fold(w) for w in (
    "ubnd hđnd mttq ủy quốc hội chính phủ bộ công an sở cục bệnh đảng tòa án kiểm sát"
).split())


def holds_position(asked: frozenset[str], positions: Sequence[tuple[str, ...]],
                   title: str) -> bool:
    """Whether a part of the title that ``title_match`` counts holds one of the
    ``positions`` asked for (``asked_positions``), not in another body or place than the
    question names: the Chủ tịch UBND xã is no Chủ tịch Quốc hội, the Chủ tịch UBND huyện
    Đông Sơn no Chủ tịch UBND huyện Cái Nước (a title naming no body or place may leave it
    to the article: 'Phó Giám đốc Trung tâm Tim mạch' of a hospital, 'Bí thư Tỉnh ủy')."""
    heads = _asked_heads(asked)
    named = ((set(asked) | _bodies_asked(asked)) & _BODY_WORDS).difference(*heads)
    places = set(asked).difference(*positions, *heads) - _LEVELS - _BODY_WORDS
    for words in _counted_parts(asked, title):
        if not _holds_head(words, positions):
            continue
        own = (_BODY_WORDS & set(words)).difference(*heads)
        if named and own and not named & own:
            continue
        own_places = _places_in(words)
        if not (places and own_places) or places & own_places:
            return True
    return False


def _places_in(words: Sequence[str]) -> set[str]:
    """The words of the place a title part names after a level ('huyện Đông Sơn')."""
    for i, word in enumerate(words):
        if word in _LEVELS:
            return set(words[i + 1:]) - _LEVELS - _BODY_WORDS
    return set()


def title_match(asked: frozenset[str], title: str) -> float:
    """Share of the asked words in a person's title. A 'Phó …' (or 'Nguyên …', or 'Thứ
    trưởng …') part counts only if the question says so too: the Phó Bí thư is not the Bí
    thư asked for, the Thứ trưởng Bộ Công an (deputy minister) not its Bộ trưởng; nor
    does a part naming another body (HĐND for UBND) or another level (Huyện ủy for Tỉnh
    ủy) than the one asked for, nor, when the question names a position, a part without
    it (the Chủ tịch UBND tỉnh Cà Mau is not its Bí thư for the place words they share)."""
    if not asked:
        return 0.0
    bodies = _bodies_asked(asked)
    wanted = set(asked).difference(*(_BODIES[b].split() for b in bodies)) | bodies
    held = {word for words in _counted_parts(asked, title) for word in words}
    return len(wanted & held) / len(wanted)


def _counted_parts(asked: frozenset[str], title: str) -> list[list[str]]:
    """The folded words of each part of the title ``title_match`` counts."""
    heads = _asked_heads(asked)
    bodies = _bodies_asked(asked)
    levels = _levels(list(asked))
    parts: list[list[str]] = []
    for segment in title.split(", "):
        first = norm(segment.split()[0]) if segment.split() else ""
        if (((first,) in _POSITION_MODIFIERS or first in _DEPUTY_HEADS)
                and fold(first) not in asked):
            continue
        words = _short_bodies(segment)
        named = _BODIES.keys() & words
        if (bodies and named and not named & bodies) or (heads and not _holds_head(words, heads)):
            continue
        named_levels = _levels(words) if levels else set()
        if named_levels and not named_levels & levels:
            continue
        parts.append(words)
    return parts
