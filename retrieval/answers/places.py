"""Where an event took place: the 'tại / ở …' places of the passages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from ..text import fold, sentence_spans
from ..types import Answer, SearchHit
from .dates import _Found
from .gazetteer import _EVENT_CUE, _MAIN_EVENT, ADMIN_WORDS
from .lexicon import _phrases, _words
from .questions import _overlap, _question_words
from .tokens import Tok, _phrase_at, tokenize

_PLACE_HEADS = ADMIN_WORDS | _phrases(
    "điểm cầu; trụ sở; hội trường; nhà văn hóa; sân vận động; trung tâm; trường; khu; "
    "nhà thi đấu; cung văn hóa; quảng trường; nhà hát"
)
# Lower-case syllables inside a place name ('Đại học Cần Thơ', 'Trụ sở Văn hóa').
_PLACE_JOINERS = _words("học an hóa ủy ban nhân dân")
_NOT_PLACE_STARTS = _words("Ngày Hội Lễ Chương Phong Kế Nghị Chỉ Báo Cuộc Buổi")
# An institution's name runs on in lower case ('Bệnh viện Nhiệt đới Trung ương cơ sở 2',
# 'Viện Hàn lâm Khoa học'): it is read to the next punctuation mark or linking word.
_INSTITUTIONS = _phrases("bệnh viện; viện; học viện; đại học; trung tâm; phòng khám")
_AFTER_NAME = _words(
    "và để với trong từ vào của cho khi do đã được là có sau trước theo nhưng thì mà này đó "
    "đang sẽ vì nên rồi cùng bằng lúc hôm ngày sáng chiều tối"
)
_LONGEST_INSTITUTION = 12  # tokens




_ASKED_UNIT_BEFORE = frozenset({"nào", "nao"})
# 'bệnh viện tuyến tỉnh nào', 'cấp huyện nào': a level, not the unit asked for.
_LEVEL_WORDS = frozenset({"tuyen", "cap"})


def _unit_asked(question: str) -> str | None:
    """The kind of unit a question asks for by name, folded ('ấp nào?' -> 'ap')."""
    toks = tokenize(question[:2000])
    for i in range(len(toks)):
        n = _folded_phrase_at(toks, i)
        if i and fold(toks[i - 1].norm) in _LEVEL_WORDS:
            continue
        if n and i + n < len(toks) and toks[i + n].norm in _ASKED_UNIT_BEFORE:
            return " ".join(fold(t.norm) for t in toks[i:i + n])
    return None


_FOLDED_ADMIN = {tuple(fold(word) for word in phrase) for phrase in ADMIN_WORDS.phrases}


def _folded_phrase_at(toks: Sequence[Tok], i: int) -> int:
    """Length of the administrative word at token ``i``, accents or none (0 if none)."""
    for n in (3, 2, 1):
        if (i + n <= len(toks) and all(t.is_word for t in toks[i:i + n])
                and tuple(fold(t.norm) for t in toks[i:i + n]) in _FOLDED_ADMIN):
            return n
    return 0


def _units_in(hit: SearchHit, order: int, asked: set[str], unit: str) -> list[_Found]:
    """Units of the kind asked ('ấp Thị Tường A') in the passage, scored as places are."""
    text = hit.text
    found: list[_Found] = []
    for s_start, s_end in sentence_spans(text):
        sentence = text[s_start:s_end]
        toks = tokenize(sentence, s_start)
        context = 2.0 * _overlap(asked, sentence) - 1.0 * order
        for i in range(len(toks)):
            n = _phrase_at(toks, i, ADMIN_WORDS)
            if not n or " ".join(fold(t.norm) for t in toks[i:i + n]) != unit:
                continue
            end = i + n
            while end < len(toks) and toks[end].cap:
                end += 1
            if end > i + n:  # a name follows: 'ấp Thị Tường A', not 'ấp' alone
                found.append(_Found(text[toks[i].start:toks[end - 1].end], hit.rank, context))
    return found


def _places_in(hit: SearchHit, order: int, asked: set[str]) -> list[_Found]:
    """Places written after 'tại' / 'ở', scored: near the event and the question's words."""
    text = hit.text
    found: list[_Found] = []
    for s_start, s_end in sentence_spans(text):
        sentence = text[s_start:s_end]
        toks = tokenize(sentence, s_start)
        lower = sentence.lower()
        context = (2.0 * bool(_MAIN_EVENT.search(lower)) + 1.0 * bool(_EVENT_CUE.search(lower))
                   + 2.0 * _overlap(asked, sentence) - 1.0 * order)
        for i, tok in enumerate(toks):
            if tok.norm not in {"tại", "ở"} or i + 1 >= len(toks):
                continue
            end = _place_end(toks, i + 1)
            if end is None:
                continue
            value = text[toks[i + 1].start:toks[end - 1].end]
            heads = sum(bool(_phrase_at(toks, k, _PLACE_HEADS)) for k in range(i + 1, end))
            found.append(_Found(value, hit.rank, context + 0.5 * min(heads, 3)))
    return found


def _place_end(toks: Sequence[Tok], i: int) -> int | None:
    """End of the place written from token ``i`` ('xã Hưng Mỹ, huyện Cái Nước'), if any."""
    if toks[i].cap and toks[i].norm in _NOT_PLACE_STARTS and not _phrase_at(
            toks, i, _PLACE_HEADS):
        return None  # 'tại Hội nghị', 'tại Ngày hội': an event, not a place
    if toks[i].cap and (n := _phrase_at(toks, i, _INSTITUTIONS)):
        k = i + n
        while (k < len(toks) and k - i < _LONGEST_INSTITUTION and toks[k].kind != "p"
               and toks[k].norm not in _AFTER_NAME):
            k += 1
        return k
    end: int | None = None
    k = i
    while k < len(toks) and k - i < 30:
        tok = toks[k]
        if n := _phrase_at(toks, k, _PLACE_HEADS):
            k += n
            continue
        if tok.cap or (tok.is_word and tok.text.isupper()) or (tok.kind == "n" and end):
            k += 1
            end = k
            continue
        if tok.lower and tok.norm in _PLACE_JOINERS and end is not None:
            k += 1
            end = k
            continue
        # 'xã Hưng Mỹ, huyện Cái Nước, tỉnh Cà Mau': a comma followed by a bigger unit.
        if tok.text == "," and end is not None and _phrase_at(toks, k + 1, ADMIN_WORDS):
            k += 1
            continue
        break
    return end


def extract_place(question: str, hits: Sequence[SearchHit]) -> Answer | None:
    """Where the event took place: a 'tại/ở …' place in the passages, the likeliest one;
    for 'ấp nào?', 'xa nao?', a unit of that kind named anywhere in them."""
    asked = _question_words(question)
    unit = _unit_asked(question)
    if unit is not None:
        named = [f for order, hit in enumerate(hits) for f in _units_in(hit, order, asked, unit)]
        if named:
            best = max(named, key=lambda f: f.score)
            return Answer(kind="place", value=best.value, rank_of_passage=best.rank)
    found = [f for order, hit in enumerate(hits) for f in _places_in(hit, order, asked)]
    if not found and hits:
        # The passages name the organisers, not the venue ('Ban Chỉ đạo thị trấn Rừng Thông
        # đã tổ chức …'): a news headline most often says where ('… tại thị trấn Rừng Thông').
        best_hit = hits[0]
        found = _places_in(replace(best_hit, text=best_hit.source.title), 0, asked)
    if not found:
        return None
    best = max(found, key=lambda f: f.score)
    return Answer(kind="place", value=best.value, rank_of_passage=best.rank)

