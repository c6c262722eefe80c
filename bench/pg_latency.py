"""The Postgres store at scale: build time, search latency, HNSW recall, concurrent readers.

A synthetic collection (`bench.synth` articles cut into ~200-word passages) is written
through each store's writer (Postgres into a local server, `newsqa pg`'s, started here in a
temporary folder; the files store beside it), then searched through `Searcher.search`, so
"search" is everything but the model, as in `bench.query_latency`.

Vectors (`--vectors`): `model`, the bundled model's own vectors of these passages (cached by
`bench.model_vectors`, which must have encoded at least `--passages` of them) with the
model's vectors of the questions, computed before the clock starts; `fitted`, Gaussian
vectors with the mean and covariance of the vectors of a real index the model built
(`--fit-to INDEX`; for sizes the model cannot encode here), with the model's question
vectors; `random`, unit vectors and hash
stand-ins for the questions (the worst case of any HNSW graph).

    python -m bench.pg_latency [--passages 100000] [--vectors model] [--queries 200]
                               [--threads 8] [--stores postgres,files,postgres-server]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import SecretStr

from retrieval import RetrievalSettings, Searcher
from retrieval.diacritics import DiacriticRestorer
from retrieval.embedding import Embedder, FloatArray
from retrieval.events.model import ArticleFacts
from retrieval.indexer import LazyTerms
from retrieval.places import provinces_of_article
from retrieval.store import (
    Counts,
    Manifest,
    PassageBatch,
    open_store,
    plan_store_dense,
    postgres_local,
)
from retrieval.store.manifest import FORMAT_VERSION, TOKENIZER_VERSION, ChunkingSettings
from retrieval.text import document_terms
from retrieval.types import ArticleInfo

from .common import (
    DEFAULT_WORK,
    HashEmbedder,
    bundled_identity,
    load_average,
    machine,
    memory,
    random_unit_vectors,
    resident_files,
    save_result,
    stop_cleanly_on_sigterm,
    summarize,
)
from .synth import ensure_collection, questions


def passages(count: int, work: Path = DEFAULT_WORK) -> tuple[list[str], list[int]]:
    """~200-word passages of synthetic articles, and the article of each."""
    folder = ensure_collection(work, count // 7 + 1)
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


SENTENCES = 3


def build(settings: RetrievalSettings, texts: list[str], owners: list[int],
          vectors: np.ndarray[Any, Any]) -> dict[str, float]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    # Each batch's terms are the writer's to keep (at 10^6 passages a second copy here
    # would not fit in memory); the time to find them is measured apart.
    terms = LazyTerms(texts)
    for text in texts[:10_000]:
        document_terms(text)
    timings["terms_s"] = (time.perf_counter() - started) * len(texts) / min(len(texts), 10_000)
    first_of: dict[int, int] = {}
    for row, owner in enumerate(owners):
        first_of.setdefault(owner, row)
    counts = np.bincount(owners)
    articles = [ArticleInfo(f"{n:06d}.txt", f"Bài {n}", None, int(counts[n]), False, f"h{n}",
                            first_of[n]) for n in range(len(counts))]
    # The model's identity: searches then fuse the dense side with the model's weights.
    manifest = Manifest(FORMAT_VERSION, "bench", bundled_identity(),
                        ChunkingSettings(256, 1, True), TOKENIZER_VERSION,
                        plan_store_dense(settings, len(texts)), Counts(len(articles), len(texts)),
                        sentence_vectors=True)
    noise = np.random.default_rng(7)
    store = open_store(settings)
    try:
        started = time.perf_counter()
        with store.writer() as writer:
            writer.begin(manifest)
            writer.write_articles(articles)
            for start in range(0, len(texts), 1000):
                stop = min(len(texts), start + 1000)
                ordinals = np.asarray([row - first_of[owners[row]] for row in range(start, stop)])
                # Three sentences a passage (the default passages' size), each near it.
                sentences = np.repeat(vectors[start:stop], SENTENCES, axis=0) + noise.normal(
                    0, 0.02, ((stop - start) * SENTENCES, vectors.shape[1]))
                sentences /= np.linalg.norm(sentences, axis=1, keepdims=True)
                writer.write_passages(PassageBatch(
                    start, texts[start:stop], terms[start:stop], vectors[start:stop],
                    np.zeros(stop - start, np.uint8), np.asarray(owners[start:stop]),
                    ordinals, np.zeros(stop - start, np.int64),
                    np.asarray([len(t) for t in texts[start:stop]]),
                    np.arange(0, (stop - start) * SENTENCES + 1, SENTENCES),
                    sentences.astype(np.float32)))
            timings["write_s"] = time.perf_counter() - started
            writer.write_restorer(DiacriticRestorer.fit(texts[:5000]))
            writer.write_facts(article_facts(articles, texts))
            committed = time.perf_counter()
            writer.commit()
            timings["commit_s"] = time.perf_counter() - committed
        timings["build_s"] = time.perf_counter() - started
    finally:
        store.close()
    return timings


def article_facts(articles: list[ArticleInfo], texts: list[str]) -> list[ArticleFacts]:
    """Of the facts a build stores, the ones every search reads: where each article is set.
    (The people and events only answer people questions, which this bench does not ask.)"""
    return [ArticleFacts(a.file, a.title, a.date, a.content_hash, provinces=tuple(sorted(
        provinces_of_article([a.title, *texts[a.first_chunk:a.first_chunk + a.chunks]]))))
            for a in articles]


class QuestionVectors(Embedder):
    """The bundled model's question vectors, computed before timing and then looked up, so
    a timed search costs what it would with the model's vector already at hand."""

    def __init__(self) -> None:
        from retrieval.embedding import BundledE5Embedder

        self._model = BundledE5Embedder()
        self.identity = self._model.identity
        self._vectors: dict[str, np.ndarray[Any, Any]] = {}
        self.misses = 0

    def warm(self, texts: list[str]) -> None:
        wanted = sorted(set(texts) - set(self._vectors))
        if wanted:
            vectors = self._model.embed_queries(wanted)
            self._vectors.update(zip(wanted, vectors, strict=True))

    def _encode(self, texts: list[str], is_query: bool) -> FloatArray:
        missing = [t for t in texts if t not in self._vectors]
        if missing:
            self.misses += len(missing)
            self.warm(missing)
        return np.stack([self._vectors[t] for t in texts])

    def count_tokens(self, text: str) -> int:
        return len(text)


