"""Query latency, memory and HNSW recall at 10^3, 10^5 and 10^6 chunks.

Every size is a real index generation that `Searcher.open` loads, searched through the full
`Searcher.search` path (lexical scores, top-k, diacritic restoration, dense search,
candidate vectors, fusion, collapse, highlights, answer extraction):

- 10^3: ~105 synthetic articles indexed by `build_index` (real chunking, lexical index and
  FAISS flat index; hash-seeded random vectors instead of the model's).
- 10^5: the 10,000-article index that `bench.incremental` left (or built here the same way).
- 10^6: that generation tiled to exactly 10^6 chunks (texts, chunk rows, articles and the
  BM25 matrix repeated; each copy is a separate article) over 10^6 random unit vectors, in
  the HNSW index `auto` picks at that size when it was built before (`python -m
  bench.common`: slow) or else in an exact flat index (`--dense-1m`).

The generations carry the bundled model's identity, so the query side runs the real
model: "ask" = search with the question's embedding + JSON + plain rendering (what
`newsqa ask` does after loading); "search" = the same question again with its embedding
cached, i.e. everything but the model. Each size runs in its own process (clean RSS).

    python -m bench.query_latency [--sizes 1000,100000,1000000] [--queries 100]

`--fit-recall INDEX` instead measures HNSW recall on vectors drawn to match a real index's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from retrieval import RetrievalSettings, Searcher, build_index
from retrieval.dense import FaissIndex
from retrieval.store import CHECKSUM_LIMIT_BYTES, CURRENT, MANIFEST, IndexDir, load_json, sealed

from .common import (
    DEFAULT_WORK,
    HashEmbedder,
    PhaseTimer,
    bundled_identity,
    cached_faiss,
    fit_token_estimate,
    hnsw_cache_file,
    load_average,
    machine,
    memory,
    random_unit_vectors,
    resident_files,
    save_result,
    summarize,
)
from .synth import ensure_collection, questions

SMALL_ARTICLES = 105  # about 10^3 chunks
CORPUS_ARTICLES = 10_000  # about 10^5 chunks
EF_SWEEP = (32, 64, 128, 256, 512, 768, 1536, 3072)


# --- building the generations --------------------------------------------------------------

def build_generation(articles_dir: Path, index_dir: Path) -> None:
    """A real build with hash-seeded vectors under the bundled model's identity."""
    settings = RetrievalSettings(articles_dir=articles_dir, index_dir=index_dir,
                                 _env_file=None)  # type: ignore[call-arg]
    build_index(settings, full=True,
                embedder=HashEmbedder(identity=bundled_identity(),
                                      count_tokens=fit_token_estimate(articles_dir)))


def adopt(source_index: Path, index_dir: Path) -> None:
    """A hard-linked copy of a stand-in index's live generation, relabelled as the model's."""
    generation = IndexDir(source_index).require_current()
    target = index_dir / generation.name
    shutil.rmtree(index_dir, ignore_errors=True)
    shutil.copytree(generation, target, copy_function=lambda s, d: Path(d).hardlink_to(s))
    manifest = load_json(generation / MANIFEST)
    manifest["embedder"] = bundled_identity().as_dict()
    (target / MANIFEST).unlink()
    (target / MANIFEST).write_text(json.dumps(sealed(manifest), ensure_ascii=False, indent=1))
    (index_dir / CURRENT).write_text(generation.name + "\n")


