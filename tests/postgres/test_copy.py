"""A files index copied into Postgres (no embedding): the same answers, and the next build
finds every article unchanged."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from retrieval import RetrievalSettings, Searcher, build_index
from retrieval.embedding import load_embedder
from retrieval.store import open_store
from retrieval.store.copy import copy_live
from retrieval.store.files import FilesStore
from tests.conftest import SEEDS
from tests.support.postgres import assert_same_top3

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
        assert_same_top3(files, copied, same_answers=True)
        assert copied.store.current().restore_diacritics("ngay hoi") == \
            files.store.current().restore_diacritics("ngay hoi")
    finally:
        copied.store.close()
        source.close()
    report = build_index(target)
    assert report.embedded_chunks == 0
