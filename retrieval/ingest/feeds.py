"""RSS / Atom feeds: parse (feedparser), poll with conditional GET, store new items.

A polling round leaves the feed's ETag / Last-Modified alone until every item it listed
has been dealt with, so a round cut short (a kill, the per-round item cap) is resumed by
the next one instead of being answered '304 Not Modified'.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import feedparser

from ..indexer import BuildReport
from .catalog import FeedRow
from .fetch import FetchError
from .pipeline import Ingestor, Outcome, is_url
from .store import canonical_url

log = logging.getLogger(__name__)

# (feed URL, items done, items to do) during a feed's first big import
FeedProgress = Callable[[str, int, int], None]
# Imports with more items than this report progress.
BIG_IMPORT = 20


class FeedError(ValueError):
    pass


@dataclass(frozen=True)
class FeedItem:
    key: str  # guid / id, else the link, else a hash of the title and summary
    link: str | None
    title: str
    content: str | None  # the item's own HTML (content:encoded / Atom content), if any


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    items: tuple[FeedItem, ...]
    damage: str | None = None  # what was wrong with a feed read anyway (truncated XML)


@dataclass
class RoundReport:
    feeds: int = 0
    unchanged: int = 0  # 304, or nothing new listed
    failed_feeds: int = 0
    new_items: int = 0
    stored: int = 0  # added or updated articles
    duplicates: int = 0
    failed_items: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def line(self, number: int) -> str:
        return (f"round {number}: {self.feeds} feeds ({self.unchanged} unchanged, "
                f"{self.failed_feeds} failed), {self.new_items} new items: {self.stored} stored, "
                f"{self.duplicates} duplicates, {self.failed_items} failed; "
                f"{self.seconds:.1f} s")


def parse_feed(body: bytes, url: str) -> ParsedFeed:
    parsed = feedparser.parse(body, sanitize_html=True, resolve_relative_uris=True,
                              response_headers={"content-location": url})
    entries = parsed.get("entries") or []
    harmless = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, harmless):
        problem = None
    if not entries and not parsed.get("version"):
        if problem is not None:
            raise FeedError(f"malformed feed ({type(problem).__name__})")
        raise FeedError("not an RSS or Atom feed")
    items: list[FeedItem] = []
    for entry in entries:
        link = entry.get("link")
        link = link if isinstance(link, str) and is_url(link) else None
        title = str(entry.get("title") or "").strip()
        content = None
        if entry.get("content"):
            content = "".join(str(part.get("value", "")) for part in entry["content"])
        # Some feeds carry the whole article in the description.
        content = content or (str(entry.get("summary") or "") or None)
        key = str(entry.get("id") or "") or (canonical_url(link) if link else "")
        if not key:
            key = "sha256:" + hashlib.sha256(
                (title + str(entry.get("summary", ""))).encode("utf-8")).hexdigest()
        items.append(FeedItem(key, link, title, content))
    title = parsed.get("feed", {}).get("title")
    damage = f"malformed feed ({type(problem).__name__})" if problem is not None else None
    return ParsedFeed(str(title) if title else None, tuple(items), damage)


class FeedPoller:
    """Polls every registered feed once per ``run_round``; the caller updates the index."""

    def __init__(self, ingestor: Ingestor, *, progress: FeedProgress | None = None) -> None:
        self.ingestor = ingestor
        self.catalog = ingestor.store.catalog
        self.progress = progress
        self.max_items = ingestor.settings.feed_max_items

    def run_round(self) -> RoundReport:
        started = time.perf_counter()
        report = RoundReport()
        for feed in self.catalog.feeds():
            report.feeds += 1
            try:
                self._poll(feed, report)
            except (FetchError, FeedError) as exc:
                report.failed_feeds += 1
                reason = str(exc) if isinstance(exc, FetchError) else f"{feed.url}: {exc}"
                report.problems.append(reason)
                log.warning("feed %s", reason)
                self.catalog.update_feed(feed.url, status=f"failed: {reason}",
                                         keep_validators=True)
        report.seconds = time.perf_counter() - started
        return report

    def _poll(self, feed: FeedRow, report: RoundReport) -> None:
        response = self.ingestor.fetcher.get(feed.url, "feed", etag=feed.etag,
                                             last_modified=feed.last_modified)
        if response.status == 304:
            report.unchanged += 1
            self.catalog.update_feed(feed.url, status="not modified", keep_validators=True)
            return
        parsed = parse_feed(response.body, response.final_url)
        if parsed.damage:
            problem = f"{feed.url}: {parsed.damage}; read {len(parsed.items)} items anyway"
            report.problems.append(problem)
            log.warning("feed %s", problem)
        settled = self.catalog.settled_items(feed.url)
        pending = [item for item in parsed.items if item.key not in settled]
        todo = pending[:self.max_items]
        if not todo:
            report.unchanged += 1
        elif len(pending) > len(todo):
            log.info("feed %s lists %d new items: taking %d this round", feed.url,
                     len(pending), len(todo))
        report.new_items += len(todo)
        show = self.progress if len(todo) > BIG_IMPORT else None
        for done, item in enumerate(todo):
            self._item(feed.url, item, report)
            if show:
                show(feed.url, done + 1, len(todo))
        # Validators only once the feed is fully dealt with (see the module docstring).
        complete = len(pending) == len(todo)
        if complete:
            self.catalog.prune_items(feed.url, {item.key for item in parsed.items})
        self.catalog.update_feed(
            feed.url, status="ok" if complete else f"{len(pending) - len(todo)} items left",
            etag=response.etag if complete else None,
            last_modified=response.last_modified if complete else None, title=parsed.title)

    def _item(self, feed: str, item: FeedItem, report: RoundReport) -> None:
        if item.link is None:
            if not item.content:
                report.failed_items += 1
                report.problems.append(f"{feed}: item {item.title[:60]!r} has neither a link "
                                       "nor content")
                self.catalog.mark_item(feed, item.key, "failed", give_up=True)
                return
            outcome = self.ingestor.add_html(item.key, item.content, feed=feed,
                                             title=item.title)
        else:
            outcome = self.ingestor.add_url(item.link, feed=feed, fallback_html=item.content)
        self._record(feed, item, outcome, report)

    def _record(self, feed: str, item: FeedItem, outcome: Outcome, report: RoundReport) -> None:
        if outcome.status == "failed":
            report.failed_items += 1
            report.problems.append(outcome.reason or outcome.source)
            log.warning("feed item %s", outcome.reason)
            self.catalog.mark_item(feed, item.key, "failed", give_up=outcome.permanent)
            return
        if outcome.status == "duplicate":
            report.duplicates += 1
        elif outcome.changed:
            report.stored += 1
        # Marked only now that its article is on disk (or known to be there already).
        self.catalog.mark_item(feed, item.key, "duplicate" if outcome.status == "duplicate"
                               else "stored", outcome.file)


RoundCallback = Callable[[int, RoundReport, BuildReport | None], None]


def watch(ingestor: Ingestor, *, interval: float, rounds: int | None = None,
          on_round: RoundCallback | None = None, progress: FeedProgress | None = None,
          stop: threading.Event | None = None) -> None:
    """Poll every feed each ``interval`` seconds (``rounds`` times, or until ``stop``);
    the index is updated after a round that stored anything."""
    poller = FeedPoller(ingestor, progress=progress)
    stop = stop or threading.Event()
    number = 0
    while not stop.is_set() and (rounds is None or number < rounds):
        number += 1
        started = time.monotonic()
        report = poller.run_round()
        build = ingestor.update_index() if report.stored else None
        report.seconds = time.monotonic() - started
        log.info("%s%s", report.line(number), f"; {build.summary()}" if build else "")
        if on_round:
            on_round(number, report, build)
        if rounds is not None and number >= rounds:
            break
        stop.wait(max(0.0, interval - (time.monotonic() - started)))
