"""What the front ends (CLI, REPL, Telegram bot) share: opening the index, building it with a
progress bar, and printing answers. `bot/cli.py` only parses arguments and dispatches."""

from __future__ import annotations

from .building import open_searcher, run_build
from .output import answer_lines, emit, print_response

__all__ = ["answer_lines", "emit", "open_searcher", "print_response", "run_build"]