def tile_csc(data: np.ndarray[Any, Any], indices: np.ndarray[Any, Any],
             indptr: np.ndarray[Any, Any], docs: int, copies: int, extra: int,
             out_dir: Path) -> None:
    """The BM25 matrix of ``copies`` repeats of the corpus plus its first ``extra`` docs."""
    lengths = np.diff(indptr)
    column = np.repeat(np.arange(len(lengths)), lengths)
    position = np.arange(len(indices), dtype=np.int64) - indptr[column]
    keep = indices < extra
    kept_before = np.concatenate([[0], np.cumsum(keep)])
    partial = np.bincount(column[keep], minlength=len(lengths))
    new_lengths = lengths * copies + partial
    new_indptr = np.concatenate([[0], np.cumsum(new_lengths)]).astype(indptr.dtype)
    total = int(new_indptr[-1])
    from numpy.lib.format import open_memmap

    new_data = open_memmap(out_dir / "impacts.npy", mode="w+", dtype=data.dtype,
                           shape=(total,))
    new_indices = open_memmap(out_dir / "doc_ids.npy", mode="w+",
                              dtype=indices.dtype, shape=(total,))
    start = new_indptr[:-1][column]
    for copy in range(copies):
        destination = start + copy * lengths[column] + position
        new_data[destination] = data
        new_indices[destination] = indices + copy * docs
    kept = np.flatnonzero(keep)
    rank = kept_before[kept] - kept_before[indptr[column[kept]]]
    destination = start[kept] + copies * lengths[column[kept]] + rank
    new_data[destination] = data[kept]
    new_indices[destination] = indices[kept] + copies * docs
    new_data.flush()
    new_indices.flush()
    with open(out_dir / "indptr.npy", "wb") as handle:
        np.save(handle, new_indptr, allow_pickle=False)


def hnsw_cached(work: Path, target: int, settings: RetrievalSettings) -> bool:
    meta = work / "cache" / (f"hnsw16-n{target}-d384-s0-m{settings.hnsw_m}"
                             f"-efc{settings.hnsw_ef_construction}.json")
    return meta.exists()


def tile_generation(source_index: Path, index_dir: Path, target: int, work: Path,
                    settings: RetrievalSettings, dense: str) -> float | None:
    """The source generation repeated to exactly ``target`` chunks over random vectors.

    ``dense`` 'hnsw': the production HNSW index (built once and cached: slow); 'flat':
    exact search. Returns the seconds the HNSW build took when it was made.
    """
    source = IndexDir(source_index).require_current()
    name = f"gen-tiled-{target}-{dense}"
    generation = index_dir / name
    stamp = index_dir / "tiled-from"
    if (stamp.exists() and stamp.read_text() == str(source)
            and IndexDir(index_dir).current() == generation):
        if dense == "flat":
            return None
        return hnsw_cache_file(work, target, seed=0, hnsw_m=settings.hnsw_m,
                               ef_construction=settings.hnsw_ef_construction)[1]
    manifest = load_json(source / MANIFEST)
    records: list[dict[str, Any]] = load_json(source / "articles.json")
    docs = int(manifest["counts"]["chunks"])
    copies, extra = divmod(target, docs)
    shutil.rmtree(index_dir, ignore_errors=True)
    (generation / "lexical").mkdir(parents=True)

    chunks = np.load(source / "chunks.npy")
    offsets = np.load(source / "text_offsets.npy")
    text_bytes = int(offsets[-1])
    tiled_records: list[dict[str, Any]] = []
    tiled_chunks: list[np.ndarray[Any, Any]] = []
    tiled_offsets: list[np.ndarray[Any, Any]] = [np.zeros(1, dtype=offsets.dtype)]
    hashes: dict[str, str] = {}
    with open(source / "texts.bin", "rb") as handle:
        texts = handle.read()
    with open(generation / "texts.bin", "wb") as out:
        for copy in range(copies + (1 if extra else 0)):
            rows = docs if copy < copies else extra
            for record in records:
                first = int(record["first_chunk"])
                if first >= rows:
                    break
                entry = dict(record, file=f"copy{copy:02d}/{record['file']}",
                             first_chunk=first + copy * docs,
                             chunks=min(int(record["chunks"]), rows - first))
                tiled_records.append(entry)
                hashes[entry["file"]] = record["content_hash"]
            block = chunks[:rows].copy()
            block[:, 0] += copy * len(records)
            tiled_chunks.append(block)
            tiled_offsets.append(offsets[1:rows + 1] + copy * text_bytes)
            out.write(texts[:int(offsets[rows])])
    with open(generation / "chunks.npy", "wb") as handle:
        np.save(handle, np.concatenate(tiled_chunks), allow_pickle=False)
    with open(generation / "text_offsets.npy", "wb") as handle:
        np.save(handle, np.concatenate(tiled_offsets), allow_pickle=False)
    (generation / "articles.json").write_text(json.dumps(tiled_records, ensure_ascii=False))

    lexical = source / "lexical"
    # Each copy's documents follow the previous copy's, so columns stay sorted by passage.
    tile_csc(np.load(lexical / "impacts.npy", mmap_mode="r"),
             np.load(lexical / "doc_ids.npy"),
             np.load(lexical / "indptr.npy"), docs, copies, extra,
             generation / "lexical")
    for small in ("terms.npy", "scales.npy"):
        Path(generation / "lexical" / small).hardlink_to(lexical / small)
    params = json.loads((lexical / "params.json").read_text())
    params["documents"] = target
    (generation / "lexical" / "params.json").write_text(json.dumps(params, indent=4))
    Path(generation / "diacritics.json").hardlink_to(source / "diacritics.json")
    people = np.load(source / "people.npy")
    with open(generation / "people.npy", "wb") as handle:
        np.save(handle, np.concatenate([np.tile(people, copies), people[:extra]]),
                allow_pickle=False)

    hnsw_seconds: float | None = None
    if dense == "hnsw":
        cache, hnsw_seconds = hnsw_cache_file(work, target, seed=0, hnsw_m=settings.hnsw_m,
                                              ef_construction=settings.hnsw_ef_construction)
        Path(generation / "dense.faiss").hardlink_to(cache)
    else:
        FaissIndex.build(random_unit_vectors(target), "flat").save(generation / "dense.faiss")

    files = {p.relative_to(generation).as_posix(): p.stat().st_size
             for p in sorted(generation.rglob("*")) if p.is_file()}
    # Like the core, checksums only below the limit (above it they are never checked).
    from retrieval.store import describe_files

    described = (describe_files(generation) if sum(files.values()) <= CHECKSUM_LIMIT_BYTES
                 else {path: {"size": size, "sha256": ""} for path, size in files.items()})
    manifest.update(
        embedder=bundled_identity().as_dict(),
        dense={"backend": "faiss", "kind": dense, "hnsw_m": settings.hnsw_m,
               "ef_construction": settings.hnsw_ef_construction},
        counts={"articles": len(tiled_records), "chunks": target},
        article_hashes=hashes, files=described,
        created_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    )
    (generation / MANIFEST).write_text(json.dumps(sealed(manifest), ensure_ascii=False,
                                                  indent=1))
    (index_dir / CURRENT).write_text(name + "\n")
    stamp.write_text(str(source))
    return hnsw_seconds


