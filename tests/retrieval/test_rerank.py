"""Collapsing near-duplicates: the word sketches that rule pairs out never change which
pairs are duplicates."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.rerank import (
    COPY_JACCARD,
    SAME_ARTICLE_CONTAINMENT,
    PassageTerms,
    is_duplicate,
)

passage_words = st.sets(st.integers(0, 999).map(lambda n: f"w{n}"), min_size=1, max_size=250)
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
    second = first[removed:] + [f"new{n}" for n in range(added)]
    terms = PassageTerms.of(" ".join(first)), PassageTerms.of(" ".join(second))
    article = 0 if same_article else 1
    assert is_duplicate(terms[0], 0, terms[1], article) == exact(first, second, same_article)
    assert is_duplicate(terms[1], article, terms[0], 0) == exact(second, first, same_article)


def test_a_copy_and_a_contained_passage_are_duplicates_and_others_are_not() -> None:
    story = " ".join(f"tu{n}" for n in range(200))
    copy = PassageTerms.of(story + " Theo TTXVN")
    assert is_duplicate(PassageTerms.of(story), 0, copy, 1)
    half = PassageTerms.of(" ".join(f"tu{n}" for n in range(100)))
    assert is_duplicate(half, 0, PassageTerms.of(story), 0)
    assert not is_duplicate(half, 0, PassageTerms.of(story), 1)  # another article: no copy
    other = PassageTerms.of(" ".join(f"khac{n}" for n in range(200)))
    assert not is_duplicate(other, 0, copy, 0)
