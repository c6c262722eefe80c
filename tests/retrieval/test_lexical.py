"""The compact BM25 index: quantized scores, hashed vocabulary, pruned top-k, persistence."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import bm25s
import numpy as np
import pytest

from retrieval.coverage import CoverageQuery, PassageTerms, best_sentence_coverage
from retrieval.errors import CorruptIndexError
from retrieval.lexical import BM25_PARAMS, LexicalIndex, bm25_columns, term_key
from retrieval.text import (
    BIGRAM_WEIGHT,
    QueryTerms,
    document_terms,
    fold,
    fold_in_place,
    query_terms,
    sentence_spans,
    syllables,
)

SYLLABLES = ("ngày hội toàn dân bảo vệ an ninh tổ quốc cà mau cần thơ bộ trưởng công an "
             "đồng chí chủ tịch tỉnh huyện xã trao quà tặng gia đình chính sách mô hình "
             "camera phòng cháy tuần tra").split()


def corpus(n: int, seed: int = 7) -> list[list[str]]:
    rng = random.Random(seed)
    # Zipf-like: a few syllables in most passages, most in few, like real text.
    weights = [1 / (rank + 1) for rank in range(len(SYLLABLES))]
    return [document_terms(" ".join(rng.choices(SYLLABLES, weights, k=rng.randint(5, 60))))
            for _ in range(n)]


def reference_scores(documents: list[list[str]], query: QueryTerms) -> np.ndarray:
    """Float32 BM25 straight from bm25s's matrix, the unquantized truth."""
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    model = bm25s.BM25(**BM25_PARAMS)
    model.index(documents, show_progress=False)
    scores = model.scores
    out = np.zeros(len(documents))
    for term, weight in zip(query.terms, query.weights, strict=True):
        column = model.vocab_dict.get(term)
        if column is None or column >= len(scores["indptr"]) - 1:
            continue
        start, end = scores["indptr"][column], scores["indptr"][column + 1]
        out[scores["indices"][start:end]] += weight * scores["data"][start:end]
    return out


