"""Fusing lexical and dense scores of one candidate set into one ranking."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

FloatArray = np.ndarray[Any, np.dtype[np.float32]]


def zscore(scores: FloatArray) -> FloatArray:
    """Scores centred and scaled over the candidate set (all equal -> all zero)."""
    if len(scores) == 0:
        return np.asarray(scores, dtype=np.float32)
    std = float(scores.std())
    if std < 1e-9:
        return np.zeros_like(scores, dtype=np.float32)
    return np.asarray((scores - scores.mean()) / std, dtype=np.float32)


def linear_fusion(lexical: FloatArray, dense: FloatArray, dense_weight: float) -> FloatArray:
    """``dense_weight * z(dense) + (1 - dense_weight) * z(lexical)`` over the same candidates.

    Z-scores put BM25 (unbounded) and cosine (compressed near 0.8 for e5) on one scale;
    measured on uitqa-reg this beats reciprocal-rank fusion (docs/benchmarks.md).
    """
    if dense_weight <= 0:
        return zscore(lexical)
    if dense_weight >= 1:
        return zscore(dense)
    return (dense_weight * zscore(dense) + (1.0 - dense_weight) * zscore(lexical)).astype(
        np.float32
    )


def mixed_dense(passage: FloatArray, best_sentence: FloatArray, share: float) -> FloatArray:
    """A passage's dense score, ``share`` of it from its best sentence and the rest from
    the passage as a whole: a question about one sentence of a passage matches that
    sentence's own vector better than the passage's (docs/benchmarks.md)."""
    if share <= 0:
        return passage
    return ((1.0 - share) * passage + share * best_sentence).astype(np.float32)


def margin_weight(lexical: FloatArray, dense: FloatArray, dense_weight: float,
                  alpha: float) -> float:
    """The dense weight moved towards the side more sure of its best candidate.

    A ranker whose best candidate stands far above its second (in z-scores over the
    candidates) is more often right than one with a close second; the weight moves by at
    most ``alpha`` (tanh of the difference of the two margins). Measured on news and
    regulation questions (docs/benchmarks.md, "Ranking news"); 0 and 1 stay as they are.
    """
    if alpha <= 0 or not 0 < dense_weight < 1 or len(lexical) < 2:
        return dense_weight
    lexical_z, dense_z = np.sort(zscore(lexical)), np.sort(zscore(dense))
    lexical_margin = float(lexical_z[-1] - lexical_z[-2])
    dense_margin = float(dense_z[-1] - dense_z[-2])
    moved = dense_weight + alpha * math.tanh(dense_margin - lexical_margin)
    return float(min(max(moved, 0.05), 0.95))
