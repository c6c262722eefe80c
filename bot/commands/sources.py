"""`newsqa sources`: list the indexed articles."""

from __future__ import annotations

import argparse

from retrieval import RetrievalSettings

from ._common import EXIT_OK, SubParsers

ORDER = 40


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    sources = sub.add_parser("sources", parents=[common], help="list the indexed articles")
    sources.set_defaults(handler=cmd_sources)


def cmd_sources(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from ..frontend import open_searcher
    from ..frontend.messages import count, t
    from ..frontend.terminal import safe

    searcher = open_searcher(settings)
    for info in searcher.articles():
        print(f"{info.date or t('no_date'):10}  {count('n_passages', info.chunks):>12}  "
              f"{safe(info.file)}  {safe(info.title)}")
    return EXIT_OK
