"""`newsqa add`, `newsqa feeds add|list|remove` and `newsqa watch` (thin: parse, call, print)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TYPE_CHECKING, TextIO

from retrieval import NewsQAError, RetrievalSettings
from retrieval.indexer import BuildReport

from ..frontend.progress import BuildProgress
from ._common import EXIT_ERROR, EXIT_OK, SubParsers

if TYPE_CHECKING:  # the ingestion stack (trafilatura, lxml) loads only for these commands
    from retrieval.ingest.pipeline import Ingestor, Outcome

ORDER = 15  # after `index`: the other way into the collection


def register(sub: SubParsers, common: argparse.ArgumentParser) -> None:
    add = sub.add_parser("add", parents=[common],
                         help="store web pages, files or stdin text as articles and index them")
    add.add_argument("sources", nargs="+", metavar="URL|FILE|-",
                     help="http(s) URLs, local .html/.txt files, '-' for text on stdin")
    add.add_argument("--no-index", action="store_true", help="store only; index later")
    add.set_defaults(handler=cmd_add)

    feeds = sub.add_parser("feeds", parents=[common], help="the RSS/Atom feeds `watch` polls")
    action = feeds.add_subparsers(dest="feeds_command", required=True, metavar="ACTION")
    feeds_add = action.add_parser("add", parents=[common], help="register feeds")
    feeds_add.add_argument("urls", nargs="+", metavar="URL")
    feeds_add.set_defaults(handler=cmd_feeds_add)
    feeds_list = action.add_parser("list", parents=[common], help="registered feeds")
    feeds_list.set_defaults(handler=cmd_feeds_list)
    feeds_remove = action.add_parser("remove", parents=[common], help="forget feeds")
    feeds_remove.add_argument("urls", nargs="+", metavar="URL")
    feeds_remove.set_defaults(handler=cmd_feeds_remove)

    watch = sub.add_parser("watch", parents=[common],
                           help="poll the feeds, store new items and update the index")
    watch.add_argument("--interval", type=float, help="seconds between rounds "
                       "(NEWSQA_WATCH_INTERVAL)")
    watch.add_argument("--rounds", type=int, help="stop after this many rounds")
    watch.set_defaults(handler=cmd_watch)


# --- add -----------------------------------------------------------------------------------

def cmd_add(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from retrieval.ingest.pipeline import Ingestor, add_sources

    stdin_text = sys.stdin.read() if "-" in args.sources else None
    failed = 0

    def show(outcome: Outcome) -> None:
        nonlocal failed
        line = outcome.line()
        if outcome.status == "failed":
            failed += 1
            print(f"newsqa: {line}", file=sys.stderr)
        else:
            print(line)

    with Ingestor(settings) as ingestor:
        outcomes = add_sources(settings, args.sources, stdin_text=stdin_text, on_outcome=show,
                               ingestor=ingestor)
        if any(o.changed for o in outcomes) and not args.no_index:
            update_index(ingestor)
    return EXIT_ERROR if failed else EXIT_OK


def update_index(ingestor: Ingestor, stream: TextIO | None = None) -> BuildReport:
    stream = stream or sys.stderr
    with BuildProgress(stream) as progress:
        report = ingestor.update_index(
            progress=progress.update,
            on_skip=lambda skipped: print(f"warning: skipped {skipped.file}: {skipped.reason}",
                                          file=stream))
    print(report.summary(), file=stream)
    return report


# --- feeds ---------------------------------------------------------------------------------

def cmd_feeds_add(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from retrieval.ingest.feeds import FeedError, parse_feed
    from retrieval.ingest.fetch import FetchError
    from retrieval.ingest.pipeline import Ingestor
    from retrieval.ingest.store import canonical_url

    code = EXIT_OK
    with Ingestor(settings) as ingestor:
        for url in args.urls:
            # Checked now, so a typo is caught when it is made rather than at every poll.
            try:
                response = ingestor.fetcher.get(url, "feed")
                parsed = parse_feed(response.body, response.final_url)
            except FetchError as exc:
                print(f"newsqa: {exc}", file=sys.stderr)
                code = EXIT_ERROR
                continue
            except FeedError as exc:
                print(f"newsqa: {url}: {exc}", file=sys.stderr)
                code = EXIT_ERROR
                continue
            key = canonical_url(response.final_url)
            if ingestor.store.catalog.add_feed(key):
                print(f"added feed: {key} ({parsed.title or 'untitled'}, "
                      f"{len(parsed.items)} items)")
            else:
                print(f"already watched: {key}")
    return code


def cmd_feeds_list(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from retrieval.ingest.pipeline import Ingestor

    with Ingestor(settings) as ingestor:
        feeds = ingestor.store.catalog.feeds()
    if not feeds:
        print("No feeds yet: add one with `newsqa feeds add URL`.")
    for feed in feeds:
        print(f"{feed.url}  {feed.title or '—'}  {feed.items} items  "
              f"last polled {feed.polled_at or 'never'}: {feed.status or '—'}")
    return EXIT_OK


def cmd_feeds_remove(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from retrieval.ingest.pipeline import Ingestor
    from retrieval.ingest.store import canonical_url

    code = EXIT_OK
    with Ingestor(settings) as ingestor:
        for url in args.urls:
            if ingestor.store.catalog.remove_feed(canonical_url(url)):
                print(f"removed feed: {canonical_url(url)} (its articles stay)")
            else:
                print(f"newsqa: not a watched feed: {url}", file=sys.stderr)
                code = EXIT_ERROR
    return code


# --- watch ---------------------------------------------------------------------------------

def cmd_watch(args: argparse.Namespace, settings: RetrievalSettings) -> int:
    from retrieval.ingest.feeds import watch
    from retrieval.ingest.pipeline import Ingestor

    interval = args.interval if args.interval is not None else settings.watch_interval
    if interval <= 0 or (args.rounds is not None and args.rounds < 1):
        raise NewsQAError("--interval and --rounds must be positive")
    logging.getLogger("retrieval.ingest").setLevel(logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logging.getLogger("retrieval.ingest").addHandler(handler)
    logging.getLogger("retrieval.ingest").propagate = False

    def progress(feed: str, done: int, total: int) -> None:
        if done == 1 or done == total or done % max(1, total // 10) == 0:
            print(f"first import of {feed}: {done}/{total} items", file=sys.stderr, flush=True)

    with Ingestor(settings) as ingestor:
        if not ingestor.store.catalog.feeds():
            raise NewsQAError("No feeds to watch: add one with `newsqa feeds add URL`.")
        # Each round logs its summary line (and each failure its own line) on stderr.
        watch(ingestor, interval=interval, rounds=args.rounds, progress=progress)
    return EXIT_OK
