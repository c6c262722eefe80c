"""Short answers drawn from the passages: who attended (names and titles), when, where.

Rule-based and fast: passages are split into sentences and tokens, and a gazetteer of
Vietnamese ranks, positions and honorifics anchors the personal names around them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Literal

from .text import ABBREVIATIONS, QUESTION_WORDS, fold, has_diacritics, sentence_spans, syllables
from .types import Answer, Person, SearchHit

QuestionKind = Literal["who", "date", "place"]

MAX_PEOPLE = 20
MAX_PASSAGE_CHARS = 2000  # chunks are ~128 model tokens, a few hundred characters
_MAX_NAME = 4  # syllables of a Vietnamese personal name, surname included
_MAX_WALK = 24  # tokens scanned on either side of a name for its titles
_MAX_SEGMENT = 20  # tokens in one comma-separated title segment
_MAX_SEGMENTS = 8  # comma-separated title segments after one name
_JOINERS = frozenset({"và", "cùng", "với"})
_CUE_REACH = 40  # characters after a person's name and titles where an attendance cue counts


# --- normalization -----------------------------------------------------------------------

# Old-style tone placement ('hoà', 'uỷ') and new-style ('hòa', 'ủy') are the same word.
_TONE_MOVES = {
    "oà": "òa", "oá": "óa", "oả": "ỏa", "oã": "õa", "oạ": "ọa",
    "oè": "òe", "oé": "óe", "oẻ": "ỏe", "oẽ": "õe", "oẹ": "ọe",
    "uỳ": "ùy", "uý": "úy", "uỷ": "ủy", "uỹ": "ũy", "uỵ": "ụy",
}


def norm(word: str) -> str:
    """Lower-case word with the tone mark placed one way ('Uỷ' -> 'ủy')."""
    word = word.lower()
    tail = word[-2:]
    return word[:-2] + _TONE_MOVES[tail] if tail in _TONE_MOVES else word


def _words(text: str) -> frozenset[str]:
    """'a b c' -> {'a', 'b', 'c'}, normalized."""
    return frozenset(norm(w) for w in text.split())


class Lexicon:
    """A set of phrases (tuples of normalized words), indexed by first and last word."""

    def __init__(self, phrases: Iterable[tuple[str, ...]]) -> None:
        self.phrases = frozenset(p for p in phrases if p)
        self.longest: dict[str, int] = {}  # first word -> longest phrase starting with it
        self.lasts = frozenset(p[-1] for p in self.phrases)
        for phrase in self.phrases:
            self.longest[phrase[0]] = max(self.longest.get(phrase[0], 0), len(phrase))

    def __contains__(self, phrase: object) -> bool:
        return phrase in self.phrases

    def __iter__(self) -> Iterator[tuple[str, ...]]:
        return iter(self.phrases)

    def __or__(self, other: Lexicon) -> Lexicon:
        return Lexicon(self.phrases | other.phrases)


def _phrases(text: str) -> Lexicon:
    """'a b; c' -> {('a', 'b'), ('c',)}, normalized."""
    return Lexicon(tuple(norm(w) for w in item.split()) for item in text.split(";"))


# --- gazetteer ---------------------------------------------------------------------------

HONORIFICS = _phrases(
    "ông; bà; anh; chị; đồng chí; đ/c; đc; ngài; cụ; các ông; các bà; các đồng chí; "
    "mr; mrs; ms; ngài"
)
RANKS = _phrases(
    "đại tướng; thượng tướng; trung tướng; thiếu tướng; đại tá; thượng tá; trung tá; "
    "thiếu tá; đại úy; thượng úy; trung úy; thiếu úy; chuẩn úy; đô đốc; phó đô đốc; "
    "chuẩn đô đốc; thượng sĩ; trung sĩ; hạ sĩ; binh nhất; binh nhì"
)
# Academic, professional and religious titles written before a name.
PREFIX_TITLES = _phrases(
    "gs; pgs; ts; ths; tskh; bs; bsck; bscki; bsckii; ks; ls; ncs; nsnd; nsưt; nnnd; nngưt; "
    "gs.ts; pgs.ts; gs.tskh; pgs.tskh; ths.bs; ts.bs; giáo sư; phó giáo sư; tiến sĩ; "
    "thạc sĩ; bác sĩ; dược sĩ; luật sư; kỹ sư; kiến trúc sư; nhà báo; nhà văn; nhà thơ; "
    "nhạc sĩ; họa sĩ; đạo diễn; nghệ sĩ; nghệ sĩ nhân dân; nghệ sĩ ưu tú; nhà giáo nhân dân; "
    "nhà giáo ưu tú; thầy thuốc nhân dân; thầy thuốc ưu tú; anh hùng lao động; "
    "anh hùng lực lượng vũ trang nhân dân; hòa thượng; thượng tọa; đại đức; ni sư; "
    "linh mục; giám mục; tổng giám mục; mục sư; doanh nhân"
)
_POSITION_HEADS = _phrases(
    "bộ trưởng; thứ trưởng; thủ tướng; chủ tịch; bí thư; ủy viên; giám đốc; cục trưởng; "
    "vụ trưởng; viện trưởng; trưởng ban; trưởng phòng; trưởng đoàn; trưởng khoa; trưởng; "
    "chánh văn phòng; chánh án; chánh thanh tra; thanh tra; chủ nhiệm; hiệu trưởng; tư lệnh; "
    "chính ủy; tham mưu trưởng; chỉ huy trưởng; đội trưởng; tổ trưởng; đại sứ; lãnh sự; "
    "tổng lãnh sự; người phát ngôn; thư ký; tổng thư ký; biên tập; tổng biên tập; "
    "đại biểu quốc hội; thành viên; thống đốc; kiểm toán trưởng; tổng kiểm toán; "
    "chủ tịch nước; tổng thống; ngoại trưởng; thường trực; chỉ huy; ban; chuyên viên; "
    "điều tra viên; kiểm sát viên; thẩm phán; chấp hành viên; giảng viên; chủ nhiệm ủy ban; "
    "phát ngôn viên; trợ lý; cố vấn; đặc phái viên; trưởng ấp; trưởng thôn; trưởng khóm; "
    "trưởng bản; trưởng công an; trưởng khu phố; cán bộ; chuyên gia; chiến sĩ; nhân viên; "
    "phóng viên; ceo; founder; chairman; director"
)
_POSITION_MODIFIERS = _phrases("nguyên; quyền; cựu; phó; tổng; thứ nhất; phụ trách")
_PREFIXES = RANKS | PREFIX_TITLES  # written before a name: 'Đại tá', 'PGS.TS'
_TITLE_HEADS = _POSITION_HEADS | _PREFIXES

# Provinces, big cities and places written with capitals that can start like a surname.
PLACES = _phrases(
    "an giang; bà rịa; vũng tàu; bắc giang; bắc kạn; bạc liêu; bắc ninh; bến tre; bình định; "
    "bình dương; bình phước; bình thuận; cà mau; cần thơ; cao bằng; đà nẵng; đắk lắk; "
    "đắk nông; điện biên; đồng nai; đồng tháp; gia lai; hà giang; hà nam; hà nội; hà tĩnh; "
    "hải dương; hải phòng; hậu giang; hòa bình; hưng yên; khánh hòa; kiên giang; kon tum; "
    "lai châu; lâm đồng; lạng sơn; lào cai; long an; nam định; nghệ an; ninh bình; "
    "ninh thuận; phú thọ; phú yên; quảng bình; quảng nam; quảng ngãi; quảng ninh; quảng trị; "
    "sóc trăng; sơn la; tây ninh; thái bình; thái nguyên; thanh hóa; thừa thiên huế; "
    "hồ chí minh; tiền giang; trà vinh; tuyên quang; vĩnh long; vĩnh phúc; yên bái; sài gòn; "
    "việt nam; hàn quốc; trung quốc; nhật bản; thái lan; hà lan; hoa kỳ; ấn độ; châu âu; "
    "châu á; châu phi; châu mỹ; đông nam á; hoàng sa; trường sa; tây nguyên; nam bộ; "
    "bắc bộ; trung bộ; cửu long; đà lạt; nha trang; hạ long; buôn ma thuột; biên hòa; "
    "thủ đức; hà đông; mỹ tho; long xuyên; rạch giá; châu đốc; đồng hới; phan thiết; "
    "quy nhơn; tuy hòa; vinh; móng cái; lâm hà"
)
# People never meant by a name on its own (also a city name).
NOT_ATTENDEES = _phrases("hồ chí minh")
# Words before which a capitalised run is a place, street or school, not a person.
ADMIN_WORDS = _phrases(
    "tỉnh; thành phố; tp; tp.; huyện; quận; thị xã; thị trấn; xã; phường; ấp; thôn; khóm; "
    "bản; làng; khu phố; tổ dân phố; đường; phố; đại lộ; cầu; chợ; sông; núi; đảo; hồ"
)
_NOT_PERSON_BEFORE = ADMIN_WORDS | _phrases(
    "trường; học; thpt; thcs; giải; quỹ; huân chương; tàu; khu; lăng; đền; chùa; "
    "nhà; bảo tàng; di tích; tư tưởng; sân; cảng; bến; hẻm; ngõ; kiệt; công ty; "
    "tập đoàn; bệnh viện; ảnh; nguồn; theo; bài; clip; video"
)
SURNAMES = _words(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đồng Đinh "
    "Tô Trương Lương Lâm Mai Đào Đoàn Cao Hà Kiều Lưu Tạ Thái Trịnh Chu Châu Quách "
    "Triệu Tăng Mạc La Lại Tôn Thân Vương Phùng Giang Khổng Khúc Kim Lục Mạch Nghiêm "
    "Phương Tống Từ Vi Hứa Âu Bạch Cù Diệp Đàm Hàn Hầu Kha Khương Lạc Lò Lô Nông Ninh "
    "Phí Sầm Thạch Thiều Trình Ứng Lữ Lã Lăng Cấn Chử Đậu Doãn Giáp Khuất Mẫn Mông Ngụy "
    "Ngũ Nhâm Quản Tào Thang Thiệu Tiêu Trang Tưởng Viên Bế Quan Yên"
)  # not 'Ông': it starts sentences far more often as 'Mr.' than as a surname
# Capitalised syllable + lower-case one that make an organisation word, not a name end.
_COMPOUNDS = _phrases(
    "thanh niên; công an; trung ương; quốc hội; chính phủ; nhà nước; mặt trận; tỉnh ủy; "
    "thành ủy; huyện ủy; đảng ủy; quận ủy; công đoàn; phụ nữ; nông dân; cựu chiến binh; "
    "hội đồng; ủy ban; văn phòng; đại học; học viện; bệnh viện; quân đội; quân khu; "
    "công ty; tập đoàn; ngân hàng; sư đoàn; chiến binh; thương binh; cảnh sát; biên phòng"
)
_ORG_STARTS = _words(
    "Bộ Ban Sở Cục Vụ Viện Ủy Hội Đảng Tỉnh Huyện Quận Xã Phường Công "
    "Chính Nhà Ngân Tập Tòa Tổ Báo Đài Đại Quốc Mặt Liên Hiệp Sư Lữ Quân Trường Bệnh Học "
    "Văn Đoàn Trung Thành Thị Tổng Ngày Lễ Giải Cúp"
)

# Lower-case words (or word pairs) that end a title: verbs and prepositions around names.
_STOP_WORDS = _words(
    "đã đang sẽ vừa cùng trao tặng là có được bị nói nêu thăm gửi nhận ký đến tới "
    "trong khi để với vì nhằm thì mà đi ra sau trước cũng luôn còn rất không chưa đón "
    "lên đọc hỏi dự gồm như theo của cho mời gặp tiếp nghe do bởi nhưng hay hoặc làm"
)
_STOP_PAIRS = _phrases(
    "tham dự; tham gia; phát biểu; cho biết; cho rằng; cho hay; khẳng định; nhấn mạnh; "
    "chủ trì; ghi nhận; đề nghị; đề xuất; yêu cầu; lưu ý; chúc mừng; báo cáo; tin tưởng; "
    "mong muốn; kêu gọi; bày tỏ; chia sẻ; khai mạc; bế mạc; dẫn đầu; làm việc; kiểm tra; "
    "đánh giá; biểu dương; cảm ơn; trân trọng; thay mặt; trả lời; hướng dẫn; quyết định; "
    "phát động; kết luận; trình bày; thông báo; giới thiệu; khen thưởng; điều hành; "
    "hoan nghênh; cắt băng; đánh trống; động viên; khai trương; trao đổi; thảo luận; "
    "quán triệt; chứng kiến; tuyên bố; nhất trí; ủng hộ; lắng nghe; tổ chức; phát hiện; "
    "chỉ đạo; tham quan; dâng hương; thắp hương; chủ động; nhận định; thừa nhận"
)
# 'dự' that is not 'attend': 'Ủy viên dự khuyết', 'dự án', 'dự báo'...
_NOT_ATTEND_DU = _words("khuyết án báo kiến thảo toán phòng trữ định đoán tính luật bị thi trù")

# A sentence that says the people in it were there (matched on lower-cased text).
_ATTEND_CUE = re.compile(
    r"(?<!\w)(?:tham dự|đến dự|dự(?!\s+(?:" + "|".join(sorted(_NOT_ATTEND_DU)) + r")(?!\w))|"
    r"có mặt|chủ trì|phát biểu|trao|tặng|khai mạc|"
    r"bế mạc|dẫn đầu|chúc mừng|về phía|chứng kiến|cắt băng|đánh trống|đến thăm|thăm và|"
    r"làm việc|thay mặt|tiếp(?!\s+(?:tục|theo|đó|nhận|thu|cận|nối|sức|giáp|diễn|tế))|"
    r"tham gia|tham quan|"
    r"tại (?:ngày hội|hội nghị|buổi|lễ|đại hội|chương trình|sự kiện|hội thảo|diễn đàn|"
    r"cuộc|phiên))(?!\w)"
)
# The event itself (where and when it happened is asked about it).
_MAIN_EVENT = re.compile(
    r"(?<!\w)(?:tổ chức|diễn ra|khai mạc|ngày hội|hội nghị|lễ|đại hội|hội thảo|sự kiện)(?!\w)"
)
_EVENT_CUE = re.compile(
    r"(?<!\w)(?:tổ chức|diễn ra|khai mạc|dự|tham dự|ngày hội|hội nghị|lễ|đại hội|hội thảo|"
    r"buổi|sự kiện|chương trình|đến)(?!\w)"
)
_DOCUMENT_BEFORE = re.compile(
    r"(?:số\s*\d+[^\s,;]*\s*,?\s*(?:ngày\s*)?|nghị quyết|quyết định|chỉ thị|kết luận|thông tư|"
    r"nghị định|luật|công văn|ban hành|ký|giai đoạn)\s*$"
)


# --- tokens ------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<w>[^\W\d_]+(?:[./'’][^\W\d_]+)*)|(?P<n>\d+(?:[.,/:-]\d+)*)|(?P<p>[^\w\s])"
)


@dataclass(frozen=True, slots=True)
class Tok:
    """A word, number or punctuation mark of a sentence, with its offsets in the passage."""

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
        toks.append(Tok(word, norm(word), start, start + len(word), kind, cap,
                        is_word and word.islower()))
    return toks


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


# --- names -------------------------------------------------------------------------------


@dataclass
class Mention:
    """A person named in one sentence, with the title segments written around the name."""

    name: str
    key: str
    segments: list[str]
    attended: bool
    position: int  # offset in the passage, for ordering


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
    for seg in out:
        words = seg.split()
        keys = tuple(norm(w) for w in words)
        for n in range(len(words) - 1, 0, -1):
            if keys not in _PREFIXES and keys[:n] in _PREFIXES:
                split += [" ".join(words[:n]), " ".join(words[n:])]
                break
        else:
            split.append(seg)
    return [s for s in split if s]



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
        if not toks:
            return []
        base = toks[0].start
        cues = [base + m.start()
                for m in _ATTEND_CUE.finditer(text[base:toks[-1].end].lower())]
        mentions: list[Mention] = []
        last_end = -2  # token after the last person taken (name and titles)
        for cand in self.candidates:
            pre, honorific = self.pre_title(cand)
            post = self.post_title(cand.end)
            anchored = pre is not None or post is not None or honorific
            # 'các đồng chí Tô Lâm, Lương Cường và …': the list goes on after a person.
            listed = (cand.run_start == cand.start and cand.start - 1 == last_end
                      and toks[last_end].text in {",", ";", "và"})
            if not anchored and not listed and _not_a_person(toks, cand):
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
    return _Sentence(text, start, end).people()


def people_in_passage(text: str) -> list[Mention]:
    """Named people of a passage, sentence by sentence."""
    mentions: list[Mention] = []
    for start, end in sentence_spans(text):
        mentions += people_in_sentence(text, start, end)
    return mentions


@dataclass
class _Merged:
    """A person's mentions across the passages, merged."""

    name: str
    titles: list[list[str]] = field(default_factory=list)  # title segments, per mention
    attended: bool = False
    rank: int = 0
    attended_rank: int | None = None
    group: int = 0  # order of the person's article among the hits
    position: int = 0


