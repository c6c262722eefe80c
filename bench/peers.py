"""newsqa side by side with the systems a user would pick instead, on the same passages.

For each set (a folder with ``articles/`` and ``questions.jsonl``, e.g. the dev sets outside
the clone, plus the look-alike bench: the seeds among 150 synthetic look-alikes, questions
``tests/eval/seeds.jsonl``) the newsqa index is built once under ``--work`` (or copied from
``--index NAME=DIR`` and brought up to date, which re-embeds nothing when it is current).
Its passages (same chunking) and stored vectors are then handed to plain bm25s, plain FAISS
(exact inner product), txtai (``Embeddings`` hybrid) and Haystack (BM25 + embedding
retrievers joined by reciprocal rank fusion), so the comparison is of the systems, not the
model. Every question is embedded once as written and once with its diacritics stripped;
newsqa's own ``Searcher`` runs in the same process on the same index, the systems taking
turns question by question so they see the same machine load.

Scores are at article level, as ``newsqa eval`` reads them: hit@1 and MRR@10 over the
distinct article files in rank order; the look-alike bench also gives passage@1 (the first
passage is of the gold article and holds the expected text, as ``bench.similar_articles``).
Build time excludes the embedding (shared by all: newsqa's build is timed with the stored
vectors handed back). Latency excludes embedding the question, for every system.

    python -m bench.peers ../shared/eval/uitqa-reg ../shared/eval/vicoqa-news \
        [--index vicoqa-news=DIR ...] [--look-alike-from DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from retrieval import RetrievalSettings, Searcher, build_index
from retrieval.embedding import Embedder, FloatArray, load_embedder
from retrieval.indexer import embedding_input
from retrieval.store import IndexDir, open_store
from retrieval.store.files import StoredGeneration
from retrieval.text import fold
from retrieval.types import Article, Chunk

from .common import DEFAULT_WORK, REPO, machine, save_result, summarize
from .peer_systems import Corpus, System, peers
from .similar_articles import nfc

SEED_QUESTIONS = REPO / "tests" / "eval" / "seeds.jsonl"
LOOK_ALIKE = "look-alike"
DEPTH = 10  # articles scored
PASSAGES = 50  # passages asked of each peer, enough for 10 distinct articles
WARM_UP = "Tin tức hôm nay nói gì về y tế?"


@dataclass(frozen=True)
class EvalSet:
    name: str
    articles: Path
    questions: list[dict[str, Any]]
    index: Path


class SharedVectors(Embedder):
    """The real embedder, but every text it was given a vector for is answered from memory:
    questions embedded once serve every system, and a build gets the stored passage vectors
    back. Time spent in the real model is counted, to be taken out of a search's time."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.identity = inner.identity
        self.queries: dict[str, np.ndarray[Any, Any]] = {}
        self.passages: dict[str, np.ndarray[Any, Any]] = {}
        self.model_seconds = 0.0
        self.model_cpu_seconds = 0.0
        self.model_texts = 0

    def _encode(self, texts: list[str], is_query: bool) -> FloatArray:
        raise NotImplementedError  # both entry points below are overridden

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def _lookup(self, texts: Sequence[str], known: dict[str, np.ndarray[Any, Any]],
                embed: Callable[[list[str]], FloatArray]) -> FloatArray:
        missing = sorted({t for t in texts if t not in known})
        if missing:
            started, cpu = time.perf_counter(), time.process_time()
            known.update(zip(missing, embed(missing), strict=True))
            self.model_seconds += time.perf_counter() - started
            self.model_cpu_seconds += time.process_time() - cpu
            self.model_texts += len(missing)
        return np.stack([known[t] for t in texts]).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> FloatArray:
        return self._lookup(texts, self.queries, self.inner.embed_queries)

    def embed_passages(self, texts: Sequence[str],
                       on_batch: Callable[[int], None] | None = None) -> FloatArray:
        vectors = self._lookup(texts, self.passages, self.inner.embed_passages)
        if on_batch:
            on_batch(len(texts))
        return vectors


def settings_for(articles: Path, index: Path) -> RetrievalSettings:
    return RetrievalSettings(articles_dir=articles, index_dir=index,
                             _env_file=None)  # type: ignore[call-arg]


