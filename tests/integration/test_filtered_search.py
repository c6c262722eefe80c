"""Searches narrowed by a filter (stated in the question or given explicitly) on the seed
index: only the kept articles answer, the answer says which filter applied, and a filter
that keeps nothing says so and answers unfiltered."""

from __future__ import annotations

import json
from datetime import date

import numpy as np
import pytest

from retrieval import RetrievalSettings, Searcher
from retrieval.filters import explicit_filter
from retrieval.filters import scope as scope_module
from retrieval.text import query_terms
from tests.cli.test_cli import newsqa

pytestmark = pytest.mark.slow

RUNG_THONG = "004_bc4f3269c53976f8.txt"
UNDATED = "001_f824fb1a18cc5dcd.txt"  # passes date filters: its date is unknown
CA_MAU = "003_4be6f3f6f5d770e8.txt"


def files(response: object) -> set[str]:
    return {hit.source.file for hit in response.results}  # type: ignore[attr-defined]


def test_a_year_in_the_question_keeps_that_years_articles(seed_searcher: Searcher) -> None:
    response = seed_searcher.search("Ai dự ngày hội năm 2023?", top_k=5)
    assert response.notices == ("Đã lọc: năm 2023 (2/5 bài).",)
    assert RUNG_THONG in files(response) and files(response) <= {RUNG_THONG, UNDATED}
    # Within a filter, more than the usual two passages of an article may be shown.
    assert [hit.source.file for hit in response.results].count(RUNG_THONG) > 2
    assert response.answer is not None
    assert [p.name for p in response.answer.people][:1] == ["Nguyễn Ngọc Tiến"]
    # Paging keeps the filter (it is read from the question again).
    later = seed_searcher.search("Ai dự ngày hội năm 2023?", top_k=5, offset=5)
    assert files(later) <= {RUNG_THONG, UNDATED}


def test_an_unaccented_place_keeps_that_places_articles(seed_searcher: Searcher) -> None:
    response = seed_searcher.search("ai tham du ngay hoi o ca mau", top_k=5)
    assert response.notices == ("Đã lọc: ở ca mau (1/5 bài).",)
    assert CA_MAU in files(response) and RUNG_THONG not in files(response)


def test_a_commune_typed_without_capitals_is_a_place_when_an_article_names_it(
        seed_searcher: Searcher) -> None:
    response = seed_searcher.search("ai du ngay hoi o rung thong?", top_k=3)
    assert response.notices[:1] == ("Đã lọc: ở rung thong (1/5 bài).",)
    assert files(response) == {RUNG_THONG}
    # 'tân lập' names a commune too, but none of these articles: the words are no filter.
    response = seed_searcher.search("ai du ngay hoi o tan lap?", top_k=3)
    assert not any(notice.startswith(("Đã lọc", "Không có bài")) for notice in response.notices)


def test_a_filter_keeping_nothing_says_so_and_answers_unfiltered(
        seed_searcher: Searcher) -> None:
    response = seed_searcher.search("Ai dự ngày hội năm 2030?", top_k=3)
    assert response.notices == ("Không có bài nào năm 2030: đây là kết quả không lọc.",)
    assert response.results and response.answer is not None


def test_kept_articles_with_no_matching_passage_answer_unfiltered(
        seed_searcher: Searcher) -> None:
    since_2023 = explicit_filter(date(2023, 1, 1), None, None)
    # Lexical only: no passage of the 2023 article (nor the undated one) has these words.
    response = seed_searcher.search("Hưng Mỹ", top_k=3, dense_weight=0.0,
                                    article_filter=since_2023)
    assert response.notices == (
        "Không đoạn nào từ 1/1/2023 khớp câu hỏi: đây là kết quả không lọc.",)
    assert CA_MAU in files(response) and RUNG_THONG not in files(response)


def test_an_explicit_filter_and_the_wide_path_agree(seed_searcher: Searcher,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    wanted = explicit_filter(date(2022, 8, 1), date(2022, 8, 31), None)
    narrow = seed_searcher.search("Ai dự ngày hội?", top_k=5, article_filter=wanted)
    august = {CA_MAU, "000_70767a7265ef359a.txt", UNDATED}
    assert narrow.notices == ("Đã lọc: từ 1/8/2022 · đến 31/8/2022 (3/5 bài).",)
    assert files(narrow) <= august
    # Many kept passages: the store's top-k is filtered instead of scoring each one.
    monkeypatch.setattr(scope_module, "MAX_SCORED", 0)
    wide = seed_searcher.search("Ai dự ngày hội?", top_k=5, article_filter=wanted)
    assert files(wide) <= august and wide.results


@pytest.mark.parametrize("with_vector", [True, False])
def test_the_wide_path_takes_each_rankers_best_kept_passages(
        seed_searcher: Searcher, monkeypatch: pytest.MonkeyPatch, with_vector: bool) -> None:
    generation = seed_searcher.snapshot
    question = "Ai dự ngày hội toàn dân bảo vệ an ninh Tổ quốc?"
    terms = query_terms(question)
    vector = seed_searcher.embedder.embed_queries([question])[0] if with_vector else None
    kept = np.arange(1, generation.size, 2)
    monkeypatch.setattr(scope_module, "MAX_SCORED", 0)
    found = scope_module.scoped_candidates(generation, terms, vector, 3, kept)
    lexical = generation.lexical_scores(kept, terms)
    assert set(found.ids.tolist()) <= set(kept.tolist())
    assert set(kept[np.argsort(-lexical)[:3]].tolist()) <= set(found.ids.tolist())
    np.testing.assert_allclose(found.lexical, generation.lexical_scores(found.ids, terms),
                               atol=1e-5)
    if vector is None:
        assert len(found.ids) == 3 and not found.dense.any()
        return
    dense = generation.dense_scores(kept, vector)
    assert set(kept[np.argsort(-dense)[:3]].tolist()) <= set(found.ids.tolist())
    np.testing.assert_allclose(found.dense, generation.dense_scores(found.ids, vector),
                               atol=1e-5)
    assert len(found.ids) < len(kept)


def test_a_reverse_question_with_a_filter_lists_only_the_kept_events(
        seed_searcher: Searcher) -> None:
    kept = seed_searcher.search("Tô Lâm đã tham dự những sự kiện nào năm 2022?").answer
    assert kept is not None and kept.kind == "events" and kept.filtered
    assert [e.source.file for e in kept.events] == [CA_MAU]
    none = seed_searcher.search("Tô Lâm đã tham dự những sự kiện nào năm 2023?").answer
    assert none is not None and none.events == () and none.filtered


def test_ask_flags(seed_settings: RetrievalSettings) -> None:
    index = seed_settings.index_dir
    placed = newsqa("ask", "Ai dự ngày hội?", "--place", "Cà Mau", "-k", "2", index=index)
    assert placed.returncode == 0, placed.stderr
    assert placed.stdout.startswith("! Đã lọc: ở Cà Mau (1/5 bài).\n")
    dated = newsqa("ask", "Ai dự ngày hội?", "--since", "2023-01-01", "--json", index=index)
    shown = {r["source"]["file"] for r in json.loads(dated.stdout)["results"]}
    assert RUNG_THONG in shown and shown <= {RUNG_THONG, UNDATED}
    backwards = newsqa("ask", "x", "--since", "2023-01-02", "--until", "2023-01-01",
                       index=index)
    assert backwards.returncode == 2 and "--since is after --until" in backwards.stderr
    bad = newsqa("ask", "x", "--since", "tuần trước", index=index)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
