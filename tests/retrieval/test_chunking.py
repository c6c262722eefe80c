"""Chunking: slices of the body, every sentence covered, sized in tokens, overlapping."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.chunking import chunk_article
from retrieval.text import clean, sentence_spans
from retrieval.types import Article


def words_as_tokens(text: str) -> int:
    """A stand-in tokenizer: two special tokens plus one per word (or 20 chars)."""
    return 2 + sum(1 + len(word) // 20 for word in text.split())


def make(body: str) -> Article:
    return Article(file="a.txt", title="Tiêu đề", date=None, body=body, content_hash="h")


sentence = st.lists(
    st.sampled_from(["Ông", "Nguyễn", "Văn", "A", "dự", "ngày", "hội", "TP.", "tại", "Cà",
                     "Mau", "x" * 45, "11,9%", "“Ngày", "hội”"]),
    min_size=1, max_size=40,
).map(lambda words: " ".join(words) + ".")
bodies = st.lists(st.lists(sentence, min_size=1, max_size=6).map(" ".join),
                  min_size=1, max_size=8).map("\n\n".join)


@settings(max_examples=150, deadline=None)
@given(bodies, st.integers(16, 80), st.integers(0, 2))
def test_every_sentence_lands_in_a_chunk_and_chunks_are_slices(
    body: str, max_tokens: int, overlap: int
) -> None:
    article = make(body)
    chunks = chunk_article(article, words_as_tokens, max_tokens, overlap)
    assert chunks
    for chunk in chunks:
        assert body[chunk.start:chunk.end] == chunk.text
    for start, end in sentence_spans(body):
        assert any(c.start <= start and end <= c.end for c in chunks) or all(
            # a sentence over the budget is cut at spaces: its pieces are all covered
            any(c.start <= i < c.end for c in chunks)
            for i in range(start, end) if not body[i].isspace()
        )


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=2000), st.integers(16, 64))
def test_arbitrary_text_chunks_are_slices_within_budget(text: str, max_tokens: int) -> None:
    body = clean(text)
    chunks = chunk_article(make(body), words_as_tokens, max_tokens, 1)
    for chunk in chunks:
        assert body[chunk.start:chunk.end] == chunk.text
        assert chunk.text.strip()


def test_chunks_respect_the_budget_and_overlap_by_one_sentence() -> None:
    body = " ".join(f"Câu số {i} nói về ngày hội an ninh." for i in range(30))
    chunks = chunk_article(make(body), words_as_tokens, 40, 1)
    assert len(chunks) > 3
    for chunk in chunks:
        assert words_as_tokens(chunk.text) <= 40
    for first, second in itertools.pairwise(chunks):
        assert second.start < first.end  # they share the last sentence of the first


def test_one_huge_word_is_cut() -> None:
    body = "a" * 10_000
    chunks = chunk_article(make(body), words_as_tokens, 32, 1)
    assert "".join(c.text for c in chunks) == body


@settings(max_examples=100, deadline=None)
@given(bodies, st.integers(1, 4), st.integers(0, 2))
def test_a_sentence_cap_keeps_chunks_to_that_many_sentences(
    body: str, max_sentences: int, overlap: int
) -> None:
    article = make(body)
    chunks = chunk_article(article, words_as_tokens, 512, overlap, max_sentences)
    spans = sentence_spans(article.body)
    covered = set()
    for chunk in chunks:
        inside = [s for s in spans if chunk.start <= s[0] and s[1] <= chunk.end]
        assert 1 <= len(inside) <= max_sentences
        covered.update(inside)
    assert covered == set(spans)


def test_three_sentence_chunks_overlap_by_one_sentence() -> None:
    body = "Một câu. Hai câu. Ba câu. Bốn câu. Năm câu."
    texts = [c.text for c in chunk_article(make(body), words_as_tokens, 256, 1, 3)]
    assert texts == ["Một câu. Hai câu. Ba câu.", "Ba câu. Bốn câu. Năm câu."]
