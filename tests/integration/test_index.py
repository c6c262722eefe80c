"""A real index built with the bundled model: answers, incremental updates, damage, locking."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from retrieval import (
    IndexLockedError,
    IndexMismatchError,
    IndexNotFoundError,
    RetrievalSettings,
    Searcher,
    build_index,
)
from retrieval.errors import CorruptIndexError
from retrieval.store import IndexDir, sealed

from ..conftest import REPO, SEEDS


def test_seed_index_answers_known_questions(seed_searcher: Searcher) -> None:
    response = seed_searcher.search(
        "Ai đã tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc tại Cà Mau?")
    assert response.results[0].source.file == "003_4be6f3f6f5d770e8.txt"
    assert any("Tô Lâm" in hit.text for hit in response.results)
    top = response.results[0]
    assert top.rank == 1 and top.source.date == "2022-08-11"
    assert all(top.text[s:e] for s, e in top.highlights)


@pytest.mark.parametrize("question", [
    "Ai đã tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc tại Cà Mau?",
    "In how many wards was the model ward police pilot carried out?"])
def test_a_ranking_without_highlights_is_the_same_ranking(seed_searcher: Searcher,
                                                         question: str) -> None:
    shown = seed_searcher.search(question, top_k=8, with_answer=False)
    ranked = seed_searcher.search(question, top_k=8, with_answer=False,
                                  with_highlights=False)
    assert [(h.chunk_id, h.score, h.text, h.source) for h in ranked.results] == [
        (h.chunk_id, h.score, h.text, h.source) for h in shown.results]
    assert ranked.answered == shown.answered and ranked.notices == shown.notices
    assert all(h.highlights == () for h in ranked.results)
    assert any(h.highlights for h in shown.results)


def test_an_english_question_finds_and_shows_the_vietnamese_it_asks_about(
        seed_searcher: Searcher) -> None:
    response = seed_searcher.search("In how many wards was the model ward police pilot "
                                    "carried out?", top_k=3)
    # 'model ward police' is 'Công an phường điển hình, kiểu mẫu' (seed 002); the model
    # alone ranked the passage 5th.
    top = response.results[0]
    assert top.source.file == "002_493233f6a5b72f62.txt" and "5 Công an phường" in top.text
    shown = {top.text[s:e].lower() for s, e in top.highlights}
    assert {"thí điểm", "kiểu mẫu"} <= shown


def test_a_when_question_ranks_the_passage_that_gives_the_day_first(
        seed_index_dir: Path) -> None:
    question = "bo truong To Lam ve du ngay hoi o Ca Mau khi nao"

    def first(answer_type_weight: float, sentence_share: float = 0.5) -> str:
        searcher = Searcher.open(RetrievalSettings(
            articles_dir=SEEDS, index_dir=seed_index_dir, answer_type_weight=answer_type_weight,
            dense_sentence_share=sentence_share, _env_file=None))
        return searcher.search(question).results[0].text

    assert "11/8/2022" in first(0.3)
    # The passage's own sentence vector finds it too; with passage vectors alone only the
    # when-question prior does.
    assert "11/8/2022" in first(0.0)
    assert "11/8/2022" in first(0.3, sentence_share=0.0)
    assert "11/8/2022" not in first(0.0, sentence_share=0.0)


def test_unaccented_question_finds_the_same_passage(seed_searcher: Searcher) -> None:
    accented = seed_searcher.search("Ai tham dự ngày hội ở Cà Mau")
    unaccented = seed_searcher.search("ai tham du ngay hoi o ca mau")
    assert unaccented.results[0].source.file == accented.results[0].source.file
    assert {h.chunk_id for h in unaccented.results} == {h.chunk_id for h in accented.results}


def test_paging_continues_ranks_without_repeats(seed_searcher: Searcher) -> None:
    first = seed_searcher.search("phong trào toàn dân bảo vệ an ninh Tổ quốc", top_k=3)
    second = seed_searcher.search("phong trào toàn dân bảo vệ an ninh Tổ quốc", top_k=3,
                                  offset=3)
    assert [h.rank for h in second.results] == [4, 5, 6]
    assert not {h.chunk_id for h in first.results} & {h.chunk_id for h in second.results}
    assert first.total >= 6


def test_fused_lexical_scores_are_the_exact_bm25_of_every_candidate(
        seed_searcher: Searcher) -> None:
    # The lexical top-k's own scores are reused; the rest are looked up: both must be the
    # candidates' exact scores, in the candidates' order.
    from retrieval.store.protocol import Candidates, candidates_of
    from retrieval.text import query_terms

    snapshot = seed_searcher.snapshot
    terms = query_terms("Ai tham dự ngày hội ở Cà Mau")
    top_ids, _ = snapshot.lexical_top(terms, 10)
    others = np.setdiff1d(np.arange(snapshot.size), top_ids)[:7]

    class DenseFinds:  # a generation whose dense side finds the given passages
        def __init__(self, found: np.ndarray) -> None:
            self.found = found

        def __getattr__(self, name: str) -> object:
            return getattr(snapshot, name)

        def dense_top(self, vector: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
            return self.found, np.zeros(len(self.found), dtype=np.float32)

    vector = np.zeros(snapshot.manifest.embedder.dimension, dtype=np.float32)
    for extra in (others, others[::-1].copy(), np.zeros(0, dtype=np.int64)):
        found: Candidates = candidates_of(DenseFinds(extra), terms, vector, 10)  # type: ignore[arg-type]
        np.testing.assert_allclose(found.lexical, snapshot.lexical_scores(found.ids, terms),
                                   rtol=1e-5)


def small_articles(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for index, place in enumerate(["Cà Mau", "Cần Thơ", "Rừng Thông"]):
        (folder / f"{index}.txt").write_text(
            f"Ngày hội an ninh tại {place}\n\nSáng nay, người dân {place} tham dự ngày hội "
            f"toàn dân bảo vệ an ninh Tổ quốc. Ông Nguyễn Văn {index} phát biểu.", "utf-8")
    return folder


def test_incremental_build_embeds_only_changed_articles(tmp_path: Path) -> None:
    settings = RetrievalSettings(articles_dir=small_articles(tmp_path / "a"),
                                 index_dir=tmp_path / "i", _env_file=None)
    first = build_index(settings)
    assert first.embedded_chunks == first.chunks == 3 and first.reused_chunks == 0
    again = build_index(settings)
    assert again.embedded_chunks == 0 and again.reused_chunks == 3
    (tmp_path / "a" / "1.txt").write_text("Tin mới về Hậu Giang\n\nNội dung hoàn toàn mới.",
                                          "utf-8")
    (tmp_path / "a" / "2.txt").unlink()
    changed = build_index(settings)
    assert changed.embedded_chunks == 1 and changed.reused_chunks == 1
    assert changed.removed_articles == 1
    searcher = Searcher.open(settings)
    assert {a.file for a in searcher.articles()} == {"0.txt", "1.txt"}
    assert searcher.search("Hậu Giang").results[0].source.file == "1.txt"
    full = build_index(settings, full=True)
    assert full.embedded_chunks == 2
    # old generations are cleaned up: the live one and the one before it remain
    assert len([p for p in (tmp_path / "i").iterdir() if p.name.startswith("gen-")]) == 2


def test_searcher_picks_up_a_rebuilt_index(tmp_path: Path) -> None:
    settings = RetrievalSettings(articles_dir=small_articles(tmp_path / "a"),
                                 index_dir=tmp_path / "i", _env_file=None)
    build_index(settings)
    searcher = Searcher.open(settings)
    assert not searcher.refresh()
    (tmp_path / "a" / "3.txt").write_text("Tin về Bạc Liêu\n\nLễ hội ở Bạc Liêu.", "utf-8")
    build_index(settings)
    assert searcher.refresh()
    assert searcher.search("Bạc Liêu").results[0].source.file == "3.txt"


def test_missing_index_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(IndexNotFoundError, match="newsqa index"):
        Searcher.open(RetrievalSettings(index_dir=tmp_path / "none", _env_file=None))


def test_index_of_another_model_refuses_to_load(seed_settings: RetrievalSettings) -> None:
    index_dir = IndexDir(seed_settings.index_dir)
    generation = index_dir.require_current()
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    manifest["embedder"]["model"] = "someone/else"
    (generation / "manifest.json").write_text(json.dumps(sealed(manifest)), "utf-8")
    with pytest.raises(IndexMismatchError, match="newsqa index --full"):
        Searcher.open(seed_settings)


def test_a_hand_edited_manifest_is_named_as_damaged(seed_settings: RetrievalSettings) -> None:
    generation = IndexDir(seed_settings.index_dir).require_current()
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    manifest["counts"]["chunks"] += 1  # contents no longer match the checksum
    (generation / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(CorruptIndexError, match=r"manifest\.json.*newsqa index --full"):
        Searcher.open(seed_settings)


def test_an_index_of_the_previous_format_asks_for_a_full_rebuild(
        seed_settings: RetrievalSettings) -> None:
    generation = IndexDir(seed_settings.index_dir).require_current()
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    del manifest["checksum"]
    manifest["format_version"] = 1
    (generation / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    with pytest.raises(IndexMismatchError, match="newsqa index --full"):
        Searcher.open(seed_settings)


def test_rebuilding_an_index_of_the_previous_format_reuses_its_vectors(
        seed_settings: RetrievalSettings) -> None:
    generation = IndexDir(seed_settings.index_dir).require_current()
    manifest = json.loads((generation / "manifest.json").read_text("utf-8"))
    people = np.load(generation / "people.npy")
    (generation / "people.npy").unlink()  # format 1 had no people counts
    del manifest["checksum"], manifest["files"]["people.npy"]
    manifest.update(format_version=1, tokenizer="nfc-syllable+folded+bigram/1")
    (generation / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    report = build_index(seed_settings)
    assert report.embedded_chunks == 0 and report.reused_chunks == report.chunks > 0
    rebuilt = IndexDir(seed_settings.index_dir).require_current()
    np.testing.assert_array_equal(np.load(rebuilt / "people.npy"), people)
    assert people.max() >= 3  # the seeds name many people; counted again, the same
    assert Searcher.open(seed_settings).search("Tô Lâm Cà Mau").results


def test_a_deleted_lock_file_does_not_let_a_second_build_run(tmp_path: Path) -> None:
    # Issue 19.7: the lock is the index folder itself; no file in it can be swapped out.
    settings = RetrievalSettings(articles_dir=small_articles(tmp_path / "a"),
                                 index_dir=tmp_path / "i", _env_file=None)
    build_index(settings)
    with IndexDir(settings.index_dir).build_lock():
        for entry in settings.index_dir.iterdir():
            if entry.is_file():
                entry.unlink()
        with pytest.raises(IndexLockedError):
            build_index(settings, full=True)
    (settings.index_dir / ".lock").mkdir()  # what an older version's lock file was: no matter
    assert build_index(settings, full=True).embedded_chunks == 3


def test_second_concurrent_build_is_refused(tmp_path: Path) -> None:
    settings = RetrievalSettings(articles_dir=small_articles(tmp_path / "a"),
                                 index_dir=tmp_path / "i", _env_file=None)
    with IndexDir(settings.index_dir).build_lock(), pytest.raises(IndexLockedError):
        build_index(settings)


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.5])
def test_killed_build_leaves_the_previous_index_working(
    seed_settings: RetrievalSettings, tmp_path: Path, delay: float
) -> None:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    (articles / "extra.txt").write_text("Tin bổ sung về Hậu Giang\n\n" + "Nội dung. " * 300,
                                        "utf-8")
    env = {**os.environ, "NEWSQA_INDEX_DIR": str(seed_settings.index_dir),
           "NEWSQA_ARTICLES_DIR": str(articles)}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "index", "--full"], env=env,
                               cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    searcher = Searcher.open(seed_settings)
    assert searcher.search("Tô Lâm Cà Mau").results
    # and the next build cleans up after the killed one and succeeds
    report = build_index(seed_settings.model_copy(update={"articles_dir": articles}))
    assert report.articles == 6