def _same_title(short: str, long: str) -> bool:
    """'Thứ trưởng' is said fully by 'Thứ trưởng Bộ Công an'; 'Bí thư Tỉnh ủy' is not
    'Phó Bí thư Tỉnh ủy'."""
    if f" {short} " not in f" {long} ":
        return False
    before = long[:long.index(short)].split() if short else []
    return not (before and (before[-1],) in _POSITION_MODIFIERS)


def _merge_segments(into: list[str], new: Sequence[str]) -> None:
    """Add title segments, keeping the fullest form of each."""
    for seg in new:
        key = " ".join(norm(w) for w in seg.split())
        for index, old in enumerate(into):
            old_key = " ".join(norm(w) for w in old.split())
            if _same_title(key, old_key):
                break
            if _same_title(old_key, key):
                into[index] = seg
                break
        else:
            into.append(seg)


def _title_text(titles: Sequence[Sequence[str]]) -> str:
    """One title from every mention's: the fullest mention's order, then what others add;
    ranks and academic titles first ('Đại tướng, Bộ trưởng Bộ Công an')."""
    segments: list[str] = []
    for title in sorted(titles, key=lambda t: (-len(t), -sum(map(len, t)))):
        _merge_segments(segments, title)
    ranks = [s for s in segments if tuple(norm(w) for w in s.split()) in _PREFIXES]
    rest = [s for s in segments if s not in ranks]
    return ", ".join(ranks + rest)


