"""A page's article: body, title, date, author and site (trafilatura, htmldate), or plain text."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import htmldate
import trafilatura
from lxml import html as lxml_html

from ..articles import parse_date
from ..text import clean, fold, syllables

logging.getLogger("trafilatura").setLevel(logging.ERROR)
logging.getLogger("htmldate").setLevel(logging.ERROR)

# Fewer words than this is a list page, a paywall stub or an error page, not an article.
MIN_WORDS = 40
# A paragraph this long is prose, not a link or a heading.
PROSE_MIN_WORDS = 8
# Elements whose class or id says they hold the publication date.
_DATE_NODES = ("//*[contains(@class,'date') or contains(@class,'time') or "
               "contains(@class,'publish') or contains(@id,'date') or contains(@class,'ngay')]")
_LEAD_NODES = ("//*[contains(@class,'sapo') or contains(@class,'description') or "
               "contains(@class,'lead') or contains(@class,'chapeau') or "
               "contains(@class,'summary')][self::p or self::div or self::h2]")
_READ_MORE = re.compile(r"^(xem thêm|đọc thêm|tin liên quan|mời (quý vị|bạn) (đọc|xem))\b",
                        re.IGNORECASE)
_BYLINE = re.compile(r"^(bài( và ảnh)?|ảnh|pv|phóng viên)\s*:?\s+", re.IGNORECASE)
_SPACES = re.compile(r"[ \t]+")


class ExtractError(ValueError):
    """No article in the page (the reason is one line, without the URL)."""


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str  # paragraphs separated by blank lines, title not included
    date: str | None = None
    author: str | None = None
    site: str | None = None


def extract_html(page: str, url: str | None = None) -> Extracted:
    """The article of an HTML page; ExtractError when it has no article text."""
    try:
        document = trafilatura.bare_extraction(
            # Tables off: portals lay whole pages out in tables, menus and counters included.
            page, url=url, with_metadata=True, include_comments=False, include_tables=False,
            include_images=False, deduplicate=False,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as exc:  # lxml or trafilatura internals on broken markup
        raise ExtractError(f"unreadable HTML ({type(exc).__name__})") from exc
    tree = _tree(page)
    title = clean(getattr(document, "title", None) or "").strip()
    text = _tidy(_paragraphs(getattr(document, "text", None) or ""), title,
                 _lead(tree) if tree is not None else None)
    if _prose_words(text) < MIN_WORDS:
        raise ExtractError("no article text found in the page")
    if not title:
        title = text.split("\n", 1)[0][:200]
    date = _iso(getattr(document, "date", None)) or page_date(page, url, tree)
    author = _BYLINE.sub("", _short(getattr(document, "author", None)) or "") or None
    return Extracted(title=title, text=text, date=date, author=author,
                     site=_short(getattr(document, "sitename", None)))


def _tree(page: str) -> Any:
    try:
        return lxml_html.fromstring(page)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return None


def _lead(tree: Any) -> str | None:
    """The lead ('sapo') many Vietnamese sites print above the body, outside its element."""
    for node in tree.xpath(_LEAD_NODES)[:3]:
        lead = _paragraphs(" ".join(node.itertext()))
        if len(lead.split()) >= 10:
            return lead
    return None


def _tidy(text: str, title: str, lead: str | None) -> str:
    """The body without the headline repeated, 'Xem thêm' links, and with its lead."""
    paragraphs = text.split("\n\n") if text else []
    if paragraphs and title and fold(paragraphs[0]).lower() == fold(title).lower():
        paragraphs = paragraphs[1:]
    paragraphs = [p for p in paragraphs
                  if not (_READ_MORE.match(p) and len(p.split()) <= 20)]
    if lead and not any(fold(lead).lower() in fold(p).lower() for p in paragraphs[:3]):
        paragraphs.insert(0, lead)
    return "\n\n".join(paragraphs)


def page_date(page: str, url: str | None = None, tree: Any = None) -> str | None:
    """A date shown on the page: Vietnamese day-first dates in a date element first
    (htmldate would read '05/03/2024' month-first), then htmldate's wider search."""
    tree = tree if tree is not None else _tree(page)
    if tree is not None:
        for node in tree.xpath(_DATE_NODES)[:20]:
            found = parse_date(" ".join(node.itertext())[:200])
            if found and len(found) == 10:
                return found
    try:
        found = htmldate.find_date(page, extensive_search=True, original_date=True, url=url)
    except Exception:  # htmldate on broken markup: no date rather than no article
        return None
    return _iso(found)


def extract_text(text: str) -> Extracted:
    """A plain-text article: the first line is its title, a date line is read if present."""
    cleaned = _paragraphs(text)
    if len(syllables(cleaned)) < 5:
        raise ExtractError("no text to store")
    title, _, rest = cleaned.partition("\n\n")
    body = rest if len(title) <= 300 and rest else cleaned
    if body is cleaned:
        title = cleaned.split("\n", 1)[0][:200]
    date = parse_date(body[:300])
    return Extracted(title=title.strip(), text=body, date=date)


def _prose_words(text: str) -> int:
    """Words in sentences: a list of links or headings ('Tin số 1', ...) has none."""
    counts = (len(syllables(p)) for p in text.split("\n\n"))
    return sum(count for count in counts if count >= PROSE_MIN_WORDS)


def _paragraphs(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in clean(text).split("\n"))
    return "\n\n".join(line for line in lines if line)


def _iso(value: str | None) -> str | None:
    if not value or not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", value[:10].rstrip("T")):
        return None
    return value[:10]


def _short(value: str | None) -> str | None:
    value = clean(value or "").strip()
    return value[:200] or None
