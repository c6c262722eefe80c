"""Which hits' articles are about what the question names."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from ..text import QUESTION_WORDS, fold, syllables
from ..types import SearchHit
from .questions import _GENERIC_WORDS

# --- entry point -------------------------------------------------------------------------


# How much less of the question's telling words an article's passages may cover than the
# best article's before its people, dates and places are left out (another event).
TOPIC_MARGIN = 0.25


def _terms(text: str) -> set[str]:
    """Folded syllables and syllable bigrams of ``text``."""
    sylls = [fold(w) for w in syllables(text)]
    return set(sylls) | {a + "_" + b for a, b in pairwise(sylls)}


def topic_cover(question: str, hits: Sequence[SearchHit]) -> dict[str, float] | None:
    """The share of the question's telling words (in some of the hits' articles but not
    all: 'Cà Mau', 'Ninh Kiều') each article's passages hold; None when no word tells the
    articles apart (one article, or the question names nothing only some of them hold)."""
    files = list(dict.fromkeys(hit.source.file for hit in hits))
    if len(files) < 2:
        return None
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
        return None
    return {f: len(seen[f] & telling) / len(telling) for f in files}


def on_topic(question: str, hits: Sequence[SearchHit]) -> list[SearchHit]:
    """The hits of the articles that match what the question names as well as the best one.

    Passages of several articles are often about several events; only the question's
    telling words (``topic_cover``) can say which. With none, the best hit's article alone
    is kept.
    """
    cover = topic_cover(question, hits)
    if cover is None:
        return [hit for hit in hits if hit.source.file == hits[0].source.file] if hits else []
    best = max(cover.values())
    return [hit for hit in hits if cover[hit.source.file] >= best - TOPIC_MARGIN]


def touching_topic(question: str, hits: Sequence[SearchHit]) -> list[SearchHit]:
    """The hits of the articles that hold any of the question's telling words; all of them
    when no word tells the articles apart."""
    cover = topic_cover(question, hits)
    if cover is None:
        return list(hits)
    return [hit for hit in hits if cover[hit.source.file] > 0]