def _title_match(asked: frozenset[str], title: str) -> float:
    """Share of the asked words in a person's title. A 'Phó …' (or 'Nguyên …') part
    counts only if the question says so too: the Phó Bí thư is not the Bí thư asked for."""
    if not asked:
        return 0.0
    kept = []
    for segment in title.split(", "):
        first = norm(segment.split()[0]) if segment.split() else ""
        if (first,) not in _POSITION_MODIFIERS or fold(first) in asked:
            kept.append(segment)
    return _overlap(set(asked), " ".join(kept))


def extract_people(hits: Sequence[SearchHit],
                   asked: frozenset[str] = frozenset()) -> tuple[Person, ...]:
    """People named in the passages, merged by name, with the passage that names them.

    Order: those whose title holds most of ``asked`` (the folded words of a question that
    names a title: 'Chủ tịch UBND tỉnh Cà Mau là ai?') first; then the people of the best
    hit's article (articles in hit order); within an article, those the passages say
    attended before those only mentioned.
    """
    groups: dict[str, int] = {}
    merged: dict[str, _Merged] = {}
    for hit in hits:
        group = groups.setdefault(hit.source.file, len(groups))
        for m in people_in_passage(hit.text):
            person = merged.get(m.key)
            if person is None:
                person = merged[m.key] = _Merged(m.name, rank=hit.rank, group=group,
                                                 position=m.position)
            person.titles.append(m.segments)
            if m.attended and not person.attended:
                person.attended = True
                person.attended_rank = hit.rank
    people = [(Person(p.name, _title_text(p.titles), p.attended_rank or p.rank, p.attended),
               p) for p in merged.values()]
    ordered = sorted(
        people,
        key=lambda pair: (-_title_match(asked, pair[0].title), pair[1].group,
                          not pair[1].attended, pair[0].rank_of_passage, pair[1].position),
    )
    return tuple(person for person, _ in ordered[:MAX_PEOPLE])


