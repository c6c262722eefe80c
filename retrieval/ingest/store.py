"""Stored articles: one ``.txt`` per story (metadata line + text) written atomically, and
duplicates caught by URL, by exact text and by near-identical text (simhash + shingles)."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np

from ..text import fold
from .catalog import ArticleRow, Catalog, now_iso
from .extract import Extracted
from .header import ArticleMeta, format_header, split_header

FOLDER = "ingested"
CATALOG = ".newsqa-ingest.sqlite3"
LOCK = ".newsqa-ingest.lock"
# Simhash bits two copies of one story may differ in (a byline, a 'Theo TTXVN' line)...
NEAR_BITS = 6
# ...confirmed by this share of shared word 3-grams.
NEAR_JACCARD = 0.8
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|zarsrc|mc_\w+|ref|cmpid)$", re.IGNORECASE)
_WORDS = re.compile(r"\w+")

Status = Literal["added", "updated", "unchanged", "duplicate"]


@dataclass(frozen=True)
class Stored:
    status: Status
    file: str  # the article's file, relative to the articles folder
    title: str
    duplicate_of: str | None = None  # for 'duplicate': the article that has this text


def canonical_url(url: str) -> str:
    """The URL as one story's key: no fragment, no tracking parameters, lower-case host."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80)
                     or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not _TRACKING.match(k)])
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, ""))


def words(text: str) -> list[str]:
    return _WORDS.findall(fold(text).lower())


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(words(text)).encode("utf-8")).hexdigest()


def shingles(text: str) -> set[int]:
    tokens = words(text)
    return {int.from_bytes(hashlib.blake2b(" ".join(tokens[i:i + 3]).encode(),
                                           digest_size=8).digest(), "little")
            for i in range(max(1, len(tokens) - 2))}


def simhash(features: set[int]) -> int:
    """64 bits, each the majority vote of that bit over the features."""
    if not features:
        return 0
    values = np.fromiter(features, dtype=np.uint64, count=len(features))
    bits = (values[:, None] >> np.arange(64, dtype=np.uint64)) & np.uint64(1)
    ones = bits.sum(axis=0)
    return sum(1 << bit for bit in range(64) if 2 * int(ones[bit]) > len(features))


class ArticleStore:
    """The ingested part of an articles folder, with its catalog. Use under ``lock()``."""

    def __init__(self, articles_dir: Path) -> None:
        self.root = articles_dir
        self.folder = articles_dir / FOLDER
        self.catalog = Catalog(articles_dir / CATALOG)

    def close(self) -> None:
        self.catalog.close()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Between processes (a CLI `add` while the bot watches feeds): one writer at a time."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def reconcile(self) -> tuple[int, int]:
        """Bring the catalog in line with the files (a kill after a write, files deleted or
        copied in by hand): (rows added, rows dropped)."""
        on_disk: dict[str, Path] = {}
        if self.folder.is_dir():
            for path in self.folder.rglob("*.txt"):
                if not path.name.startswith(".") and path.is_file():
                    on_disk[path.relative_to(self.root).as_posix()] = path
            # Left by a writer killed before its rename; under the lock nobody writes one.
            for stale in self.folder.rglob(".*.tmp"):
                stale.unlink(missing_ok=True)
        known = self.catalog.files()
        added = dropped = 0
        with self.catalog.transaction():
            for file in known - on_disk.keys():
                self.catalog.remove_article(file)
                dropped += 1
            for file in on_disk.keys() - known:
                row = self._row_of(file, on_disk[file])
                if row is not None:
                    self.catalog.put_article(row)
                    added += 1
        return added, dropped

    # --- storing ---------------------------------------------------------------------------

    def save(self, article: Extracted, meta: ArticleMeta) -> Stored:
        """Store ``article`` unless it is already there: same URL and text -> 'unchanged',
        same URL new text -> 'updated' (same file), same text elsewhere -> 'duplicate'."""
        url = canonical_url(meta.url) if meta.url else None
        digest = text_hash(article.text)
        features = shingles(article.text)
        fingerprint = simhash(features)
        meta = replace(meta, url=url, text_hash=digest, title=article.title,
                       date=article.date or meta.date, author=article.author or meta.author,
                       site=article.site or meta.site, fetched_at=meta.fetched_at or now_iso())
        existing = self.catalog.by_url(url) if url else None
        if existing is not None and existing.text_hash == digest:
            return Stored("unchanged", existing.file, existing.title)
        if existing is None:
            twin = self._twin(digest, fingerprint, features)
            if twin is not None:
                return Stored("duplicate", twin.file, twin.title, duplicate_of=twin.file)
        file = existing.file if existing is not None else self._new_name(url, article, digest)
        self._write(file, format_header(meta) + article.title + "\n\n" + article.text + "\n")
        row = ArticleRow(file, url, digest, fingerprint, article.title)
        with self.catalog.transaction():
            self.catalog.put_article(row)
        self.catalog.after_write(row)
        return Stored("updated" if existing is not None else "added", file, article.title)

    def _twin(self, digest: str, fingerprint: int, features: set[int]) -> ArticleRow | None:
        same = self.catalog.by_text(digest)
        if same is not None:
            return same
        for file in self.catalog.near(fingerprint, NEAR_BITS):
            other = self._body_of(file)
            if other is None:
                continue
            theirs = shingles(other)
            union = len(features | theirs)
            if union and len(features & theirs) / union >= NEAR_JACCARD:
                return self.catalog.by_file(file)
        return None

    def _new_name(self, url: str | None, article: Extracted, digest: str) -> str:
        if url:
            parts = urlsplit(url)
            folder = re.sub(r"[^a-z0-9.-]+", "_", parts.netloc.lower()) or "web"
            stem = _slug(parts.path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0])
            key = hashlib.sha256(url.encode()).hexdigest()[:10]
        else:
            folder, stem, key = "text", _slug(fold(article.title)), digest[:10]
        return f"{FOLDER}/{folder}/{stem or 'article'}-{key}.txt"

    def _write(self, file: str, content: str) -> None:
        """Whole or not at all: a temporary dot-file (never read as an article), fsynced,
        renamed over the target, then the folder fsynced."""
        path = self.root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                handle.write(content)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        descriptor = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    def _body_of(self, file: str) -> str | None:
        try:
            text = (self.root / file).read_text(encoding="utf-8")
            meta, rest = split_header(text)
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if meta is not None:
            rest = rest.lstrip("\n")
            title, _, body = rest.partition("\n\n")
            return body if title.strip() == meta.title.strip() else rest
        return rest

    def _row_of(self, file: str, path: Path) -> ArticleRow | None:
        try:
            meta, _ = split_header(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        body = self._body_of(file)
        if meta is None or body is None:
            return None
        return ArticleRow(file, meta.url, text_hash(body), simhash(shingles(body)), meta.title)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-")[:60].rstrip("-")
