"""`newsqa bot` (run the Telegram bot) and the hidden `newsqa hint-bot` used by `make run`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from retrieval import RetrievalSettings

from ._common import EXIT_OK, SubParsers

ORDER = 60


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    bot = sub.add_parser("bot", parents=[common], help="run the Telegram bot")
    bot.add_argument("--verbose", action="store_true", help="log tracebacks of failures")
    bot.set_defaults(handler=cmd_bot)

    # No help= at all: argparse lists a parser with help=SUPPRESS as "==SUPPRESS==".
    hint = sub.add_parser("hint-bot")
    hint.set_defaults(handler=cmd_hint_bot)


def cmd_bot(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from ..telegram_app import run_bot

    return run_bot(settings, verbose=args.verbose)


def cmd_hint_bot(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    if os.environ.get("TELEGRAM_BOT_TOKEN") or _dotenv_has("TELEGRAM_BOT_TOKEN"):
        from ..frontend.messages import t

        print(t("hint_bot"))
    return EXIT_OK


def _dotenv_has(name: str) -> bool:
    try:
        lines = Path(".env").read_text(encoding="utf-8").splitlines()
    except OSError:
        return False
    return any(line.strip().startswith(f"{name}=") and line.split("=", 1)[1].strip()
               for line in lines)
