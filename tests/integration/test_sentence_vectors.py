"""Every passage's sentences have vectors of their own: built once per sentence, reused by
incremental builds, added to an index built before they existed, and used by the search."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval import RetrievalSettings, Searcher, build_index
from retrieval.articles import load_articles
from retrieval.indexer import sentence_input
from retrieval.store import open_store
from retrieval.store.layout import SENTENCE_OFFSETS, SENTENCE_VECTORS, IndexDir
from retrieval.store.manifest import sealed
from retrieval.store.protocol import Candidates
from retrieval.store.sentences import passage_sentences
from retrieval.types import Chunk
from tests.conftest import SEEDS
from tests.support.fake_embedder import HashingEmbedder


@pytest.fixture()
def settings(tmp_path: Path) -> RetrievalSettings:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    return RetrievalSettings(articles_dir=articles, index_dir=tmp_path / "index",
                             _env_file=None)


def stored_sentences(settings: RetrievalSettings) -> tuple[np.ndarray, np.ndarray]:
    store = open_store(settings)
    try:
        with store.writer() as writer:
            stored = writer.reusable()
            assert stored is not None
            size = stored.manifest.counts.chunks
            sentences = stored.sentence_vectors(0, size)
            assert sentences is not None
            return sentences
    finally:
        store.close()


def test_each_passage_owns_the_vectors_of_its_sentences(settings: RetrievalSettings) -> None:
    embedder = HashingEmbedder()
    report = build_index(settings, embedder=embedder)
    offsets, vectors = stored_sentences(settings)
    generation = Searcher(settings, embedder).snapshot
    articles = {a.file: a for a in load_articles(settings.articles_dir)}
    assert len(offsets) == generation.size + 1 and bool((np.diff(offsets) >= 1).all())
    inputs: list[str] = []
    unique = 0
    for record in generation.articles():
        article = articles[record.file]
        seen: set[str] = set()
        for passage in range(record.first_chunk, record.first_chunk + record.chunks):
            text = generation.text(passage)
            start = generation.start_of(passage)
            chunk = Chunk(article.file, 0, start, start + len(text), text)
            mine = [sentence_input(article, chunk, s, settings.embed_with_title)
                    for s in passage_sentences(text)]
            inputs += mine
            seen.update(mine)
        unique += len(seen)
    want = embedder.embed_passages(inputs)
    np.testing.assert_allclose(vectors, want, atol=2e-3)  # stored as float16
    # A sentence two passages share (the overlap) was embedded once.
    assert report.embedded_sentences == unique < len(vectors)
    # A headline gives a sentence its context, as it gives its passage.
    assert any(i.startswith(articles[f].title + "\n")
               for f in articles if articles[f].has_headline for i in inputs)


def test_an_unchanged_article_keeps_its_sentence_vectors(settings: RetrievalSettings) -> None:
    embedder = HashingEmbedder()
    build_index(settings, embedder=embedder)
    before = stored_sentences(settings)
    changed = sorted(settings.articles_dir.glob("*.txt"))[-1]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n\nMột câu mới ở cuối bài.",
                       encoding="utf-8")
    report = build_index(settings, embedder=embedder)
    after = stored_sentences(settings)
    assert 0 < report.embedded_sentences < len(after[1]) / 3
    assert report.reused_chunks > 0
    # The articles before the changed one (the last) keep their rows as they were.
    kept = int(before[0][-1]) - int(np.diff(before[0])[-report.embedded_chunks:].sum())
    np.testing.assert_array_equal(after[1][:kept], before[1][:kept])
    assert build_index(settings, embedder=embedder).embedded_sentences == 0


def test_an_index_built_before_sentence_vectors_still_answers_and_gains_them(
        settings: RetrievalSettings) -> None:
    embedder = HashingEmbedder()
    build_index(settings, embedder=embedder)
    folder = IndexDir(settings.index_dir).require_current()
    # What the version before sentence vectors wrote: no such files, no such key.
    for name in (SENTENCE_VECTORS, SENTENCE_OFFSETS):
        (folder / name).unlink()
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del data["sentence_vectors"], data["checksum"]
    for name in (SENTENCE_VECTORS, SENTENCE_OFFSETS):
        del data["files"][name]
    (folder / "manifest.json").write_text(json.dumps(sealed(data)), encoding="utf-8")

    searcher = Searcher(settings, embedder)
    assert searcher.snapshot.sentence_scores(np.arange(3), np.ones(64, np.float32)) is None
    assert searcher.search("Ai tham dự ngày hội ở Cà Mau?").results

    report = build_index(settings, embedder=embedder)
    assert report.embedded_chunks == 0 and report.embedded_sentences > 0
    searcher.refresh()
    scores = searcher.snapshot.sentence_scores(np.arange(3), np.ones(64, np.float32))
    assert scores is not None and len(scores) == 3


def test_the_search_mixes_the_best_sentence_into_the_dense_score(
        settings: RetrievalSettings) -> None:
    embedder = HashingEmbedder()
    build_index(settings, embedder=embedder)
    question = "Thiếu tướng Huỳnh Việt Hòa trao giấy khen"
    vector = embedder.embed_queries([question])[0]
    generation = Searcher(settings, embedder).snapshot
    every = np.arange(generation.size)
    passage = generation.dense_scores(every, vector)
    best = generation.sentence_scores(every, vector)
    assert best is not None
    assert bool((best >= passage - 0.05).any()) and not np.allclose(best, passage)

    def ranking(share: float) -> list[int]:
        searcher = Searcher(settings.model_copy(update={"dense_sentence_share": share,
                                                        "dense_weight_accented": 0.9}),
                            embedder)
        return [h.chunk_id for h in searcher.search(question, top_k=10).results]

    assert ranking(0.0) != ranking(1.0)


def test_a_filtered_search_reads_the_sentences_of_each_rankers_best_only(
        settings: RetrievalSettings) -> None:
    embedder = HashingEmbedder()
    build_index(settings, embedder=embedder)
    searcher = Searcher(settings, embedder)

    class Recording:
        def __init__(self) -> None:
            self.asked: list[np.ndarray] = []

        def sentence_scores(self, passages: np.ndarray, vector: np.ndarray) -> np.ndarray:
            self.asked.append(np.asarray(passages))
            return np.ones(len(passages), dtype=np.float32)

    # A filter keeps 1,000 passages: lexical best at the end, dense best at the start.
    count = 1000
    found = Candidates(np.arange(count, dtype=np.int64),
                       np.arange(count, dtype=np.float32),
                       np.linspace(0.9, 0.1, count, dtype=np.float32))
    recording = Recording()
    mixed = searcher._with_best_sentences(recording, found,  # type: ignore[arg-type]
                                          np.ones(64, np.float32), depth=10)
    (asked,) = recording.asked
    assert sorted(asked.tolist()) == [*range(10), *range(990, 1000)]
    share = settings.dense_sentence_share
    np.testing.assert_allclose(mixed.dense[asked], (1 - share) * found.dense[asked] + share)
    others = np.setdiff1d(np.arange(count), asked)
    np.testing.assert_array_equal(mixed.dense[others], found.dense[others])
    # An unfiltered search's candidates (at most each ranker's best) are all read.
    small = Candidates(found.ids[:20], found.lexical[:20], found.dense[:20])
    searcher._with_best_sentences(recording, small,  # type: ignore[arg-type]
                                  np.ones(64, np.float32), depth=10)
    assert len(recording.asked[-1]) == 20


def test_sentence_rows_read_from_the_file_are_the_stored_vectors(tmp_path: Path) -> None:
    from retrieval.store.io import FileBytes
    from retrieval.store.sentences import SENTENCE_DTYPE, SentenceRows, best_sentence_scores

    rng = np.random.default_rng(0)
    stored = rng.normal(size=(7, 4)).astype(SENTENCE_DTYPE)
    path = tmp_path / "sentences.f16"
    path.write_bytes(stored.tobytes())
    rows = SentenceRows(FileBytes(path), 4)
    assert len(rows) == 7
    assert np.array_equal(rows[2:5], stored[2:5]) and rows[5:5].shape == (0, 4)
    offsets = np.array([0, 2, 3, 7], dtype=np.int64)  # three passages: 2, 1 and 4 sentences
    vector = rng.normal(size=4).astype(np.float32)
    expected = [max(stored[a:b].astype(np.float32) @ vector)
                for a, b in itertools.pairwise(offsets.tolist())]
    for passages in ([0, 1, 2], [2, 0], [1]):
        got = best_sentence_scores(offsets, rows, np.array(passages), vector)
        assert np.allclose(got, [expected[p] for p in passages])
        assert np.array_equal(got, best_sentence_scores(offsets, stored, np.array(passages),
                                                        vector))
