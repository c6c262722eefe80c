"""`ask --since/--until/--place`: an explicit filter on the articles searched (merged with
the one the question states; the flags win)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from retrieval import SearchResponse
from retrieval.filters import ArticleFilter, explicit_filter


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a day as YYYY-MM-DD, e.g. 2022-08-11") from None


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", type=_day, metavar="YYYY-MM-DD",
                        help="only articles (or their events) from this day on")
    parser.add_argument("--until", type=_day, metavar="YYYY-MM-DD",
                        help="only articles (or their events) up to this day")
    parser.add_argument("--place", metavar="PLACE", help="only articles about this place "
                        "('Cà Mau', 'ca mau')")


def filter_from_args(args: argparse.Namespace) -> ArticleFilter | None:
    """The flags' filter; days in the wrong order are a usage error (exit 2)."""
    if args.since and args.until and args.since > args.until:
        print("newsqa: --since is after --until", file=sys.stderr)
        raise SystemExit(2)
    if args.place is not None and not args.place.strip():
        print("newsqa: --place is empty", file=sys.stderr)
        raise SystemExit(2)
    return explicit_filter(args.since, args.until, args.place)


class FilteredSearcher:
    """A searcher whose every search carries ``article_filter``."""

    def __init__(self, inner: Any, article_filter: ArticleFilter | None) -> None:
        self._inner = inner
        self._filter = article_filter

    def search(self, question: str, top_k: int | None = None, offset: int = 0,
               **options: Any) -> SearchResponse:
        response: SearchResponse = self._inner.search(question, top_k, offset,
                                                      article_filter=self._filter, **options)
        return response
