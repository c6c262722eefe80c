"""The dense index the Postgres store's readers hold (``NEWSQA_PG_DENSE_INDEX=replica``):
written with the generation, extended by an incremental build, refused when damaged."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import psycopg
import pytest
from pydantic import SecretStr

from retrieval import RetrievalSettings, Searcher, build_index
from retrieval.errors import CorruptIndexError
from retrieval.store import open_store
from retrieval.store import postgres_dense as dense_module
from tests.conftest import SEEDS

pytestmark = pytest.mark.slow
NEW_ARTICLE = """Khánh thành cầu treo Thác Bạc ở xã Tà Xùa

Ngày 3/12/2026, UBND huyện Bắc Yên tổ chức lễ khánh thành cầu treo Thác Bạc bắc qua suối \
Tà Xùa. Cây cầu dài 120 mét, do bà con và doanh nghiệp góp vốn xây dựng.
Ông Lò Văn Hùng, Chủ tịch UBND huyện, cắt băng khánh thành và cảm ơn các nhà hảo tâm.
"""


def _settings(url: str, articles: Path) -> RetrievalSettings:
    return RetrievalSettings(store="postgres", pg_url=SecretStr(url), articles_dir=articles,
                             faiss_index="hnsw", hnsw_m=8, hnsw_ef_construction=32,
                             _env_file=None)


def _vectors(settings: RetrievalSettings) -> tuple[str, np.ndarray]:
    store = open_store(settings)
    try:
        name = store.current().name
        with store.writer() as writer:
            stored = writer.reusable()
            assert stored is not None
            return name, np.asarray(stored.passage_vectors(0, store.current().size),
                                    dtype=np.float32)
    finally:
        store.close()


def test_an_added_article_is_linked_into_the_earlier_graph(
        pg_seed_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    settings = _settings(pg_seed_url, articles)
    build_index(settings)  # the seeds, now under an HNSW graph
    before, _ = _vectors(settings)
    (articles / "zz_cau_treo.txt").write_text(NEW_ARTICLE, encoding="utf-8")

    def no_fresh_build(*args: object) -> None:
        raise AssertionError("the graph was built again instead of extended")

    monkeypatch.setattr(dense_module, "build_dense", no_fresh_build)
    report = build_index(settings)
    assert report.chunks > report.reused_chunks > 0
    after, vectors = _vectors(settings)
    assert after != before
    store = open_store(settings)
    try:
        generation = store.current()
        assert generation.manifest.dense.kind == "hnsw"
        for passage in range(report.reused_chunks, report.chunks):
            ids, _ = generation.dense_top(vectors[passage], 1)
            assert ids.tolist() == [passage]
    finally:
        store.close()
    searcher = Searcher.open(settings)
    try:
        top = searcher.search("Ai cắt băng khánh thành cầu treo Thác Bạc?").results[0]
        assert top.source.file == "zz_cau_treo.txt"
    finally:
        searcher.store.close()


def test_a_generation_without_its_dense_index_is_refused_by_name(
        pg_seed_url: str) -> None:
    settings = RetrievalSettings(store="postgres", pg_url=SecretStr(pg_seed_url),
                                 articles_dir=SEEDS, _env_file=None)
    with psycopg.connect(pg_seed_url, autocommit=True) as connection:
        row = connection.execute("SELECT generation FROM newsqa_live").fetchone()
        assert row is not None
        connection.execute(f'DELETE FROM "{row[0]}".dense')
    store = open_store(settings)
    try:
        with pytest.raises(CorruptIndexError) as caught:
            store.current()
    finally:
        store.close()
    message = str(caught.value)
    assert row[0] in message and "dense index" in message
    assert "newsqa index --full" in message
