"""Normalized words and phrase sets (the gazetteer's building blocks)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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

