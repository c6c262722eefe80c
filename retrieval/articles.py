"""Reading article files: safe decoding, headline, date, boilerplate and repeats removed."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import logging
import os
import re
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from .ingest.header import split_header
from .text import clean, fold, has_syllables
from .types import Article, SkippedFile

log = logging.getLogger(__name__)

MAX_ARTICLE_BYTES = 2_000_000

# Site furniture that news pages leave in scraped text (matched on folded, lower-cased lines).
_BOILERPLATE = re.compile(
    r"^(lien ket website|thong ke truy cap|tim kiem|tin tuc - su kien|chia se|in bai|"
    r"(tong so|truc tuyen|hom nay|hom qua|luot xem|luot truy cap|dang truy cap)\s*:?\s*[\d.,]*"
    r"|ban in|quay lai|dau trang|binh luan|tin lien quan|xem them|cong ttdt .*)$"
)
# A photo credit closing a caption ('… sáng 28/7. Ảnh: CTV'): not text anyone asks about.
_PHOTO_CREDIT = re.compile(
    r"\s*[(\[]?\s*(?:ảnh|nguồn ảnh|ảnh minh họa|ảnh minh hoạ)\s*:\s*[^.:()\[\]\n]{1,40}"
    r"[)\]]?\s*\.?\s*$",
    re.IGNORECASE,
)
_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*")
_WEEKDAY = r"(?:thứ\s+\w+|chủ\s+nhật|thu\s+\w+|chu\s+nhat)"
_FULL_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?!\d)")
_DATE_LINE = re.compile(
    rf"^(?:{_WEEKDAY}\s*,?\s*)?(\d{{1,2}})[/.-](\d{{1,2}})[/.-](\d{{4}})(?:\s*[-|,]?\s*\d{{1,2}}:\d{{2}}.*)?$",
    re.IGNORECASE,
)
_DAY_MONTH = re.compile(
    r"(?:sáng|chiều|tối|trưa|đêm|ngày|hôm)\s+(?:nay\s+)?(?:\(?\s*)?(\d{1,2})[/-](\d{1,2})(?![/\d])",
    re.IGNORECASE,
)
_YEAR_WORD = re.compile(r"năm\s+(\d{4})", re.IGNORECASE)
_TITLE_MAX = 220
_HEADLINE_MAX = 400


def iter_article_files(articles_dir: Path) -> Iterator[Path]:
    """Every ``*.txt`` under ``articles_dir``, sorted; symlinks are not followed.

    The order of `os.walk` (top-down, each folder's files before its sub-folders), walked
    with a stack instead of recursion: `os.walk` raises RecursionError ~1,000 folders deep.
    """
    stack = [str(articles_dir)]
    while stack:
        root = stack.pop()
        dirs, files = _list_folder(root)
        dirs = sorted(d for d in dirs if not d.startswith("."))
        # A linked folder is not entered; yielding it gets it reported like a linked file.
        linked = {d for d in dirs if os.path.islink(os.path.join(root, d))}
        yield from (Path(root) / d for d in dirs if d in linked)
        for name in sorted(files):
            if name.endswith(".txt") and not name.startswith("."):
                yield Path(root) / name
        stack.extend(os.path.join(root, d) for d in reversed(dirs) if d not in linked)


def _list_folder(root: str) -> tuple[list[str], list[str]]:
    """(sub-folder names, other names) of ``root``; an unreadable folder is empty, as
    `os.walk` has it."""
    dirs: list[str] = []
    files: list[str] = []
    try:
        with os.scandir(root) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                (dirs if is_dir else files).append(entry.name)
    except OSError:
        pass
    return dirs, files


def load_articles(
    articles_dir: Path, on_skip: Callable[[SkippedFile], None] | None = None,
    max_bytes: int = MAX_ARTICLE_BYTES,
) -> list[Article]:
    """Read all articles; files that cannot be used are reported through ``on_skip``."""
    articles: list[Article] = []
    for path in iter_article_files(articles_dir):
        relative = path.relative_to(articles_dir).as_posix()
        result: Article | SkippedFile
        if _encodable(relative):
            result = read_article(path, relative, max_bytes)
        else:
            # Undecodable bytes in a name cannot go into the UTF-8 index files.
            result = SkippedFile(_printable(relative), "file name is not valid UTF-8")
        if isinstance(result, SkippedFile):
            # Callers report skips through on_skip (the CLI prints them); the log has them too.
            log.info("skipped %s: %s", result.file, result.reason)
            if on_skip:
                on_skip(result)
        else:
            articles.append(result)
    return articles


def read_article(path: Path, relative: str, max_bytes: int = MAX_ARTICLE_BYTES
                 ) -> Article | SkippedFile:
    if path.is_symlink():
        return SkippedFile(relative, "symbolic link (not followed)")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # Reading a FIFO or a device named '*.txt' would block or never end.
            return SkippedFile(relative, "not a regular file")
        size = info.st_size
        if size > max_bytes:
            return SkippedFile(relative, f"{size:,} bytes, over the {max_bytes:,}-byte limit "
                               "(NEWSQA_MAX_ARTICLE_BYTES)")
        raw = path.read_bytes()
    except OSError as exc:
        return SkippedFile(relative, f"unreadable ({exc.strerror or exc})")
    text = decode(raw)
    if text is None:
        return SkippedFile(relative, not_utf8_reason(raw))
    try:
        meta, text = split_header(text)
    except ValueError as exc:
        return SkippedFile(relative, f"damaged metadata line ({exc})")
    article = parse_article(text, relative, hashlib.sha256(raw).hexdigest())
    if article is None:
        return SkippedFile(relative, "empty")
    if meta is not None:
        # A stored page (newsqa add): its metadata line knows the headline, date and URL.
        article = dataclasses.replace(article, title=_title(clean(meta.title)) or article.title,
                                      date=meta.date or article.date, url=meta.url,
                                      has_headline=bool(meta.title.strip()))
    if not has_syllables(article.body):
        # Nothing a search could match (only emoji or symbols); a collection of only such
        # files would also leave the lexical index without a vocabulary.
        return SkippedFile(relative, "no words (letters or digits) to search")
    return article


def decode(raw: bytes) -> str | None:
    """UTF-8 (with or without BOM) or UTF-16 with a BOM; ``None`` for anything else."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    if "\x00" in text:
        return None
    return repair_mojibake(text)


# UTF-8 Vietnamese read as Windows-1252 / Latin-1 and saved again ('Người' -> 'NgÆ°á»\x9di'):
# the byte pairs of 'ư', 'ơ', 'đ' and the ạ-ỹ block, as those encodings show them.
_MOJIBAKE = re.compile("Æ°|Æ¡|Ä‘|Ä\x91|á»|áº|Ã\xa0|Ã¡|Ã¢|Ã©|Ãª|Ã´")
# Legacy 8-bit encodings (charset-normalizer's names) and their iconv spelling.
_LEGACY = re.compile(r"^(?:cp(125\d)|iso8859_(\d+)|(latin_1))$")


def repair_mojibake(text: str) -> str:
    """``text`` with a whole-file Latin-1 mislabel undone; anything else as it is."""
    if len(_MOJIBAKE.findall(text, 0, 20_000)) < 3:
        return text
    for legacy in ("cp1252", "latin-1"):
        try:
            return text.encode(legacy).decode("utf-8")
        except UnicodeError:
            continue
    return text


def not_utf8_reason(raw: bytes) -> str:
    """Why a file is skipped, with how to convert it when it is in a known legacy encoding
    (files are indexed as UTF-8 only: a guessed encoding could index garbage)."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a declared dependency
        return "not UTF-8 text"
    best = from_bytes(raw[:200_000]).best()
    legacy = _LEGACY.match(best.encoding) if best is not None else None
    if legacy is None:
        return "not UTF-8 text"
    windows, iso, _latin = legacy.groups()
    name = f"WINDOWS-{windows}" if windows else f"ISO-8859-{iso}" if iso else "LATIN1"
    return (f"not UTF-8 text (it looks like {name}; convert it with: "
            f"iconv -f {name} -t UTF-8 FILE > FILE.utf8)")


def parse_article(text: str, file: str, content_hash: str) -> Article | None:
    """Headline, date and cleaned body of one article; ``None`` if nothing is left."""
    lines = [line.strip() for line in clean(text).split("\n")]
    year_month: tuple[int, int] | None = None
    if lines and (prefix := _DATE_PREFIX.match(lines[0])):
        year_month = (int(prefix.group(1)), int(prefix.group(2)))
        lines[0] = lines[0][prefix.end():].strip()

    header_dates: list[tuple[int, str]] = []
    paragraphs: list[str] = []
    seen: set[str] = set()
    for line in lines:
        if not line:
            continue
        if (date := _date_line(line)) is not None:
            header_dates.append((len(paragraphs), date))
            continue
        if "ảnh" in line.lower():  # every credit names it: the costly pattern only then
            line = _PHOTO_CREDIT.sub("", line)
        key = fold(line).lower()
        if not line or _BOILERPLATE.match(key) or key in seen:
            continue
        seen.add(key)
        paragraphs.append(line)
    if not paragraphs:
        return None
    headline_index = _headline_index(paragraphs)
    title_index = 0 if headline_index is None else headline_index
    body = "\n\n".join(paragraphs)
    date = _article_date(header_dates, title_index, year_month, body)
    return Article(file=file, title=_title(paragraphs[title_index]), date=date, body=body,
                   content_hash=content_hash, has_headline=headline_index is not None)


def _date_line(line: str) -> str | None:
    match = _DATE_LINE.match(line)
    if not match or len(line) > 60:
        return None
    return _iso(int(match.group(3)), int(match.group(2)), int(match.group(1)))


def _iso(year: int, month: int, day: int | None = None) -> str | None:
    if not (1900 <= year <= 2100 and 1 <= month <= 12):
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return datetime.date(year, month, day).isoformat()  # not '2022-02-31'
    except ValueError:
        return None


def _encodable(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(name: str) -> str:
    """A file name with undecodable bytes shown as U+FFFD, for warnings."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _headline_index(paragraphs: list[str]) -> int | None:
    """The headline: an early line that reads like one (no closing period, not a caption);
    None for a file without one (its first paragraph then serves as its title)."""
    for index, paragraph in enumerate(paragraphs[:4]):
        if (len(paragraph) <= _HEADLINE_MAX and not paragraph.endswith((".", "…", ":", ";"))
                and "Ảnh:" not in paragraph and len(paragraph.split()) >= 4):
            return index
    return None


def _title(paragraph: str) -> str:
    if len(paragraph) <= _TITLE_MAX:
        return paragraph
    cut = paragraph[:_TITLE_MAX].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _article_date(
    header_dates: list[tuple[int, str]], title_index: int,
    year_month: tuple[int, int] | None, body: str,
) -> str | None:
    """The article's own date: a date line just after the headline, else the first one;
    a bare year-month is refined by a day-month in the text ('Sáng 3-8')."""
    valid = [(position, date) for position, date in header_dates if date]
    after_title = [date for position, date in valid if position > title_index]
    if after_title:
        return after_title[0]
    if valid:
        return valid[0][1]
    if year_month is not None:
        year, month = year_month
        for match in _DAY_MONTH.finditer(body):
            if int(match.group(2)) == month:
                return _iso(year, month, int(match.group(1)))
        return _iso(year, month)
    first = _FULL_DATE.search(body[:300])
    if first:
        return _iso(int(first.group(3)), int(first.group(2)), int(first.group(1)))
    return None


def parse_date(text: str, context_year: int | None = None) -> str | None:
    """Best-effort ISO date of a date expression found in ``text``.

    Understands 'date 2022-08', 'Thứ Năm, 24/11/2022', '11/08/2022' and 'Sáng 3-8' (the
    year from ``context_year`` or a 'năm YYYY' in the text).
    """
    text = clean(text)
    if prefix := _DATE_PREFIX.match(text):
        day = prefix.group(3)
        return _iso(int(prefix.group(1)), int(prefix.group(2)), int(day) if day else None)
    if full := _FULL_DATE.search(text):
        return _iso(int(full.group(3)), int(full.group(2)), int(full.group(1)))
    if day_month := _DAY_MONTH.search(text):
        year = context_year
        if year is None and (year_word := _YEAR_WORD.search(text)):
            year = int(year_word.group(1))
        if year is not None:
            return _iso(year, int(day_month.group(2)), int(day_month.group(1)))
    return None
