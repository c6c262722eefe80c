"""Which province a passage is in when it names only a district, town or commune.

A report says "thị trấn Rừng Thông" or "huyện Đông Sơn" and never "Thanh Hóa"; a reader asks
"… ở Thanh Hóa?". The gazetteer of Vietnam's administrative units (package
``vietnam-provinces``, the 63 provinces with their districts and communes as of January
2025, the units the news of those years names) maps the unit to its province.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import NewsQAError
from .text import fold, fold_in_place

# Unit words written before a name in running text ('thị trấn Rừng Thông', 'TP Vinh'),
# matched with their accents: folded, 'quan', 'xa' and 'phuong' are common words.
_UNIT_WORDS = ("thành phố", "tp.", "tp", "thị xã", "thị trấn", "huyện", "quận", "xã",
               "phường")
_DISTRICT_WORDS = frozenset({"thành phố", "tp.", "tp", "thị xã", "huyện", "quận"})
_PREFIX = re.compile(r"^(?:tinh|thanh pho|huyen|quan|thi xa|thi tran|xa|phuong)\s+")


def _short(name: str) -> str:
    """'Tỉnh Thanh Hóa' -> 'thanh hoa' (folded, lower-case, unit word dropped)."""
    return _PREFIX.sub("", fold(name).lower()).strip()


Units = dict[str, frozenset[str]]


def _divisions() -> list[dict[str, Any]]:
    """The gazetteer's provinces, each with its districts and theirs wards and communes."""
    # The data file only: importing the package builds enums of every unit (0.6 s).
    spec = importlib.util.find_spec("vietnam_provinces")
    if spec is None or not spec.submodule_search_locations:
        raise NewsQAError("The gazetteer package vietnam-provinces is not installed.")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / "nested-divisions.json"
    data: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    return data


@functools.cache
def _gazetteer() -> tuple[dict[str, str], Units, Units]:
    """(folded province name -> its name as written, folded district name -> provinces,
    folded commune / ward / town name -> provinces)."""
    provinces: dict[str, str] = {}
    districts: dict[str, set[str]] = {}
    wards: dict[str, set[str]] = {}
    for province in _divisions():
        written = re.sub(r"^(?:Tỉnh|Thành phố)\s+", "", province["name"])
        key = _short(province["name"])
        provinces[key] = written
        for district in province["districts"]:
            # short_codename: the name folded, unit word dropped ('rung_thong').
            districts.setdefault(district["short_codename"].replace("_", " "), set()).add(key)
            for ward in district["wards"]:
                wards.setdefault(ward["short_codename"].replace("_", " "), set()).add(key)
    # Spellings the news uses beside the gazetteer's.
    for alias, key in (("hoa binh", "hoa binh"), ("thua thien hue", "hue"), ("sai gon",
                       "ho chi minh"), ("tp hcm", "ho chi minh"), ("tphcm", "ho chi minh")):
        if key in provinces:
            provinces.setdefault(alias, provinces[key])
    # One-syllable names ('Vinh') are too often plain words.
    return (provinces, {n: frozenset(p) for n, p in districts.items() if " " in n},
            {n: frozenset(p) for n, p in wards.items() if " " in n})


def provinces_named(question: str) -> list[str]:
    """Folded names of the provinces a question names ('thanh hoa'), in the question's order.
    A question with diacritics must write the province's own ('Thanh Hóa', not 'Thành')."""
    provinces, districts, wards = _gazetteer()
    folded = " ".join(fold_in_place(question).split())
    accented = folded != " ".join(question.lower().split())
    found: list[tuple[int, str]] = []
    for key, written in provinces.items():
        if key not in folded:  # the substring test first: a regex per name cost ~1 ms
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(key)}(?!\w)", folded):
            if accented and _exact(question, match.start(), match.end(), written) is False:
                continue
            # Unaccented, 'dong son la ai' is huyện Đông Sơn + 'là ai', not Sơn La: a name
            # that starts inside a longer unit name ending on its first word is not there.
            before = folded[:match.start()].split()[-2:]
            first = key.split()[0]
            if not accented and any(" ".join([*before[i:], first]) in districts
                                    or " ".join([*before[i:], first]) in wards
                                    for i in range(len(before))):
                continue
            found.append((match.start(), key))
    return [key for _, key in sorted(found)]


