"""A files index copied into Postgres (no embedding): the same answers, and the next build
finds every article unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from retrieval import RetrievalSettings, Searcher, build_index
from retrieval.embedding import load_embedder
from retrieval.store import open_store
from retrieval.store.copy import copy_live
from retrieval.store.files import FilesStore
from tests.conftest import SEEDS

QUESTIONS = Path(__file__).resolve().parents[1] / "eval" / "seeds.jsonl"
pytestmark = pytest.mark.slow


def test_a_copied_index_answers_as_the_files_store(seed_settings: RetrievalSettings,
                                                   pg_url: str) -> None:
    target = RetrievalSettings(store="postgres", pg_url=SecretStr(pg_url), articles_dir=SEEDS,
                               _env_file=None)
    source = FilesStore(seed_settings)
    store = open_store(target)
    try:
        copy_live(source, store)
    finally:
        store.close()
    embedder = load_embedder(seed_settings)
    files = Searcher(seed_settings, embedder, source)
    copied = Searcher(target, embedder)
    try:
        rows = [json.loads(line) for line in QUESTIONS.read_text("utf-8").splitlines() if line]
        for row in rows:
            want = files.search(row["q"], top_k=3)
            got = copied.search(row["q"], top_k=3)
            assert [(h.source.file, h.text) for h in got.results] == [
                (h.source.file, h.text) for h in want.results], row["q"]
            assert [h.score for h in got.results] == pytest.approx(
                [h.score for h in want.results], abs=2e-4)
            assert got.answer == want.answer
        assert copied.store.current().restore_diacritics("ngay hoi") == \
            files.store.current().restore_diacritics("ngay hoi")
    finally:
        copied.store.close()
        source.close()
    report = build_index(target)
    assert report.embedded_chunks == 0
