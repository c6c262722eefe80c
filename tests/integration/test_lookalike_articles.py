"""Among look-alike articles (the same event in other towns), a passage that leaves the
place to its headline still answers a question naming the place."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import pytest

from retrieval import RetrievalSettings, Searcher, build_index
from retrieval.events.model import ArticleFacts
from retrieval.rerank import PassageTermCache
from retrieval.store.protocol import Generation

from ..conftest import SEEDS

RUNG_THONG = "004_bc4f3269c53976f8.txt"
# The passage that answers says only "thị trấn" and "3 mô hình"; the headline names the town.
QUESTION = "Rừng Thông có mấy mô hình phong trào toàn dân bảo vệ ANTQ?"


@pytest.fixture(scope="module")
def lookalike_settings(tmp_path_factory: pytest.TempPathFactory) -> RetrievalSettings:
    root = tmp_path_factory.mktemp("lookalike")
    articles = root / "articles"
    articles.mkdir()
    original = (SEEDS / RUNG_THONG).read_text(encoding="utf-8")
    (articles / RUNG_THONG).write_text(original, encoding="utf-8")
    for number, (town, district, models) in enumerate(
            [("Hưng Mỹ", "Cái Nước", "4"), ("Tân Phú", "Thới Bình", "5"),
             ("Năm Căn", "Đầm Dơi", "2")]):
        copy = (original.replace("Rừng Thông", town).replace("Đông Sơn", district)
                .replace("3 mô hình", f"{models} mô hình"))
        # Named to sort before the original: on a tie it is not the first.
        (articles / f"003_lookalike_{number}.txt").write_text(copy, encoding="utf-8")
    settings = RetrievalSettings(articles_dir=articles, index_dir=root / "index",
                                 _env_file=None)
    build_index(settings)
    return settings


def first_hits(settings: RetrievalSettings, headline_weight: float,
               answer_type_weight: float | None = None) -> list[tuple[str, bool]]:
    update: dict[str, float] = {"headline_weight": headline_weight}
    if answer_type_weight is not None:
        update["answer_type_weight"] = answer_type_weight
    searcher = Searcher.open(settings.model_copy(update=update))
    return [(hit.source.file, "3 mô hình" in hit.text)
            for hit in searcher.search(QUESTION, top_k=3).results]


@pytest.mark.slow
def test_the_headline_places_the_passage_that_answers(
        lookalike_settings: RetrievalSettings) -> None:
    assert first_hits(lookalike_settings, 0.7)[0] == (RUNG_THONG, True)


@pytest.mark.slow
def test_without_the_headline_the_gazetteer_still_places_it(
        lookalike_settings: RetrievalSettings) -> None:
    # 'Rừng Thông' is a town of Thanh Hóa; the copies' towns are in Cà Mau: the province
    # prior alone puts the article the question names first.
    assert first_hits(lookalike_settings, 0.0)[0] == (RUNG_THONG, True)


@pytest.mark.slow
def test_with_no_headline_evidence_the_passage_that_answers_is_lost(
        lookalike_settings: RetrievalSettings, tmp_path: Path) -> None:
    # What headlines and the gazetteer are for: with passages embedded without their
    # headline, no headline weight and no province prior, the copies tie with it and win.
    blind = lookalike_settings.model_copy(update={"index_dir": tmp_path / "index",
                                                  "embed_with_title": False})
    build_index(blind)
    assert (RUNG_THONG, True) not in first_hits(blind, 0.0, 0.0)


def test_passages_carry_their_articles_headline_only_when_they_need_it(
        seed_searcher: Searcher) -> None:
    snapshot, cache = seed_searcher.snapshot, seed_searcher.passage_cache()
    for chunk_id in range(snapshot.size):
        article = snapshot.article(snapshot.article_of(chunk_id))
        headline = cache.terms(chunk_id).headline
        if snapshot.start_of(chunk_id) == 0 or not article.has_headline:
            assert headline == "", (article.file, chunk_id)  # it opens with it, or has none
        else:
            assert headline and headline == headline.lower(), (article.file, chunk_id)


class CountingReads:
    """A generation whose facts are given, counting the passages read."""

    def __init__(self, inner: Generation, facts: Sequence[ArticleFacts]) -> None:
        self.inner, self._facts, self.read = inner, facts, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def facts(self) -> Sequence[ArticleFacts]:
        return self._facts

    def texts(self, passages: Sequence[int]) -> list[str]:
        self.read += len(passages)
        return self.inner.texts(passages)


def test_the_provinces_articles_are_set_in_are_stored_at_build_time(
        seed_searcher: Searcher) -> None:
    generation = seed_searcher.snapshot
    passages = list(range(generation.size))
    stored = CountingReads(generation, generation.facts())
    from_facts = PassageTermCache(cast(Generation, stored)).provinces_of(passages)
    assert stored.read == 0  # no passage read to place an article
    # Facts stored before provinces were: the passages are read, to the same provinces.
    older = CountingReads(generation, [dataclasses.replace(f, provinces=None)
                                       for f in generation.facts()])
    from_text = PassageTermCache(cast(Generation, older)).provinces_of(passages)
    assert older.read == generation.size
    assert from_facts == from_text
    by_file = {generation.source(p).file: found
               for p, found in zip(passages, from_facts, strict=True)}
    assert "ca mau" in by_file["003_4be6f3f6f5d770e8.txt"]
    assert "thanh hoa" in by_file[RUNG_THONG]
