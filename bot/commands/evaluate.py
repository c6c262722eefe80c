"""`newsqa eval`: hit@k / MRR on a question file, and `--tune` to fit the fusion weights."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from retrieval import RetrievalSettings

from ._common import EXIT_OK, SubParsers

ORDER = 30


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    evaluate = sub.add_parser("eval", parents=[common], help="hit@k / MRR on a question file")
    evaluate.add_argument("questions", type=Path,
                          help='JSON Lines {"q", "gold_file"}, or a folder with '
                          "questions.jsonl and articles/")
    evaluate.add_argument("--tune", action="store_true",
                          help="fit the fusion weights on these questions and store them")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.set_defaults(handler=cmd_eval)


def cmd_eval(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from retrieval import Searcher
    from retrieval.evaluation import evaluate, load_questions, tune

    from ..frontend import run_build

    questions_path: Path = args.questions
    if questions_path.is_dir():
        if not args.articles and (questions_path / "articles").is_dir():
            settings = settings.model_copy(update={"articles_dir": questions_path / "articles"})
        questions_path = questions_path / "questions.jsonl"
    questions = load_questions(questions_path)
    if not args.index:
        # A private index per article folder, so evaluating never replaces the user's index.
        settings = settings.model_copy(update={"index_dir": _eval_index_dir(settings)})
    run_build(settings, full=False)
    searcher = Searcher.open(settings)
    if args.tune:
        fitted = tune(searcher, questions)
        print(f"fitted dense weights: accented {fitted.accented:.2f}, unaccented "
              f"{fitted.unaccented:.2f} (stored in {fitted.path})", file=sys.stderr)
    report = evaluate(searcher, questions)
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=1))
    else:
        print(report.table())
    return EXIT_OK


def _eval_index_dir(settings: RetrievalSettings) -> Path:
    import hashlib

    key = hashlib.sha256(str(settings.articles_dir.resolve()).encode()).hexdigest()[:12]
    return settings.index_dir.parent / f"{settings.index_dir.name}-eval-{key}"
