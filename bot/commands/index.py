"""`newsqa index`: build or update the index."""

from __future__ import annotations

import argparse

from retrieval import RetrievalSettings

from ._common import EXIT_OK, SubParsers

ORDER = 10


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    index = sub.add_parser("index", parents=[common], help="build or update the index")
    index.add_argument("--full", action="store_true", help="rebuild everything from scratch")
    index.set_defaults(handler=cmd_index)


def cmd_index(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from ..frontend import run_build

    run_build(settings, full=args.full)
    return EXIT_OK
