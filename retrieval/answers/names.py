"""The people named in one sentence or passage, with the titles written around them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..places import is_unit_name
from ..text import sentence_spans
from ..types import Role
from .gazetteer import (
    _ATTEND_CUE,
    _COMPOUNDS,
    _NOT_PERSON_BEFORE,
    _ORG_STARTS,
    _PREFIXES,
    ADMIN_WORDS,
    HONORIFICS,
    NOT_ATTENDEES,
    PLACES,
    SURNAMES,
)
from .lexicon import norm
from .roles import Span, mention_roles, role_cues
from .tokens import (
    Tok,
    _is_stop,
    _phrase_at,
    _phrase_ending_at,
    _title_at,
    may_name_someone,
    tokenize,
)

_MAX_NAME = 4  # syllables of a Vietnamese personal name, surname included
_MAX_WALK = 24  # tokens scanned on either side of a name for its titles
_MAX_SEGMENT = 20  # tokens in one comma-separated title segment
_MAX_SEGMENTS = 8  # comma-separated title segments after one name
_JOINERS = frozenset({"và", "cùng", "với"})
_CUE_REACH = 40  # characters after a person's name and titles where an attendance cue counts

# --- names -------------------------------------------------------------------------------


@dataclass
class Mention:
    """A person named in one sentence, with the title segments written around the name."""

    name: str
    key: str
    segments: list[str]
    attended: bool
    position: int  # offset in the passage, for ordering
    roles: frozenset[Role] = frozenset()  # what the sentence says they did at the event


def _cap_runs(toks: Sequence[Tok]) -> Iterable[tuple[int, int]]:
    """[start, end) of each run of consecutive capitalised syllables."""
    i = 0
    while i < len(toks):
        if toks[i].cap:
            j = i
            while j + 1 < len(toks) and toks[j + 1].cap:
                j += 1
            yield i, j + 1
            i = j + 1
        else:
            i += 1


def _name_start(toks: Sequence[Tok], a: int, b: int, after_admin: bool) -> int | None:
    """Where the personal name begins in the capitalised run ``toks[a:b]``.

    A run can carry a place or organisation before the name ('Thành ủy Cần Thơ Lê Quang
    Mạnh'): the name is then the suffix that starts with a surname, 3 syllables preferred
    (the usual length), then 4, then 2. After an administrative word ('quận Ninh Kiều
    Nguyễn Ngọc Ánh') the place takes at least 2 syllables first, unless no name is left
    ('Chủ tịch UBND TP Trần Việt Trường'). A run of 2-4 syllables from a surname is a name.
    """
    n = _phrase_at(toks, a, PLACES, 4)
    if n and b - (a + n) >= 2:
        a += n
        after_admin = False

    def best_start(lowest: int) -> int | None:
        starts = [s for s in range(lowest, b - 1)
                  if toks[s].norm in SURNAMES and 2 <= b - s <= _MAX_NAME]
        return min(starts, key=lambda s: _LENGTH_PREFERENCE[b - s], default=None)

    if after_admin and (s := best_start(a + 2)) is not None:
        return s
    if 2 <= b - a <= _MAX_NAME and toks[a].norm in SURNAMES:
        return a
    return best_start(a)


_LENGTH_PREFERENCE = {3: 0, 4: 1, 2: 2}


def _trim_compound(toks: Sequence[Tok], b: int) -> int:
    """'Đoàn Thanh niên': the run's last syllable belongs to the lower-case word after it."""
    if b < len(toks) and toks[b].lower and (toks[b - 1].norm, toks[b].norm) in _COMPOUNDS:
        return b - 1
    return b


@dataclass
class _Candidate:
    """A possible personal name inside a capitalised run."""

    start: int  # the name is toks[start:end]
    end: int
    run_start: int  # the capitalised run it ends (a place or organisation may come first)
    surname: bool  # the name starts with a known surname


def _candidates(toks: Sequence[Tok]) -> list[_Candidate]:
    """Possible names: capitalised runs, minus Title Case titles, split off places."""
    found: list[_Candidate] = []
    for a0, b0 in _cap_runs(toks):
        b = _trim_compound(toks, b0)
        a = a0
        # Title Case titles and a capitalised 'Ông' at the start are inside the run.
        while a < b and (n := _phrase_at(toks, a, HONORIFICS) or _title_at(toks, a)):
            if a + n > b:
                break
            a += n
        if a >= b or _title_at(toks, a):
            continue  # 'Phó Chủ' of 'Phó Chủ tịch': a title, not a name
        if _anchored_before(toks, a) and 2 <= b - a <= _MAX_NAME + 1 \
                and toks[a].norm not in _ORG_STARTS:
            # Right after 'ông' / 'Đại tá' the whole run is the name, whatever its surname.
            found.append(_Candidate(a, b, a, toks[a].norm in SURNAMES))
            continue
        after_admin = a0 > 0 and _phrase_ending_at(toks, a0 - 1, ADMIN_WORDS) > 0
        if after_admin and is_unit_name(" ".join(t.text for t in toks[a:b])):
            continue  # 'UBND quận Ninh Kiều và …': the district, not a Mr Ninh
        s = _name_start(toks, a, b, after_admin)
        if s is not None:
            found.append(_Candidate(s, b, a, True))
    return found


def _anchored_before(toks: Sequence[Tok], i: int) -> bool:
    """An honorific, rank or prefix title ends just before token ``i`` ('các đồng chí:')."""
    j = i - 1
    if j > 0 and toks[j].text == ":":
        j -= 1
    return j >= 0 and bool(
        _phrase_ending_at(toks, j, HONORIFICS)
        or _phrase_ending_at(toks, j, _PREFIXES, 4)
    )


def _is_place(toks: Sequence[Tok], cand: _Candidate) -> bool:
    """A known place ('Cà Mau', 'Hồ Chí Minh') rather than a person."""
    words = tuple(t.norm for t in toks[cand.start:cand.end])
    return words in PLACES or words in NOT_ATTENDEES


def _segments(toks: Sequence[Tok], text: str, i: int, j: int) -> list[str]:
    """Comma-separated title segments of ``toks[i:j]``; a leading rank is its own segment."""
    out: list[str] = []
    start = i
    for k in range(i, j + 1):
        if k == j or (toks[k].kind == "p" and toks[k].text in ",;"):
            if start < k:
                out.append(text[toks[start].start:toks[k - 1].end].strip(" -–"))
            start = k + 1
    split: list[str] = []
    for seg in _join_enumerations(out):
        words = seg.split()
        keys = tuple(norm(w) for w in words)
        for n in range(len(words) - 1, 0, -1):
            if keys not in _PREFIXES and keys[:n] in _PREFIXES:
                split += [" ".join(words[:n]), " ".join(words[n:])]
                break
        else:
            split.append(seg)
    return [s for s in split if s]



def _join_enumerations(segments: Sequence[str]) -> list[str]:
    """'Bộ Văn hóa', 'Thể thao và Du lịch' -> 'Bộ Văn hóa, Thể thao và Du lịch': a segment
    that starts with no title but ends an 'A, B và C' name belongs to the one before."""
    out: list[str] = []
    for seg in segments:
        if out and _is_enumeration_end(tokenize(seg), 0):
            out[-1] += ", " + seg
        else:
            out.append(seg)
    return out


def _is_enumeration_end(toks: Sequence[Tok], i: int) -> int:
    """Tokens of an organisation name's last items from ``i`` ('Thương binh và Xã hội'):
    capitalised words with one 'và' before a capitalised word; 0 if none there."""
    if i >= len(toks) or not toks[i].cap or _title_at(toks, i):
        return 0
    k, joined = i, False
    while k < len(toks):
        tok = toks[k]
        if tok.norm == "và" and not joined and k + 1 < len(toks) and toks[k + 1].cap:
            joined = True
        elif not (tok.cap or (tok.lower and not _is_stop(toks, k) and k > i
                              and toks[k - 1].cap)):
            break
        k += 1
    return k - i if joined else 0


class _Sentence:
    """One sentence's tokens and the names in it, to find each name's titles."""

    def __init__(self, text: str, start: int, end: int) -> None:
        self.text = text
        self.toks = tokenize(text[start:end], start)
        self.candidates = [c for c in _candidates(self.toks) if not _is_place(self.toks, c)]
        # Tokens of surname-initial names: a title walk stops at another person.
        self.in_name = {k for c in self.candidates if c.surname for k in range(c.start, c.end)}

    def _segment_start(self, j: int, floor: int) -> int:
        """Start of the comma segment that ends at token ``j`` (inclusive)."""
        toks = self.toks
        k = j
        while k > floor and not (toks[k - 1].kind == "p" and toks[k - 1].text in ",;:()“”\""):
            k -= 1
        return k

    def pre_title(self, cand: _Candidate) -> tuple[tuple[int, int] | None, bool]:
        """Token span of the title written before the name; whether an honorific precedes."""
        toks = self.toks
        j = cand.run_start - 1
        first = cand.run_start
        floor = max(0, cand.run_start - _MAX_WALK)
        honorific = False
        while j >= floor and j not in self.in_name:
            tok = toks[j]
            if tok.kind == "p":
                if tok.text in "-–":
                    first = j
                    j -= 1
                    continue
                if tok.text == ":" and _phrase_ending_at(toks, j - 1, HONORIFICS):
                    honorific = True  # 'có các đồng chí: Nguyễn Văn A, …'
                    break
                if tok.text != ",":
                    break
                # 'Bí thư Huyện ủy, Chủ tịch UBND huyện Đông Sơn Lê Trọng Thụ': go on over
                # a comma only into another title that names nobody.
                k = self._segment_start(j - 1, floor)
                if k > j - 1 or not _title_at(toks, k) or any(
                    m in self.in_name or _is_stop(toks, m) for m in range(k, j)
                ):
                    break
                first = k
                j = k - 1
                continue
            if _phrase_ending_at(toks, j, HONORIFICS):
                honorific = True
                break
            if tok.kind == "w" and _is_stop(toks, j):
                break
            first = j
            j -= 1
        for k in range(first, cand.start):
            if toks[k].is_word and _title_at(toks, k):
                return (k, cand.start), honorific
        return None, honorific

    def post_title(self, end: int) -> tuple[int, int] | None:
        """Token span of the titles after the name ('…, Thứ trưởng Bộ Công an'), if any."""
        toks = self.toks
        if end >= len(toks) or toks[end].text not in {",", "-", "–", "(", "—"}:
            return None
        i = end + 1
        last = None
        for _ in range(_MAX_SEGMENTS):
            if last is not None and (n := _is_enumeration_end(toks, i)) and not any(
                    k in self.in_name for k in range(i, i + n)):
                last = i + n  # '…, Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch'
                if last >= len(toks) or toks[last].text != ",":
                    break
                i = last + 1
                continue
            if i >= len(toks) or not _title_at(toks, i):
                break
            k = i + _title_at(toks, i)
            stopped = False
            while k < len(toks) and k - i < _MAX_SEGMENT:
                tok = toks[k]
                if k in self.in_name:
                    stopped = True
                    break
                if tok.kind == "p" and tok.text not in "-–/&":
                    break
                if tok.kind == "w" and (_is_stop(toks, k) or _phrase_at(toks, k, HONORIFICS)):
                    stopped = True
                    break
                k += 1
            if k < len(toks) and k in self.in_name:
                # '…, Giám đốc Sở Y tế và Trần Văn B': the title ends before 'và';
                # '…, Chủ tịch UBND tỉnh Trần Văn B': the segment is the next person's.
                if k - 1 > i and toks[k - 1].norm in _JOINERS:
                    last = k - 1
                break
            last = k
            if stopped or k >= len(toks) or toks[k].text != ",":
                break
            i = k + 1
        return (end + 1, last) if last is not None else None

    def people(self) -> list[Mention]:
        """The people named in the sentence; bare names only when they look like names."""
        toks, text = self.toks, self.text
        if not self.candidates:
            return []  # most sentences: no name, so no attendance cues or roles to read
        base = toks[0].start
        cues = [base + m.start()
                for m in _ATTEND_CUE.finditer(text[base:toks[-1].end].lower())]
        mentions: list[Mention] = []
        spans: list[Span] = []
        last_end = -2  # token after the last person taken (name and titles)
        street_end = -2  # token after the last street, school or prize name
        for cand in self.candidates:
            pre, honorific = self.pre_title(cand)
            post = self.post_title(cand.end)
            anchored = pre is not None or post is not None or honorific
            # 'các đồng chí Tô Lâm, Lương Cường và …': the list goes on after a person.
            listed = (cand.run_start == cand.start and cand.start - 1 == last_end
                      and toks[last_end].text in {",", ";", "và"})
            # 'các tuyến đường Lê Văn Lương, Phạm Văn Đồng': the streets' list goes on too.
            if not anchored and not listed and (
                    _not_a_person(toks, cand)
                    or (cand.start - 1 == street_end
                        and toks[street_end].text in {",", ";", "và", "-", "–", "—"})):
                street_end = cand.end
                continue
            # Names without a known surname only come right after 'ông', 'Đại tá'...; a
            # bare surname-initial name needs 3 syllables ('Trần Lĩnh' may be a byline).
            if cand.surname and not (anchored or listed) and cand.end - cand.start < 3:
                continue
            if pre is None and cand.run_start < cand.start:
                continue  # a place or organisation, then a bare name: unsure who it is
            segments: list[str] = []
            if pre is not None:
                segments += _segments(toks, text, *pre)
            if post is not None:
                segments += _segments(toks, text, *post)
            last_end = post[1] if post is not None else cand.end
            # Said before the name ('Tham dự có …', 'Phát biểu tại ngày hội, …') or just
            # after it and its titles ('…, Thứ trưởng Bộ Công an tham dự'); a cue far on
            # in the sentence is about something else ('… sự tham gia của nhân dân').
            named_at, said_to = toks[cand.start].start, toks[last_end - 1].end + _CUE_REACH
            attended = any(c < named_at or c <= said_to for c in cues)
            mentions.append(Mention(
                name=text[toks[cand.start].start:toks[cand.end - 1].end],
                key=" ".join(t.norm for t in toks[cand.start:cand.end]),
                segments=segments, attended=attended, position=toks[cand.start].start,
            ))
            spans.append(Span(named_at, toks[cand.end - 1].end, said_to))
        sentence = text[base:toks[-1].end].lower()
        roles = mention_roles(text, role_cues(sentence, base), spans,
                              [m.attended for m in mentions])
        for mention, role_set in zip(mentions, roles, strict=True):
            mention.roles = role_set
        return mentions


def _not_a_person(toks: Sequence[Tok], cand: _Candidate) -> bool:
    """A bare name that is a street, school or prize ('đường Nguyễn Văn Linh'), a credit
    ('Ảnh: Trần B', 'Theo Lê C'), or a byline (a line with no lower-case word)."""
    before = cand.start - 1
    while before >= 0 and toks[before].kind == "p" and toks[before].text in ":-–(":
        before -= 1
    if before >= 0 and _phrase_ending_at(toks, before, _NOT_PERSON_BEFORE):
        return True
    # 'Trường THPT chuyên Lê Hồng Phong', 'đường số 3 Nguyễn Văn Cừ'
    for k in range(cand.start - 1, max(-1, cand.start - 4), -1):
        if toks[k].kind == "p":
            break
        if toks[k].norm in _NAMED_AFTER:
            return True
    return not any(t.lower for t in toks)


_NAMED_AFTER = frozenset({"trường", "đường", "phố", "thpt", "thcs", "ptth", "giải", "quỹ"})


def people_in_sentence(text: str, start: int, end: int) -> list[Mention]:
    """Named people of the sentence ``text[start:end]`` with their titles."""
    if not may_name_someone(text, start, end):
        return []
    return _Sentence(text, start, end).people()


def people_in_passage(text: str) -> list[Mention]:
    """Named people of a passage, sentence by sentence."""
    mentions: list[Mention] = []
    for start, end in sentence_spans(text):
        mentions += people_in_sentence(text, start, end)
    return mentions

