"""Small helpers shared by the reliability tests."""

from __future__ import annotations

from pathlib import Path

from retrieval import RetrievalSettings

from ..conftest import SEEDS


def core_settings(index_dir: Path | None = None, articles_dir: Path = SEEDS
                  ) -> RetrievalSettings:
    """Core settings that read no .env file (a developer's must not leak into tests)."""
    if index_dir is None:
        return RetrievalSettings(articles_dir=articles_dir, _env_file=None)  # type: ignore[call-arg]
    return RetrievalSettings(articles_dir=articles_dir, index_dir=index_dir,
                             _env_file=None)  # type: ignore[call-arg]
