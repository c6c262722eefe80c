"""One contract, run against every store: the files store and PostgreSQL + pgvector.

Each store is filled by the real build (`build_index` through the store the settings name)
from the seed articles with the bundled model, so the vectors are real. Oracles: our own
BM25 over the passages' terms (``LexicalIndex``, itself checked against bm25s) and NumPy
inner products over the stored vectors.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pydantic import SecretStr

from retrieval import RetrievalSettings, build_index, load_articles
from retrieval.embedding import load_embedder
from retrieval.lexical import LexicalIndex
from retrieval.store import PassageBatch, Store, open_store
from retrieval.store.protocol import body_reader
from retrieval.text import document_terms, query_terms

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
QUESTIONS = [
    "Ai đã tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở quận Ninh Kiều?",
    "Phó Chủ tịch UBND quận Ninh Kiều là ai?",
    "Tội phạm về trật tự xã hội giảm bao nhiêu phần trăm?",
    "Ngày hội ở Đại học Cần Thơ diễn ra hôm nào?",
    "bão số 3 gây thiệt hại gì",
]
UNACCENTED = [
    ("Ai tham dự Ngày hội ở quận Ninh Kiều?", "ai tham du ngay hoi o quan ninh kieu?"),
    ("Giám đốc Công an TP Cần Thơ trao giấy khen", "giam doc cong an tp can tho trao giay khen"),
]
pytestmark = pytest.mark.slow


class StoreContract:
    """What every store must do; subclasses say how to make a store's settings."""

    @pytest.fixture()
    def built(self, tmp_path: Path) -> Iterator[tuple[RetrievalSettings, Store]]:
        """Settings over a private copy of the seed index in this store, and the store."""
        raise NotImplementedError

    # --- lexical ----------------------------------------------------------------------------

    def test_lexical_scores_equal_our_bm25(self, built: tuple[RetrievalSettings, Store]
                                           ) -> None:
        _, store = built
        generation = store.current()
        texts = generation.texts(range(generation.size))
        oracle = LexicalIndex.build([document_terms(t) for t in texts])
        for question in QUESTIONS:
            terms = query_terms(question)
            ids, scores = generation.lexical_top(terms, 20)
            want_ids, want_scores = oracle.top(terms, 20)
            assert len(ids) == len(want_ids) > 0
            np.testing.assert_allclose(scores, want_scores, atol=1e-4)
            # Equal scores may come in either order; the sets of passages are the same.
            assert set(ids.tolist()) == set(want_ids.tolist()) or np.allclose(
                np.sort(scores), np.sort(oracle.scores_for(ids, terms)), atol=1e-4)
            every = np.arange(generation.size)
            np.testing.assert_allclose(generation.lexical_scores(every, terms),
                                       oracle.scores_for(every, terms), atol=1e-4)
            np.testing.assert_allclose(generation.idf(terms.terms), oracle.idf(terms.terms),
                                       atol=1e-5)

    def test_unaccented_question_gets_the_accented_results(
            self, built: tuple[RetrievalSettings, Store]) -> None:
        generation = built[1].current()
        for accented, bare in UNACCENTED:
            ids, scores = generation.lexical_top(query_terms(accented), 10)
            bare_ids, bare_scores = generation.lexical_top(query_terms(bare), 10)
            assert len(ids) > 0
            assert ids.tolist() == bare_ids.tolist()
            np.testing.assert_allclose(scores, bare_scores, atol=1e-4)

    def test_empty_query_finds_nothing_lexically(self, built: tuple[RetrievalSettings, Store]
                                                 ) -> None:
        generation = built[1].current()
        ids, scores = generation.lexical_top(query_terms("???"), 10)
        assert len(ids) == len(scores) == 0
        unknown = query_terms("zzqxv wwqqk")
        assert len(generation.lexical_top(unknown, 10)[0]) == 0
        vector = _vectors(built)[0]
        candidates = generation.candidates(unknown, vector, 5)
        assert len(candidates.ids) == 5
        assert not candidates.lexical.any()

    # --- dense ------------------------------------------------------------------------------

    def test_exact_dense_search_equals_numpy(self, built: tuple[RetrievalSettings, Store]
                                             ) -> None:
        generation = built[1].current()
        vectors = _vectors(built)
        for row in (0, 7, len(vectors) - 1):
            query = vectors[row] * 0.9 + vectors[(row + 1) % len(vectors)] * 0.1
            query = (query / np.linalg.norm(query)).astype(np.float32)
            ids, scores = generation.dense_top(query, 10)
            exact = vectors @ query
            want = np.argsort(-exact, kind="stable")[:10]
            assert ids.tolist() == want.tolist()
            np.testing.assert_allclose(scores, exact[want], atol=1e-5)
            some = np.array([3, 1, 20], dtype=np.int64)
            np.testing.assert_allclose(generation.dense_scores(some, query), exact[some],
                                       atol=1e-5)

    def test_sentence_scores_are_each_passages_best_sentence(
            self, built: tuple[RetrievalSettings, Store]) -> None:
        _, store = built
        generation = store.current()
        with store.writer() as writer:
            stored = writer.reusable()
            assert stored is not None
            sentences = stored.sentence_vectors(0, generation.size)
        assert sentences is not None
        offsets, vectors = sentences
        assert len(offsets) == generation.size + 1 and bool((np.diff(offsets) >= 1).all())
        assert len(vectors) > generation.size  # passages of several sentences
        query = _vectors(built)[5]
        ids = np.array([9, 0, 5, generation.size - 1, 5], dtype=np.int64)
        want = [float((vectors[offsets[i]:offsets[i + 1]] @ query).max()) for i in ids]
        got = generation.sentence_scores(ids, query)
        assert got is not None
        np.testing.assert_allclose(got, want, atol=2e-3)  # half precision
        empty = generation.sentence_scores(np.zeros(0, dtype=np.int64), query)
        assert empty is not None and len(empty) == 0

    def test_candidates_carry_both_scores(self, built: tuple[RetrievalSettings, Store]) -> None:
        generation = built[1].current()
        vectors = _vectors(built)
        terms = query_terms(QUESTIONS[0])
        candidates = generation.candidates(terms, vectors[3], 10)
        lexical_ids, _ = generation.lexical_top(terms, 10)
        dense_ids, _ = generation.dense_top(vectors[3], 10)
        assert set(candidates.ids.tolist()) == set(lexical_ids.tolist()) | set(
            dense_ids.tolist())
        np.testing.assert_allclose(candidates.lexical,
                                   generation.lexical_scores(candidates.ids, terms), atol=1e-4)
        np.testing.assert_allclose(candidates.dense, vectors[candidates.ids] @ vectors[3],
                                   atol=1e-5)
        # Asked again after `candidates` (the not-found check does), with and without
        # passages that were not candidates.
        outside = [i for i in range(generation.size) if i not in set(candidates.ids.tolist())]
        for ids in (candidates.ids[::-1], np.array([*outside[:2], candidates.ids[0]])):
            np.testing.assert_allclose(generation.dense_scores(ids, vectors[3]),
                                       vectors[ids] @ vectors[3], atol=1e-5)

    def test_given_passages_are_scored_both_ways(self, built: tuple[RetrievalSettings, Store]
                                                 ) -> None:
        generation = built[1].current()
        vectors = _vectors(built)
        terms = query_terms(QUESTIONS[0])
        ids = np.array([5, 0, generation.size - 1, 2], dtype=np.int64)
        scored = generation.scored(ids, terms, vectors[3])
        assert scored.ids.tolist() == ids.tolist()
        np.testing.assert_allclose(scored.lexical, generation.lexical_scores(ids, terms),
                                   atol=1e-4)
        np.testing.assert_allclose(scored.dense, vectors[ids] @ vectors[3], atol=1e-5)
        lexical_only = generation.scored(ids, terms, None)
        np.testing.assert_allclose(lexical_only.lexical, scored.lexical, atol=1e-4)
        assert not lexical_only.dense.any()

    def test_k_larger_than_the_collection(self, built: tuple[RetrievalSettings, Store]) -> None:
        generation = built[1].current()
        size = generation.size
        ids, _ = generation.dense_top(_vectors(built)[0], size + 500)
        assert sorted(ids.tolist()) == list(range(size))
        lexical, _ = generation.lexical_top(query_terms(QUESTIONS[0]), size + 500)
        assert 0 < len(lexical) <= size and len(set(lexical.tolist())) == len(lexical)

    def test_passage_rows_match_the_articles(self, built: tuple[RetrievalSettings, Store]
                                             ) -> None:
        generation = built[1].current()
        articles = generation.articles()
        assert sum(a.chunks for a in articles) == generation.size
        for number, article in enumerate(articles):
            first = article.first_chunk
            assert generation.article_of(first) == number
            assert generation.start_of(first) == 0
            assert generation.source(first).file == article.file
            text = generation.text(first)
            assert generation.text_bytes(first) == len(text.encode("utf-8"))
            assert 0 <= generation.people_count(first) <= 255

    def test_a_mentions_sentence_is_read_from_the_passages(
            self, built: tuple[RetrievalSettings, Store]) -> None:
        """Served facts leave each mention's sentence out; the passages give it back."""
        generation = built[1].current()
        bodies = {a.file: a.body for a in load_articles(SEEDS)}
        read = body_reader(generation)
        mentions = [(f.file, m) for f in generation.facts() for m in f.mentions]
        assert len(mentions) > 20 and all(m.evidence == "" for _, m in mentions)
        for file, m in mentions:
            sentence = bodies[file][m.start:m.end]
            assert read(file, m.start, m.end, m.chunk) == sentence
            assert read(file, m.start, m.end, 0) == sentence  # a hint too early
            assert read(file, m.start, m.end, 10**6) == sentence  # or past the end
        assert read("missing.txt", 0, 10, 0) == ""

    # --- generations ------------------------------------------------------------------------

    def test_readers_move_to_a_new_generation_only_on_refresh(
            self, built: tuple[RetrievalSettings, Store]) -> None:
        settings, store = built
        old = store.current()
        reader = open_store(settings)
        try:
            assert reader.current().name == old.name
            with store.writer() as writer:
                previous = writer.reusable()
                assert previous is not None
                _write_copy(writer, old, previous, articles=1)
                assert reader.refresh() is False  # not committed yet
                assert reader.current().name == old.name
                name = writer.commit()
            assert reader.current().name == old.name  # still the old one
            assert reader.current().size == old.size
            assert reader.refresh() is True
            assert reader.current().name == name != old.name
            assert len(reader.current().articles()) == 1
        finally:
            reader.close()

    def test_deleted_articles_are_gone(self, built: tuple[RetrievalSettings, Store]) -> None:
        settings, store = built
        gone = sorted(settings.articles_dir.glob("*.txt"))[0]
        gone.unlink()
        report = build_index(settings)
        assert report.removed_articles == 1
        assert store.refresh()
        generation = store.current()
        assert gone.name not in {a.file for a in generation.articles()}
        terms = query_terms(QUESTIONS[0])
        candidates = generation.candidates(terms, _vectors(built)[0], generation.size)
        files = {generation.source(int(i)).file for i in candidates.ids}
        assert gone.name not in files


