"""`newsqa index`: build or update the index."""

from __future__ import annotations

import argparse
import sys

from retrieval import RetrievalSettings

from ._common import EXIT_OK, SubParsers

ORDER = 10


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    index = sub.add_parser("index", parents=[common], help="build or update the index")
    index.add_argument("--full", action="store_true", help="rebuild everything from scratch")
    index.set_defaults(handler=cmd_index)


def cmd_index(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from retrieval.tuning import tuned_in_force

    from ..frontend import run_build
    from ..frontend.messages import t

    run_build(settings, full=args.full)
    tuned = tuned_in_force(settings)
    if tuned is not None:
        # A rebuild keeps fusion.json: say so, since it changes every answer.
        print(t("tuned_in_force", accented=tuned[0], unaccented=tuned[1]), file=sys.stderr)
    return EXIT_OK