def dense_texts(settings: RetrievalSettings, searcher: Searcher, asked: list[str]
                ) -> list[str]:
    """What `Searcher._rank` embeds for each question (restored diacritics when bare)."""
    from retrieval.text import is_unaccented_vietnamese, looks_english

    generation = searcher.store.current()
    out = []
    for question in asked:
        text, _ = searcher.prepare_question(question)
        out.append(text)
        if is_unaccented_vietnamese(text) and not looks_english(text) \
                and settings.restore_diacritics:
            out.append(generation.restore_diacritics(text))
    return out


def collection_vectors(kind: str, count: int, work: Path, fit_to: list[Path]
                       ) -> np.ndarray[Any, Any]:
    if kind == "random":
        return random_unit_vectors(count)
    if kind == "model":
        from .model_vectors import cache_path, cached

        vectors = cached(work, count)
        if vectors is None:
            raise SystemExit(f"fewer than {count} model vectors in {cache_path(work)}: run "
                             f"`python -m bench.model_vectors --passages {count}` first")
        return vectors
    from retrieval.store import IndexDir

    from .query_latency import fitted_vectors

    if not fit_to:
        raise SystemExit("--vectors fitted needs --fit-to INDEX (an index the model built)")
    real = np.concatenate([np.load(IndexDir(d).require_current() / "vectors.npy")
                           for d in fit_to])
    return fitted_vectors(real, count).astype(np.float32)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--passages", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--vectors", choices=("model", "fitted", "random"), default="model")
    parser.add_argument("--fit-to", type=Path, action="append", default=[],
                        help="with --vectors fitted: an index built by the bundled model")
    parser.add_argument("--stores", default="postgres,files")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    stop_cleanly_on_sigterm()
    texts, owners = passages(args.passages, args.work)
    vectors = collection_vectors(args.vectors, len(texts), args.work, args.fit_to)
    embedder: Embedder = (HashEmbedder(bundled_identity(), count_tokens=len)
                          if args.vectors == "random" else QuestionVectors())
    root = Path(tempfile.mkdtemp(prefix="newsqa-pg-bench-"))
    root.chmod(0o755)
    server = postgres_local.create(root)
    result: dict[str, Any] = {"passages": len(texts), "vectors": args.vectors,
                              "machine": machine()}
    out = args.out or args.work / "results" / f"pg_latency-{len(texts)}-{args.vectors}.json"
    try:
        stores = {
            "postgres": RetrievalSettings(  # type: ignore[call-arg]
                store="postgres", pg_url=SecretStr(server.url), _env_file=None),
            # pgvector's own HNSW inside the server instead of each reader's FAISS index.
            "postgres-server": RetrievalSettings(  # type: ignore[call-arg]
                store="postgres", pg_url=SecretStr(server.url), pg_dense_index="server",
                _env_file=None),
            # The same passages in the files store, measured under the same machine load.
            "files": RetrievalSettings(  # type: ignore[call-arg]
                index_dir=root / "files-index", _env_file=None),
        }
        for name in args.stores.split(","):
            settings = stores[name]
            result[name] = measure(settings, texts, owners, vectors, embedder, args,
                                   (lambda: server_cpu_seconds(server))
                                   if name.startswith("postgres")
                                   else None)
            if name.startswith("postgres"):
                result[name]["memory"] = server_memory(server)
            else:
                result[name]["memory"] = files_memory(settings.index_dir)
            print(json.dumps({name: result[name]}), flush=True)
        result["load_after"] = load_average()
        save_result(out, result)
    finally:
        postgres_local.remove(server)
    return 0


