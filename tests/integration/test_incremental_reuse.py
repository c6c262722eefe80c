"""An incremental build does the work of the change, not of the collection: unchanged
articles are not cut into passages again, an HNSW graph only takes the new vectors, and
what comes out is the generation a full rebuild writes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from retrieval import RetrievalSettings, build_index
from retrieval.dense import FaissIndex
from retrieval.diacritics import DiacriticRestorer
from retrieval.store.layout import IndexDir
from tests.conftest import SEEDS
from tests.support.fake_embedder import HashingEmbedder

NEW = ("Tin mới về Hậu Giang\n\nSáng nay, tỉnh Hậu Giang khánh thành cây cầu mới bắc qua "
       "kênh Xà No. Cây cầu dài 300 mét. Người dân phấn khởi đi qua cầu mới. Chủ tịch tỉnh "
       "phát biểu tại buổi lễ khánh thành.")
# Everything a generation holds but the dense index (an HNSW graph grown node by node is
# not the graph built in one go) and the manifest (its build time and checksums).
SAME_AS_FULL = ("articles.json", "chunks.npy", "texts.bin", "text_offsets.npy", "vectors.npy",
                "people.npy", "diacritics.json", "lexical", "sentence_vectors.f16",
                "sentence_offsets.npy")


class CountingEmbedder(HashingEmbedder):
    """Remembers every text the tokenizer was asked to count."""

    def __init__(self) -> None:
        super().__init__()
        self.counted: list[str] = []

    def count_tokens(self, text: str) -> int:
        self.counted.append(text)
        return super().count_tokens(text)


@pytest.fixture()
def split(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every passage text the build split into lexical terms."""
    import retrieval.indexer as indexer

    texts: list[str] = []
    real = indexer.document_terms

    def counted(text: str) -> list[str]:
        texts.append(text)
        return real(text)

    monkeypatch.setattr(indexer, "document_terms", counted)
    return texts


@pytest.fixture()
def graph_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Sizes of every FAISS index built from scratch."""
    sizes: list[int] = []
    build = FaissIndex.build.__func__  # type: ignore[attr-defined]

    def counted(cls: type[FaissIndex], vectors: Any, kind: str, **kw: Any) -> FaissIndex:
        sizes.append(len(vectors))
        return build(cls, vectors, kind, **kw)  # type: ignore[no-any-return]

    monkeypatch.setattr(FaissIndex, "build", classmethod(counted))
    return sizes


def settings_for(articles: Path, index: Path, kind: str = "hnsw") -> RetrievalSettings:
    return RetrievalSettings(articles_dir=articles, index_dir=index, faiss_index=kind,
                             _env_file=None)  # type: ignore[arg-type]


def live(index: Path) -> Path:
    folder = IndexDir(index).current()
    assert folder is not None
    return folder


def same_files(one: Path, other: Path) -> None:
    for name in SAME_AS_FULL:
        paths = sorted((one / name).rglob("*")) if (one / name).is_dir() else [one / name]
        for path in paths:
            twin = other / path.relative_to(one)
            assert path.read_bytes() == twin.read_bytes(), path.relative_to(one)


def test_an_added_article_alone_is_cut_and_linked_into_the_graph(
        tmp_path: Path, graph_builds: list[int], split: list[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    settings = settings_for(articles, tmp_path / "index")
    build_index(settings, embedder=HashingEmbedder())
    before = graph_builds[:]
    assert len(before) == 1
    (articles / "zz_hau_giang.txt").write_text(NEW, encoding="utf-8")

    embedder = CountingEmbedder()
    split.clear()
    fitted: list[int] = []
    fit = DiacriticRestorer.fit.__func__  # type: ignore[attr-defined]

    def counted_fit(cls: type[DiacriticRestorer], texts: Any) -> DiacriticRestorer:
        fitted.append(1)
        return fit(cls, texts)  # type: ignore[no-any-return]

    monkeypatch.setattr(DiacriticRestorer, "fit", classmethod(counted_fit))
    report = build_index(settings, embedder=embedder)
    assert not fitted  # the seeds' diacritic statistics were extended, not counted again
    assert report.embedded_chunks >= 1 and report.reused_chunks == before[0]
    # Only the new article went through the tokenizer; the seeds were cut where they were.
    assert embedder.counted and all(text in NEW for text in embedder.counted)
    # ... and into terms: the seeds' postings were carried over.
    assert len(split) == report.embedded_chunks and all(text in NEW for text in split)
    assert graph_builds == before  # the graph was extended, not built again

    full_settings = settings_for(articles, tmp_path / "full")
    build_index(full_settings, embedder=HashingEmbedder(), full=True)
    same_files(live(tmp_path / "index"), live(tmp_path / "full"))
    grown = FaissIndex.read(live(tmp_path / "index") / "dense.faiss", "hnsw", 128)
    fresh = FaissIndex.read(live(tmp_path / "full") / "dense.faiss", "hnsw", 128)
    assert grown.size == fresh.size == report.chunks
    queries = np.asarray(HashingEmbedder().embed_passages([NEW, "Cà Mau ngày hội"]))
    assert (grown.search(queries, 5)[1] == fresh.search(queries, 5)[1]).all()


def test_changed_removed_and_copied_articles_give_the_full_rebuilds_generation(
        tmp_path: Path, graph_builds: list[int], split: list[str]) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    settings = settings_for(articles, tmp_path / "index")
    build_index(settings, embedder=HashingEmbedder())
    first, second, *_, last = sorted(articles.glob("*.txt"))
    first.write_text(first.read_text(encoding="utf-8") + "\n\nMột đoạn mới được thêm vào.",
                     encoding="utf-8")
    last.unlink()
    shutil.copy(second, articles / "zz_copy.txt")  # the same text twice: passages reused twice
    embedder = CountingEmbedder()
    split.clear()
    report = build_index(settings, embedder=embedder)
    assert len(graph_builds) == 2 and graph_builds[1] == report.chunks
    changed = first.read_text(encoding="utf-8")
    assert all(text in changed for text in embedder.counted)
    assert split and all(text in changed for text in split)
    build_index(settings_for(articles, tmp_path / "full"), embedder=HashingEmbedder(),
                full=True)
    same_files(live(tmp_path / "index"), live(tmp_path / "full"))


def test_an_exact_index_is_always_built_whole(tmp_path: Path, graph_builds: list[int]) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    settings = settings_for(articles, tmp_path / "index", kind="flat")
    build_index(settings, embedder=HashingEmbedder())
    (articles / "zz_hau_giang.txt").write_text(NEW, encoding="utf-8")
    report = build_index(settings, embedder=HashingEmbedder())
    assert graph_builds[-1] == report.chunks  # a flat index costs a copy of the vectors
    build_index(settings_for(articles, tmp_path / "full", kind="flat"),
                embedder=HashingEmbedder(), full=True)
    same_files(live(tmp_path / "index"), live(tmp_path / "full"))
    assert (live(tmp_path / "index") / "dense.faiss").read_bytes() == (
        live(tmp_path / "full") / "dense.faiss").read_bytes()