@pytest.mark.parametrize("score_slice", [None, 7])
def test_own_bm25_build_equals_bm25s_bit_for_bit(score_slice: int | None,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # The engine is ours; bm25s is the oracle: every (term, passage) score the same float32,
    # also when a build scores its postings a slice at a time.
    if score_slice is not None:
        monkeypatch.setattr("retrieval.lexical.SCORE_SLICE", score_slice)
    documents = [*corpus(400, seed=7), ["~a"], ["~a", "~a", "~b"]]
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    model = bm25s.BM25(**BM25_PARAMS)
    model.index(documents, show_progress=False)
    columns = len(model.scores["indptr"]) - 1
    expected = {}
    for term, column in model.vocab_dict.items():
        if column < columns:
            start, end = model.scores["indptr"][column], model.scores["indptr"][column + 1]
            for doc, score in zip(model.scores["indices"][start:end],
                                  model.scores["data"][start:end], strict=True):
                expected[term, int(doc)] = np.float32(score)
    terms, indptr, doc_ids, scores = bm25_columns(documents)
    got = {(term, int(doc_ids[k])): scores[k]
           for j, term in enumerate(terms) for k in range(indptr[j], indptr[j + 1])}
    assert got == expected


QUESTIONS = ["Ai tham dự ngày hội ở Cà Mau?", "bo truong cong an trao qua",
             "mô hình camera an ninh", "gia đình chính sách", "zzz không có"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_scores_match_unquantized_bm25_to_a_fraction_of_a_percent(question: str) -> None:
    documents = corpus(300)
    index = LexicalIndex.build(documents)
    query = query_terms(question)
    expected = reference_scores(documents, query)
    got = index.scores(query)
    assert got.shape == (300,)
    assert np.abs(got - expected).max() <= 0.005 * max(expected.max(), 1e-9)
    assert np.array_equal(got > 0, expected > 0)


@pytest.mark.parametrize("question", QUESTIONS)
def test_top_and_scores_for_agree_with_full_scoring(question: str) -> None:
    index = LexicalIndex.build(corpus(300))
    query = query_terms(question)
    full = index.scores(query)
    ids, scores = index.top(query, 10)
    assert np.all(full[ids] > 0) and np.all(np.diff(scores) <= 0)
    assert len(ids) == min(10, int((full > 0).sum()))
    np.testing.assert_allclose(scores, full[ids], rtol=1e-6)
    np.testing.assert_allclose(scores, np.sort(full)[::-1][:len(ids)], rtol=1e-6)
    some = np.array([299, 3, 150, 0, 42])
    np.testing.assert_allclose(index.scores_for(some, query), full[some], rtol=1e-6)
    # Many passages asked for are scored by adding up every posting: the very same floats.
    many = np.random.default_rng(0).permutation(300)[:200]
    assert np.array_equal(index.scores_for(many, query), full[many])
    with pytest.MonkeyPatch.context() as patch:  # the binary-search path, forced
        patch.setattr("retrieval.lexical.SCATTER_POSTINGS_PER_ID", 0)
        assert np.array_equal(index.scores_for(many, query), full[many])


def test_pruned_top_scores_common_terms_exactly_on_the_rare_terms_candidates() -> None:
    index = LexicalIndex.build(corpus(2000))
    query = query_terms("camera phòng cháy ở ngày hội an ninh")
    exact_ids, _ = index.top(query, 20)
    index.exact_postings = 500  # force the pruned path: common terms score the pool only
    pruned_ids, pruned_scores = index.top(query, 20)
    full = index.scores(query)
    # Whatever it returns carries its exact score…
    np.testing.assert_allclose(pruned_scores, full[pruned_ids], rtol=1e-6)
    # …and the passages that match the rare terms are the ones exact search ranks first.
    assert len(set(pruned_ids[:10]) & set(exact_ids[:10])) >= 9
    assert pruned_ids[0] == exact_ids[0]


def test_save_and_load_round_trip_with_memory_mapping(tmp_path: Path) -> None:
    documents = corpus(100)
    index = LexicalIndex.build(documents)
    index.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    query = query_terms("Cà Mau camera")
    assert loaded.size == 100
    np.testing.assert_array_equal(loaded.scores(query), index.scores(query))
    np.testing.assert_array_equal(loaded.idf(["~ca_mau", "nowhere"]),
                                  index.idf(["~ca_mau", "nowhere"]))
    assert loaded.idf(["nowhere"])[0] == 0


def test_an_empty_collection_scores_nothing(tmp_path: Path) -> None:
    index = LexicalIndex.build([])
    index.save(tmp_path / "lexical")
    loaded = LexicalIndex.load(tmp_path / "lexical")
    ids, scores = loaded.top(query_terms("Cà Mau"), 5)
    assert len(ids) == 0 and len(scores) == 0 and loaded.scores(query_terms("a")).shape == (0,)


@pytest.mark.parametrize("damage", ["missing", "truncated", "other format"])
def test_damaged_lexical_files_name_the_file(tmp_path: Path, damage: str) -> None:
    LexicalIndex.build(corpus(50)).save(tmp_path / "lexical")
    if damage == "missing":
        (tmp_path / "lexical" / "doc_ids.npy").unlink()
        name = "doc_ids.npy"
    elif damage == "truncated":
        path = tmp_path / "lexical" / "impacts.npy"
        path.write_bytes(path.read_bytes()[:200])
        name = "impacts.npy"
    else:
        path = tmp_path / "lexical" / "params.json"
        path.write_text(path.read_text().replace('"format": 2', '"format": 1'))
        name = "params.json"
    with pytest.raises(CorruptIndexError, match=name):
        LexicalIndex.load(tmp_path / "lexical")


def test_term_keys_are_stable_across_processes() -> None:
    # Python's own str hash changes per process; the stored keys must not.
    assert term_key("~ca_mau") == 0x01FFCCB480B900EF
    assert term_key("cà") != term_key("ca") != term_key("~ca")


PASSAGE = ("Sáng 11/8, Đại tướng Tô Lâm dự Ngày hội tại Cà Mau. Về phía tỉnh có đồng chí "
           "Nguyễn Tiến Hải! Ngày hội diễn ra ở xã Hưng Mỹ.")


def test_passage_terms_hold_sentence_ends_tokens_and_distinct_syllables() -> None:
    passage = PassageTerms.of(PASSAGE)
    assert passage.sentence_ends == tuple(end for _, end in sentence_spans(PASSAGE))
    assert len(passage.sentence_ends) == 3
    assert passage.folded == fold(PASSAGE.lower())
    folded = [fold(s) for s in syllables(PASSAGE)]  # '11/8,' is '11' and '8'
    assert passage.token_keys.tolist() == [hash(s) for s in folded]
    assert passage.token_sentences.tolist() == [0] * 13 + [1] * 9 + [2] * 8
    assert sorted(passage.words.tolist()) == sorted({hash(s) for s in folded})


def test_best_sentence_coverage_rewards_the_words_standing_together() -> None:
    passage = PassageTerms.of(PASSAGE)

    def coverage(question: str) -> float:
        query = query_terms(question)
        return best_sentence_coverage(
            passage,
            CoverageQuery.of(query, np.ones(len(query.terms), dtype=np.float32)))

    assert coverage("Ngày hội tại Cà Mau") == 1.0  # all in the first sentence
    assert 0 < coverage("Cà Mau Hưng Mỹ") < 1  # split over two sentences
    assert coverage("Hà Nội") == 0.0
    # Typed without diacritics or in capitals, the same words are found.
    assert coverage("NGAY HOI TAI CA MAU") == 1.0
    assert coverage("ngay hoi tai ca mau") == 1.0


def test_coverage_counts_bigrams_only_within_a_sentence() -> None:
    passage = PassageTerms.of(PASSAGE)
    # '~mau_ve' would join the first sentence's last word to the second's first.
    query = query_terms("Mau về phía")
    assert "~mau_ve" in query.terms
    coverage = best_sentence_coverage(passage, CoverageQuery.of(
        query, np.ones(len(query.terms), dtype=np.float32)))
    total = 3 + 2 * BIGRAM_WEIGHT
    assert coverage == pytest.approx((2 + BIGRAM_WEIGHT) / total)  # về, phía, về_phía


def test_coverage_of_terms_the_collection_lacks_is_zero() -> None:
    passage = PassageTerms.of(PASSAGE)
    query = query_terms("Cà Mau")
    assert best_sentence_coverage(passage, CoverageQuery.of(
        query, np.zeros(len(query.terms), dtype=np.float32))) == 0.0


def _coverage(passage: PassageTerms, question: str, headline_weight: float) -> float:
    query = query_terms(question)
    return best_sentence_coverage(
        passage, CoverageQuery.of(query, np.ones(len(query.terms), dtype=np.float32)),
        headline_weight)


def test_words_only_the_headline_has_count_at_the_headline_weight() -> None:
    # The passage that answers leaves the place to the headline, as news passages do.
    passage = PassageTerms.of(
        "Thị trấn duy trì 3 mô hình phong trào.",
        folded_headline=fold_in_place("Ngày hội tại thị trấn Rừng Thông"))
    question = "Rừng Thông duy trì mấy mô hình"
    # rung, thong, rung_thong from the headline; duy, tri, mo, hinh, duy_tri, mo_hinh in
    # the passage; thong_duy, tri_may, may_mo in neither (mấy is not scored alone).
    total = 6 + 6 * BIGRAM_WEIGHT
    in_passage = 4 + 2 * BIGRAM_WEIGHT
    only_headline = 2 + BIGRAM_WEIGHT
    assert _coverage(passage, question, 0.0) == pytest.approx(in_passage / total)
    assert _coverage(passage, question, 0.7) == pytest.approx(
        (in_passage + 0.7 * only_headline) / total)
    assert _coverage(passage, question, 1.0) == pytest.approx(
        (in_passage + only_headline) / total)
    # Words the best sentence has already are not counted twice.
    assert _coverage(passage, "thị trấn duy trì", 1.0) == 1.0  # thị trấn: in both
    # A passage with no question word of its own still gets its headline's share.
    other = PassageTerms.of("Hội nghị diễn ra sáng nay.",
                            folded_headline=fold_in_place("Tin Rừng Thông"))
    assert _coverage(other, "Rừng Thông", 0.5) == pytest.approx(0.5)
    # No headline (the passage begins the article, or the article has none): no change.
    plain = PassageTerms.of("Thị trấn duy trì 3 mô hình phong trào.")
    assert plain.headline == ""
    assert _coverage(plain, question, 0.7) == _coverage(plain, question, 0.0)
