"""Building the facts of a collection incrementally, and their stored form: one JSON file
per index generation, or the same rows as two tables (events, mentions) keyed by file."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from sys import intern
from typing import Any

from ..errors import CorruptIndexError
from ..types import Article, Chunk
from .extract import article_provinces, extract_facts
from .model import FACTS_VERSION, ArticleFacts, EventRow, MentionRow

FACTS_FILE = "people_events.json"


def build_facts(articles: Sequence[Article], chunks: Sequence[Sequence[Chunk]],
                previous: Mapping[str, ArticleFacts]) -> tuple[list[ArticleFacts], int]:
    """Facts of every article, reusing ``previous`` ones of unchanged articles (same file
    and content hash); also how many were extracted anew."""
    out: list[ArticleFacts] = []
    fresh = 0
    for article, passages in zip(articles, chunks, strict=True):
        old = previous.get(article.file)
        if old is not None and old.content_hash == article.content_hash:
            # Title and date come from the reader, which may have changed its rules.
            provinces = (old.provinces if old.provinces is not None
                         else article_provinces(article))
            out.append(ArticleFacts(article.file, article.title, article.date,
                                    article.content_hash, old.events, old.mentions,
                                    old.places, provinces))
            continue
        out.append(extract_facts(article, passages))
        fresh += 1
    return out, fresh


def dump_facts(facts: Iterable[ArticleFacts]) -> bytes:
    data = {"version": FACTS_VERSION, "articles": [f.to_dict() for f in facts]}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def load_facts(raw: bytes, where: str, *, sentences: bool = True) -> list[ArticleFacts]:
    """Facts from ``dump_facts`` output; an older version reads as none (to rebuild).
    Without ``sentences``: each mention's ``evidence`` left out (``Generation.facts``)."""
    try:
        text = raw.decode("utf-8")
        head = _HEAD.match(text)
        if head is None:  # not as ``dump_facts`` writes it: read whole
            data = json.loads(text)
            if data.get("version") != FACTS_VERSION:
                return []
            return [ArticleFacts.from_dict(item, sentences=sentences)
                    for item in data["articles"]]
        if int(head.group(1)) != FACTS_VERSION:
            return []
        return _articles_one_by_one(text, head.end(), sentences)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorruptIndexError(where, f"people and events: {exc}") from exc


# How ``dump_facts`` begins. Its articles are decoded one at a time: the whole file's
# objects at once fragmented the allocator, leaving the process twice the facts' size
# (docs/benchmarks.md).
_HEAD = re.compile(r'\{"version":(\d+),"articles":\[')
_DECODER = json.JSONDecoder()


def _articles_one_by_one(text: str, at: int, sentences: bool) -> list[ArticleFacts]:
    out: list[ArticleFacts] = []
    if not text.startswith("]", at):
        while True:
            item, at = _DECODER.raw_decode(text, at)
            out.append(ArticleFacts.from_dict(item, sentences=sentences))
            if not text.startswith(",", at):
                break
            at += 1
    if text[at:].rstrip() != "]}":
        raise ValueError(f"unexpected text at character {at}")
    return out


def write_facts_file(directory: Path, facts: Iterable[ArticleFacts]) -> Path:
    path = directory / FACTS_FILE
    path.write_bytes(dump_facts(facts))
    return path


def read_facts_file(directory: Path, *, sentences: bool = True) -> list[ArticleFacts]:
    """The facts of a generation folder; none if it was built before they were stored."""
    path = directory / FACTS_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise CorruptIndexError(str(path), str(exc.strerror or exc)) from exc
    return load_facts(raw, str(path), sentences=sentences)


# --- as table rows (for a SQL store) ---------------------------------------------------

def facts_rows(facts: Iterable[ArticleFacts]) -> tuple[list[dict[str, Any]],
                                                       list[dict[str, Any]],
                                                       list[dict[str, Any]]]:
    """(articles, events, mentions) rows of plain values; roles as one comma-joined text."""
    articles: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    for f in facts:
        articles.append({"file": f.file, "title": f.title, "date": f.date,
                         "content_hash": f.content_hash, "version": FACTS_VERSION,
                         "places": "|".join(f.places),
                         "provinces": None if f.provinces is None else "|".join(f.provinces)})
        events += [{"file": f.file, **_fields(e)} for e in f.events]
        mentions += [{"file": f.file, **_fields(m), "roles": ",".join(m.roles)}
                     for m in f.mentions]
    return articles, events, mentions


def facts_from_rows(articles: Iterable[Mapping[str, Any]],
                    events: Iterable[Mapping[str, Any]],
                    mentions: Iterable[Mapping[str, Any]]) -> list[ArticleFacts]:
    """The inverse of ``facts_rows`` (rows in any order; mentions keep their order)."""
    by_file: dict[str, tuple[list[EventRow], list[MentionRow]]] = {}
    for row in events:
        fields = {k: _shared(k, v) for k, v in row.items() if k != "file"}
        by_file.setdefault(row["file"], ([], []))[0].append(EventRow(**fields))
    for row in mentions:
        fields = {k: _shared(k, v) for k, v in row.items() if k not in {"file", "roles"}}
        roles = tuple(intern(r) for r in str(row["roles"]).split(",") if r)
        by_file.setdefault(row["file"], ([], []))[1].append(
            MentionRow(**fields, roles=roles))  # type: ignore[arg-type]
    out = []
    for row in articles:
        if row.get("version") != FACTS_VERSION:
            continue
        found_events, found_mentions = by_file.get(row["file"], ([], []))
        out.append(ArticleFacts(row["file"], row["title"], row["date"], row["content_hash"],
                                tuple(sorted(found_events, key=lambda e: e.index)),
                                tuple(found_mentions),
                                _split(row.get("places")) or (),
                                _split(row.get("provinces"))))
    return out


def _fields(row: EventRow | MentionRow) -> dict[str, Any]:
    return {field.name: getattr(row, field.name) for field in dataclasses.fields(row)}


# Texts that repeat across articles, held once in memory (as ``ArticleFacts.from_dict``).
_SHARED = frozenset({"name", "key", "title", "date", "place"})


def _shared(field: str, value: Any) -> Any:
    return intern(value) if field in _SHARED and isinstance(value, str) else value


def _split(joined: str | None) -> tuple[str, ...] | None:
    return None if joined is None else tuple(p for p in joined.split("|") if p)
