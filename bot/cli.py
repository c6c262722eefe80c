"""`newsqa`: argument parsing and dispatch; each sub-command lives in `bot/commands/`.

Errors of the core become one line on stderr and exit code 1; usage errors exit with 2.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from retrieval import NewsQAError, RetrievalSettings

from .commands import command_modules
from .commands._common import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from .frontend.argparse_language import install as install_argparse_language
from .frontend.messages import describe, detect_language, set_language, t

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "main"]


def main(argv: list[str] | None = None) -> int:
    language = detect_language()
    set_language(language)
    install_argparse_language(language)
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = _settings(args)
        code: int = args.handler(args, settings)
        return code
    except NewsQAError as exc:
        print(f"newsqa: {describe(exc)}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"newsqa: {t('interrupted')}", file=sys.stderr)
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
        settings = RetrievalSettings(**overrides)
    except ValidationError as exc:  # a bad NEWSQA_* value: name it, not pydantic's dump
        raise NewsQAError(_invalid_setting(exc)) from exc
    _check_model_folder(settings.embedding_model)
    return settings


def _invalid_setting(exc: ValidationError) -> str:
    errors = exc.errors()
    if not errors or not errors[0].get("loc"):
        return t("invalid_setting_plain", reason=str(exc).splitlines()[0])
    first = errors[0]
    name = f"NEWSQA_{str(first['loc'][0]).upper()}"
    return t("invalid_setting", name=name, value=first.get("input"),
             reason=str(first.get("msg", "")).rstrip("."))


def _check_model_folder(model: str) -> None:
    """A model given as a path that does not exist is a typo, not a hub name to look up."""
    if model.startswith(("/", "./", "../", "~")) and not Path(model).expanduser().exists():
        raise NewsQAError(t("no_such_model_folder", path=model))


if __name__ == "__main__":
    sys.exit(main())