def read_corpus(settings: RetrievalSettings, shared: SharedVectors) -> Corpus:
    """The index's passages and stored vectors (through the store), and what its build
    embedded for each passage, so a rebuild gets the same vectors back."""
    generation = open_store(settings).current()
    folder = IndexDir(settings.index_dir).require_current()
    stored = StoredGeneration(folder, IndexDir(settings.index_dir).read_manifest(folder))
    size = generation.size
    vectors = np.asarray(stored.passage_vectors(0, size), dtype=np.float32)
    texts = generation.texts(range(size))
    files: list[str] = []
    for passage, text in enumerate(texts):
        info = generation.article(generation.article_of(passage))
        files.append(info.file)
        start = generation.start_of(passage)
        # The indexer's own rule for what the model saw (the headline, but not twice).
        article = Article(info.file, info.title, info.date, "", info.content_hash)
        chunk = Chunk(info.file, 0, start, start + len(text), text)
        shared.passages[embedding_input(article, chunk, settings.embed_with_title)] = \
            vectors[passage]
    return Corpus(texts, vectors, files)


def newsqa_build_seconds(articles: Path, work: Path, name: str, shared: SharedVectors,
                         expected: int) -> dict[str, Any]:
    """A full newsqa build into a new folder with the stored vectors handed back: reading
    and chunking the articles, people and events, lexical, dense and diacritics tables."""
    target = work / f"peers-rebuild-{name}"
    shutil.rmtree(target, ignore_errors=True)
    before = shared.model_texts
    started = time.perf_counter()
    report = build_index(settings_for(articles, target), full=True, embedder=shared)
    seconds = time.perf_counter() - started - report.embed_seconds
    shutil.rmtree(target, ignore_errors=True)
    if report.chunks != expected:
        raise SystemExit(f"{name}: the rebuild has {report.chunks} passages, the index "
                         f"{expected}: not the same chunking")
    return {"seconds": round(seconds, 2), "embedded_again": shared.model_texts - before}


