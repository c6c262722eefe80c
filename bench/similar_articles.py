"""Seed questions asked over the five seeds hidden among look-alike articles.

A real collection holds many reports of the same kind of event (a "Ngày hội" in every
province), so a question must find its passage among passages that differ only in the
place, the people and the numbers. This indexes the seeds together with ``--articles``
synthetic look-alikes (``bench.synth``: seed articles with those replaced), asks every
question of ``tests/eval/seeds.jsonl`` and reports, for each ``--headline-weights`` value:

- passage@1 / passage@3 / MRR@10: a passage of the gold article holding the expected text;
- article@1: the first result comes from the gold article.

Some questions name nothing a look-alike cannot share (no place, no person), so no
ranking can get them all; the figures compare settings, they are not a ceiling.

    python -m bench.similar_articles [--articles 150] [--headline-weights 0,0.7]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import unicodedata
from pathlib import Path
from typing import Any

from retrieval import RetrievalSettings, Searcher, build_index

from .common import DEFAULT_WORK, REPO, machine, save_result
from .synth import ensure_collection

QUESTIONS = REPO / "tests" / "eval" / "seeds.jsonl"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def prepare(work: Path, articles: int, seed: int) -> tuple[Path, Path]:
    """The collection (look-alikes plus the real seeds) and its index, built once."""
    collection = work / f"similar-{articles}-s{seed}"
    if not (collection / ".complete").exists():
        shutil.rmtree(collection, ignore_errors=True)
        collection.mkdir(parents=True)
        if articles > 0:
            synthetic = ensure_collection(work, articles, seed=seed)
            shutil.copytree(synthetic, collection, ignore=shutil.ignore_patterns(".complete"),
                            dirs_exist_ok=True)
        for seed_file in sorted((REPO / "seeds").glob("*.txt")):
            shutil.copy(seed_file, collection / seed_file.name)
        (collection / ".complete").write_text("ok\n")
    index = work / f"similar-{articles}-s{seed}-index"
    print(f"indexing {collection} (incremental; the first build embeds every passage)",
          file=sys.stderr)
    report = build_index(RetrievalSettings(articles_dir=collection, index_dir=index,
                                           _env_file=None))  # type: ignore[call-arg]
    print(report.summary(), file=sys.stderr)
    return collection, index


def score(searcher: Searcher, rows: list[dict[str, Any]]) -> dict[str, Any]:
    passage1 = passage3 = article1 = 0
    reciprocal = 0.0
    missed: list[int] = []
    for number, row in enumerate(rows):
        results = searcher.search(row["q"], top_k=10, with_answer=False,
                                  with_highlights=False).results
        rank = next((hit.rank for hit in results if hit.source.file == row["gold_file"]
                     and nfc(row["must_contain"]) in nfc(hit.text)), None)
        passage1 += rank == 1
        passage3 += rank is not None and rank <= 3
        reciprocal += 1.0 / rank if rank else 0.0
        article1 += bool(results) and results[0].source.file == row["gold_file"]
        if rank is None or rank > 3:
            missed.append(number)
    n = len(rows)
    return {"questions": n, "passage@1": round(passage1 / n, 3),
            "passage@3": round(passage3 / n, 3), "mrr@10": round(reciprocal / n, 3),
            "article@1": round(article1 / n, 3), "missed_top3": missed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=150,
                        help="look-alike articles added to the seeds (default 150; 0: the "
                             "seeds alone)")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--headline-weights", default="0,0.7",
                        help="comma-separated NEWSQA_HEADLINE_WEIGHT values to compare")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)

    collection, index = prepare(args.work, args.articles, args.seed)
    rows = [json.loads(line) for line in QUESTIONS.read_text(encoding="utf-8").splitlines()
            if line.strip()]
    result: dict[str, Any] = {"machine": machine(), "articles": args.articles + 5,
                              "collection": str(collection), "by_headline_weight": {}}
    for weight in (float(w) for w in args.headline_weights.split(",")):
        settings = RetrievalSettings(articles_dir=collection, index_dir=index,
                                     headline_weight=weight,
                                     _env_file=None)  # type: ignore[call-arg]
        figures = score(Searcher.open(settings), rows)
        result["by_headline_weight"][str(weight)] = figures
        print(f"headline weight {weight}: passage@1 {figures['passage@1']:.3f}  "
              f"passage@3 {figures['passage@3']:.3f}  MRR@10 {figures['mrr@10']:.3f}  "
              f"article@1 {figures['article@1']:.3f}  missed (top 3) {figures['missed_top3']}")
    save_result(args.out or args.work / "results" / "similar_articles.json", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