def _vectors(built: tuple[RetrievalSettings, Store]) -> np.ndarray:
    """The stored vectors, read as an incremental build reads them."""
    _, store = built
    with store.writer() as writer:
        stored = writer.reusable()
        assert stored is not None
        return np.asarray(stored.passage_vectors(0, store.current().size), dtype=np.float32)


def _write_copy(writer: object, generation: object, stored: object, articles: int) -> None:
    """A generation of the first ``articles`` articles of ``generation``, written by hand."""
    from typing import Any

    w: Any = writer
    g: Any = generation
    s: Any = stored
    kept = list(g.articles())[:articles]
    count = sum(a.chunks for a in kept)
    from dataclasses import replace

    from retrieval.store import Counts

    w.begin(replace(g.manifest, counts=Counts(articles, count), article_hashes={
        a.file: a.content_hash for a in kept}))
    w.write_articles(kept)
    texts = g.texts(range(count))
    w.write_passages(PassageBatch(
        first=0, texts=texts, terms=[document_terms(t) for t in texts],
        vectors=np.asarray(s.passage_vectors(0, count), dtype=np.float32),
        people=np.asarray([g.people_count(i) for i in range(count)], dtype=np.uint8),
        articles=np.asarray([g.article_of(i) for i in range(count)], dtype=np.int64),
        ordinals=np.arange(count, dtype=np.int64),
        starts=np.asarray([g.start_of(i) for i in range(count)], dtype=np.int64),
        ends=np.asarray([g.start_of(i) + len(t) for i, t in enumerate(texts)], dtype=np.int64),
        sentence_offsets=np.arange(count + 1, dtype=np.int64),
        sentence_vectors=np.asarray(s.passage_vectors(0, count), dtype=np.float32)))
    from retrieval.diacritics import DiacriticRestorer

    w.write_restorer(DiacriticRestorer.fit(texts))


