"""What a question asks: who, when or where; the titles and words it names."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Literal

from ..crosslingual import english_query_terms
from ..text import QUESTION_WORDS, fold, has_diacritics, looks_english, syllables
from ..types import Role
from .gazetteer import _TITLE_HEADS, SURNAMES
from .lexicon import _phrases, _words, norm

QuestionKind = Literal["who", "date", "place"]

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
    "what officials; which people; name the; chức vụ gì; chức danh gì; chức vụ nào; "
    "chức danh nào; what position; what title; which position"
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
    """Phrase at ``words[i]``: exact, or after folding when the question has no diacritics
    or, in one that has some, the phrase's words (two or more) are all typed plain ('ở can
    tho ai phat bieu'): a lone plain word there may be what it says ('du lịch', not 'dự')."""
    accented, plain = phrase
    if i < 0 or i + len(accented) > len(words):
        return False
    span = words[i:i + len(accented)]
    loose = folded or (len(span) > 1 and all(fold(w) == w for w in span))
    return all(w == p or (loose and f == w)
               for w, p, f in zip(span, accented, plain, strict=False))


def _contains(words: Sequence[str], phrases: QIndex, folded: bool) -> bool:
    """Whether one of the indexed phrases occurs in the question's words."""
    return any(_matches(words, i, p, folded)
               for i, w in enumerate(words) for p in phrases.get(w, ()))


# Words before 'vị' that make it no person: 'đơn vị', 'gia vị', 'hương vị', 'mùi vị', 'khẩu vị'.
_VI_COMPOUNDS = frozenset({"don", "gia", "huong", "mui", "khau"})


def question_kind(question: str) -> QuestionKind | None:
    """'who', 'date' or 'place' for questions a short answer fits; None for the rest."""
    raw = _Q_WORD.findall(question[:2000])
    if not raw:
        return None
    words = [norm(w) for w in raw]
    # Typed without diacritics, 'quan' may be 'quận'; with them, 'quan' is just 'quan'.
    folded = not has_diacritics(question)
    all_caps = question.upper() == question
    plain = [fold(w) for w in words]
    for i, w in enumerate(raw):
        following = plain[i + 1] if i + 1 < len(plain) else ""
        # 'AI' is artificial intelligence unless the whole question is in capitals; 'Ai Cập'.
        if words[i] == "ai" and ((w == "AI" and not all_caps) or following == "cap"):
            words[i] = "_"
        # 'ai đó', 'ai cũng', 'bất kỳ ai': someone, anyone; no person is asked for.
        if plain[i] == "ai" and (following in {"do", "cung"}
                                 or (i > 0 and plain[i - 1] in {"ky", "cu"})):
            words[i] = "_"
        # 'đơn vị nào', 'gia vị nào' ask for a unit or a spice, not a person ('vị nào').
        if plain[i] in _VI_COMPOUNDS and following == "vi":
            words[i + 1] = "_"
        # '… từ năm bao nhiêu tuổi?' asks an age, not a year.
        if plain[i] == "nam" and plain[i + 1:i + 4] == ["bao", "nhieu", "tuoi"]:
            words[i] = "_"
    if _contains(words, _WHEN_COUNT, folded):
        return "date"
    if _contains(words, _HOW_MANY, folded):
        return None
    if (_contains(words, _WHO, folded) or _title_before_nao(words, raw, folded)
            or _english_title_asked(words)):
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


# English title words: an English question naming one asks for whoever holds it, the title's
# words read in Vietnamese through the glossary (``crosslingual``).
_ENGLISH_TITLE_HEADS = frozenset(
    "director chairman chairwoman chair president secretary minister deputy head chief "
    "commander general colonel".split())


# Words of an English question that end a 'which …' phrase before a title could follow.
_ENGLISH_VERBS = frozenset(
    "is are was were did does do has have had will would can could should the a an".split())
_ENGLISH_PERSON_HEADS = _ENGLISH_TITLE_HEADS | frozenset(
    "official officials leader leaders officer officers people person".split())


def _english_title_asked(words: Sequence[str]) -> bool:
    """'Which deputy minister attended …?', 'What provincial leaders …?': a person asked
    for by title; not 'What did the deputy minister say?'."""
    for i, w in enumerate(words):
        if w not in ("which", "what"):
            continue
        for following in words[i + 1:i + 4]:
            if following in _ENGLISH_PERSON_HEADS:
                return True
            if following in _ENGLISH_VERBS:
                break
    return False


# 'Nguyễn Tiến Hải là ai?', 'Who is Nguyen Tien Hai?', 'Ông X giữ chức vụ gì?': a question
# about the person it names, not about who else was there.
_ABOUT_SOMEONE = re.compile(
    r"(?:(?<!\w)(?:là|la)\s+ai\s*[?.!]*\s*$|^\s*who(?:\s+is|\s+was|'s)\s|"
    r"(?<!\w)(?:chức|chuc)\s+(?:vụ|vu|danh)\s+(?:gì|gi|nào|nao)(?!\w)|"
    r"(?<!\w)what\s+(?:position|title)(?!\w))", re.IGNORECASE)