def corpus_index(work: Path, given: Path | None) -> Path:
    """The ~10^5-chunk stand-in index: given, left by bench.incremental, or built now."""
    for candidate in (given, work / f"incremental-{CORPUS_ARTICLES}" / "index"):
        if candidate is not None and IndexDir(candidate).current() is not None:
            return candidate
    index_dir = work / "latency-corpus-index"
    if IndexDir(index_dir).current() is None:
        print(f"building the {CORPUS_ARTICLES}-article collection's index…", file=sys.stderr)
        build_generation(ensure_collection(work, CORPUS_ARTICLES), index_dir)
    return index_dir


def prepare(size: int, work: Path, given_corpus: Path | None, settings: RetrievalSettings,
            dense_1m: str) -> tuple[Path, dict[str, Any]]:
    index_dir = work / f"latency-{size}" / "index"
    info: dict[str, Any] = {}
    started = time.perf_counter()
    if size <= 10_000:
        articles = max(SMALL_ARTICLES * size // 1000, 1)
        build_generation(ensure_collection(work, articles), index_dir)
        info["source"] = f"build_index over {articles} synthetic articles"
    elif size < 1_000_000:
        adopt(corpus_index(work, given_corpus), index_dir)
        info["source"] = f"the {CORPUS_ARTICLES}-article stand-in index"
    else:
        if dense_1m == "auto":
            dense_1m = "hnsw" if hnsw_cached(work, size, settings) else "flat"
        info["hnsw_build_seconds"] = tile_generation(corpus_index(work, given_corpus),
                                                     index_dir, size, work, settings, dense_1m)
        info["source"] = (f"the {CORPUS_ARTICLES}-article index tiled to {size} chunks, "
                          f"{dense_1m} dense index")
    info["prepare_seconds"] = time.perf_counter() - started
    return index_dir, info


# --- measuring -----------------------------------------------------------------------------

def time_queries(searcher: Searcher, asked: list[str]) -> dict[str, Any]:
    """Per question: 'ask' (embedding not cached) then 'search' (cached), interleaved."""
    from bot.render import render_plain
    from bot.serialize import response_to_dict

    ask: list[float] = []
    search: list[float] = []
    ask_cpu: list[float] = []
    search_cpu: list[float] = []
    for question in asked:
        searcher._query_cache.clear()
        started, cpu = time.perf_counter(), time.process_time()
        response = searcher.search(question)
        render_plain(response_to_dict(response))
        ask.append(time.perf_counter() - started)
        ask_cpu.append(time.process_time() - cpu)
        started, cpu = time.perf_counter(), time.process_time()
        searcher.search(question)
        search.append(time.perf_counter() - started)
        search_cpu.append(time.process_time() - cpu)
    return {"ask": summarize(ask), "search": summarize(search),
            "ask_cpu": summarize(ask_cpu), "search_cpu": summarize(search_cpu)}


def time_search_only(searcher: Searcher, asked: list[str]) -> dict[str, Any]:
    """Search latency (wall and CPU) with every question's embedding already cached."""
    for question in asked:
        searcher.search(question)
    samples: list[float] = []
    cpu_samples: list[float] = []
    for question in asked:
        started, cpu = time.perf_counter(), time.process_time()
        searcher.search(question)
        samples.append(time.perf_counter() - started)
        cpu_samples.append(time.process_time() - cpu)
    return {**summarize(samples), "cpu": summarize(cpu_samples)}


def time_search_cold(searcher: Searcher, asked: list[str]) -> dict[str, Any]:
    """Search latency with the question's embedding cached but no per-passage term cache
    and no compiled syllable patterns: what a new question costs when its passages were
    never seen (the honest figure)."""
    from retrieval import text as text_module

    for question in asked:
        searcher.search(question)  # embeddings (and restored diacritics) cached
    samples: list[float] = []
    for question in asked:
        searcher.passage_cache().clear()
        text_module._syllable_pattern.cache_clear()
        started = time.perf_counter()
        searcher.search(question)
        samples.append(time.perf_counter() - started)
    return summarize(samples)


def search_phases(searcher: Searcher, asked: list[str]) -> dict[str, Any]:
    """Where a (cached-embedding) search spends its time, per question."""
    import retrieval.rerank as rerank_module
    import retrieval.search as search_module
    from retrieval.diacritics import DiacriticRestorer
    from retrieval.lexical import LexicalIndex

    timer = PhaseTimer()
    timer.wrap(LexicalIndex, "top", "lexical top")
    timer.wrap(LexicalIndex, "scores_for", "lexical scores of candidates")
    timer.wrap(search_module, "query_terms", "query terms")
    timer.wrap(DiacriticRestorer, "restore", "diacritic restoration")
    timer.wrap(type(searcher.snapshot.dense), "search", "dense search")
    timer.wrap(type(searcher.snapshot.dense), "vectors", "candidate vectors")
    timer.wrap(search_module, "linear_fusion", "fusion")
    timer.wrap(search_module, "collapse", "collapse")
    timer.wrap(search_module, "rerank_by_sentence", "best-sentence re-rank")
    timer.wrap(search_module.Highlighter, "spans", "highlights")
    timer.wrap(search_module, "extract_answer", "answer extraction")
    timer.wrap(rerank_module.PassageTermCache, "terms",
               "passage terms (collapse, re-rank; cached)")
    started = time.perf_counter()
    try:
        for question in asked:
            searcher.search(question)
    finally:
        timer.restore()
    total = time.perf_counter() - started
    report = timer.report()
    phases = {name: round(1e3 * entry["seconds"] / len(asked), 3)
              for name, entry in report.items()}
    phases["total"] = round(1e3 * total / len(asked), 3)
    calls = {name: round(entry["calls"] / len(asked), 1) for name, entry in report.items()}
    return {"ms_per_question": phases, "calls_per_question": calls}


def query_embedding(searcher: Searcher, asked: list[str]) -> dict[str, Any]:
    samples = []
    for question in asked:
        started = time.perf_counter()
        searcher.embedder.embed_queries([question])
        samples.append(time.perf_counter() - started)
    return summarize(samples)


def recall(exact: Any, approximate: Any, queries: np.ndarray[Any, Any],
           k: int) -> tuple[float, float]:
    """(mean recall@k of ``approximate`` against ``exact``, ms per query)."""
    _, truth = exact.search(queries, k)
    started = time.perf_counter()
    _, found = approximate.search(queries, k)
    per_query = 1e3 * (time.perf_counter() - started) / len(queries)
    hits = [len(set(t.tolist()) & set(f.tolist())) / k for t, f in zip(truth, found, strict=True)]
    return float(np.mean(hits)), per_query


def recall_sweep(flat: Any, hnsw: Any, question_vectors: np.ndarray[Any, Any],
                 data_vectors: np.ndarray[Any, Any], production_ef: int) -> dict[str, Any]:
    """Recall@10 / @100 of HNSW against exact search for two query sets, over efSearch."""
    rng = np.random.default_rng(1)
    rows = rng.choice(len(data_vectors), size=len(question_vectors), replace=False)
    near = data_vectors[rows] + 0.05 * rng.standard_normal(
        (len(rows), data_vectors.shape[1])).astype(np.float32) / math.sqrt(data_vectors.shape[1])
    near /= np.linalg.norm(near, axis=1, keepdims=True)
    out: dict[str, Any] = {}
    for label, queries in (("questions", question_vectors), ("near-data", near)):
        entries = []
        for ef in EF_SWEEP:
            hnsw.set_ef_search(ef)
            at10, ms10 = recall(flat, hnsw, queries, 10)
            at100, _ = recall(flat, hnsw, queries, 100)
            entries.append({"ef_search": ef, "recall@10": round(at10, 4),
                            "recall@100": round(at100, 4), "ms_per_query": round(ms10, 3)})
        out[label] = entries
    hnsw.set_ef_search(production_ef)
    return out


def fitted_vectors(real: np.ndarray[Any, Any], n: int, seed: int = 2) -> np.ndarray[Any, Any]:
    """``n`` unit vectors from a Gaussian with the mean and covariance of ``real`` vectors.

    With fewer real vectors than dimensions the covariance is known only in their span;
    the rest gets the smallest fitted variance (isotropic), which errs towards harder data.
    """
    mean = real.mean(axis=0)
    _, singular, basis = np.linalg.svd(real - mean, full_matrices=False)
    variances = singular ** 2 / max(len(real) - 1, 1)
    keep = variances > variances.max() * 1e-6
    variances, basis = variances[keep], basis[keep]
    floor = float(variances.min())
    rng = np.random.default_rng(seed)
    out = np.empty((n, real.shape[1]), dtype=np.float32)
    for start in range(0, n, 50_000):
        rows = min(50_000, n - start)
        z = rng.standard_normal((rows, len(variances))) * np.sqrt(variances - floor)
        noise = rng.standard_normal((rows, real.shape[1])) * math.sqrt(floor)
        block = mean + z @ basis + noise
        out[start:start + rows] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def fitted_recall(real_index_dirs: list[Path], n: int, queries: int) -> dict[str, Any]:
    """HNSW recall against exact search on vectors shaped like the model's, at ``n``."""
    from retrieval.embedding import BundledE5Embedder

    settings = RetrievalSettings(_env_file=None)  # type: ignore[call-arg]
    real = np.concatenate([np.load(IndexDir(d).require_current() / "vectors.npy")
                           for d in real_index_dirs])
    vectors = fitted_vectors(real, n)
    embedder = BundledE5Embedder()
    question_vectors = embedder.embed_queries(questions(queries, seed=5))
    flat = FaissIndex.build(vectors, "flat")
    started = time.perf_counter()
    hnsw = FaissIndex.build(vectors, "hnsw", hnsw_m=settings.hnsw_m,
                            ef_construction=settings.hnsw_ef_construction,
                            ef_search=settings.hnsw_ef_search)
    build_seconds = time.perf_counter() - started
    rng = np.random.default_rng(3)
    sample = real[rng.choice(len(real), size=min(len(real), 2000), replace=False)]
    pairs = sample @ sample.T
    return {"real_vectors": len(real), "n": n, "hnsw_build_seconds": build_seconds,
            "real_mean_pairwise_cosine": float(pairs[np.triu_indices(len(sample), 1)].mean()),
            "fitted_mean_pairwise_cosine": float((vectors[:2000] @ vectors[:2000].T)[
                np.triu_indices(2000, 1)].mean()),
            "recall": recall_sweep(flat, hnsw, question_vectors, vectors,
                                   settings.hnsw_ef_search)}


def file_sizes(generation: Path) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for path in generation.rglob("*"):
        if path.is_file():
            key = "lexical" if path.parent.name == "lexical" else path.name
            sizes[key] = sizes.get(key, 0) + path.stat().st_size
    return sizes


def measure_size(size: int, work: Path, queries: int, given_corpus: Path | None,
                 with_variants: bool, dense_1m: str) -> dict[str, Any]:
    settings_defaults = RetrievalSettings(_env_file=None)  # type: ignore[call-arg]
    index_dir, info = prepare(size, work, given_corpus, settings_defaults, dense_1m)
    settings = RetrievalSettings(index_dir=index_dir, _env_file=None)  # type: ignore[call-arg]
    asked = questions(queries, seed=size % 1000 + 7)
    warm = questions(10, seed=99)

    from retrieval.embedding import load_embedder

    embedder = load_embedder(settings)
    embedder.embed_queries(["khởi động"])
    before = memory()
    started = time.perf_counter()
    searcher = Searcher(settings, embedder)
    open_seconds = time.perf_counter() - started
    opened = memory()
    snapshot = searcher.snapshot
    result: dict[str, Any] = {
        "size": size, **info, "chunks": snapshot.dense.size, "dense_kind": snapshot.dense.kind,
        "open_seconds": open_seconds, "load_before": load_average(),
    }
    for question in warm:
        searcher.search(question)
    timings = time_queries(searcher, asked)
    result.update(timings)
    result["search_repeat"] = time_search_only(searcher, asked)
    result["search_cold"] = time_search_cold(searcher, asked)
    result["query_embedding"] = query_embedding(searcher, asked)
    result["phases"] = search_phases(searcher, asked)
    after = memory()
    generation = snapshot.folder
    sizes = file_sizes(generation)
    vector_bytes = size * 384 * 4
    text_bytes = sizes.get("texts.bin", 0)
    # The index's own memory: what the process allocated since before opening it, plus the
    # resident pages of the generation's mapped files (not the model's mapped weights).
    mapped = resident_files(generation)
    index_memory = after["anon"] - before["anon"] + sum(mapped.values())
    index_rss = after["rss"] - before["rss"]
    result["memory"] = {
        "index_memory": index_memory, "index_mapped_files": mapped,
        "index_memory_ratio_to_1.3v_plus_t": index_memory / (1.3 * vector_bytes + text_bytes),
        "rss_before_open": before, "rss_after_open": opened, "rss_after_queries": after,
        "index_rss": index_rss, "index_anon": after["anon"] - before["anon"],
        "index_file_backed": after["file"] - before["file"],
        "raw_vector_bytes": vector_bytes, "text_bytes": text_bytes,
        "budget_1.3v_plus_t": 1.3 * vector_bytes + text_bytes,
        "ratio_to_v_plus_t": index_rss / (vector_bytes + text_bytes),
        "files": sizes,
    }
    print(f"{size}: {snapshot.dense.kind} search p50 {result['search']['p50_ms']} ms p95 "
          f"{result['search']['p95_ms']} ms | cold search p50 "
          f"{result['search_cold']['p50_ms']} ms p95 {result['search_cold']['p95_ms']} ms | "
          f"ask p50 {result['ask']['p50_ms']} ms p95 "
          f"{result['ask']['p95_ms']} ms | index memory {index_memory / 2**20:.0f} MiB "
          f"(RSS growth {index_rss / 2**20:.0f} MiB) vs "
          f"1.3V+T {(1.3 * vector_bytes + text_bytes) / 2**20:.0f} MiB", file=sys.stderr)

    if with_variants and size >= 100_000:
        question_vectors = np.stack([embedder.embed_queries([q])[0] for q in asked])
        variants: dict[str, Any] = {}
        production = snapshot.dense
        flat: Any
        hnsw: Any
        if production.kind == "hnsw":
            vectors = (np.load(generation / "vectors.npy") if size < 1_000_000
                       else random_unit_vectors(size))
            hnsw = production
            flat = FaissIndex.build(vectors, "flat")
            other, other_kind = flat, "flat"
        elif size < 1_000_000:
            vectors = np.load(generation / "vectors.npy")
            flat = production

            def build_hnsw() -> FaissIndex:
                return FaissIndex.build(vectors, "hnsw", hnsw_m=settings.hnsw_m,
                                        ef_construction=settings.hnsw_ef_construction,
                                        ef_search=settings.hnsw_ef_search)

            hnsw, variants["hnsw_build_seconds"] = cached_faiss(
                work / "cache" / f"hnsw-{generation.name}-m{settings.hnsw_m}"
                f"-efc{settings.hnsw_ef_construction}.faiss", "hnsw", build_hnsw,
                settings.hnsw_ef_search)
            other, other_kind = hnsw, "hnsw"
        else:
            result["load_after"] = load_average()
            return result  # no HNSW index of this size to compare with
        # The same searcher with the other FAISS kind swapped in.
        snapshot.dense = other
        variants[other_kind] = {"search": time_search_only(searcher, asked),
                                "phases": search_phases(searcher, asked)}
        snapshot.dense = production
        variants["recall"] = recall_sweep(flat, hnsw, question_vectors, vectors,
                                          settings.hnsw_ef_search)
        result["variants"] = variants
    result["load_after"] = load_average()
    return result


# --- driver --------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,100000,1000000",
                        help="comma-separated chunk counts")
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--corpus-index", type=Path, default=None,
                        help="a ~10^5-chunk index built with bench.common.HashEmbedder")
    parser.add_argument("--no-variants", action="store_true",
                        help="skip the other FAISS kind and the recall sweep")
    parser.add_argument("--dense-1m", choices=("auto", "hnsw", "flat"), default="auto",
                        help="dense index at 10^6: the production HNSW (built once, about an "
                        "hour on a busy 2-core machine: `python -m bench.common`), exact "
                        "flat, or auto (HNSW when already built)")
    parser.add_argument("--omp-compare", action="store_true",
                        help="also run the smallest size with OMP_NUM_THREADS=1")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--fit-recall", type=Path, action="append", default=[],
                        help="also measure HNSW recall on vectors fitted to this real index's "
                        "vectors (repeatable); --fit-size of them")
    parser.add_argument("--fit-size", type=int, default=100_000)
    parser.add_argument("--single", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--single-out", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.single is not None:
        entry = measure_size(args.single, args.work, args.queries, args.corpus_index,
                             not args.no_variants, args.dense_1m)
        entry["omp_num_threads"] = os.environ.get("OMP_NUM_THREADS", "(unset)")
        args.single_out.write_text(json.dumps(entry, ensure_ascii=False, indent=1))
        return 0

    if args.fit_recall:
        fitted = fitted_recall(args.fit_recall, args.fit_size, args.queries)
        fitted["machine"] = machine()
        save_result(args.out or args.work / "results" / "fitted_recall.json", fitted)
        print(json.dumps(fitted["recall"], indent=1))
        return 0
    sizes = [int(s) for s in args.sizes.split(",") if s]
    runs: list[tuple[int, dict[str, str]]] = [(size, {}) for size in sizes]
    if args.omp_compare:
        runs.append((min(sizes), {"OMP_NUM_THREADS": "1"}))
    result: dict[str, Any] = {"benchmark": "query_latency", "argv": sys.argv[1:],
                              "machine": machine(), "sizes": []}
    for size, extra_env in runs:
        out = args.work / "results" / f"latency-{size}-{len(result['sizes'])}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "bench.query_latency", "--single", str(size),
                   "--single-out", str(out), "--queries", str(args.queries),
                   "--work", str(args.work)]
        if args.corpus_index:
            command += ["--corpus-index", str(args.corpus_index)]
        if args.no_variants:
            command.append("--no-variants")
        command += ["--dense-1m", args.dense_1m]
        started = time.perf_counter()
        subprocess.run(command, check=True, env={**os.environ, **extra_env})
        entry = json.loads(out.read_text())
        entry["process_seconds"] = time.perf_counter() - started
        result["sizes"].append(entry)
    result["machine"]["load_average_end"] = load_average()
    save_result(args.out or args.work / "results" / "query_latency.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
