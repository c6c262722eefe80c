"""`newsqa eval`: hit@k / MRR on a question file; `--tune` fits the fusion weights, and
`--reset-tuning` removes them."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retrieval import NewsQAError, RetrievalSettings

from ..frontend.messages import t
from ..frontend.terminal import safe
from ._common import EXIT_OK, EXIT_USAGE, SubParsers

if TYPE_CHECKING:
    from retrieval.evaluation import Question
    from retrieval.tuning import TuningOutcome

ORDER = 30
FROM_SETTINGS = Path("\0feedback")  # `--feedback` without a path


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    evaluate = sub.add_parser("eval", parents=[common], help="hit@k / MRR on a question file")
    evaluate.add_argument("questions", type=Path, nargs="?",
                          help='JSON Lines {"q", "gold_file"}, or a folder with '
                          "questions.jsonl and articles/")
    evaluate.add_argument("--tune", action="store_true",
                          help="fit the fusion weights on these questions; store them when "
                          "they beat the default on a held-out part")
    evaluate.add_argument("--reset-tuning", action="store_true",
                          help="remove the tuned fusion weights of the index (back to the "
                          "defaults)")
    evaluate.add_argument("--feedback", type=Path, nargs="?", const=FROM_SETTINGS,
                          metavar="PATH", help="evaluate the questions the bot's users liked "
                          "(👍) instead of a question file (default: TELEGRAM_FEEDBACK_PATH, "
                          "else feedback.sqlite3 in the index folder)")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.set_defaults(handler=cmd_eval)


def cmd_eval(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from retrieval import Searcher
    from retrieval.evaluation import evaluate, load_questions
    from retrieval.tuning import reset, tune

    from ..frontend import run_build

    if args.reset_tuning:
        if args.questions is not None or args.tune:
            print(f"newsqa: {t('reset_alone')}", file=sys.stderr)
            return EXIT_USAGE
        removed = reset(settings)
        print(t("reset_done" if removed else "reset_nothing",
                index_dir=safe(settings.index_dir)), file=sys.stderr)
        return EXIT_OK
    if args.feedback is not None and args.questions is not None:
        print(f"newsqa: {t('feedback_or_file')}", file=sys.stderr)
        return EXIT_USAGE
    if args.questions is None and args.feedback is None:
        print(t("eval_needs_questions"), file=sys.stderr)
        return EXIT_USAGE
    # The folder ask, repl and bot index (environment or .env), not an --articles override.
    no_overrides: dict[str, Any] = {}
    configured = RetrievalSettings(**no_overrides).articles_dir
    if args.feedback is not None:
        questions = _feedback_questions(args.feedback, settings)
    else:
        questions_path: Path = args.questions
        if questions_path.is_dir():
            if not args.articles and (questions_path / "articles").is_dir():
                settings = settings.model_copy(
                    update={"articles_dir": questions_path / "articles"})
            questions_path = questions_path / "questions.jsonl"
        questions = load_questions(questions_path)
    # Tuned weights go where ask, repl and bot read them: the configured index.
    front_ends_index = settings.index_dir
    settings = settings.model_copy(update={"index_dir": _eval_index_dir(args, settings,
                                                                        configured)})
    if settings.index_dir != front_ends_index:
        print(t("private_index", articles_dir=safe(settings.articles_dir),
                index_dir=safe(settings.index_dir)), file=sys.stderr)
    run_build(settings, full=False)
    searcher = Searcher.open(settings)
    questions = _known_gold(questions, {info.file for info in searcher.articles()}, settings)
    tuning: dict[str, Any] | None = None
    if args.tune:
        outcome = tune(searcher, questions, front_ends_index)
        for line in tuning_lines(outcome, front_ends_index):
            print(line, file=sys.stderr)
        tuning = outcome.as_dict()
        if outcome.stored is not None and _settings_override(settings):
            print(t("tune_override"), file=sys.stderr)
        if not outcome.too_few:
            # Figures on the questions the weights were not fitted on.
            questions = outcome.held_out
            print(t("held_out_scores", count=len(questions)), file=sys.stderr)
    report = evaluate(searcher, questions)
    if args.json:
        data = report.as_dict()
        if tuning is not None:
            data["tuning"] = tuning
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        print(report.table((t("table_written"), t("table_stripped"))))
    return EXIT_OK


def _feedback_questions(path: Path, settings: RetrievalSettings) -> list[Question]:
    """The 👍 presses of the bot as questions (question -> file of the liked passage)."""
    from ..feedback_store import default_path, load_feedback
    from ..settings import FeedbackPathSettings

    if path == FROM_SETTINGS:
        path = FeedbackPathSettings().feedback_path or default_path(settings.index_dir)
    if not path.is_file():
        raise NewsQAError(t("feedback_missing", path=safe(path)))
    found = load_feedback(path)
    if not found.questions:
        raise NewsQAError(t("feedback_none", path=safe(path), down=found.down))
    print(t("feedback_counts", up=found.up, down=found.down, questions=len(found.questions),
            path=safe(path)), file=sys.stderr)
    return found.questions


def _known_gold(questions: list[Question], files: set[str],
                settings: RetrievalSettings) -> list[Question]:
    """The questions whose gold_file is indexed; the others are named and skipped (they
    would count as misses of the ranking)."""
    known = [q for q in questions if q.gold_file in files]
    missing = sorted({q.gold_file for q in questions if q.gold_file not in files})
    if missing:
        shown = ", ".join(safe(name) for name in missing[:5]) + (" …" if len(missing) > 5 else "")
        print(t("gold_missing", count=len(questions) - len(known), files=shown),
              file=sys.stderr)
    if not known:
        raise NewsQAError(t("no_gold_left", articles_dir=safe(settings.articles_dir)))
    return known


def tuning_lines(outcome: TuningOutcome, index_dir: Path) -> list[str]:
    """What tuning did, for a person: the held-out figures, what was stored, how to undo."""
    from retrieval.tuning import HELD_OUT_EVERY, MARGIN, MIN_QUESTIONS

    if outcome.too_few:
        return [t("tune_too_few", questions=outcome.questions, least=MIN_QUESTIONS)]
    lines = [t("tune_head", fitted=outcome.fitted_on, held=len(outcome.held_out),
               every=HELD_OUT_EVERY)]
    for kind, label in zip(outcome.kinds, ("kind_accented", "kind_stripped"), strict=True):
        if kind.accepted:
            verdict = t("verdict_stored", weight=kind.fitted)
        else:
            verdict = t("verdict_same" if kind.fitted == kind.default else "verdict_kept")
        lines.append(t("tune_kind", label=t(label), default=kind.default,
                       held_default=kind.held_out_default.mrr10, fitted=kind.fitted,
                       held_fitted=kind.held_out_fitted.mrr10, gain=kind.gain, margin=MARGIN,
                       verdict=verdict))
    if outcome.stored is not None:
        accented, unaccented = (kind.chosen for kind in outcome.kinds)
        lines.append(t("tune_stored", accented=accented, unaccented=unaccented,
                       path=safe(outcome.stored), index_dir=safe(index_dir)))
    else:
        lines.append(t("tune_kept") + (" " + t("tune_cleared") if outcome.cleared else ""))
    return lines


def _settings_override(settings: RetrievalSettings) -> bool:
    return (settings.dense_weight_accented is not None
            or settings.dense_weight_unaccented is not None)


def _eval_index_dir(args: argparse.Namespace, settings: RetrievalSettings,
                    configured: Path) -> Path:
    """`--index`, else the configured index when the articles are its own, else a private
    index per article folder and model under the user's cache folder (never the cwd)."""
    if args.index or _same_folder(settings.articles_dir, configured):
        return settings.index_dir
    import hashlib

    folder = settings.articles_dir.resolve()
    key = hashlib.sha256(f"{folder}\0{settings.embedding_model}".encode()).hexdigest()[:12]
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in folder.name)[:40]
    return cache_dir() / f"eval-{name}-{key}"


def _same_folder(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve() or one.samefile(other)
    except OSError:
        return False


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/newsqa (default ~/.cache/newsqa)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "newsqa"
