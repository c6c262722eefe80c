"""Vietnamese text handling: normalization, accent folding, sentences, lexical tokens.

Pure functions over ``str``; every span returned is an offset into the string passed in.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

# Characters that carry no text: C0/C1 controls (but not newline/tab), zero-width and
# bidi marks, BOM. They break token matching when pasted from web pages or chat apps.
# Lone surrogates (a JSON '\ud800' escape, undecodable argv bytes) cannot be encoded to
# UTF-8, which the embedder and the index files need.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
    "\ud800-\udfff]"
)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

# A syllable or number: letters (with their combining marks), digits, and digit groups
# such as 11,9 or 1.672.241 kept whole.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:[\u0300-\u036f]+[^\W\d_]*)*", re.UNICODE)


def _fold_table() -> dict[int, str | None]:
    """Precomposed Latin letters -> base letter, combining marks -> nothing, đ -> d."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in range(0xC0, 0x2000):
        char = chr(code)
        base = "".join(c for c in unicodedata.normalize("NFD", char)
                       if not unicodedata.combining(c))
        if base != char and len(base) == 1:
            table[code] = base
    for code in range(0x300, 0x370):
        table[code] = None
    return table


# str.translate with one table is ~20x faster than decomposing every string.
_FOLD_TABLE = _fold_table()


def clean(text: str) -> str:
    """NFC, invisible characters dropped, runs of spaces collapsed, lines kept."""
    # Dropped first: one between a letter and its mark ('a\u200b\u0301') would keep the
    # pair from composing.
    text = _INVISIBLE.sub("", text)
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _SPACES.sub(" ", text)


def clean_question(text: str) -> str:
    """A question on one line: ``clean`` plus newlines folded into spaces."""
    return " ".join(clean(text).split())


def fold(text: str) -> str:
    """Drop Vietnamese diacritics: 'Người đã tham dự' -> 'Nguoi da tham du'."""
    return text.translate(_FOLD_TABLE)


def has_diacritics(text: str) -> bool:
    """True when some letter carries a Vietnamese diacritic (or is đ)."""
    return any(fold(ch) != ch for ch in text if ch.isalpha())