def measure(settings: RetrievalSettings, texts: list[str], owners: list[int],
            vectors: np.ndarray[Any, Any], embedder: Embedder, args: argparse.Namespace,
            server_cpu: Callable[[], float] | None = None) -> dict[str, Any]:
    result: dict[str, Any] = {"load_before": load_average(),
                              "build": build(settings, texts, owners, vectors)}
    searcher = Searcher(settings, embedder)
    try:
        asked = questions(args.queries)
        warm = questions(20, seed=99)  # other questions: the timed ones are new to the caches
        if isinstance(embedder, QuestionVectors):
            embedder.warm(dense_texts(settings, searcher, asked + warm))
            embedder.misses = 0
        for question in warm:  # the server's buffers, the common terms' postings
            searcher.search(question)
        seconds, cpu = [], []
        server_before = server_cpu() if server_cpu else 0.0
        for question in asked:
            started, cpu_started = time.perf_counter(), time.process_time()
            searcher.search(question)
            seconds.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
        result["search"] = summarize(seconds)
        # CPU seconds do not grow with the machine's load as waiting does: the client's
        # per search, the server's (all its processes) on average.
        result["client_cpu"] = summarize(cpu)
        if server_cpu:
            result["server_cpu_mean_ms"] = round(
                1e3 * (server_cpu() - server_before) / len(asked), 2)
        generation = searcher.store.current()
        result["dense_kind"] = generation.manifest.dense.kind
        result["recall_at_10"] = recall(generation, vectors, embedder, asked)
        result["concurrent"] = concurrent(searcher, asked, args.threads)
        result["client_rss"] = memory()["rss"]
        if isinstance(embedder, QuestionVectors):
            result["model_calls_while_timed"] = embedder.misses
    finally:
        searcher.store.close()
    return result


def recall(generation: Any, vectors: np.ndarray[Any, Any], embedder: Embedder,
           asked: list[str]) -> float:
    """Dense top-10 of the store against exact top-10 (NumPy), over the bench's questions
    (model vectors) or, with random vectors, over perturbed passage vectors."""
    queries: list[np.ndarray[Any, Any]] = []
    if isinstance(embedder, QuestionVectors):
        queries = list(embedder.embed_queries(asked[:100]))
    else:
        for seed in range(50):
            query = random_unit_vectors(1, seed=10_000 + seed)[0] * 0.3 \
                + vectors[seed * 97 % len(vectors)]
            queries.append((query / np.linalg.norm(query)).astype(np.float32))
    recalls = []
    for query in np.asarray(queries, dtype=np.float32):
        ids, _ = generation.dense_top(query, 10)
        exact = np.argsort(-(vectors @ query))[:10]
        recalls.append(len(set(ids.tolist()) & set(exact.tolist())) / 10)
    return round(float(np.mean(recalls)), 4)


def server_memory(server: postgres_local.LocalServer) -> dict[str, Any]:
    """The server's processes' proportional resident memory (shared buffers counted once),
    and the live generation's size on disk."""
    import psycopg

    pids = server_pids(server)
    pss = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    pss += int(line.split()[1]) * 1024
        except OSError:
            continue
    with psycopg.connect(server.url, autocommit=True) as connection:
        row = connection.execute("SELECT generation FROM newsqa_live").fetchone()
        schema = row[0] if row else ""
        sizes: dict[str, int] = dict(connection.execute(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s "
            "AND c.relkind IN ('r', 'i')", (schema,)).fetchall())
    hnsw = sum(v for k, v in sizes.items() if "embedding" in k or "expr" in k)
    return {"server_pss": pss, "server_processes": len(pids),
            "generation_bytes": sum(v for k, v in sizes.items()
                                    if not k.endswith(("_pkey", "_key_idx")) and
                                    "expr" not in k and "embedding" not in k),
            "hnsw_bytes": hnsw, "relations": sizes}


def server_cpu_seconds(server: postgres_local.LocalServer) -> float:
    """CPU seconds the server's processes have used (user + system)."""
    total = 0
    for pid in server_pids(server):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(server: postgres_local.LocalServer) -> list[int]:
    main_pid = int((server.data / "postmaster.pid").read_text().split()[0])
    pids = [main_pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == main_pid:
            pids.append(int(stat.parent.name))
    return pids


def files_memory(index_dir: Path) -> dict[str, int]:
    """The index's files resident in this process, and their size on disk."""
    resident = resident_files(index_dir)
    disk = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())
    return {"index_resident": sum(resident.values()), "index_bytes": disk}


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
