"""The ingestion state in SQLite beside the articles: stored pages, feeds and feed items.

The article files are the truth; the ``articles`` table is their index by URL and text
fingerprint, brought back in line with the folder on open (``ArticleStore.reconcile``).
A feed item is marked seen in the same transaction that records its stored article.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from ..errors import NewsQAError

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    file TEXT PRIMARY KEY, url TEXT, text_hash TEXT NOT NULL, simhash INTEGER NOT NULL,
    title TEXT NOT NULL, stored_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS articles_url ON articles(url);
CREATE INDEX IF NOT EXISTS articles_text ON articles(text_hash);
CREATE TABLE IF NOT EXISTS feeds (
    url TEXT PRIMARY KEY, title TEXT, added_at TEXT NOT NULL, etag TEXT, last_modified TEXT,
    polled_at TEXT, status TEXT, items INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS items (
    feed TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, file TEXT,
    attempts INTEGER NOT NULL DEFAULT 0, updated_at TEXT NOT NULL, PRIMARY KEY (feed, key));
"""
# An item that failed this often (a page that never loads) is not asked for again.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class ArticleRow:
    file: str
    url: str | None
    text_hash: str
    simhash: int
    title: str


@dataclass(frozen=True)
class FeedRow:
    url: str
    title: str | None
    added_at: str
    etag: str | None
    last_modified: str | None
    polled_at: str | None
    status: str | None
    items: int


