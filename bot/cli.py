"""`newsqa`: index, ask, eval, repl and bot sub-commands (thin: parse, call the core, print).

Errors of the core become one line on stderr and exit code 1; usage errors exit with 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TextIO

from retrieval import (
    BadQuestionError,
    IndexNotFoundError,
    NewsQAError,
    RetrievalSettings,
    Searcher,
    build_index,
)

from .progress import BuildProgress
from .serialize import response_to_dict

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = _settings(args)
        code: int = args.handler(args, settings)
        return code
    except NewsQAError as exc:
        print(f"newsqa: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("newsqa: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`newsqa ask ... | head`); nothing to report.
        sys.stderr.close()
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="newsqa", description="Question answering over Vietnamese news articles."
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--articles", type=Path, help="articles folder (NEWSQA_ARTICLES_DIR)")
    common.add_argument("--index", type=Path, help="index folder (NEWSQA_INDEX_DIR)")
    common.add_argument("--model", help="embedding model: 'bundled', a name or a folder "
                        "(NEWSQA_EMBEDDING_MODEL)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    index = sub.add_parser("index", parents=[common], help="build or update the index")
    index.add_argument("--full", action="store_true", help="rebuild everything from scratch")
    index.set_defaults(handler=cmd_index)

    ask = sub.add_parser("ask", parents=[common], help="answer a question (or stdin lines)")
    ask.add_argument("question", nargs="?", help="the question; omit to read stdin lines")
    ask.add_argument("-k", "--top-k", type=_positive, help="passages per answer")
    ask.add_argument("--json", action="store_true", help="JSON (JSON Lines for stdin)")
    ask.set_defaults(handler=cmd_ask)

    evaluate = sub.add_parser("eval", parents=[common], help="hit@k / MRR on a question file")
    evaluate.add_argument("questions", type=Path,
                          help='JSON Lines {"q", "gold_file"}, or a folder with '
                          "questions.jsonl and articles/")
    evaluate.add_argument("--tune", action="store_true",
                          help="fit the fusion weights on these questions and store them")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.set_defaults(handler=cmd_eval)

    sources = sub.add_parser("sources", parents=[common], help="list the indexed articles")
    sources.set_defaults(handler=cmd_sources)

    repl = sub.add_parser("repl", parents=[common], help="interactive questions in a terminal")
    repl.add_argument("-k", "--top-k", type=_positive, help="passages per answer")
    repl.set_defaults(handler=cmd_repl)

    bot = sub.add_parser("bot", parents=[common], help="run the Telegram bot")
    bot.set_defaults(handler=cmd_bot)

    from .pg_command import add_pg_parser

    add_pg_parser(sub)

    hint = sub.add_parser("hint-bot", help=argparse.SUPPRESS)
    hint.set_defaults(handler=cmd_hint_bot)
    return parser


def _positive(value: str) -> int:
    number = int(value)
    if number < 1 or number > 50:
        raise argparse.ArgumentTypeError("must be between 1 and 50")
    return number


def _settings(args: argparse.Namespace) -> RetrievalSettings:
    overrides: dict[str, Any] = {}
    if getattr(args, "articles", None):
        overrides["articles_dir"] = args.articles
    if getattr(args, "index", None):
        overrides["index_dir"] = args.index
    if getattr(args, "model", None):
        overrides["embedding_model"] = args.model
    try:
        return RetrievalSettings(**overrides)
    except ValueError as exc:  # pydantic's ValidationError: a bad NEWSQA_* value
        raise NewsQAError(f"invalid setting: {exc}") from exc


# --- index ---------------------------------------------------------------------------------

def cmd_index(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    run_build(settings, full=args.full)
    return EXIT_OK


def run_build(settings: RetrievalSettings, *, full: bool, stream: TextIO | None = None) -> None:
    """Build with a progress bar on stderr and a summary line at the end."""
    stream = stream or sys.stderr
    with BuildProgress(stream) as progress:
        report = build_index(
            settings, full=full, progress=progress.update,
            on_skip=lambda skipped: print(
                f"warning: skipped {skipped.file}: {skipped.reason}", file=stream),
        )
    print(report.summary(), file=stream)


def open_searcher(settings: RetrievalSettings) -> Searcher:
    """The searcher; a missing index is built first, saying so."""
    try:
        return Searcher.open(settings)
    except IndexNotFoundError:
        print(f"No index in {settings.index_dir} yet: building it from {settings.articles_dir} "
              "first.", file=sys.stderr)
        run_build(settings, full=False)
        return Searcher.open(settings)


# --- ask -----------------------------------------------------------------------------------

def cmd_ask(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    top_k = args.top_k or settings.top_k
    if args.question is not None:
        if not args.question.strip():
            print("newsqa: the question is empty: type a few words to search for.",
                  file=sys.stderr)
            return EXIT_USAGE
        searcher = open_searcher(settings)
        try:
            response = searcher.search(args.question, top_k)
        except BadQuestionError as exc:
            print(f"newsqa: {exc}", file=sys.stderr)
            return EXIT_USAGE
        _print_response(response_to_dict(response), args.json)
        return EXIT_OK
    searcher = open_searcher(settings)
    answer_lines(searcher, sys.stdin, top_k, as_json=args.json)
    return EXIT_OK


def answer_lines(searcher: Searcher, lines: Iterable[str], top_k: int, *, as_json: bool) -> None:
    """One answer per input line; a bad line gets an error object and the rest go on."""
    for line in lines:
        question = line.rstrip("\n")
        if not question.strip():
            if as_json:
                _emit({"question": question, "error": "empty question"})
            continue
        try:
            response = searcher.search(question, top_k)
        except BadQuestionError as exc:
            if as_json:
                _emit({"question": question, "error": str(exc)})
            else:
                print(f"newsqa: {exc}", file=sys.stderr)
            continue
        _print_response(response_to_dict(response), as_json)


def _emit(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _print_response(data: dict[str, Any], as_json: bool) -> None:
    if as_json:
        _emit(data)
        return
    from .render import render_plain

    sys.stdout.write(render_plain(data))
    sys.stdout.flush()


# --- eval ----------------------------------------------------------------------------------

def cmd_eval(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from retrieval.evaluation import evaluate, load_questions, tune

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


# --- sources, repl, bot --------------------------------------------------------------------

def cmd_sources(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    searcher = open_searcher(settings)
    for info in searcher.articles():
        print(f"{info.date or '—':10}  {info.chunks:4} passages  {info.file}  {info.title}")
    return EXIT_OK


def cmd_repl(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from .repl import run_repl

    return run_repl(settings, top_k=args.top_k)


def cmd_bot(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from .telegram_app import run_bot

    return run_bot(settings)


def cmd_hint_bot(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    if os.environ.get("TELEGRAM_BOT_TOKEN") or _dotenv_has("TELEGRAM_BOT_TOKEN"):
        print("TELEGRAM_BOT_TOKEN is set: start the Telegram bot with `.venv/bin/newsqa bot`.")
    return EXIT_OK


def _dotenv_has(name: str) -> bool:
    try:
        lines = Path(".env").read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    return any(line.strip().startswith(f"{name}=") and line.split("=", 1)[1].strip()
               for line in lines)


Handler = Callable[[argparse.Namespace, RetrievalSettings], int]

if __name__ == "__main__":
    sys.exit(main())
