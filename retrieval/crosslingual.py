"""An English question's lexical terms in Vietnamese.

The articles are Vietnamese: of an English question only the names ('To Lam', 'Ca Mau')
match them word for word. Its other words are looked up in ``glossary`` and scored as
the Vietnamese the articles write ('festival' -> 'ngày hội', 'lễ hội'), so BM25 and the
best-sentence coverage weigh what the question asks and not only where.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from .glossary import GLOSSARY
from .text import (
    BIGRAM_WEIGHT,
    QUESTION_WORDS,
    QueryTerms,
    fold,
    is_vietnamese_syllable,
    syllables,
    tokens,
)

# 'people's committee' -> 'people committee': the possessive is not a word.
_POSSESSIVE = re.compile(r"['’]s\b")

# Words that say how the question is put, not what it is about.
_FUNCTION_WORDS = frozenset(
    "what who whom whose when where which why how is are was were be been being am did do "
    "does done has have had having the a an of in on at to for by with from into onto about "
    "as and or but nor than then so such that this these those there here it its they them "
    "their he him his she her we us our you your i me my mine will would can could should "
    "shall may might must also any some all each every many much more most other another "
    "not no yes very only just please tell show give list find name named according "
    "after before during since until while between against among within without over under "
    "up down out off again still ever if whether one ones s".split())

# Past forms the suffix rules below do not undo.
_IRREGULAR = {
    "said": "say", "told": "tell", "spoke": "speak", "spoken": "speak", "held": "hold",
    "gave": "give", "given": "give", "took": "take", "taken": "take", "met": "meet",
    "won": "win", "fell": "fall", "rose": "rise", "built": "build", "led": "lead",
    "sent": "send", "paid": "pay", "began": "begin", "begun": "begin", "went": "go",
    "came": "come", "became": "become", "chose": "choose", "chosen": "choose",
    "men": "man", "women": "woman", "children": "child", "people": "people",
    "died": "die", "dying": "die", "caught": "catch", "brought": "bring", "sought": "seek",
}


def _lemmas(word: str) -> tuple[str, ...]:
    """``word`` and the base forms it may be an inflection of ('households' -> 'household',
    'praised' -> 'praise', 'carried' -> 'carry'); the glossary keeps whichever it has."""
    found: list[str] = []
    for suffix, replacements in (("ies", ("y",)), ("ied", ("y",)), ("es", ("", "e")),
                                 ("s", ("",)), ("ed", ("", "e")), ("ing", ("", "e"))):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[:-len(suffix)]
            found.extend(stem + r for r in replacements)
            if suffix in ("ed", "ing") and len(stem) > 2 and stem[-1] == stem[-2]:
                found.append(stem[:-1])  # 'planned' -> 'plan', 'committed' -> 'commit'
    # The longest base first: 'wines' is 'wine' before it is 'win'.
    ordered = sorted(dict.fromkeys(found), key=len, reverse=True)
    return (word, *([_IRREGULAR[word]] if word in _IRREGULAR else []), *ordered)


def _english_words(text: str) -> list[str]:
    return syllables(_POSSESSIVE.sub("", text))


@cache
def _glossary() -> tuple[dict[tuple[str, ...], tuple[str, ...]], int]:
    """English phrase (its words) -> its Vietnamese renderings as the glossary writes them,
    and the longest phrase's length."""
    entries: dict[tuple[str, ...], list[str]] = {}
    for line in GLOSSARY.strip().splitlines():
        english, vietnamese = line.split("=")
        renderings = [" ".join(v.split()) for v in vietnamese.split(";")]
        for form in english.split("|"):
            known = entries.setdefault(tuple(_english_words(form)), [])
            known.extend(r for r in renderings if r and r not in known)
    return ({k: tuple(v) for k, v in entries.items()},
            max(len(k) for k in entries))


def _is_syllable(token: str) -> bool:
    return token[:1].isupper() and is_vietnamese_syllable(token)


def _is_name_word(words: list[str], position: int) -> bool:
    """'Son' of 'Dong Son', 'Can' of 'Can Tho': a capitalised Vietnamese syllable names
    someone or somewhere, whatever it means in English; the first word of the question
    only when a second such syllable follows ('To Lam said …', not 'Do they …')."""
    if not _is_syllable(words[position]):
        return False
    return position > 0 or (len(words) > 1 and _is_syllable(words[1]))


@dataclass(frozen=True)
class Piece:
    """A stretch of an English question: words kept as written (a name, an acronym, a word
    the glossary lacks), or one glossary word or phrase and its Vietnamese renderings."""

    as_written: tuple[str, ...] = ()
    renderings: tuple[str, ...] = ()
    # 'Can Tho University': the name the head word follows, which Vietnamese writes after
    # it ('Đại học Cần Thơ').
    named: tuple[str, ...] = ()


