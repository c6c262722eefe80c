"""A passage's words as re-ranking reads them (``PassageTerms``: folded text, sentence ends,
token keys, word sketch) and the share of a question's terms its best sentence holds
(``sentence_coverages``): what ``rerank`` scores the top candidates by.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np

from .store.protocol import FloatArray
from .text import QueryTerms, fold_in_place, sentence_spans, sentence_tokens

TermKeys = np.ndarray[Any, np.dtype[np.int64]]
SentenceNumbers = np.ndarray[Any, np.dtype[np.int32]]


@dataclass(frozen=True)
class PassageTerms:
    """What re-ranking and collapsing need of a passage, kept per passage between searches:
    its text folded in place (see ``fold_in_place``), where its sentences end, its
    distinct folded syllables as keys (in-process hashes) for near-duplicate checks, and
    the headline of its article, folded the same way and shared by the article's
    passages, when the passage does not hold it itself.

    Every new candidate of a search needs one, so it is a few C-level calls: tokenizing
    and folding every syllable of the passage made it a third of a search.
    """

    folded: str
    sentence_ends: tuple[int, ...]
    words: TermKeys
    # Each token of ``folded`` (``text.sentence_tokens``) as a key, and the sentence
    # it lies in: coverage finds a question's syllables by comparing keys, not by a regex
    # scan of the text per question.
    token_keys: TermKeys
    token_sentences: SentenceNumbers
    headline: str = ""
    # The syllables' keys hashed onto SKETCH_BITS bits: two passages' sketches differ in
    # at most as many bits as the passages differ in syllables, which rules most pairs out
    # of being duplicates without comparing them.
    sketch: int = 0

    @classmethod
    def of(cls, text: str, folded_headline: str = "") -> PassageTerms:
        folded = fold_in_place(text)
        ends = tuple(end for _, end in sentence_spans(text))
        token_keys, token_sentences = token_index(folded, ends)
        words = np.unique(token_keys)
        return cls(folded, ends, words, token_keys, token_sentences, folded_headline,
                   word_sketch(words))

    def keys_with_headline(self) -> set[int]:
        """Keys of the syllables in the passage and in the headline it carries."""
        keys = set(self.words.tolist())
        if self.headline:
            keys.update(token_index(self.headline, ())[0].tolist())
        return keys


def token_index(folded: str, sentence_ends: tuple[int, ...]) -> tuple[TermKeys,
                                                                       SentenceNumbers]:
    """The key (hash) of each token of a folded text, marks dropped, and the number of the
    sentence it lies in (``sentence_ends`` as ``sentence_spans`` gives them)."""
    by_sentence = sentence_tokens(folded, sentence_ends)
    count = sum(map(len, by_sentence))
    keys = np.fromiter(map(hash, itertools.chain.from_iterable(by_sentence)), dtype=np.int64,
                       count=count)
    sentences = np.repeat(np.arange(len(by_sentence), dtype=np.int32),
                          [len(tokens) for tokens in by_sentence])
    return keys, sentences


SKETCH_BITS = 1024


def word_sketch(keys: TermKeys) -> int:
    """The bits ``keys`` set, one bit each of SKETCH_BITS (as ``int``: Python's AND and
    bit count over it take well under a microsecond)."""
    flags = np.zeros(SKETCH_BITS, dtype=bool)
    flags[keys & (SKETCH_BITS - 1)] = True
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


@dataclass(frozen=True)
class CoverageQuery:
    """A question's folded terms with their weight × idf, made once per search for
    ``best_sentence_coverage`` over many passages: its syllables, and the
    number of each syllable and bigram term."""

    syllables: frozenset[str]
    unigrams: dict[str, int]
    bigrams: dict[tuple[str, str], int]
    weights: tuple[float, ...]
    total: float
    # Each syllable by its key (as ``PassageTerms.token_keys`` holds them).
    syllable_of: dict[int, str] = field(default_factory=dict)
    # The same as arrays, for ``sentence_coverages``: the syllables' keys sorted, the
    # unigram term of each (-1: none), the bigram term of each pair of them (row: first
    # syllable; -1: none), and the terms' weights.
    keys: TermKeys = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    unigram_at: np.ndarray[Any, np.dtype[np.int64]] = field(
        default_factory=lambda: np.zeros(0, dtype=np.int64))
    bigram_at: np.ndarray[Any, np.dtype[np.int64]] = field(
        default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    weight_array: np.ndarray[Any, np.dtype[np.float64]] = field(
        default_factory=lambda: np.zeros(0))
    # The question's terms in each headline seen in this search: passages of one article
    # share it, so it is scanned once.
    _in_headline: dict[str, frozenset[int]] = field(default_factory=dict, compare=False,
                                                    repr=False)

    def in_headline(self, folded_headline: str) -> frozenset[int]:
        found = self._in_headline.get(folded_headline)
        if found is None:
            keys, sentences = token_index(folded_headline, ())
            found = frozenset().union(*terms_by_sentence(keys, sentences, self).values())
            self._in_headline[folded_headline] = found
        return found

    @classmethod
    def of(cls, query: QueryTerms, idf: FloatArray) -> CoverageQuery:
        weighted: dict[str, float] = {}
        for term, weight, w_idf in zip(query.terms, query.weights, idf.tolist(), strict=True):
            if term.startswith("~") and w_idf > 0:
                weighted[term] = weighted.get(term, 0.0) + weight * w_idf
        unigrams: dict[str, int] = {}
        bigrams: dict[tuple[str, str], int] = {}
        for number, term in enumerate(weighted):
            first, _, second = term[1:].partition("_")
            if second:
                bigrams[first, second] = number
            else:
                unigrams[first] = number
        wanted = frozenset(unigrams) | {s for pair in bigrams for s in pair}
        syllable_of = {hash(syllable): syllable for syllable in wanted}
        keys = np.array(sorted(syllable_of), dtype=np.int64)
        at = {syllable_of[int(key)]: i for i, key in enumerate(keys.tolist())}
        unigram_at = np.full(len(keys), -1, dtype=np.int64)
        for syllable, number in unigrams.items():
            unigram_at[at[syllable]] = number
        bigram_at = np.full((len(keys), len(keys)), -1, dtype=np.int64)
        for (first, second), number in bigrams.items():
            bigram_at[at[first], at[second]] = number
        return cls(wanted, unigrams, bigrams, tuple(weighted.values()),
                   sum(weighted.values()), syllable_of, keys, unigram_at, bigram_at,
                   np.array(list(weighted.values()), dtype=np.float64))


def sentence_coverages(passages: Sequence[PassageTerms], query: CoverageQuery,
                       headline_weight: float = 0.0) -> np.ndarray[Any, np.dtype[np.float64]]:
    """``best_sentence_coverage`` of each passage, all found in one pass over their tokens
    (a loop over each passage's tokens was a fifth of a search over a small collection)."""
    out = np.zeros(len(passages))
    if query.total <= 0 or not passages or not len(query.keys):
        return out
    weights = query.weight_array
    # The question's terms in each passage's headline: their weight, and (headline_at) the
    # weight a term found in one of the passage's sentences no longer takes from it.
    headline_at = np.zeros((len(passages), len(weights)))
    if headline_weight > 0:
        for row, passage in enumerate(passages):
            if passage.headline:
                headline_at[row, list(query.in_headline(passage.headline))] = 1.0
    headline_only = headline_weight * (headline_at @ weights)
    lengths = [len(passage.token_keys) for passage in passages]
    keys = np.concatenate([passage.token_keys for passage in passages])
    at = np.minimum(np.searchsorted(query.keys, keys), len(query.keys) - 1)
    hit = np.flatnonzero(query.keys[at] == keys)  # tokens that are a question syllable
    owner = np.repeat(np.arange(len(passages)), lengths)[hit]
    sentence = np.concatenate([passage.token_sentences for passage in passages])[hit]
    syllable = at[hit]
    # A token's unigram, and the bigram it ends when the token before it (in the same
    # passage and sentence) is a question syllable too.
    next_to = ((hit[1:] == hit[:-1] + 1) & (owner[1:] == owner[:-1])
               & (sentence[1:] == sentence[:-1]))
    bigram = np.full(len(hit), -1, dtype=np.int64)
    bigram[1:][next_to] = query.bigram_at[syllable[:-1][next_to], syllable[1:][next_to]]
    term = np.concatenate([query.unigram_at[syllable], bigram])
    # Each sentence found as one number (passage × span + sentence), and each of its terms
    # once (sentence × terms + term).
    span = int(sentence.max(initial=0)) + 1
    found = owner.astype(np.int64) * span + sentence
    keep = term >= 0
    pairs = np.unique(np.concatenate([found, found])[keep] * len(weights) + term[keep])
    in_sentence, terms = np.divmod(pairs, len(weights))
    with_terms, first = np.unique(in_sentence, return_index=True)
    rows = with_terms // span
    # A sentence's terms count whole; the headline's share of those it also holds goes.
    gained = weights[terms] * (1 - headline_weight * headline_at[in_sentence // span, terms])
    best = np.full(len(passages), -np.inf)
    if len(first):
        np.maximum.at(best, rows, np.add.reduceat(gained, first) + headline_only[rows])
    # No sentence with a term, or one holding only syllables of bigrams it lacks: the
    # headline's share is what that sentence has.
    bare = (np.bincount(np.unique(found) // span, minlength=len(passages))
            > np.bincount(rows, minlength=len(passages))) | ~np.isfinite(best)
    best[bare] = np.maximum(best[bare], headline_only[bare])
    return best / query.total


def best_sentence_coverage(passage: PassageTerms, query: CoverageQuery,
                           headline_weight: float = 0.0) -> float:
    """Share of the question's idf mass found in the passage's best single sentence.

    BM25 scores a passage as a bag of words; this rewards the passage where the question's
    words stand together, as they do in the sentence that answers it. Terms are the
    index's: folded syllables, and bigrams of syllables next to each other in a sentence.

    A news passage often leaves to the headline what the whole article is about (the
    place, the event): question terms found only in the article's headline count at
    ``headline_weight``, so among many look-alike articles the passage that answers still
    comes from the article the question names (measured: docs/benchmarks.md).
    """
    return float(sentence_coverages([passage], query, headline_weight)[0])


def terms_by_sentence(token_keys: TermKeys, token_sentences: SentenceNumbers,
                      query: CoverageQuery) -> dict[int, set[int]]:
    """The question's terms (their numbers in ``query``) found in each sentence of a text,
    given as its tokens' keys and sentences (``token_index``)."""
    found: dict[int, set[int]] = {}
    syllables = list(map(query.syllable_of.get, token_keys.tolist()))
    sentences = token_sentences
    previous_token, previous_sentence, previous = -2, -1, ""
    for token in itertools.compress(range(len(syllables)), syllables):
        syllable = cast(str, syllables[token])  # compress kept the tokens that have one
        sentence = int(sentences[token])
        terms = found.setdefault(sentence, set())
        unigram = query.unigrams.get(syllable)
        if unigram is not None:
            terms.add(unigram)
        bigram = query.bigrams.get((previous, syllable))
        # Next to each other: no token between them.
        if bigram is not None and previous_sentence == sentence and previous_token == token - 1:
            terms.add(bigram)
        previous_token, previous_sentence, previous = token, sentence, syllable
    return found
