"""Who is who across articles: one person under every form of their name and title.

'Đại tướng Tô Lâm', 'Bộ trưởng Tô Lâm' and 'đồng chí Tô Lâm' are one name once titles are
read off (the sentence reader does that); 'To Lam' typed without diacritics is the one
accented person it folds to. Two people of one name stay apart when their titles name
different places ('Chủ tịch UBND xã Hưng Mỹ' and 'Chủ tịch UBND huyện Đông Sơn').
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..answers.gazetteer import PLACES
from ..text import fold, has_diacritics
from .model import ArticleFacts

# A place named in a title: after an administrative word, capitalised syllables.
_ADMIN_PLACE = re.compile(
    r"(?<!\w)(?:tỉnh|thành phố|TP\.?|huyện|quận|thị xã|thị trấn|xã|phường|ấp|thôn)\s+"
    r"((?:[A-ZĐÀ-Ỹ][^\s,;()]*\s*){1,4})")
_PLACE_WORDS = {" ".join(p) for p in PLACES}
_FOLDED_PLACES = {fold(p) for p in _PLACE_WORDS}  # folded once, not on every title
_WORD = re.compile(r"[^\W_]+")
_AT_PLACE = re.compile(r"(?<!\w)(?:[Tt]ại|[Ởở])\s+")


def title_places(title: str) -> frozenset[str]:
    """Folded places a text names: 'Chủ tịch UBND huyện Đông Sơn' -> {'dong son'}."""
    found = {" ".join(_WORD.findall(fold(m.group(1).lower())))
             for m in _ADMIN_PLACE.finditer(title)}
    folded = f" {' '.join(_WORD.findall(fold(title.lower())))} "
    found |= {p for p in _FOLDED_PLACES if f" {p} " in folded}
    return frozenset(p for p in found if p)


def named_places(text: str) -> frozenset[str]:
    """Folded places a text names: known ones, those after an administrative word, and
    capitalised ones after 'tại' / 'ở' ('ở Vũ Hán')."""
    found = set(title_places(text))
    for m in _AT_PLACE.finditer(text):
        words: list[str] = []
        for word in re.finditer(r"[^\W\d_]+|\S", text[m.end():m.end() + 80]):
            if not word.group()[0].isupper() or len(words) == 4:
                break
            words.append(word.group())
        if words:
            found.add(fold(" ".join(words).lower()))
    return frozenset(p for p in found if p)


@dataclass(slots=True)
class PersonEntry:
    """One person of the collection and every article mention of them."""

    id: str  # 'to-lam'; namesakes get '-2', '-3'
    name: str  # the form written most often
    key: str  # normalized accented name
    mentions: list[tuple[int, int]] = field(default_factory=list)  # (article, mention)


@dataclass(slots=True)
class _Placing:
    """A person while the articles are read: also the forms of their name written and the
    places their titles name (dropped after: a catalog holds tens of thousands)."""

    entry: PersonEntry
    forms: Counter[str] = field(default_factory=Counter)
    places: set[str] = field(default_factory=set)


def resolve_people(facts: Sequence[ArticleFacts]) -> list[PersonEntry]:
    """The people of all articles; articles in date order so ids are stable."""
    order = sorted(range(len(facts)), key=lambda i: (facts[i].date or "", facts[i].file))
    by_key: dict[str, list[_Placing]] = {}
    unaccented: list[tuple[int, str, list[int]]] = []
    # Titles repeat across mentions: each one's places read once (it was most of a catalog).
    places_of: dict[str, frozenset[str]] = {}
    for a in order:
        article = facts[a]
        per_key: dict[str, list[int]] = {}
        for m_index, mention in enumerate(article.mentions):
            per_key.setdefault(mention.key, []).append(m_index)
        for key, indices in per_key.items():
            if not has_diacritics(key) and any(has_diacritics(k) for k in by_key):
                unaccented.append((a, key, indices))
                continue
            places: set[str] = set()
            for i in indices:
                title = article.mentions[i].title
                found = places_of.get(title)
                if found is None:
                    found = places_of[title] = title_places(title)
                places |= found
            _place(by_key, a, key, indices, places, facts)
    # Keys by their folded form, in by_key's order (folding every key per mention was
    # most of a catalog at 10^4 articles).
    by_folded: dict[str, list[str]] = {}
    for k in by_key:
        by_folded.setdefault(fold(k), []).append(k)
    for a, key, indices in unaccented:
        same = [p for k in by_folded.get(key, ()) for p in by_key[k]]
        if len(same) == 1:
            same[0].entry.mentions += [(a, i) for i in indices]
            same[0].forms.update(facts[a].mentions[i].name for i in indices)
        else:
            if key not in by_key:
                by_folded.setdefault(fold(key), []).append(key)
            _place(by_key, a, key, indices, set(), facts)
    people: list[PersonEntry] = []
    # Namesakes, and names apart only by their accents ('Thanh' / 'Thành'), get '-2', '-3'.
    taken: Counter[str] = Counter()
    for placing in (p for entries in by_key.values() for p in entries):
        person = placing.entry
        person.name = placing.forms.most_common(1)[0][0]
        base = fold(person.key).replace(" ", "-")
        taken[base] += 1
        person.id = base if taken[base] == 1 else f"{base}-{taken[base]}"
        people.append(person)
    return people


def _place(by_key: dict[str, list[_Placing]], a: int, key: str, indices: list[int],
           places: set[str], facts: Sequence[ArticleFacts]) -> None:
    """Add one article's mentions of ``key`` to the person they fit, or a new one."""
    entries = by_key.setdefault(key, [])
    for placing in entries:
        if not places or not placing.places or places & placing.places:
            break
    else:
        placing = _Placing(PersonEntry("", "", key))  # its id is given once all are placed
        entries.append(placing)
    placing.places |= places
    placing.entry.mentions += [(a, i) for i in indices]
    placing.forms.update(facts[a].mentions[i].name for i in indices)
