"""Re-ranking's shortcuts change no result: word sketches never change which pairs are
duplicates, coverage from token keys equals the regex scan it replaced, and coverage of
many passages at once equals each passage's own."""

from __future__ import annotations

import bisect
import unicodedata

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from retrieval.coverage import (
    CoverageQuery,
    PassageTerms,
    sentence_coverages,
    terms_by_sentence,
)
from retrieval.rerank import COPY_JACCARD, SAME_ARTICLE_CONTAINMENT, is_duplicate
from retrieval.text import (
    find_syllables,
    fold,
    fold_in_place,
    query_terms,
    syllables,
)

from ..reliability.strategies import hostile_text


def word(number: int) -> str:
    """A syllable of letters only (one token), distinct for each number."""
    return "".join("abcdefghij"[int(digit)] for digit in str(number))


passage_words = st.sets(st.integers(0, 999).map(word), min_size=1, max_size=250)
# Changes of a few words (copies near COPY_JACCARD) or of many (containment near
# SAME_ARTICLE_CONTAINMENT), so pairs land on both sides of each threshold.
changed = st.one_of(st.integers(0, 12), st.integers(0, 80))


def exact(first: list[str], second: list[str], same_article: bool) -> bool:
    a, b = set(first), set(second)
    if not a or not b:
        return False
    shared = len(a & b)
    if same_article:
        return shared / min(len(a), len(b)) >= SAME_ARTICLE_CONTAINMENT
    return shared / len(a | b) >= COPY_JACCARD


@settings(max_examples=1000, deadline=None)
@given(words=passage_words, removed=changed, added=changed, same_article=st.booleans())
def test_duplicates_are_those_the_word_sets_say(words: set[str], removed: int, added: int,
                                                same_article: bool) -> None:
    first = sorted(words)
    second = first[removed:] + [f"new{word(n)}" for n in range(added)]
    terms = PassageTerms.of(" ".join(first)), PassageTerms.of(" ".join(second))
    article = 0 if same_article else 1
    assert is_duplicate(terms[0], 0, terms[1], article) == exact(first, second, same_article)
    assert is_duplicate(terms[1], article, terms[0], 0) == exact(second, first, same_article)


def test_a_copy_and_a_contained_passage_are_duplicates_and_others_are_not() -> None:
    story = " ".join(f"tu{word(n)}" for n in range(200))
    copy = PassageTerms.of(story + " Theo TTXVN")
    assert is_duplicate(PassageTerms.of(story), 0, copy, 1)
    half = PassageTerms.of(" ".join(f"tu{word(n)}" for n in range(100)))
    assert is_duplicate(half, 0, PassageTerms.of(story), 0)
    assert not is_duplicate(half, 0, PassageTerms.of(story), 1)  # another article: no copy
    other = PassageTerms.of(" ".join(f"khac{word(n)}" for n in range(200)))
    assert not is_duplicate(other, 0, copy, 0)


# Text with what tokenizing can trip on: marks left after folding, numbers with separators,
# letters against digits and underscores, sentence ends inside and between tokens.
piece = st.sampled_from([
    "Cà Mau", "ca mau", "Thanh Hóa", "Thanh Hoá", "ngày hội", "an ninh", "Tổ quốc", "1.000",
    "2022", "11/8/2022", "5km", "a_b", "TP.", "Hưng Mỹ.", "\n", ". ", "? ", "x\u0301y",
    unicodedata.normalize("NFD", "tham dự ngày hội"), "đ\u0323", "٣", "Ninh Kiều,", "là",
])
passage_text = st.lists(st.one_of(piece, hostile_text), max_size=30).map(" ".join)
question_text = st.lists(piece, min_size=1, max_size=8).map(" ".join)