def now_iso() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class Catalog:
    def __init__(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30.0, isolation_level=None,
                                       check_same_thread=False)
            try:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=FULL")
                self._db.executescript(SCHEMA)
            except sqlite3.Error:
                self._db.close()
                raise
        except (OSError, sqlite3.Error) as exc:
            raise NewsQAError(
                f"Cannot open the ingestion catalog {path} ({exc}). If it is damaged, move it "
                "away: the articles are kept and found again, the feeds must be re-added."
            ) from exc
        self._simhashes: dict[str, int] | None = None
        self._version = -1

    def close(self) -> None:
        self._db.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # --- articles --------------------------------------------------------------------------

    def by_url(self, url: str) -> ArticleRow | None:
        return self._one("SELECT file, url, text_hash, simhash, title FROM articles "
                         "WHERE url = ?", url)

    def by_text(self, text_hash: str) -> ArticleRow | None:
        return self._one("SELECT file, url, text_hash, simhash, title FROM articles "
                         "WHERE text_hash = ?", text_hash)

    def by_file(self, file: str) -> ArticleRow | None:
        return self._one("SELECT file, url, text_hash, simhash, title FROM articles "
                         "WHERE file = ?", file)

    def near(self, simhash: int, distance: int) -> list[str]:
        """Files whose fingerprint differs from ``simhash`` in at most ``distance`` bits."""
        return [file for file, other in self._all_simhashes().items()
                if (other ^ simhash).bit_count() <= distance]

    def put_article(self, row: ArticleRow) -> None:
        self._db.execute(
            "INSERT INTO articles (file, url, text_hash, simhash, title, stored_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(file) DO UPDATE SET url = excluded.url, "
            "text_hash = excluded.text_hash, simhash = excluded.simhash, "
            "title = excluded.title, stored_at = excluded.stored_at",
            (row.file, row.url, row.text_hash, _signed(row.simhash), row.title, now_iso()))

    def remove_article(self, file: str) -> None:
        self._db.execute("DELETE FROM articles WHERE file = ?", (file,))

    def files(self) -> set[str]:
        return {row[0] for row in self._db.execute("SELECT file FROM articles")}

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def _all_simhashes(self) -> dict[str, int]:
        # PRAGMA data_version changes when another connection (process) commits.
        version = int(self._db.execute("PRAGMA data_version").fetchone()[0])
        if self._simhashes is None or version != self._version:
            self._simhashes = {file: value & (2**64 - 1) for file, value in
                               self._db.execute("SELECT file, simhash FROM articles")}
            self._version = version
        return self._simhashes

    def _one(self, query: str, value: str) -> ArticleRow | None:
        row = self._db.execute(query, (value,)).fetchone()
        if row is None:
            return None
        return ArticleRow(row[0], row[1], row[2], int(row[3]) & (2**64 - 1), row[4])

    def after_write(self, row: ArticleRow) -> None:
        """Keep the in-memory fingerprints current without re-reading them all."""
        if self._simhashes is not None:
            self._simhashes[row.file] = row.simhash
            self._version = int(self._db.execute("PRAGMA data_version").fetchone()[0])

    # --- feeds -----------------------------------------------------------------------------

    def add_feed(self, url: str) -> bool:
        cursor = self._db.execute("INSERT OR IGNORE INTO feeds (url, added_at) VALUES (?, ?)",
                                  (url, now_iso()))
        return cursor.rowcount == 1

    def remove_feed(self, url: str) -> bool:
        with self.transaction():
            cursor = self._db.execute("DELETE FROM feeds WHERE url = ?", (url,))
            self._db.execute("DELETE FROM items WHERE feed = ?", (url,))
        return cursor.rowcount == 1

    def feeds(self) -> list[FeedRow]:
        rows = self._db.execute("SELECT url, title, added_at, etag, last_modified, polled_at, "
                                "status, items FROM feeds ORDER BY added_at, url")
        return [FeedRow(*row) for row in rows]

    def update_feed(self, url: str, *, status: str, etag: str | None = None,
                    last_modified: str | None = None, title: str | None = None,
                    keep_validators: bool = False) -> None:
        items = self._db.execute("SELECT count(*) FROM items WHERE feed = ? AND state != "
                                 "'pending'", (url,)).fetchone()[0]
        if keep_validators:
            self._db.execute("UPDATE feeds SET polled_at = ?, status = ?, items = ? "
                             "WHERE url = ?", (now_iso(), status, items, url))
            return
        self._db.execute(
            "UPDATE feeds SET polled_at = ?, status = ?, etag = ?, last_modified = ?, "
            "title = coalesce(?, title), items = ? WHERE url = ?",
            (now_iso(), status, etag, last_modified, title, items, url))

    def settled_items(self, feed: str) -> set[str]:
        """Keys of the feed's items that need no more work (stored, duplicate, given up)."""
        return {key for key, state, attempts in self._db.execute(
            "SELECT key, state, attempts FROM items WHERE feed = ?", (feed,))
            if state != "failed" or attempts >= MAX_ATTEMPTS}

    def item_files(self, feed: str) -> dict[str, str | None]:
        """Stored or duplicate items of a feed -> the article file that holds them."""
        return {key: file for key, file in self._db.execute(
            "SELECT key, file FROM items WHERE feed = ? AND state IN ('stored', 'duplicate')",
            (feed,))}

    def mark_item(self, feed: str, key: str, state: str, file: str | None = None, *,
                  give_up: bool = False) -> None:
        """state: 'stored' or 'duplicate' (settled), or 'failed': tried again in later rounds
        up to MAX_ATTEMPTS times, or never if ``give_up`` (a 404, a PDF, no article text)."""
        attempts = MAX_ATTEMPTS if give_up else 1 if state == "failed" else 0
        self._db.execute(
            "INSERT INTO items (feed, key, state, file, attempts, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(feed, key) DO UPDATE SET "
            "state = excluded.state, file = excluded.file, "
            "attempts = items.attempts + excluded.attempts, updated_at = excluded.updated_at",
            (feed, key, state, file, attempts, now_iso()))


    def prune_items(self, feed: str, listed: set[str], older_than_days: float = 30.0) -> int:
        """Forget items the feed no longer lists and nobody touched for a while (the table
        would otherwise grow with every item a feed ever had); their articles stay."""
        cutoff = time.strftime("%Y-%m-%dT%H:%M:%SZ",
                               time.gmtime(time.time() - older_than_days * 86400))
        stale = [(feed, key) for (key,) in self._db.execute(
            "SELECT key FROM items WHERE feed = ? AND updated_at < ?", (feed, cutoff))
            if key not in listed]
        if stale:
            with self.transaction():
                self._db.executemany("DELETE FROM items WHERE feed = ? AND key = ?", stale)
        return len(stale)


def _signed(value: int) -> int:
    """SQLite integers are signed 64-bit."""
    return value - 2**64 if value >= 2**63 else value