# The whole question is a name and what is asked of it: 'Who is Pham Minh Chinh?',
# 'Phạm Minh Chính là ai?', 'Ông Nguyễn Văn A giữ chức vụ gì?'.
_NAME = r"([^\W\d_][\w.]*(?:\s+[^\W\d_][\w.]*){1,4})"
_WHOLE_NAME = re.compile(
    r"^\s*(?:who(?:\s+is|\s+was|'s)\s+(?:mr\.?\s+|mrs\.?\s+|ms\.?\s+)?" + _NAME
    + r"\s*[?.!]*\s*$|(?:(?:ông|bà|ong|ba|đồng chí|dong chi)\s+)?" + _NAME
    + r"\s+(?:là\s+ai|la\s+ai|giữ\s+chức\s+vụ\s+gì|giu\s+chuc\s+vu\s+gi)\s*[?.!]*\s*$)",
    re.IGNORECASE)


def person_asked_about(question: str) -> str | None:
    """The name a question asks about when it is nothing but that name and 'who is' / 'là
    ai' / 'giữ chức vụ gì', the name written with capitals ('Who is Pham Minh Chinh?')."""
    m = _WHOLE_NAME.match(question[:2000])
    name = (m.group(1) or m.group(2)) if m else None
    # From a surname: 'Bí Thư Tỉnh Ủy là ai?' in Title Case asks for whoever holds a title.
    if name is None or not all(w[0].isupper() for w in name.split()) \
            or fold(norm(name.split()[0])) not in _FOLDED_SURNAMES:
        return None
    return name


_FOLDED_SURNAMES = frozenset(fold(s) for s in SURNAMES)


def asks_about_someone(question: str) -> bool:
    """Whether the question asks who someone is or what post they hold."""
    return _ABOUT_SOMEONE.search(question[:2000]) is not None


def names_in_question(question: str, names: Iterable[str]) -> list[str]:
    """The names among ``names`` the question names, in their order."""
    folded = f" {' '.join(fold(w) for w in syllables(question[:2000]))} "
    return [name for name in names
            if f" {' '.join(fold(w) for w in syllables(name))} " in folded]


def _asked_title_words(question: str) -> frozenset[str]:
    """The question's folded content words when it names a title, to rank the people whose
    title holds them first; empty when it names none ('Ai dự ngày hội?')."""
    words = [norm(w) for w in _Q_WORD.findall(question[:2000])]
    if looks_english(question) and _ENGLISH_TITLE_HEADS.intersection(words):
        return frozenset(t[1:] for t in english_query_terms(question[:2000]).terms
                         if "_" not in t) - QUESTION_WORDS - _GENERIC_WORDS
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


def _question_words(question: str) -> set[str]:
    """Folded content words of the question (what it is about, not what it asks)."""
    return {fold(w) for w in syllables(question)} - QUESTION_WORDS - _GENERIC_WORDS


def _overlap(words: set[str], text: str) -> float:
    """Share of the question's words found in ``text`` (0 when the question has none)."""
    if not words:
        return 0.0
    return len(words & {fold(w) for w in syllables(text)}) / len(words)



# What the question asks the people did, most specific first ('được trao' before 'trao').
_ROLE_PHRASES: tuple[tuple[Role, QIndex], ...] = (
    ("was_awarded", _q_phrases(
        "được trao; được tặng; được trao tặng; được khen thưởng; được nhận; được vinh danh; "
        "nhận bằng khen; nhận giấy khen; nhận huân chương; nhận giải; vinh dự nhận; "
        "received; receive; was awarded; were awarded; won")),
    ("awarded", _q_phrases(
        "trao; tặng; trao tặng; trao thưởng; trao giải; khen thưởng; handed; presented; "
        "gave awards; gave the awards; gave flowers; gave gifts; gave certificates; "
        "gave out; handed out; hand out; awarded")),
    ("presided", _q_phrases(
        "chủ trì; đồng chủ trì; chủ tọa; điều hành; chaired; chair; chairs; presided; "
        "hosted")),
    ("spoke", _q_phrases(
        "phát biểu; nói chuyện; spoke; speak; speaks; gave a speech; addressed")),
    ("attended", _q_phrases(
        "tham dự; dự; đến dự; về dự; có mặt; attended; attend; attends; present")),
)


# After a verb of handing out, who was given: 'Tô Lâm tặng quà cho ai?' asks who received
# them ('nộp đơn cho ai' asks no award).
_TO_WHOM = _q_phrases("cho ai; cho những ai; tặng ai; trao ai; to whom")


def question_role(question: str) -> Role | None:
    """The role a who-question asks about ('Ai phát biểu …?' -> 'spoke'); None if none."""
    words = [norm(w) for w in _Q_WORD.findall(question[:2000])]
    folded = not has_diacritics(question)
    for role, phrases in _ROLE_PHRASES:
        if _contains(words, phrases, folded):
            if role == "awarded" and _contains(words, _TO_WHOM, folded):
                return "was_awarded"
            return role
    return None
