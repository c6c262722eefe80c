"""Shared fixtures: an isolated environment per test and one real seed index per session."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.frontend.messages import set_language
from retrieval import RetrievalSettings, Searcher, build_index
from retrieval.embedding import BundledE5Embedder
from tests.support.postgres import (  # noqa: F401 - fixtures
    pg_seed_template,
    pg_seed_url,
    pg_server,
    pg_url,
)
from tests.support.remembered_vectors import ENV as REMEMBERED_ENV
from tests.support.remembered_vectors import Key, remember, save

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the developer's .env or writes the repo's .index."""
    for name in list(os.environ):
        if name.startswith(("NEWSQA_", "TELEGRAM_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("NEWSQA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # CLI messages in English by default in tests (the product default, Vietnamese, has its
    # own tests); a test wanting Vietnamese sets NEWSQA_LANGUAGE=vi.
    monkeypatch.setenv("NEWSQA_LANGUAGE", "en")
    set_language("en")
    monkeypatch.chdir(tmp_path)


_REMEMBERED: dict[Key, np.ndarray] = {}


@pytest.fixture(scope="session", autouse=True)
def remembered_embeddings() -> Iterator[None]:
    """In-process builds run the bundled model once per text for the session (see
    tests/support/remembered_vectors.py)."""
    encode = remember(_REMEMBERED)
    try:
        yield
    finally:
        BundledE5Embedder._encode = encode  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def remembered_vectors_env(seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory
                           ) -> dict[str, str]:
    """The environment that hands the seeds' vectors to `tests.support.remembering_newsqa`."""
    path = save(_REMEMBERED, tmp_path_factory.mktemp("remembered") / "vectors.npz")
    return {REMEMBERED_ENV: str(path)}


@pytest.fixture(scope="session")
def seed_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real index of seeds/ built once with the bundled model (read-only for tests)."""
    index_dir = tmp_path_factory.mktemp("seed-index") / "index"
    build_index(RetrievalSettings(articles_dir=SEEDS, index_dir=index_dir, _env_file=None))
    return index_dir


@pytest.fixture()
def seed_settings(seed_index_dir: Path, tmp_path: Path) -> Iterator[RetrievalSettings]:
    """Settings over a private copy of the seed index (a test may rebuild or damage it)."""
    index_dir = tmp_path / "seed-index"
    shutil.copytree(seed_index_dir, index_dir)
    yield RetrievalSettings(articles_dir=SEEDS, index_dir=index_dir, _env_file=None)


@pytest.fixture(scope="session")
def seed_searcher(seed_index_dir: Path) -> Searcher:
    """A searcher over the shared seed index (do not modify the index through it)."""
    return Searcher.open(
        RetrievalSettings(articles_dir=SEEDS, index_dir=seed_index_dir, _env_file=None)
    )