def read_questions(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def prepared_index(name: str, articles: Path, work: Path, source: Path | None) -> Path:
    """Our own copy of an existing index (never the original), brought up to date."""
    index = work / f"peers-{name}-index"
    if source is not None and not index.exists():
        shutil.copytree(source, index)
    print(build_index(settings_for(articles, index)).summary(), file=sys.stderr)
    return index


def look_alike_set(work: Path, source: Path | None) -> EvalSet:
    """The look-alike bench's collection (``bench.similar_articles``), copied from
    ``source`` (a ``similar-150-s1`` folder beside its ``-index``) when given."""
    from .similar_articles import prepare

    if source is not None:
        for suffix in ("", "-index"):
            copy = work / f"{source.name}{suffix}"
            if not copy.exists():
                shutil.copytree(Path(f"{source}{suffix}"), copy)
    collection, index = prepare(work, 150, 1)
    return EvalSet(LOOK_ALIKE, collection, read_questions(SEED_QUESTIONS), index)


def ranked_files(passages: list[int], files: list[str]) -> list[str]:
    seen: list[str] = []
    for passage in passages:
        if files[passage] not in seen:
            seen.append(files[passage])
            if len(seen) == DEPTH:
                break
    return seen


@dataclass
class Tally:
    hit1: float = 0.0
    mrr: float = 0.0
    passage1: float = 0.0
    n: int = 0

    def add(self, files: list[str], gold: str, first_holds: bool) -> None:
        self.n += 1
        if gold in files:
            rank = files.index(gold) + 1
            self.hit1 += rank == 1
            self.mrr += 1.0 / rank
        self.passage1 += first_holds

    def as_dict(self, passages: bool) -> dict[str, float]:
        out = {"hit@1": round(self.hit1 / self.n, 4), "mrr@10": round(self.mrr / self.n, 4)}
        if passages:
            out["passage@1"] = round(self.passage1 / self.n, 4)
        return out


def ask(searcher: Searcher, peer: System | None, text: str,
        vector: np.ndarray[Any, Any]) -> list[int]:
    """The passages one system ranks for a question, best first (peer None: newsqa)."""
    if peer is None:
        # A ranking, as the peers return: no answer, no highlights.
        hits = searcher.search(text, top_k=2 * DEPTH, with_answer=False,
                               with_highlights=False).results
        return [hit.chunk_id for hit in hits]
    return peer.search(text, vector, PASSAGES)


def run_set(eval_set: EvalSet, work: Path, inner: Embedder, alone: bool = False
            ) -> dict[str, Any]:
    shared = SharedVectors(inner)
    settings = settings_for(eval_set.articles, eval_set.index)
    corpus = read_corpus(settings, shared)
    searcher = Searcher(settings, shared)
    systems: list[System] = peers()
    build: dict[str, Any] = {"newsqa": newsqa_build_seconds(
        eval_set.articles, work, eval_set.name, shared, len(corpus.texts))}
    for system in systems:
        system.load()
        started = time.perf_counter()
        system.build(corpus)
        build[system.name] = {"seconds": round(time.perf_counter() - started, 2)}
        print(f"{eval_set.name}: {system.name} built in {build[system.name]['seconds']} s",
              file=sys.stderr)
    written = [row["q"] for row in eval_set.questions]
    stripped = [fold(q) for q in written]
    started = time.perf_counter()
    shared.embed_queries(written + stripped)  # each question once, as written and stripped
    embed_seconds = time.perf_counter() - started
    result: dict[str, Any] = {"passages": len(corpus.texts), "articles": len(set(corpus.files)),
                              "questions": len(written), "build": build,
                              "query_embedding_seconds": round(embed_seconds, 2),
                              "systems": {}}
    passages = eval_set.name == LOOK_ALIKE
    turns: list[tuple[str, System | None]] = [("newsqa", None),
                                              *((s.name, s) for s in systems)]
    for _, peer in turns:  # one-off setup (first-call imports, lazy tables) is not timed
        ask(searcher, peer, WARM_UP, shared.embed_queries([WARM_UP])[0])
    # The as-written pass comes first: newsqa then meets every passage for the first time
    # (its per-passage term and place tables fill lazily); the last pass, newsqa alone,
    # asks the same questions again over tables filled.
    passes = (("as_written", written, turns), ("stripped", stripped, turns),
              ("as_written_again", written, turns[:1]))
    for variant, texts, taking in passes:
        tallies = {name: Tally() for name, _ in taking}
        wall: dict[str, list[float]] = {name: [] for name, _ in taking}
        cpu: dict[str, list[float]] = {name: [] for name, _ in taking}
        # Each question asked of every system in turn (load drift hits all alike), or with
        # ``alone`` each system's whole pass in turn (no system's caches filled by another).
        order = ([(name, peer, row, text) for name, peer in taking
                  for row, text in zip(eval_set.questions, texts, strict=True)] if alone
                 else [(name, peer, row, text)
                       for row, text in zip(eval_set.questions, texts, strict=True)
                       for name, peer in taking])
        for name, peer, row, text in order:
            vector = shared.queries[text]
            model_wall, model_cpu = shared.model_seconds, shared.model_cpu_seconds
            t0, c0 = time.perf_counter(), time.process_time()
            ids = ask(searcher, peer, text, vector)
            # newsqa embeds the diacritics it restores to an unaccented question: the
            # model's time is taken out, as the peers get their vectors ready-made.
            wall[name].append(time.perf_counter() - t0
                              - (shared.model_seconds - model_wall))
            cpu[name].append(time.process_time() - c0
                             - (shared.model_cpu_seconds - model_cpu))
            first_holds = bool(ids) and corpus.files[ids[0]] == row["gold_file"] and (
                "must_contain" in row
                and nfc(row["must_contain"]) in nfc(corpus.texts[ids[0]]))
            tallies[name].add(ranked_files(ids, corpus.files), row["gold_file"],
                              first_holds)
        for name, _ in taking:
            entry = result["systems"].setdefault(name, {})
            entry[variant] = tallies[name].as_dict(passages)
            entry[f"{variant}_latency"] = {"wall": summarize(wall[name]),
                                           "cpu": summarize(cpu[name]),
                                           "questions_per_s": round(
                                               len(texts) / sum(wall[name]), 1)}
    for system in systems:
        result["systems"][system.name]["detail"] = system.detail
    result["systems"]["newsqa"]["detail"] = "newsqa Searcher (defaults), the same index"
    return result


def ratio(value: float, reference: float) -> str:
    return f"{value / reference:.2f}×" if reference else "—"


def table(name: str, data: dict[str, Any]) -> str:
    """One markdown table per set: each figure, then its ratio to newsqa's."""
    ref = data["systems"]["newsqa"]
    passages = name == LOOK_ALIKE
    head = ("| system | hit@1 | MRR@10 | unaccented hit@1 | "
            + ("passage@1 | " if passages else "")
            + "build s (no embedding) | questions/s | p95 ms (wall) | p95 ms (CPU) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    for system, entry in data["systems"].items():
        written, stripped = entry["as_written"], entry["stripped"]
        latency = entry["as_written_latency"]
        cells = [system]
        for value, reference in [(written["hit@1"], ref["as_written"]["hit@1"]),
                                 (written["mrr@10"], ref["as_written"]["mrr@10"]),
                                 (stripped["hit@1"], ref["stripped"]["hit@1"])]:
            cells.append(f"{value:.3f}" if system == "newsqa"
                         else f"{value:.3f} ({ratio(value, reference)})")
        if passages:
            value, reference = written["passage@1"], ref["as_written"]["passage@1"]
            cells.append(f"{value:.3f}" if system == "newsqa"
                         else f"{value:.3f} ({ratio(value, reference)})")
        seconds = data["build"][system]["seconds"]
        rate = latency["questions_per_s"]
        p95, p95_cpu = latency["wall"]["p95_ms"], latency["cpu"]["p95_ms"]
        ref_latency = ref["as_written_latency"]
        if system == "newsqa":
            cells += [f"{seconds:.2f}", f"{rate:.1f}", f"{p95:.1f}", f"{p95_cpu:.1f}"]
        else:
            cells += [f"{seconds:.2f} ({ratio(seconds, data['build']['newsqa']['seconds'])})",
                      f"{rate:.1f} ({ratio(rate, ref_latency['questions_per_s'])})",
                      f"{p95:.1f} ({ratio(p95, ref_latency['wall']['p95_ms'])})",
                      f"{p95_cpu:.1f} ({ratio(p95_cpu, ref_latency['cpu']['p95_ms'])})"]
        lines.append("| " + " | ".join(cells) + " |")
        if system == "newsqa" and "as_written_again_latency" in entry:
            again = entry["as_written_again_latency"]
            lines.append("| newsqa, asked again | " + "— | " * (4 if passages else 3) + "— | "
                         + f"{again['questions_per_s']:.1f} | {again['wall']['p95_ms']:.1f} | "
                         f"{again['cpu']['p95_ms']:.1f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sets", nargs="*", type=Path,
                        help="folders with articles/ and questions.jsonl")
    parser.add_argument("--index", action="append", default=[], metavar="NAME=DIR",
                        help="start from a copy of this existing index of set NAME "
                             "(the original is never written)")
    parser.add_argument("--look-alike-from", type=Path, default=None, metavar="DIR",
                        help="copy the look-alike collection DIR and DIR-index (a "
                             "similar-150-s1 folder) instead of building them")
    parser.add_argument("--no-look-alike", action="store_true")
    parser.add_argument("--alone", action="store_true",
                        help="time each system's pass over the questions on its own")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK / "peers")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    sources = dict(item.split("=", 1) for item in args.index)
    eval_sets = [EvalSet(s.name, s / "articles", read_questions(s / "questions.jsonl"),
                         prepared_index(s.name, s / "articles", args.work,
                                        Path(sources[s.name]) if s.name in sources else None))
                 for s in args.sets]
    if not args.no_look_alike:
        eval_sets.append(look_alike_set(args.work, args.look_alike_from))
    inner = load_embedder(settings_for(REPO / "seeds", args.work / "unused"))
    results: dict[str, Any] = {"machine_before": machine(), "sets": {}}
    for eval_set in eval_sets:
        results["sets"][eval_set.name] = run_set(eval_set, args.work, inner, args.alone)
        print(f"\n{eval_set.name}\n{table(eval_set.name, results['sets'][eval_set.name])}")
    results["machine_after"] = machine()
    save_result(args.out or args.work / "results" / "peers.json", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
