"""The bundled model's vectors of `bench.pg_latency`'s passages, computed once and cached.

Real vectors matter for HNSW: random unit vectors are the worst case of any graph (recall
0.55-0.74 at 10^5 here) and say nothing about what a user sees. Encoding 10^5 passages
takes the model about an hour on two cores, so the work is saved every few thousand
passages and resumed where it stopped; run it with `nice` beside other work.

    nice -n 19 python -m bench.model_vectors [--passages 100000]

The cache is `<work>/cache/model-vectors-<n>.npy` (float32, one row per passage, in
`pg_latency.passages(n)` order; rows of a shorter run are the prefix of a longer one).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from .common import DEFAULT_WORK

SAVE_EVERY = 2_048


def cache_path(work: Path) -> Path:
    return work / "cache" / "model-vectors.npy"


def cached(work: Path, n: int) -> np.ndarray[Any, Any] | None:
    """The first ``n`` cached model vectors, or None if fewer are cached."""
    path = cache_path(work)
    if not path.exists():
        return None
    vectors = np.load(path, mmap_mode="r")
    return np.ascontiguousarray(vectors[:n]) if len(vectors) >= n else None


def encode(texts: list[str], work: Path, batch_size: int = 32) -> np.ndarray[Any, Any]:
    """Model vectors of ``texts`` (passages), resuming from and extending the cache."""
    from retrieval.embedding import BundledE5Embedder

    path = cache_path(work)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = np.load(path) if path.exists() else np.zeros((0, 384), dtype=np.float32)
    if len(done) >= len(texts):
        return done[:len(texts)]
    model = BundledE5Embedder(batch_size=batch_size)
    parts = [done]
    position = len(done)
    started = time.perf_counter()
    encoded = 0
    while position < len(texts):
        stop = min(len(texts), position + SAVE_EVERY)
        parts.append(model.embed_passages(texts[position:stop]).astype(np.float32))
        encoded += stop - position
        position = stop
        everything = np.concatenate(parts)
        parts = [everything]
        partial = path.with_suffix(".tmp.npy")
        np.save(partial, everything)
        partial.replace(path)
        rate = encoded / (time.perf_counter() - started)
        print(f"{position}/{len(texts)} passages ({rate:.1f}/s)", file=sys.stderr, flush=True)
    return parts[0][:len(texts)]


def main(argv: list[str] | None = None) -> int:
    from .pg_latency import passages

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args(argv)
    texts, _ = passages(args.passages, args.work)
    encode(texts, args.work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
