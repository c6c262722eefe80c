"""The metadata line that opens a stored article: ``#newsqa {json}``.

One file holds the metadata and the text, so a stored article appears (``os.replace``)
whole or not at all. The reader (retrieval/articles.py) takes title, date and URL from it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from typing import Any

MARKER = "#newsqa "


@dataclass(frozen=True)
class ArticleMeta:
    title: str
    url: str | None = None  # the page (or t.me post) the text came from
    date: str | None = None  # ISO day (or month) of publication
    author: str | None = None
    site: str | None = None  # the outlet or Telegram channel
    origin: str = "web"  # web | file | stdin | telegram | feed
    fetched_at: str | None = None  # UTC ISO time the text was fetched or received
    text_hash: str = ""  # sha256 of the folded text (duplicate detection)
    feed: str | None = None  # the feed that listed it, if any


def format_header(meta: ArticleMeta) -> str:
    data = {k: v for k, v in asdict(meta).items() if v is not None}
    return MARKER + json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n"


def split_header(text: str) -> tuple[ArticleMeta | None, str]:
    """(metadata, the rest) of a stored article; (None, text) for a plain article.

    Raises ValueError when the line is there but garbled (a damaged file)."""
    if not text.startswith(MARKER):
        return None, text
    line, _, rest = text.partition("\n")
    data: Any = json.loads(line[len(MARKER):])
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        raise ValueError("the #newsqa line is not an object with a title")
    known = {f.name for f in fields(ArticleMeta)}
    values = {k: v for k, v in data.items() if k in known}
    for key, value in values.items():
        if value is not None and not isinstance(value, str):
            raise ValueError(f"the #newsqa field {key!r} is not text")
    return ArticleMeta(**values), rest
