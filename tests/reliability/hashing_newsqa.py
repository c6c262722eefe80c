"""`newsqa` with the weightless HashingEmbedder: the real CLI, minus the model's run time.

Run as ``python -m tests.reliability.hashing_newsqa index ...`` so a build over thousands of
small articles spends its time reading, writing and committing rather than embedding.
"""

from __future__ import annotations

import sys

import retrieval.indexer
import retrieval.search
from bot.cli import main
from retrieval.embedding import Embedder
from retrieval.settings import RetrievalSettings
from tests.support.fake_embedder import HashingEmbedder


def hashing_embedder(settings: RetrievalSettings) -> Embedder:
    """Stands in for retrieval.embedding.load_embedder."""
    return HashingEmbedder()


if __name__ == "__main__":
    retrieval.indexer.load_embedder = hashing_embedder  # type: ignore[attr-defined]
    retrieval.search.load_embedder = hashing_embedder  # type: ignore[attr-defined]
    sys.exit(main())