def _glossary_phrase(words: list[str], lowered: list[str], i: int
                     ) -> tuple[int, tuple[str, ...]] | None:
    """The longest glossary phrase at ``words[i]``: its length and renderings."""
    glossary, longest = _glossary()
    for size in range(min(longest, len(words) - i), 0, -1):
        if any(_is_name_word(words, j) for j in range(i, i + size)):
            continue
        for phrase in itertools.product(*(_lemmas(w) for w in lowered[i:i + size])):
            renderings = glossary.get(phrase)
            if renderings:
                return size, renderings
    return None


# Words that follow a name in English and precede it in Vietnamese ('Dong Son district':
# 'huyện Đông Sơn').
_HEADS_AFTER_NAME = frozenset(
    "university college hospital clinic school province district city town township commune "
    "ward village hamlet company bank bridge road street highway island market".split())


def _names_a_place(words: list[str], lowered: list[str], i: int, size: int) -> bool:
    """Whether the glossary phrase at ``words[i]`` is a head word right after a name."""
    return (i > 0 and _is_name_word(words, i - 1)
            and any(lemma in _HEADS_AFTER_NAME for lemma in _lemmas(lowered[i + size - 1])))


# A search reads its question for its terms, its highlights and perhaps a title asked.
@lru_cache(maxsize=256)
def read_english(question: str) -> tuple[Piece, ...]:
    """``question`` as pieces; function words dropped."""
    text = _POSSESSIVE.sub("", question)
    words = [text[t.start:t.end] for t in tokens(text)]  # as written: capitals tell names
    lowered = [w.lower() for w in words]
    pieces: list[Piece] = []
    run: list[str] = []  # words kept as written, one piece for their bigrams

    def close_run() -> None:
        if run:
            pieces.append(Piece(as_written=tuple(run)))
            run.clear()

    i = 0
    while i < len(words):
        found = None if _is_name_word(words, i) else _glossary_phrase(words, lowered, i)
        if found is not None:
            named: tuple[str, ...] = ()
            if _names_a_place(words, lowered, i, found[0]):
                # The name is the capitalised words the head word follows, not all the run.
                start = len(run)
                while start > 0 and run[start - 1][:1].isupper():
                    start -= 1
                named = tuple(run[start:])
            close_run()
            pieces.append(Piece(renderings=found[1], named=named))
            i += found[0]
            continue
        if lowered[i] in _FUNCTION_WORDS and not _is_name_word(words, i):
            close_run()
        else:
            run.append(words[i])
        i += 1
    close_run()
    return tuple(pieces)


def english_query_terms(question: str, *, bigram_weight: float = BIGRAM_WEIGHT
                        ) -> QueryTerms:
    """The terms of an English question: the Vietnamese of its glossary words, each
    rendering of a word sharing that word's weight, and its other words (names, acronyms,
    numbers) as written, as ``query_terms`` scores them."""
    weighted: dict[str, float] = {}

    def add(syllables: list[str], weight: float, as_written: bool) -> None:
        for syllable in syllables:
            # Vietnamese renderings keep 'an' (công an) and 'to' (tổ quốc).
            if not as_written or syllable not in QUESTION_WORDS:
                weighted["~" + syllable] = weighted.get("~" + syllable, 0.0) + weight
        for first, second in itertools.pairwise(syllables):
            term = "~" + first + "_" + second
            weighted[term] = weighted.get(term, 0.0) + weight * bigram_weight

    for piece in read_english(question):
        add([fold(w.lower()) for w in piece.as_written], 1.0, as_written=True)
        for rendering in piece.renderings:
            share = 1.0 / len(piece.renderings)
            add([fold(s) for s in rendering.split()], share, as_written=False)
            if piece.named:
                term = f"~{fold(rendering.split()[-1])}_{fold(piece.named[0].lower())}"
                weighted[term] = weighted.get(term, 0.0) + share * bigram_weight
    return QueryTerms(tuple(weighted), tuple(weighted.values()))


def rendering_pattern(question: str) -> re.Pattern[str] | None:
    """Where a passage says an English question's glossary words in Vietnamese, for
    highlighting ('Bí thư' for 'Party Secretary'): a pattern over ``fold_in_place`` text;
    None when there are none. Renderings of one syllable ('tỉnh', 'bộ') are in too many
    passages to show."""
    phrases = {fold(r) for piece in read_english(question) for r in piece.renderings
               if " " in r}
    if not phrases:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(
        r"\s+".join(map(re.escape, p.split())) for p in sorted(phrases, key=len, reverse=True)
    ) + r")(?!\w)")
