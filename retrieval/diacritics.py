"""Restoring the diacritics of a question typed without them, from the collection's own text.

A syllable bigram model of the indexed passages: for 'tham du ngay hoi' every folded
syllable proposes the accented forms seen in the articles, and a Viterbi pass picks the
sequence the articles make most likely ('tham dự ngày hội'). The dense model only
understands accented Vietnamese, so this is what lets it help unaccented questions.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .text import fold, syllables

_MAX_CANDIDATES = 8
_MAX_BIGRAMS = 2_000_000
_BACKOFF = 0.4
_MIN_KNOWN_SHARE = 0.6
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


class DiacriticRestorer:
    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int]) -> None:
        self._unigrams = unigrams
        self._bigrams = bigrams
        self._total = max(sum(unigrams.values()), 1)
        self._candidates: dict[str, list[str]] = {}
        for word, _count in sorted(unigrams.items(), key=lambda item: -item[1]):
            options = self._candidates.setdefault(fold(word), [])
            if len(options) < _MAX_CANDIDATES:
                options.append(word)

    @classmethod
    def fit(cls, texts: Iterable[str]) -> DiacriticRestorer:
        return cls._counted(Counter(), Counter(), texts)

    def extended(self, texts: Iterable[str]) -> DiacriticRestorer | None:
        """What ``fit`` gives for the texts these statistics came from followed by ``texts``
        (counts add up, new words come after the known ones), or None when these were
        pruned (pairs seen once dropped: the full counts are gone; fit all texts again)."""
        if self._bigrams and min(self._bigrams.values()) > 1:
            return None
        return self._counted(Counter(self._unigrams), Counter(self._bigrams), texts)

    @classmethod
    def _counted(cls, unigrams: Counter[str], bigrams: Counter[str],
                 texts: Iterable[str]) -> DiacriticRestorer:
        for text in texts:
            sylls = syllables(text)
            unigrams.update(sylls)
            bigrams.update(f"{a} {b}" for a, b in itertools.pairwise(sylls))
        if len(bigrams) > _MAX_BIGRAMS:
            # Keep the model small on big collections: pairs seen once say little.
            bigrams = Counter({k: v for k, v in bigrams.items() if v > 1})
        return cls(dict(unigrams), dict(bigrams))

    def save(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({"unigrams": self._unigrams, "bigrams": self._bigrams}, handle,
                      ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def load(cls, path: Path) -> DiacriticRestorer:
        with open(path, encoding="utf-8") as handle:
            data: dict[str, Any] = json.load(handle)
        return cls(data["unigrams"], data["bigrams"])

    def restore(self, text: str) -> str:
        """``text`` with each unaccented word given its most likely accents; the rest kept."""
        words = list(_WORD.finditer(text))
        known = sum(1 for m in words if fold(m.group().lower()) in self._candidates)
        # Mostly unknown words: not Vietnamese (an English question); leave it alone.
        if not words or known < _MIN_KNOWN_SHARE * len(words):
            return text
        lattice = [self._options(m.group().lower()) for m in words]
        best = self._viterbi(lattice)
        pieces: list[str] = []
        previous = 0
        for match, choice in zip(words, best, strict=True):
            pieces.append(text[previous:match.start()])
            pieces.append(_match_case(match.group(), choice))
            previous = match.end()
        pieces.append(text[previous:])
        return "".join(pieces)

    def _options(self, word: str) -> list[str]:
        if fold(word) != word:  # already accented: the person's spelling wins
            return [word]
        return self._candidates.get(word, [word])

    def _unigram_logp(self, word: str) -> float:
        return math.log((self._unigrams.get(word, 0) + 0.1) / self._total)

    def _viterbi(self, lattice: list[list[str]]) -> list[str]:
        scores = [self._unigram_logp(word) for word in lattice[0]]
        back: list[list[int]] = []
        for options in lattice[1:]:
            new_scores: list[float] = []
            pointers: list[int] = []
            for word in options:
                best_score, best_prev = -math.inf, 0
                for index, prev in enumerate(lattice[len(back)]):
                    score = scores[index] + self._transition(prev, word)
                    if score > best_score:
                        best_score, best_prev = score, index
                new_scores.append(best_score)
                pointers.append(best_prev)
            scores = new_scores
            back.append(pointers)
        position = max(range(len(scores)), key=scores.__getitem__)
        path = [position]
        for pointers in reversed(back):
            position = pointers[position]
            path.append(position)
        path.reverse()
        return [options[i] for options, i in zip(lattice, path, strict=True)]

    def _transition(self, previous: str, word: str) -> float:
        pair = self._bigrams.get(f"{previous} {word}", 0)
        prev_count = self._unigrams.get(previous, 0)
        if pair:
            return math.log(pair / prev_count)
        return math.log(_BACKOFF) + self._unigram_logp(word)


def _match_case(original: str, restored: str) -> str:
    if original.isupper() and len(original) > 1:
        return restored.upper()
    if original[:1].isupper():
        return restored[:1].upper() + restored[1:]
    return restored
