"""`newsqa`: argument parsing and dispatch; each sub-command lives in `bot/commands/`.

Errors of the core become one line on stderr and exit code 1; usage errors exit with 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from retrieval import NewsQAError, RetrievalSettings

from .commands import command_modules
from .commands._common import EXIT_ERROR, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "main"]


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
    for module in command_modules():
        module.register(sub, common)
    return parser


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


if __name__ == "__main__":
    sys.exit(main())
