"""A deterministic embedder with no weights, for tests about files and faults (not quality)."""

from __future__ import annotations

import hashlib

import numpy as np

from retrieval.embedding import Embedder, EmbedderIdentity, FloatArray
from retrieval.text import fold, syllables

DIMENSION = 64


class HashingEmbedder(Embedder):
    """Bag of folded syllables hashed into 64 buckets: similar wording, similar vectors."""

    def __init__(self) -> None:
        self.identity = EmbedderIdentity("test-hashing", "hashing-64", DIMENSION, "", "")
        self.calls = 0

    def _encode(self, texts: list[str], is_query: bool) -> FloatArray:
        self.calls += 1
        out = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            for syllable in syllables(fold(text)):
                bucket = int.from_bytes(hashlib.blake2b(syllable.encode(), digest_size=4)
                                        .digest(), "little") % DIMENSION
                out[row, bucket] += 1.0
            out[row, 0] += 1e-3  # never an all-zero vector
        return out

    def count_tokens(self, text: str) -> int:
        return 2 + len(text.split())