@dataclass(frozen=True)
class Token:
    text: str  # lower-cased NFC
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """Syllables and numbers of ``text`` (expected NFC), lower-cased, with offsets."""
    return [Token(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def syllables(text: str) -> list[str]:
    return [m.group().lower() for m in _TOKEN.finditer(text)]


def has_syllables(text: str) -> bool:
    """``bool(syllables(text))`` without making the list (every article is checked)."""
    return _TOKEN.search(text) is not None


def is_unaccented_vietnamese(text: str) -> bool:
    """A question typed without diacritics: letters present, none accented."""
    return any(ch.isalpha() for ch in text) and not has_diacritics(text)


# --- sentences ---------------------------------------------------------------------------

# Abbreviations after which a period does not end a sentence (compared lower-cased).
ABBREVIATIONS = frozenset(
    {
        "tp", "ths", "ts", "pgs", "gs", "bs", "ks", "cn", "th.s", "pgs.ts", "gs.ts", "tt",
        "q", "p", "h", "x", "tx", "tr", "st", "nxb", "ubnd", "mr", "mrs", "dr", "vs", "no",
        "đ/c", "đc", "bsck", "ncs", "ls", "nsnd", "nsưt", "ttnd", "ttưt", "v.v", "tk",
    }
)
_LAST_WORD = re.compile(r"[\w./]+$")
_NEXT_CHAR = re.compile(r"\s*(\S)")
# A run of end marks (and closing quotes or brackets) before a space, or a line break. One
# leading character class lets the regex engine skip to candidates: 3× faster than the
# plain alternation, with the same matches (compared on 50,000 random strings).
_SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=\n)|[.!?…]*[\"'”’)\]]*(?=\s))")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the sentences of ``text``; whitespace between them is dropped.

    A period ends a sentence unless it follows a known abbreviation ('TP.', 'PGS.TS.') or
    a single capital letter (an initial), or the next word starts in lower case.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group() != "\n" and not _ends_sentence(text, match.start(), end):
            continue
        _append_span(text, start, end, spans)
        start = end
    _append_span(text, start, len(text), spans)
    return spans


def _ends_sentence(text: str, mark_start: int, mark_end: int) -> bool:
    if text[mark_start] == ".":
        # Only the word before the mark matters; searching the whole prefix was quadratic.
        word = _LAST_WORD.search(text, max(0, mark_start - 64), mark_start)
        if word:
            previous = word.group().lower().strip(".")
            if previous in ABBREVIATIONS or (len(previous) == 1 and previous.isalpha()):
                return False
    # Match in place: slicing the rest of the text at every sentence end was quadratic.
    following = _NEXT_CHAR.match(text, mark_end)
    return following is None or not following.group(1).islower()


def _append_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


# --- lexical features --------------------------------------------------------------------

# Question words and particles: they say what is asked, not what it is about, so they are
# not scored (compared after folding, so typed with or without diacritics).
QUESTION_WORDS = frozenset(
    fold(w)
    for w in (
        "ai gì nào đâu sao không chưa bao nhiêu mấy khi lúc giờ thế như vậy ạ à ư nhỉ nhé hả "
        "hãy cho biết là của và có được những các đã sẽ đang thì mà "
        "who what when where which why how whom whose did does do is are was were the a an "
        "of in at on to for by"
    ).split()
)


@dataclass(frozen=True)
class QueryTerms:
    """Weighted lexical terms of a question, in the index's term namespace."""

    terms: tuple[str, ...]
    weights: tuple[float, ...]


# A bigram counts three quarters of a syllable: 0.5-1.25 all measured within 0.01 of each
# other on uitqa-reg, 0.75 best on questions typed without diacritics (docs/benchmarks.md).
BIGRAM_WEIGHT = 0.75


def document_terms(text: str) -> list[str]:
    """Terms indexed for a passage: its syllables and syllable bigrams, accents folded.

    One folded term space means a question typed without diacritics scores exactly like the
    accented one; telling 'bão' from 'báo' is left to bigrams and to the dense side, which
    reads the accented text. Accented syllables and bigrams, indexed beside the folded ones,
    were 60 % of the postings and gained nothing measurable (docs/benchmarks.md). Terms
    carry a '~' prefix: the mark of a folded term in every stored index.
    """
    folded = [fold(s) for s in syllables(text)]
    terms = ["~" + f for f in folded]
    terms += ["~" + a + "_" + b for a, b in itertools.pairwise(folded)]
    return terms


def query_terms(question: str, *, bigram_weight: float = BIGRAM_WEIGHT) -> QueryTerms:
    """Terms of a question with their weights; question words are left out of unigrams."""
    folded = [fold(s) for s in syllables(question)]
    weighted: dict[str, float] = {}

    def add(term: str, weight: float) -> None:
        if weight > 0:
            weighted[term] = weighted.get(term, 0.0) + weight

    for syllable in folded:
        if syllable not in QUESTION_WORDS:
            add("~" + syllable, 1.0)
    for first, second in itertools.pairwise(folded):
        if first not in QUESTION_WORDS or second not in QUESTION_WORDS:
            add("~" + first + "_" + second, bigram_weight)
    return QueryTerms(tuple(weighted), tuple(weighted.values()))


# ``fold`` that keeps combining marks, so its output has its input's length and offsets into
# it are offsets into the text (NFC text rarely has marks left; they stay in their token).
# A string indexed by code point: str.translate reads it twice as fast as a dict (it leaves
# characters past its end as they are).
_FOLD_KEEPING_MARKS = "".join(
    chr(code) if code not in _FOLD_TABLE or 0x300 <= code < 0x370 else str(_FOLD_TABLE[code])
    for code in range(max(_FOLD_TABLE) + 1))
_MARK = re.compile("[\u0300-\u036f]")


def fold_in_place(text: str) -> str:
    """``text`` lower-cased and accent-folded, character for character (same length)."""
    lowered = text.lower()
    if len(lowered) != len(text):  # 'İ' lower-cases to 'i' and a combining dot
        lowered = "".join(c.lower()[0] for c in text)
    return lowered.translate(_FOLD_KEEPING_MARKS)


def _trie(rests: list[str], atom: Callable[[str], str], end: str) -> str:
    """A regex trie of ``rests`` ('' for a word that ends here): the engine tests each
    shared prefix once instead of once per word. It nests only where words branch (a
    question's one long token is a flat run of atoms, not a thousand nested groups)."""
    groups: dict[str, list[str]] = {}
    for rest in rests:
        if rest:
            groups.setdefault(rest[0], []).append(rest[1:])
    options = []
    for char, more in sorted(groups.items()):
        if len(set(more)) == 1:
            options.append("".join(map(atom, char + more[0])) + end)
        else:
            options.append(atom(char) + _trie(more, atom, end))
    if "" in rests:
        options.append(end)
    return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"


@functools.lru_cache(maxsize=512)
def _syllable_pattern(wanted: frozenset[str], with_marks: bool) -> re.Pattern[str]:
    # Over folded text, so plain characters: compiling classes of accented letters cost
    # ~4 ms per question. Shaped for the regex engine's fast scan: one leading character
    # class (the first letters or digits), lookbehinds that check a token starts there,
    # then a trie of the syllables (its first character tested by lookbehind, as it is
    # consumed). Checking the token start before the first character made every position
    # try every syllable: seven times slower. ``with_marks``: the text still has combining
    # marks, which belong to their letter's token, as in ``tokens``.
    marks = "[\u0300-\u036f]*" if with_marks else ""
    letter = r"[^\W\d_]"
    words = [w for w in wanted if w]
    syllables = [w for w in words if not w[0].isdigit()]
    numbers = [w for w in words if w[0].isdigit()]
    first = "".join(sorted({re.escape(w[0]) for w in words}))
    branches = []
    if syllables:
        end = rf"(?!{letter}|[\u0300-\u036f])" if with_marks else rf"(?!{letter})"
        not_in_word = rf"(?<!{letter}.)"
        tries = [f"(?<={re.escape(c)}){marks}"
                 + _trie([w[1:] for w in syllables if w[0] == c],
                         lambda char: re.escape(char) + marks, end)
                 for c in sorted({w[0] for w in syllables})]
        branches.append(not_in_word + "(?:" + "|".join(tries) + ")")
    if numbers:
        branches.append(
            r"(?<!\d.)(?<!\d[.,].)(?:"
            + "|".join(f"(?<={re.escape(w[0])}){re.escape(w[1:])}" for w in numbers)
            + r")(?![.,]?\d)")
    if not branches:
        return re.compile(r"(?!)")
    return re.compile(f"[{first}](?:{'|'.join(branches)})")


def find_syllables(folded: str, wanted: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    """(start, end, folded syllable) of each whole token of ``folded`` (a ``fold_in_place``
    text) whose folded form is in ``wanted``. Finding a question's few syllables this way
    costs a fraction of tokenizing the whole passage."""
    if _MARK.search(folded) is None:
        for match in _syllable_pattern(wanted, False).finditer(folded):
            yield match.start(), match.end(), match.group()
    else:
        for match in _syllable_pattern(wanted, True).finditer(folded):
            start = match.start()
            # The pattern's lookbehind sees one character back; marks after a letter, any
            # number of them, stay in the letter's token.
            before = start
            while before > 0 and "\u0300" <= folded[before - 1] <= "\u036f":
                before -= 1
            if before and before < start and _LETTER.match(folded[before - 1]) is not None:
                continue
            yield start, match.end(), _MARK.sub("", match.group())


_LETTER = re.compile(r"[^\W\d_]")


def sentence_tokens(folded: str, sentence_ends: Sequence[int]) -> list[list[str]]:
    """The tokens of each sentence of ``folded`` (a ``fold_in_place`` text, sentences ending
    at ``sentence_ends`` as ``sentence_spans`` gives them; one more list for any text past
    the last end), marks dropped: the tokens ``find_syllables`` matches, all of them. No
    token spans a sentence end: ends fall after punctuation or before a space."""
    marked = _MARK.search(folded) is not None
    out: list[list[str]] = []
    start = 0
    for end in [*sentence_ends, len(folded)]:
        found: list[str] = []
        # No token spans a space, and a word of letters only is one token: the regex is
        # left for the rest (it was most of the cost, run over every character).
        for word in folded[start:end].split():
            if word.isalpha():
                found.append(word)
            else:
                found += _TOKEN.findall(word)
        out.append([_MARK.sub("", token) for token in found] if marked else found)
        start = end
    return out


# Highlights: a syllable alone is shown when it weighs at least this share of the question's
# heaviest syllable; a run of syllables loses its ends lighter than LIGHT_SHARE.
DISTINCTIVE_SHARE = 0.5
LIGHT_SHARE = 0.25


# Passages repeat a few thousand syllables: highlighting asked for this ~20 times a passage.
@functools.lru_cache(maxsize=1 << 16)
def tone_key(syllable: str) -> tuple[str, ...]:
    """A syllable's letters and its marks in any order: 'hoá' and 'hóa', 'uỷ' and 'ủy' are
    one spelling with the tone mark placed by two conventions."""
    decomposed = unicodedata.normalize("NFD", syllable.lower())
    marks = sorted(c for c in decomposed if unicodedata.combining(c))
    return ("".join(c for c in decomposed if not unicodedata.combining(c)), *marks)


def match_spans(text: str, question: str, *, folded: str | None = None,
                weights: dict[str, float] | None = None) -> list[tuple[int, int]]:
    """Spans of ``text`` the question's distinctive words and phrases occupy.
    ``folded``: ``fold_in_place(text)`` when the caller has it already; ``weights``: the
    ranker's weight (idf) of each folded syllable, None to weigh them all alike.

    A question with diacritics matches each syllable as written, wherever the tone mark
    sits ('Thanh' is not 'Thành', 'đình' not 'định'); one typed without them matches any
    accent. A run of matched syllables is shown when it holds two that stand together in
    the question too (a phrase: 'Cà Mau'), its light ends ('ở', 'dân') dropped; a syllable
    alone only when it weighs much (``DISTINCTIVE_SHARE``) and is spelled as the question
    spells it and is not part of a name ('Hóa' of 'Thanh Hóa'), so 'ca mau' does not light
    up 'cá nhân' or 'cả nước'.
    """
    return Highlighter(question, weights).spans(text, folded)


class Highlighter:
    """``match_spans`` for one question, read once for all the passages shown."""

    def __init__(self, question: str, weights: dict[str, float] | None = None) -> None:
        asked = syllables(question)
        self.accented_question = has_diacritics(question)
        self.written: dict[str, set[tuple[str, ...]]] = {fold(s): set() for s in asked}
        for s in asked:
            self.written[fold(s)].add(tone_key(s))
        self.wanted = frozenset(self.written)
        self.pairs = set(itertools.pairwise(fold(s) for s in asked))
        # Syllables of a name the question writes ('Thanh Hóa', 'Tô Lâm': capitalized words
        # with only spaces between, acronyms aside) show only as the name.
        self.names: set[str] = set()
        name_run: list[Token] = []
        for token in [*tokens(question), None]:
            word = "" if token is None else question[token.start:token.end]
            titled = len(word) > 1 and word[0].isupper() and not word.isupper()
            if titled and token is not None and (
                    not name_run or not question[name_run[-1].end:token.start].strip()):
                name_run.append(token)
                continue
            if len(name_run) > 1:
                self.names.update(fold(t.text) for t in name_run)
            name_run = [token] if titled and token is not None else []
        heaviest = (max((weights.get(f, 0.0) for f in self.written), default=0.0)
                    if weights else 0.0)
        self.weights: dict[str, float] = {}
        for syllable in self.written:
            if syllable in QUESTION_WORDS:
                self.weights[syllable] = 0.0
            elif not weights or heaviest <= 0:
                self.weights[syllable] = 1.0
            else:  # unknown to the index: rare
                self.weights[syllable] = weights.get(syllable, heaviest) / heaviest

    def spans(self, text: str, folded: str | None = None) -> list[tuple[int, int]]:
        """The spans of ``text`` to show (``folded``: ``fold_in_place(text)``, if known)."""
        if folded is None:
            folded = fold_in_place(text)
        weight = self.weights.__getitem__
        runs: list[list[tuple[int, int, str, bool]]] = []
        run_end = -1
        for start, end, syllable in find_syllables(folded, self.wanted):
            exact = tone_key(text[start:end]) in self.written[syllable]
            if self.accented_question and not exact:
                continue  # another accent of a word the question spelled out
            gap = text[run_end:start]
            if not runs or gap.strip() or "\n" in gap:
                runs.append([])
            runs[-1].append((start, end, syllable, exact))
            run_end = end
        spans: list[tuple[int, int]] = []
        for run in runs:
            while len(run) > 1 and weight(run[0][2]) < LIGHT_SHARE:
                run = run[1:]
            while len(run) > 1 and weight(run[-1][2]) < LIGHT_SHARE:
                run = run[:-1]
            if any((a[2], b[2]) in self.pairs for a, b in itertools.pairwise(run)):
                spans.append((run[0][0], run[-1][1]))
                continue
            for start, end, syllable, exact in run:
                if (weight(syllable) >= DISTINCTIVE_SHARE and syllable not in self.names
                        and (exact or syllable[0].isdigit())):
                    if (spans and not text[spans[-1][1]:start].strip()
                            and spans[-1][1] <= start):
                        spans[-1] = (spans[-1][0], end)
                    else:
                        spans.append((start, end))
        return spans


def merged_spans(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """``spans`` in order, overlapping ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(offset, line) for each line of ``text``."""
    offset = 0
    for line in text.split("\n"):
        yield offset, line
        offset += len(line) + 1


# --- language ----------------------------------------------------------------------------

# The shape of a Vietnamese syllable once folded: onset, one to three vowels, final consonant.
_VIETNAMESE_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_ACRONYM = re.compile(r"[A-ZĐ]{2,}\w*")
# English words no Vietnamese question is made of (folded Vietnamese has 'the', 'to', 'an').
_ENGLISH_WORDS = frozenset(
    "what who whom whose when where which why how is are was were did does has have had "
    "of and with from for by this that these those there many much been will would can "
    "could should about tell show give list find please their they his her its into after "
    "before during between against".split())


def is_vietnamese_syllable(word: str) -> bool:
    """Whether ``word``, folded, has the shape of a Vietnamese syllable ('thanh', not 'who')."""
    return _VIETNAMESE_SYLLABLE.fullmatch(fold(word.lower())) is not None


def looks_english(text: str) -> bool:
    """A question in English rather than Vietnamese typed without diacritics: many of its
    words cannot be Vietnamese syllables ('who', 'festival') and one is an English function
    word. Acronyms and numbers do not count either way, nor, in the share, capitalised
    words after the first: Vietnamese names ('To Lam', 'Ca Mau') are syllables in either
    language."""
    if has_diacritics(text):
        return False
    words = [m.group() for m in _TOKEN.finditer(text)
             if not m.group()[0].isdigit() and not _ACRONYM.fullmatch(m.group())]
    if not words:
        return False
    lowered = [w.lower() for w in words]
    foreign = sum(_VIETNAMESE_SYLLABLE.fullmatch(w) is None for w in lowered)
    common = 1 + sum(not w[0].isupper() for w in words[1:])
    return (foreign >= 2 and foreign >= 0.3 * common
            and any(w in _ENGLISH_WORDS for w in lowered))
