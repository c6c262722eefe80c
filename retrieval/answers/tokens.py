"""Sentence tokens with offsets, and the title / stop-word tests made on them."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import NamedTuple

from ..text import ABBREVIATIONS
from .gazetteer import _NOT_ATTEND_DU, _POSITION_MODIFIERS, _STOP_PAIRS, _STOP_WORDS, _TITLE_HEADS
from .lexicon import Lexicon, norm

# --- tokens ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<w>[^\W\d_]+(?:[./'’][^\W\d_]+)*)|(?P<n>\d+(?:[.,/:-]\d+)*)|(?P<p>[^\w\s])"
)


class Tok(NamedTuple):
    """A word, number or punctuation mark of a sentence, with its offsets in the passage.
    A tuple: every sentence of a who-answer's passages makes dozens, and with a frozen
    dataclass tokenizing took 1.7 times as long."""

    text: str
    norm: str
    start: int
    end: int
    kind: str  # 'w' word, 'n' number, 'p' punctuation
    cap: bool  # a capitalised syllable ('Nguyễn'), as names are written
    lower: bool  # a lower-case word

    @property
    def is_word(self) -> bool:
        return self.kind == "w"


# News repeats its words: most of a sentence's are normalized already.
_norm = functools.lru_cache(maxsize=1 << 16)(norm)


def tokenize(text: str, offset: int = 0) -> list[Tok]:
    """Words, numbers and punctuation with offsets; the period of 'TP.' is dropped."""
    toks: list[Tok] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "p"
        word = match.group()
        start = match.start() + offset
        if (kind == "p" and word == "." and toks and toks[-1].kind == "w"
                and toks[-1].end == start and toks[-1].norm in ABBREVIATIONS):
            continue
        is_word = kind == "w"
        cap = (is_word and word[0].isupper() and word.isalpha()
               and (len(word) == 1 or word[1:].islower()))
        toks.append(Tok(word, _norm(word), start, start + len(word), kind, cap,
                        is_word and word.islower()))
    return toks


def _char_class(codes: list[int]) -> str:
    """A regex character class body of ``codes`` (sorted), as ranges."""
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b)) if b > a else "")
                   for a, b in ranges)


# Two capitalised words in a row (``cap``: the first letter upper-case), with nothing but
# spaces or '_' between them, as every name is. Upper-case letters past the BMP are not
# listed (listing them took 0.13 s): any such character lets a sentence through.
_UPPER = _char_class([c for c in range(0x10000) if chr(c).isupper()])
_TWO_CAPITALISED = re.compile(
    rf"[{_UPPER}][^\W\d_]*[\s_]+[{_UPPER}]|[\U00010000-\U0010ffff]")


def may_name_someone(text: str, start: int, end: int) -> bool:
    """False when ``text[start:end]`` has no two capitalised words in a row, so no name:
    a test of microseconds that spares tokenizing most sentences."""
    return _TWO_CAPITALISED.search(text, start, end) is not None


def _phrase_at(toks: Sequence[Tok], i: int, lexicon: Lexicon, max_len: int = 6) -> int:
    """Length of the longest phrase of ``lexicon`` starting at token ``i`` (0 if none)."""
    if i >= len(toks) or not toks[i].is_word:
        return 0
    limit = min(lexicon.longest.get(toks[i].norm, 0), max_len, len(toks) - i)
    best = 0
    for n in range(1, limit + 1):
        if not toks[i + n - 1].is_word:
            break
        if tuple(t.norm for t in toks[i:i + n]) in lexicon.phrases:
            best = n
    return best


def _phrase_ending_at(toks: Sequence[Tok], j: int, lexicon: Lexicon, max_len: int = 3) -> int:
    """Length of the longest phrase of ``lexicon`` ending at token ``j`` (0 if none)."""
    if j < 0 or j >= len(toks) or toks[j].norm not in lexicon.lasts:
        return 0
    for n in range(max_len, 0, -1):
        i = j - n + 1
        if i >= 0 and all(t.is_word for t in toks[i:j + 1]) and \
                tuple(t.norm for t in toks[i:j + 1]) in lexicon.phrases:
            return n
    return 0


def _title_at(toks: Sequence[Tok], i: int) -> int:
    """Length of a rank, prefix title or position ('Phó Chủ tịch') at ``i``; 0 if none."""
    j = i
    while (n := _phrase_at(toks, j, _POSITION_MODIFIERS)) and j + n < len(toks):
        j += n
    n = _phrase_at(toks, j, _TITLE_HEADS)
    if n:
        return j - i + n
    return 0


def _is_stop(toks: Sequence[Tok], i: int) -> bool:
    """A lower-case verb or preposition at ``i`` that cannot be part of a title."""
    tok = toks[i]
    if not tok.lower:
        return False
    if tok.norm == "dự":
        following = toks[i + 1].norm if i + 1 < len(toks) else ""
        return following not in _NOT_ATTEND_DU
    if tok.norm == "chỉ" and i > 0 and toks[i - 1].norm == "ban":
        return False
    if tok.norm == "và":
        # 'Sở Giáo dục và Đào tạo' goes on; 'và phát biểu' does not.
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        return nxt is None or not nxt.cap or bool(_title_at(toks, i + 1))
    if tok.norm == "của":
        # 'Ủy ban Dân tộc của Quốc hội' is one organisation.
        return not (i + 1 < len(toks) and toks[i + 1].cap)
    if tok.norm == "tại":
        # 'Đại sứ Việt Nam tại Nhật Bản' is one title.
        return not any(t.norm in {"sứ", "sự", "diện", "trú"} for t in toks[max(0, i - 6):i])
    if tok.norm in _STOP_WORDS:
        return True
    return _phrase_at(toks, i, _STOP_PAIRS, 2) > 0

