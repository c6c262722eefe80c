"""`newsqa repl`: interactive questions in a terminal."""

from __future__ import annotations

import argparse

from retrieval import RetrievalSettings

from ._common import SubParsers, positive_top_k

ORDER = 50


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    repl = sub.add_parser("repl", parents=[common], help="interactive questions in a terminal")
    repl.add_argument("-k", "--top-k", type=positive_top_k, help="passages per answer")
    repl.set_defaults(handler=cmd_repl)


def cmd_repl(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from ..repl import run_repl

    return run_repl(settings, top_k=args.top_k)
