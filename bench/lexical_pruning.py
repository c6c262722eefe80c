"""How much the pruned lexical top-k (rare terms pick candidates, common terms score them)
differs from scoring every posting, on a large index.

For each generated question: recall@k of the pruned lexical top-k against the exact one,
and whether the searcher's top results (the full path: fusion, re-rank, collapse) are the
same with pruning on and off. Also the lexical time of both.

    python -m bench.lexical_pruning [--index DIR] [--queries 200]

DIR defaults to the 10^5 index `bench.query_latency` prepared; any generation works.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from retrieval import RetrievalSettings, Searcher
from retrieval.lexical import EXACT_POSTINGS
from retrieval.text import query_terms

from .common import DEFAULT_WORK, load_average, machine, save_result, summarize
from .synth import questions


def compare(searcher: Searcher, asked: list[str], depth: int, top: int) -> dict[str, Any]:
    lexical = searcher.snapshot.lexical
    recalls: list[float] = []
    pruned_seconds: list[float] = []
    exact_seconds: list[float] = []
    same_results = 0
    same_first = 0
    pruned_questions = 0
    for question in asked:
        terms = query_terms(question)
        lexical.exact_postings = EXACT_POSTINGS
        started = time.perf_counter()
        pruned_ids, _ = lexical.top(terms, depth)
        pruned_seconds.append(time.perf_counter() - started)
        pruned_hits = [h.chunk_id for h in searcher.search(question, top_k=top).results]
        lexical.exact_postings = 1 << 62
        started = time.perf_counter()
        exact_ids, _ = lexical.top(terms, depth)
        exact_seconds.append(time.perf_counter() - started)
        exact_hits = [h.chunk_id for h in searcher.search(question, top_k=top).results]
        lexical.exact_postings = EXACT_POSTINGS
        columns, _ = lexical._columns(terms)
        postings = int((lexical._indptr[columns + 1] - lexical._indptr[columns]).sum())
        pruned_questions += postings > EXACT_POSTINGS
        if len(exact_ids):
            recalls.append(len(set(pruned_ids.tolist()) & set(exact_ids.tolist()))
                           / len(exact_ids))
        same_results += pruned_hits == exact_hits
        same_first += pruned_hits[:1] == exact_hits[:1]
    return {
        "questions": len(asked), "pruned_questions": pruned_questions,
        f"lexical_recall_at_{depth}": float(np.mean(recalls)),
        f"lexical_recall_at_{depth}_min": float(np.min(recalls)),
        f"same_top_{top}_results": same_results / len(asked),
        "same_first_result": same_first / len(asked),
        "pruned_top_ms": summarize(pruned_seconds), "exact_top_ms": summarize(exact_seconds),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index", type=Path, default=DEFAULT_WORK / "latency-100000" / "index")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    settings = RetrievalSettings(index_dir=args.index, _env_file=None)  # type: ignore[call-arg]
    searcher = Searcher.open(settings)
    result = {"benchmark": "lexical_pruning", "index": str(args.index),
              "chunks": searcher.snapshot.lexical.size, "machine": machine(),
              "load_before": load_average(),
              **compare(searcher, questions(args.queries, seed=11), depth=100, top=3)}
    print({k: v for k, v in result.items() if k != "machine"}, file=sys.stderr)
    save_result(args.out or DEFAULT_WORK / "results" / "lexical_pruning.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
