"""`newsqa add` in the core: a URL, a local file or text -> a stored article -> the index.

Each source gives one ``Outcome`` (one line naming it); one failing never stops a batch.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from ..embedding import Embedder
from ..errors import IndexLockedError, NewsQAError
from ..indexer import BuildReport, ProgressCallback, build_index
from ..settings import RetrievalSettings
from ..types import SkippedFile
from .catalog import now_iso
from .encoding import decode_page
from .extract import Extracted, ExtractError, extract_html, extract_text
from .fetch import Fetcher, FetchError, FetchLimits
from .header import ArticleMeta
from .store import ArticleStore, Stored

log = logging.getLogger(__name__)

OutcomeStatus = Literal["added", "updated", "unchanged", "duplicate", "failed"]
# How long an index update waits for another process's build to finish.
LOCK_WAIT_SECONDS = 300.0


@dataclass(frozen=True)
class Outcome:
    source: str  # the URL, file or '-' as given
    status: OutcomeStatus
    title: str | None = None
    file: str | None = None
    reason: str | None = None  # for 'failed': one line that names the source
    permanent: bool = True  # for 'failed': a retry would fail the same way

    @property
    def changed(self) -> bool:
        return self.status in ("added", "updated")

    def line(self) -> str:
        if self.status == "failed":
            return f"failed: {self.reason}"
        if self.status == "duplicate":
            return f"duplicate: {self.source} is already stored as {self.file} ({self.title})"
        if self.status == "unchanged":
            return f"unchanged: {self.source} ({self.title})"
        return f"{self.status}: {self.title} — {self.file}"


def is_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


def limits_of(settings: RetrievalSettings) -> FetchLimits:
    return FetchLimits(timeout=settings.fetch_timeout, max_bytes=settings.fetch_max_bytes,
                       max_redirects=settings.fetch_max_redirects,
                       host_delay=settings.fetch_host_delay)


class Ingestor:
    """Fetcher + article store for one batch, one watch or one bot process."""

    def __init__(self, settings: RetrievalSettings, *,
                 transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 embedder: Embedder | None = None) -> None:
        self.settings = settings
        self.embedder = embedder  # None: the model the settings name, loaded per build
        self.store = ArticleStore(settings.articles_dir)
        self.fetcher = Fetcher(limits_of(settings), transport=transport, sleep=sleep)
        with self.store.lock():
            added, dropped = self.store.reconcile()
        if added or dropped:
            log.info("catalog brought in line with %s: %d found, %d gone",
                     settings.articles_dir, added, dropped)

    def close(self) -> None:
        self.fetcher.close()
        self.store.close()

    def __enter__(self) -> Ingestor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- one source ------------------------------------------------------------------------

    def add(self, source: str, stdin_text: str | None = None) -> Outcome:
        """A URL, a path, or '-' with ``stdin_text``."""
        if source == "-":
            return self.add_text(source, stdin_text or "", ArticleMeta(title="", origin="stdin"))
        if is_url(source):
            return self.add_url(source)
        return self.add_file(Path(source))

    def add_url(self, url: str, *, feed: str | None = None,
                fallback_html: str | None = None) -> Outcome:
        """Fetch and store a page; ``fallback_html`` (a feed item's own content) is stored
        when the page has no article text in it."""
        try:
            response = self.fetcher.get(url)
            origin = "feed" if feed else "web"
            meta = ArticleMeta(title="", url=response.final_url, origin=origin, feed=feed,
                               fetched_at=now_iso())
            page = decode_page(response.body, response.charset)
            try:
                article = (extract_text(page) if response.content_type == "text/plain"
                           else extract_html(page, response.final_url))
            except ExtractError:
                if not fallback_html:
                    raise
                article = extract_html(f"<html><body><article>{fallback_html}</article>"
                                       "</body></html>", response.final_url)
        except FetchError as exc:
            return Outcome(url, "failed", reason=str(exc), permanent=exc.permanent)
        except ExtractError as exc:
            return Outcome(url, "failed", reason=f"{url}: {exc}")
        return self._save(url, article, meta)

    def add_html(self, source: str, page: str, *, feed: str | None = None,
                 title: str = "") -> Outcome:
        """An item's own HTML (a feed entry without a link)."""
        try:
            article = extract_html(f"<html><body><article>{page}</article></body></html>")
        except ExtractError as exc:
            return Outcome(source, "failed", reason=f"{source}: {exc}")
        if title:  # the page built from the item has no headline of its own
            article = Extracted(title, article.text, article.date, article.author, article.site)
        return self._save(source, article, ArticleMeta(title="", origin="feed", feed=feed,
                                                      fetched_at=now_iso()))

    def add_file(self, path: Path) -> Outcome:
        source = str(path)
        try:
            if not path.is_file():
                raise ExtractError("no such file" if not path.exists() else "not a regular file")
            size = path.stat().st_size
            if size > self.settings.fetch_max_bytes:
                raise ExtractError(f"{size:,} bytes, over the {self.settings.fetch_max_bytes:,}"
                                   "-byte limit (NEWSQA_FETCH_MAX_BYTES)")
            raw = path.read_bytes()
            text = decode_page(raw)
            is_html = path.suffix.lower() in (".html", ".htm", ".xhtml") or (
                text.lstrip()[:200].lower().startswith(("<!doctype html", "<html")))
            article = extract_html(text) if is_html else extract_text(text)
        except OSError as exc:
            return Outcome(source, "failed", reason=f"{source}: unreadable "
                           f"({exc.strerror or exc})")
        except ExtractError as exc:
            return Outcome(source, "failed", reason=f"{source}: {exc}")
        return self._save(source, article, ArticleMeta(title="", origin="file",
                                                      fetched_at=now_iso()))

    def add_text(self, source: str, text: str, meta: ArticleMeta) -> Outcome:
        """Plain text (stdin, a Telegram post) with what is known of its source."""
        try:
            article = extract_text(text)
        except ExtractError as exc:
            return Outcome(source, "failed", reason=f"{source}: {exc}")
        # What the caller knows (a post's channel and date) beats what the text suggests.
        article = dataclasses.replace(article, title=meta.title or article.title,
                                      date=meta.date or article.date)
        return self._save(source, article, meta)

    def _save(self, source: str, article: Extracted, meta: ArticleMeta) -> Outcome:
        try:
            with self.store.lock():
                stored: Stored = self.store.save(article, meta)
        except (OSError, sqlite3.Error) as exc:  # a full disk, a read-only folder
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            return Outcome(source, "failed", permanent=False,
                           reason=f"{source}: could not store the article ({reason})")
        return Outcome(source, stored.status, stored.title, stored.file)

    # --- the index -------------------------------------------------------------------------

    def update_index(self, *, progress: ProgressCallback | None = None,
                     on_skip: Callable[[SkippedFile], None] | None = None) -> BuildReport:
        """Incremental build; waits for a build another process is running to finish."""
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                return build_index(self.settings, progress=progress, on_skip=on_skip,
                                   embedder=self.embedder)
            except IndexLockedError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def add_sources(settings: RetrievalSettings, sources: list[str], *,
                stdin_text: str | None = None,
                on_outcome: Callable[[Outcome], None] | None = None,
                ingestor: Ingestor | None = None) -> list[Outcome]:
    """Store every source (the index is not touched: call ``update_index`` after)."""
    own = ingestor is None
    ingestor = ingestor or Ingestor(settings)
    outcomes: list[Outcome] = []
    try:
        for source in sources:
            try:
                outcome = ingestor.add(source, stdin_text)
            except NewsQAError as exc:  # an unexpected core error: still one line, go on
                outcome = Outcome(source, "failed", reason=f"{source}: {exc}")
            outcomes.append(outcome)
            if on_outcome:
                on_outcome(outcome)
    finally:
        if own:
            ingestor.close()
    return outcomes