# --- question kinds ----------------------------------------------------------------------

_Q_WORD = re.compile(r"[^\W\d_]+")


QPhrase = tuple[tuple[str, ...], tuple[str, ...]]  # words as written, and folded


QIndex = dict[str, list[QPhrase]]  # phrases by a word of theirs (accented and folded)


def _index(phrases: Iterable[QPhrase], position: int) -> QIndex:
    """Phrases by their word at ``position`` (0 first, -1 last), as written and folded."""
    index: QIndex = {}
    for phrase in phrases:
        for key in {phrase[0][position], phrase[1][position]}:
            index.setdefault(key, []).append(phrase)
    return index


def _q_phrases(text: str) -> QIndex:
    """Question phrases (with their folded form) by first word."""
    return _index(((tuple(item.split()), tuple(fold(item).split()))
                   for item in text.split(";") if item.strip()), 0)


_WHEN_COUNT = _q_phrases(
    "ngày bao nhiêu; ngày mấy; mấy giờ; tháng mấy; năm bao nhiêu; hôm nào; ngày nào"
)
_HOW_MANY = _q_phrases("bao nhiêu; mấy; how many; how much; số lượng")
_WHO = _q_phrases(
    "ai; có mặt; thành phần tham dự; thành phần dự; thành phần đại biểu; người nào; vị nào; "
    "lãnh đạo nào; đại biểu nào; đồng chí nào; "
    "ông nào; bà nào; quan chức nào; cán bộ nào; nhân vật nào; họ tên; tên là gì; tên gì; "
    "who; whom; whose; which officials; which official; which leaders; which leader; "
    "what officials; which people; name the"
)
_WHEN = _q_phrases(
    "khi nào; bao giờ; lúc nào; ngày nào; hôm nào; năm nào; tháng nào; thời gian nào; "
    "thời điểm nào; hồi nào; thời gian diễn ra; thời gian tổ chức; when; what date; "
    "which date; what day; which day; what time; what year; which year; what month"
)
_WHERE = _q_phrases(
    "ở đâu; tại đâu; nơi đâu; nơi nào; chỗ nào; địa điểm; địa phương nào; tỉnh nào; "
    "thành phố nào; huyện nào; quận nào; xã nào; phường nào; thị trấn nào; ấp nào; "
    "điểm cầu nào; where; what place; which place; which province; which city; "
    "which district; which commune; which town; what venue; what location; which location"
)
# Question words that say what is asked, not which event (left out of topic coverage).
_GENERIC_WORDS = frozenset(fold(w) for w in _words(
    "những người nào vị tham dự có mặt phát biểu trao tặng đã diễn ra tổ chức ở đâu tại "
    "khi bao giờ ngày hôm lúc thời gian điểm địa nơi attended attend spoke gave held "
    "took place event festival conference"
))
_PERSON_NOUNS = _phrases("người; vị; lãnh đạo; đại biểu; quan chức; cán bộ; tướng; sĩ quan")