def _exact(question: str, start: int, end: int, written: str) -> bool | None:
    """Whether the question writes the province's accents, wherever it puts the tone mark
    ('Hoá' is 'Hóa'); None when the offsets do not line up."""
    spaced = " ".join(question.lower().split())
    if len(spaced) != len(" ".join(fold_in_place(question).split())):
        return None
    return _marks(spaced[start:end]) == _marks(written.lower())


def _marks(text: str) -> list[tuple[str, ...]]:
    """Each syllable's letters without marks and its marks in any order ('đ' kept)."""
    out = []
    for word in text.split():
        decomposed = unicodedata.normalize("NFD", word)
        marks = sorted(c for c in decomposed if unicodedata.combining(c))
        out.append(("".join(c for c in decomposed if not unicodedata.combining(c)), *marks))
    return out


def is_unit_name(name: str) -> bool:
    """'Ninh Kiều', 'Rừng Thông': the name of a district, town or commune in the gazetteer
    (names of one syllable are left out, as above)."""
    _, districts, wards = _gazetteer()
    key = " ".join(fold(name).lower().split())
    return key in districts or key in wards


_UNIT_PREFIX = re.compile(r"^(?:Thành phố|Thị xã|Thị trấn|Huyện|Quận|Xã|Phường)\s+")


@functools.cache
def _unit_spellings() -> frozenset[tuple[tuple[str, ...], ...]]:
    """The district and commune names of the gazetteer (two syllables or more) as written,
    each syllable as its letters and marks (``_marks``)."""
    names = {_UNIT_PREFIX.sub("", unit["name"]).lower()
             for province in _divisions()
             for district in province["districts"]
             for unit in (district, *district["wards"])}
    return frozenset(tuple(_marks(name)) for name in names if " " in name)


def is_unit_spelling(name: str) -> bool:
    """``is_unit_name``, and with the gazetteer's accents when written with any ('rừng
    thông', 'rung thong'; not 'trường thì', which folds to the ward 'Trường Thi')."""
    if not is_unit_name(name):
        return False
    lower = " ".join(name.lower().split())
    return lower == fold(lower) or tuple(_marks(lower)) in _unit_spellings()


def provinces_of_units(texts: Iterable[str]) -> frozenset[str]:
    """Folded names of the provinces whose districts, towns or communes the texts name after
    a unit word ('huyện Đông Sơn', 'thị trấn Rừng Thông'). A name shared by units of
    several provinces counts for each of them."""
    _, districts, wards = _gazetteer()
    found: set[str] = set()
    for text in texts:
        for match in _UNIT_NAME.finditer(text.lower()):
            units = districts if match.group(1) in _DISTRICT_WORDS else wards
            words = fold(match.group(2)).split()
            # The longest known name after the unit word ('rung thong', not 'rung').
            for size in range(min(len(words), 4), 1, -1):
                provinces = units.get(" ".join(words[:size]))
                if provinces:
                    found |= provinces
                    break
    return frozenset(found)


_UNIT_NAME = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(u) for u in _UNIT_WORDS) + r") +(?=((?:\w+ +){0,3}\w+))")


def provinces_of_article(texts: Iterable[str]) -> frozenset[str]:
    """Folded names of the provinces texts are set in: named ('tỉnh Cà Mau', 'Cần Thơ') or
    implied by the districts and communes they name."""
    texts = list(texts)
    provinces = _gazetteer()[0]
    folded = " ".join(fold_in_place(" ".join(texts)).split())
    # The substring test first: the regex over a whole article, for each of the ~70 names,
    # was most of a search's time.
    named = {key for key in provinces
             if key in folded and re.search(rf"(?<!\w){re.escape(key)}(?!\w)", folded)}
    return frozenset(named) | provinces_of_units(texts)