def _opened(settings: RetrievalSettings) -> Iterator[tuple[RetrievalSettings, Store]]:
    store = open_store(settings)
    try:
        yield settings, store
    finally:
        store.close()


class TestFilesStore(StoreContract):
    @pytest.fixture()
    def built(self, seed_index_dir: Path, tmp_path: Path
              ) -> Iterator[tuple[RetrievalSettings, Store]]:
        index = tmp_path / "index"
        shutil.copytree(seed_index_dir, index)
        articles = tmp_path / "articles"
        shutil.copytree(SEEDS, articles)
        yield from _opened(RetrievalSettings(index_dir=index, articles_dir=articles,
                                             _env_file=None))


class TestPostgresStore(StoreContract):
    """The default: every reader searches its own copy of the generation's FAISS index."""

    DENSE_INDEX = "replica"

    @pytest.fixture()
    def built(self, pg_seed_url: str, tmp_path: Path
              ) -> Iterator[tuple[RetrievalSettings, Store]]:
        articles = tmp_path / "articles"
        shutil.copytree(SEEDS, articles)
        settings = RetrievalSettings(store="postgres", pg_url=SecretStr(pg_seed_url),
                                     articles_dir=articles, pg_dense_index=self.DENSE_INDEX,
                                     _env_file=None)
        if self.DENSE_INDEX != "replica":
            build_index(settings)  # the seed database's generation keeps its index in readers
        yield from _opened(settings)

    def test_the_dense_index_is_where_the_setting_says(
            self, built: tuple[RetrievalSettings, Store]) -> None:
        backend = built[1].current().manifest.dense.backend
        assert (backend == "postgres") == (self.DENSE_INDEX == "server")

    def test_hnsw_recall_on_real_vectors(self, pg_seed_url: str) -> None:
        """The seed passages' own vectors under the HNSW index against exact search (the
        rebuild reuses the seed index's vectors)."""
        settings = RetrievalSettings(
            store="postgres", pg_url=SecretStr(pg_seed_url), articles_dir=SEEDS,
            faiss_index="hnsw", hnsw_m=8, hnsw_ef_construction=16, hnsw_ef_search=16,
            pg_dense_index=self.DENSE_INDEX, _env_file=None)
        build_index(settings)
        store = open_store(settings)
        try:
            generation = store.current()
            assert generation.manifest.dense.kind == "hnsw"
            with store.writer() as writer:
                stored = writer.reusable()
                assert stored is not None
                vectors = np.asarray(stored.passage_vectors(0, generation.size), np.float32)
            embedder = load_embedder(settings)
            queries = embedder.embed_queries(QUESTIONS + [q for pair in UNACCENTED for q in pair])
            recalls = []
            for query in np.asarray(queries, dtype=np.float32):
                ids, _ = generation.dense_top(query, 10)
                exact = np.argsort(-(vectors @ query))[:10]
                recalls.append(len(set(ids.tolist()) & set(exact.tolist())) / 10)
            assert float(np.mean(recalls)) >= 0.95
        finally:
            store.close()


class TestPostgresServerDense(TestPostgresStore):
    """pgvector's HNSW (or exact scan) inside the server: the same contract."""

    DENSE_INDEX = "server"