def _matches(words: Sequence[str], i: int, phrase: QPhrase, folded: bool) -> bool:
    """Phrase at ``words[i]``: exact, or after folding when the question has no diacritics."""
    accented, plain = phrase
    if i < 0 or i + len(accented) > len(words):
        return False
    return all(
        w == p or (folded and f == w)
        for w, p, f in zip(words[i:i + len(accented)], accented, plain, strict=False)
    )


def _contains(words: Sequence[str], phrases: QIndex, folded: bool) -> bool:
    """Whether one of the indexed phrases occurs in the question's words."""
    return any(_matches(words, i, p, folded)
               for i, w in enumerate(words) for p in phrases.get(w, ()))


def question_kind(question: str) -> QuestionKind | None:
    """'who', 'date' or 'place' for questions a short answer fits; None for the rest."""
    raw = _Q_WORD.findall(question[:2000])
    if not raw:
        return None
    words = [norm(w) for w in raw]
    # Typed without diacritics, 'quan' may be 'quận'; with them, 'quan' is just 'quan'.
    folded = not has_diacritics(question)
    all_caps = question.upper() == question
    for i, w in enumerate(raw):
        following = fold(words[i + 1]) if i + 1 < len(words) else ""
        # 'AI' is artificial intelligence unless the whole question is in capitals; 'Ai Cập'.
        if words[i] == "ai" and ((w == "AI" and not all_caps) or following == "cap"):
            words[i] = "_"
        # 'đơn vị nào' asks for a unit, not a person ('vị nào').
        if fold(words[i]) == "don" and following == "vi":
            words[i + 1] = "_"
    if _contains(words, _WHEN_COUNT, folded):
        return "date"
    if _contains(words, _HOW_MANY, folded):
        return None
    if _contains(words, _WHO, folded) or _title_before_nao(words, raw, folded):
        return "who"
    if _contains(words, _WHEN, folded):
        return "date"
    if _contains(words, _WHERE, folded):
        return "place"
    return None


