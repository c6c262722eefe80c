"""The Postgres store at scale: build time, search latency, HNSW recall, concurrent readers.

A synthetic collection (`bench.synth` articles cut into ~200-word passages, stand-in
random vectors) is written through the store's writer into a local server (`newsqa pg`'s,
started here in a temporary folder), then searched through `Searcher.search` with the
stand-in embedder (so "search" is everything but the model, as in `bench.query_latency`).

    python -m bench.pg_latency [--passages 100000] [--queries 200] [--threads 8]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import SecretStr

from retrieval import RetrievalSettings, Searcher
from retrieval.dense import plan_dense
from retrieval.diacritics import DiacriticRestorer
from retrieval.store import Counts, Manifest, PassageBatch, open_store, postgres_local
from retrieval.store.manifest import FORMAT_VERSION, TOKENIZER_VERSION, ChunkingSettings
from retrieval.text import document_terms
from retrieval.types import ArticleInfo

from .common import (
    DEFAULT_WORK,
    STANDIN_IDENTITY,
    HashEmbedder,
    load_average,
    random_unit_vectors,
    summarize,
)
from .synth import ensure_collection, questions


def passages(count: int) -> tuple[list[str], list[int]]:
    """~200-word passages of synthetic articles, and the article of each."""
    folder = ensure_collection(DEFAULT_WORK, count // 7 + 1)
    texts: list[str] = []
    owners: list[int] = []
    for number, path in enumerate(sorted(folder.glob("*.txt"))):
        words = path.read_text(encoding="utf-8").split()
        for start in range(0, len(words), 180):
            texts.append(" ".join(words[max(0, start - 20):start + 180]))
            owners.append(number)
            if len(texts) == count:
                return texts, owners
    return texts, owners


def build(settings: RetrievalSettings, texts: list[str], owners: list[int],
          vectors: np.ndarray[Any, Any]) -> dict[str, float]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    terms = [document_terms(t) for t in texts]
    timings["terms_s"] = time.perf_counter() - started
    first_of: dict[int, int] = {}
    for row, owner in enumerate(owners):
        first_of.setdefault(owner, row)
    counts = np.bincount(owners)
    articles = [ArticleInfo(f"{n:06d}.txt", f"Bài {n}", None, int(counts[n]), False, f"h{n}",
                            first_of[n]) for n in range(len(counts))]
    manifest = Manifest(FORMAT_VERSION, "bench", STANDIN_IDENTITY,
                        ChunkingSettings(256, 1, True), TOKENIZER_VERSION,
                        plan_dense(settings, len(texts)), Counts(len(articles), len(texts)))
    store = open_store(settings)
    try:
        started = time.perf_counter()
        with store.writer() as writer:
            writer.begin(manifest)
            writer.write_articles(articles)
            for start in range(0, len(texts), 1000):
                stop = min(len(texts), start + 1000)
                ordinals = np.asarray([row - first_of[owners[row]] for row in range(start, stop)])
                writer.write_passages(PassageBatch(
                    start, texts[start:stop], terms[start:stop], vectors[start:stop],
                    np.zeros(stop - start, np.uint8), np.asarray(owners[start:stop]),
                    ordinals, np.zeros(stop - start, np.int64),
                    np.asarray([len(t) for t in texts[start:stop]])))
            timings["write_s"] = time.perf_counter() - started
            writer.write_restorer(DiacriticRestorer.fit(texts[:5000]))
            committed = time.perf_counter()
            writer.commit()
            timings["commit_s"] = time.perf_counter() - committed
        timings["build_s"] = time.perf_counter() - started
    finally:
        store.close()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--out", type=Path, default=DEFAULT_WORK / "pg_latency.json")
    args = parser.parse_args(argv)
    texts, owners = passages(args.passages)
    vectors = random_unit_vectors(len(texts))
    root = Path(tempfile.mkdtemp(prefix="newsqa-pg-bench-"))
    root.chmod(0o755)
    server = postgres_local.create(root)
    result: dict[str, Any] = {"passages": len(texts), "load_before": load_average()}
    try:
        stores = {
            "postgres": RetrievalSettings(store="postgres", pg_url=SecretStr(server.url),
                                          _env_file=None),
            # The same passages in the files store, measured under the same machine load.
            "files": RetrievalSettings(index_dir=root / "files-index", _env_file=None),
        }
        for name, settings in stores.items():
            result[name] = measure(settings, texts, owners, vectors, args)
            print(json.dumps(result), flush=True)
        result["load_after"] = load_average()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    finally:
        postgres_local.remove(server)
    return 0


def measure(settings: RetrievalSettings, texts: list[str], owners: list[int],
            vectors: np.ndarray[Any, Any], args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"build": build(settings, texts, owners, vectors)}
    searcher = Searcher(settings, HashEmbedder(count_tokens=len))
    try:
        asked = questions(args.queries)
        for question in asked[:20]:  # warm the term cache and the server's buffers
            searcher.search(question)
        seconds = []
        for question in asked:
            started = time.perf_counter()
            searcher.search(question)
            seconds.append(time.perf_counter() - started)
        result["search"] = summarize(seconds)
        generation = searcher.store.current()
        result["dense_kind"] = generation.manifest.dense.kind
        recalls = []
        for seed in range(50):
            query = random_unit_vectors(1, seed=10_000 + seed)[0] * 0.3 \
                + vectors[seed * 97 % len(vectors)]
            query = (query / np.linalg.norm(query)).astype(np.float32)
            ids, _ = generation.dense_top(query, 10)
            exact = np.argsort(-(vectors @ query))[:10]
            recalls.append(len(set(ids.tolist()) & set(exact.tolist())) / 10)
        result["recall_at_10"] = float(np.mean(recalls))
        result["concurrent"] = concurrent(searcher, asked, args.threads)
    finally:
        searcher.store.close()
    return result


def concurrent(searcher: Searcher, asked: list[str], threads: int) -> dict[str, Any]:
    """``threads`` readers sharing one searcher, each asking every question once."""
    seconds: list[float] = []
    lock = threading.Lock()

    def reader(offset: int) -> None:
        mine = []
        for number in range(len(asked)):
            question = asked[(number + offset * 7) % len(asked)]
            started = time.perf_counter()
            searcher.search(question)
            mine.append(time.perf_counter() - started)
        with lock:
            seconds.extend(mine)

    workers = [threading.Thread(target=reader, args=(n,)) for n in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - started
    return {"threads": threads, "questions_per_s": round(len(seconds) / wall, 1),
            **summarize(seconds)}


if __name__ == "__main__":
    raise SystemExit(main())
