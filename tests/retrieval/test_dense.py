"""One contract for every dense backend; exact NumPy search is the oracle for FAISS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.dense import SCAN_FROM_ROWS, DenseIndex, FaissIndex, NumpyIndex, choose_faiss_kind


def unit_vectors(n: int, d: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, d)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def build(kind: str, vectors: np.ndarray) -> DenseIndex:
    if kind == "numpy":
        return NumpyIndex(vectors)
    return FaissIndex.build(vectors, kind, hnsw_m=32, ef_construction=80, ef_search=128)


def reload(index: DenseIndex, kind: str, path: Path) -> DenseIndex:
    index.save(path)
    if kind == "numpy":
        return NumpyIndex.load(path)
    return FaissIndex.read(path, kind, ef_search=128)


@pytest.mark.parametrize("kind", ["numpy", "flat", "hnsw"])
def test_contract(kind: str, tmp_path: Path) -> None:
    vectors = unit_vectors(2000, 48, seed=1)
    queries = unit_vectors(50, 48, seed=2)
    _oracle_scores, oracle_ids = NumpyIndex(vectors).search(queries, 10)
    index = reload(build(kind, vectors), kind, tmp_path / "dense")
    assert index.size == 2000
    scores, ids = index.search(queries, 10)
    assert ids.shape == (50, 10)
    assert np.all(np.diff(scores, axis=1) <= 1e-6)  # best first
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, oracle_ids, strict=True)])
    assert recall >= (1.0 if kind != "hnsw" else 0.95)
    # HNSW keeps its vectors as float16: half the memory, a rounding of 2^-11 at most.
    np.testing.assert_allclose(index.vectors(np.array([5, 7])), vectors[[5, 7]],
                               atol=1e-6 if kind != "hnsw" else 5e-4)
    # k larger than the index is clamped, not an error
    _, few = build(kind, vectors[:3]).search(queries[:1], 10)
    assert few.shape[1] == 3


@pytest.mark.parametrize("kind", ["numpy", "flat", "hnsw"])
@pytest.mark.parametrize("count", [5, SCAN_FROM_ROWS + 7])
def test_given_rows_are_scored_as_the_search_scores_them(kind: str, count: int,
                                                         tmp_path: Path) -> None:
    vectors = unit_vectors(3000, 48, seed=3)
    query = unit_vectors(1, 48, seed=4)[0]
    index = reload(build(kind, vectors), kind, tmp_path / "dense")
    found, found_ids = index.search(query[None, :], 5)
    others = np.setdiff1d(np.arange(len(vectors)), found_ids[0])
    # Any order, with a repeat: the scores come back in the order asked.
    rng = np.random.default_rng(5)
    ids = np.concatenate([rng.choice(others, count, replace=False), found_ids[0][::-1],
                          found_ids[0][:1]])
    scores = index.scores(ids, query)
    np.testing.assert_allclose(scores, index.vectors(ids) @ query, atol=1e-6)
    np.testing.assert_allclose(scores[count:count + 5], found[0][::-1], atol=1e-6)
    assert index.scores(np.zeros(0, dtype=np.int64), query).shape == (0,)


def test_auto_kind_switches_to_hnsw_above_the_threshold() -> None:
    assert choose_faiss_kind("auto", 10, 100) == "flat"
    assert choose_faiss_kind("auto", 101, 100) == "hnsw"
    assert choose_faiss_kind("flat", 10**6, 100) == "flat"