# Titles and person nouns by their last word, to look back from 'nào'.
# Title heads that are ordinary words too ('ban', 'thanh tra'): no sign of a title asked.
_VAGUE_TITLE_HEADS = _phrases("ban; thường trực; chỉ huy; thanh tra; thành viên")
_WHO_TITLES = _index(
    ((p, tuple(fold(w) for w in p)) for p in _TITLE_HEADS | _PERSON_NOUNS
     if p not in _VAGUE_TITLE_HEADS), -1
)


# Titles a question may name, by first word ('Chủ tịch UBND tỉnh Cà Mau là ai?').
_ASKED_TITLES = _index(
    ((p, tuple(fold(w) for w in p)) for p in _TITLE_HEADS
     if p not in _VAGUE_TITLE_HEADS | _phrases("trưởng; cán bộ")), 0
)


def _asked_title_words(question: str) -> frozenset[str]:
    """The question's folded content words when it names a title, to rank the people whose
    title holds them first; empty when it names none ('Ai dự ngày hội?')."""
    words = [norm(w) for w in _Q_WORD.findall(question[:2000])]
    if not _contains(words, _ASKED_TITLES, not has_diacritics(question)):
        return frozenset()
    return frozenset(_question_words(question))


# Words of an organisation or place between a title and 'nào' ('Thứ trưởng Bộ Công an nào').
_ORG_WORDS = _words(
    "bộ công an trung ương tỉnh thành phố tp huyện quận xã phường thị trấn ủy ban nhân dân "
    "ubnd hđnd sở cục đảng quốc hội chính phủ nhà nước mặt trận tổ"
)