def regex_terms_by_sentence(text: str, ends: tuple[int, ...], query: CoverageQuery
                            ) -> dict[int, set[int]]:
    """What coverage did before token keys: the question's syllables found by a regex
    scan of the folded text, bigrams where no token stands between."""
    found: dict[int, set[int]] = {}
    previous_sentence, previous_end, previous = -1, 0, ""
    for start, end, syllable in find_syllables(text, query.syllables):
        sentence = bisect.bisect_right(ends, start)
        terms = found.setdefault(sentence, set())
        unigram = query.unigrams.get(syllable)
        if unigram is not None:
            terms.add(unigram)
        bigram = query.bigrams.get((previous, syllable))
        if (bigram is not None and previous_sentence == sentence
                and not syllables(text[previous_end:start])):
            terms.add(bigram)
        previous_sentence, previous_end, previous = sentence, end, syllable
    return found


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=passage_text, question=question_text)
# Three marks stacked on a letter: past what the pattern's lookbehinds see.
@example(text="A\u0300\u0300\u0300CA", question="Cà Mau")
def test_coverage_from_token_keys_equals_the_regex_scan(text: str, question: str) -> None:
    terms = query_terms(question)
    query = CoverageQuery.of(terms, np.ones(len(terms.terms), dtype=np.float32))
    passage = PassageTerms.of(text)
    assert terms_by_sentence(passage.token_keys, passage.token_sentences, query) == (
        regex_terms_by_sentence(passage.folded, passage.sentence_ends, query))
    # A headline: one sentence, whatever its punctuation.
    whole = frozenset().union(*regex_terms_by_sentence(passage.folded, (), query).values())
    assert query.in_headline(passage.folded) == whole


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=passage_text, headline=question_text, question=question_text)
def test_syllables_found_by_key_are_those_the_regex_finds(text: str, headline: str,
                                                           question: str) -> None:
    # What the "not found" check reads of the best passage and the headline it carries.
    passage = PassageTerms.of(text, fold_in_place(headline))
    wanted = frozenset(fold(s) for s in syllables(question))
    by_regex = {s for _, _, s in find_syllables(passage.folded + "\n" + passage.headline,
                                                wanted)}
    assert {s for s in wanted if hash(s) in passage.keys_with_headline()} == by_regex


def coverage_one_by_one(passage: PassageTerms, query: CoverageQuery,
                        headline_weight: float) -> float:
    """Best-sentence coverage as first written: each sentence's terms as sets."""
    if query.total <= 0:
        return 0.0
    found = terms_by_sentence(passage.token_keys, passage.token_sentences, query)
    in_headline: frozenset[int] = frozenset()
    if headline_weight > 0 and passage.headline:
        in_headline = query.in_headline(passage.headline)
    weights = query.weights
    if not found:
        return headline_weight * sum(weights[t] for t in in_headline) / query.total
    return max(sum(weights[t] for t in terms)
               + headline_weight * sum(weights[t] for t in in_headline - terms)
               for terms in found.values()) / query.total


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(st.tuples(passage_text, st.one_of(st.just(""), question_text)),
                      min_size=1, max_size=6),
       question=question_text, headline_weight=st.sampled_from([0.0, 0.7, 1.0, 1.5]),
       weights=st.lists(st.floats(0.0, 5.0), min_size=40, max_size=40))
@example(texts=[("Ngày hội tại Cà Mau. Về phía Hưng Mỹ", "Ngày hội Rừng Thông"), ("", "Cà Mau"),
                ("mau về phía", "")],
         question="Ngày hội Cà Mau về phía Rừng Thông", headline_weight=0.7,
         weights=[1.0] * 40)
# 'mau_ve' would join two sentences.
@example(texts=[("Cà Mau. Về", "")], question="Mau về", headline_weight=0.0,
         weights=[1.0] * 40)
def test_coverage_of_many_passages_at_once_is_each_ones(
        texts: list[tuple[str, str]], question: str, headline_weight: float,
        weights: list[float]) -> None:
    terms = query_terms(question)
    query = CoverageQuery.of(terms, np.array(weights[:len(terms.terms)], dtype=np.float32))
    passages = [PassageTerms.of(text, fold_in_place(headline)) for text, headline in texts]
    together = sentence_coverages(passages, query, headline_weight)
    alone = [coverage_one_by_one(p, query, headline_weight) for p in passages]
    np.testing.assert_allclose(together, alone, rtol=1e-9, atol=1e-12)