def _title_before_nao(words: Sequence[str], raw: Sequence[str], folded: bool) -> bool:
    """'Thứ trưởng nào', 'Thứ trưởng Bộ Công an nào', 'lanh dao thanh pho Can Tho nao':
    a title or person noun asked about with 'nào', perhaps with its organisation between."""
    for i, w in enumerate(words):
        if not (w == "nào" or (folded and w == "nao")):
            continue
        j = i  # the title must end just before words[j]
        while j > 0 and i - j <= 6:
            if any(_matches(words, j - len(p[0]), p, folded)
                   for p in _WHO_TITLES.get(words[j - 1], ())):
                return True
            previous = words[j - 1]
            if not (previous in _ORG_WORDS or (folded and previous in _FOLDED_ORG_WORDS)
                    or raw[j - 1][:1].isupper()):
                break
            j -= 1
    return False


_FOLDED_ORG_WORDS = frozenset(fold(w) for w in _ORG_WORDS)


# --- dates and places --------------------------------------------------------------------

_DATE = re.compile(
    r"(?<![\w/.,-])(?:(?P<tod>rạng sáng|sáng|chiều|tối|trưa|đêm|hôm)\s+(?:nay\s+)?"
    r"(?:ngày\s+)?|(?P<ngay>ngày)\s+)?"
    r"(?P<d>\d{1,2})\s?[/.-]\s?(?P<m>\d{1,2})(?:\s?[/.-]\s?(?P<y>\d{4}))?(?![\d%])"
    r"|(?<!\w)(?:(?P<tod2>sáng|chiều|tối|trưa|đêm)\s+)?ngày\s+(?P<d2>\d{1,2})\s+tháng\s+"
    r"(?P<m2>\d{1,2})(?:\s+năm\s+(?P<y2>\d{4}))?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Found:
    """A date or place found in a passage, with how likely it is the event's."""

    value: str
    rank: int
    score: float


_ISO = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


def _date_in(hit: SearchHit, order: int) -> list[_Found]:
    """Dates of events in the passage, scored: a time of day and an event nearby count."""
    text = hit.text
    lower = text.lower()
    iso = _ISO.fullmatch(hit.source.date or "")
    year_context = iso.group(1) if iso else None
    spans = sentence_spans(text)
    starts = [start for start, _ in spans]
    found: list[_Found] = []
    for m in _event_dates(text, lower):
        day, month = m.group("d") or m.group("d2"), m.group("m") or m.group("m2")
        year = m.group("y") or m.group("y2")
        tod = m.group("tod") or m.group("tod2")
        index = bisect_right(starts, m.start()) - 1
        sentence = lower[spans[index][0]:spans[index][1]] if index >= 0 else ""
        score = 3.0 * bool(tod) + 1.0 * bool(year) + 2.0 * bool(_EVENT_CUE.search(sentence))
        score -= 2.0 * order + 0.001 * m.start() / max(len(text), 1)
        value = m.group().strip()
        value = value[0].upper() + value[1:]
        if not year and year_context:
            value += f" ({int(day)}/{int(month)}/{year_context})"
        found.append(_Found(value, hit.rank, score))
    return found


def _event_dates(text: str, lower: str) -> Iterator[re.Match[str]]:
    """Dates in the text that may be an event's (not a range, not a document's date)."""
    for m in _DATE.finditer(text):
        day, month = m.group("d") or m.group("d2"), m.group("m") or m.group("m2")
        if not (1 <= int(day) <= 31 and 1 <= int(month) <= 12):
            continue
        if not (m.group("tod") or m.group("tod2") or m.group("ngay") or m.group("y")
                or m.group("y2") or m.group("d2")):
            continue  # '3-8' alone may be a range
        if _DOCUMENT_BEFORE.search(lower[max(0, m.start() - 40):m.start()]):
            continue  # 'Nghị quyết số 12, ngày 16/3/2022' dates a document, not the event
        yield m


def names_a_date(text: str) -> bool:
    """The passage gives a day an event happened (what a when-question wants)."""
    return next(_event_dates(text, text.lower()), None) is not None


def _article_date(date: str | None) -> str | None:
    """'2022-08-11' -> '11/8/2022', '2022-08' -> 'tháng 8/2022'."""
    iso = _ISO.fullmatch(date or "")
    if iso is None:
        return None
    year, month, day = iso.groups()
    if day:
        return f"{int(day)}/{int(month)}/{year}"
    return f"tháng {int(month)}/{year}"


def extract_date(hits: Sequence[SearchHit]) -> Answer | None:
    """The event's date from the passages, else the date of the best hit's article."""
    found = [f for order, hit in enumerate(hits) for f in _date_in(hit, order)]
    if found:
        best = max(found, key=lambda f: f.score)
        return Answer(kind="date", value=best.value, rank_of_passage=best.rank)
    for hit in hits:
        if (date := _article_date(hit.source.date)) is not None:
            return Answer(kind="date", value=f"{date} (ngày của bài báo)",
                          rank_of_passage=hit.rank)
    return None


_PLACE_HEADS = ADMIN_WORDS | _phrases(
    "điểm cầu; trụ sở; hội trường; nhà văn hóa; sân vận động; trung tâm; trường; khu; "
    "nhà thi đấu; cung văn hóa; quảng trường; nhà hát"
)
# Lower-case syllables inside a place name ('Đại học Cần Thơ', 'Trụ sở Văn hóa').
_PLACE_JOINERS = _words("học an hóa ủy ban nhân dân")
_NOT_PLACE_STARTS = _words("Ngày Hội Lễ Chương Phong Kế Nghị Chỉ Báo Cuộc Buổi")


def _question_words(question: str) -> set[str]:
    """Folded content words of the question (what it is about, not what it asks)."""
    return {fold(w) for w in syllables(question)} - QUESTION_WORDS - _GENERIC_WORDS


def _overlap(words: set[str], text: str) -> float:
    """Share of the question's words found in ``text`` (0 when the question has none)."""
    if not words:
        return 0.0
    return len(words & {fold(w) for w in syllables(text)}) / len(words)


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
    """Where the event took place: a 'tại/ở …' place in the passages, the likeliest one."""
    asked = _question_words(question)
    found = [f for order, hit in enumerate(hits) for f in _places_in(hit, order, asked)]
    if not found:
        return None
    best = max(found, key=lambda f: f.score)
    return Answer(kind="place", value=best.value, rank_of_passage=best.rank)


# --- entry point -------------------------------------------------------------------------


# How much less of the question's telling words an article's passages may cover than the
# best article's before its people, dates and places are left out (another event).
TOPIC_MARGIN = 0.25


def _terms(text: str) -> set[str]:
    """Folded syllables and syllable bigrams of ``text``."""
    sylls = [fold(w) for w in syllables(text)]
    return set(sylls) | {a + "_" + b for a, b in pairwise(sylls)}


def on_topic(question: str, hits: Sequence[SearchHit]) -> list[SearchHit]:
    """The hits of the articles that match what the question names as well as the best one.

    Passages of several articles are often about several events; only the question's
    telling words (in some of the hits' articles but not all: 'Cà Mau', 'Ninh Kiều') can
    say which. With none, the best hit's article alone is kept.
    """
    files = list(dict.fromkeys(hit.source.file for hit in hits))
    if len(files) < 2:
        return list(hits)
    sylls = [fold(w) for w in syllables(question)]
    content = [w if w not in QUESTION_WORDS and w not in _GENERIC_WORDS else "" for w in sylls]
    wanted = {w for w in content if w} | {
        a + "_" + b for a, b in pairwise(content) if a and b
    }
    seen: dict[str, set[str]] = {file: set() for file in files}
    for hit in hits:
        seen[hit.source.file] |= _terms(hit.text) & wanted
    telling = {w for w in wanted if 0 < sum(w in seen[f] for f in files) < len(files)}
    if not telling:
        return [hit for hit in hits if hit.source.file == files[0]]
    cover = {f: len(seen[f] & telling) / len(telling) for f in files}
    best = max(cover.values())
    return [hit for hit in hits if cover[hit.source.file] >= best - TOPIC_MARGIN]


def extract_answer(question: str, hits: Sequence[SearchHit]) -> Answer | None:
    """A short answer for who / when / where questions, from the passages; else None."""
    if not hits:
        return None
    kind = question_kind(question)
    if kind is None:
        return None
    # Passages are a few sentences; a huge one (not from our chunker) is read in part only,
    # as sentence splitting grows faster than linearly with text length.
    hits = [replace(h, text=h.text[:MAX_PASSAGE_CHARS]) if len(h.text) > MAX_PASSAGE_CHARS
            else h for h in hits]
    relevant = on_topic(question, hits)
    if kind == "who":
        people = extract_people(relevant, _asked_title_words(question))
        return Answer(kind="people", people=people) if people else None
    if kind == "date":
        return extract_date(relevant)
    return extract_place(question, relevant)
