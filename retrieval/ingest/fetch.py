"""Polite HTTP: robots.txt, a per-host delay, an honest User-Agent, and hard limits.

Every failure becomes a ``FetchError`` whose message is one line naming the URL.
"""

from __future__ import annotations

import socket
import time
import urllib.robotparser
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Literal
from urllib.parse import urljoin, urlsplit

import httpx

from ..errors import NewsQAError


def _version() -> str:
    try:
        return metadata.version("newsqa")
    except metadata.PackageNotFoundError:
        return "0"


ROBOTS_AGENT = "newsqa"
USER_AGENT = (f"{ROBOTS_AGENT}/{_version()} (Vietnamese news question-answering bot; "
              "fetches articles its operator adds; respects robots.txt)")
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
              "application/rdf+xml", "application/feed+json", "text/html", "text/plain")
_MAGIC = {b"%PDF": "a PDF document", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
          b"GIF8": "a GIF image", b"PK\x03\x04": "a ZIP archive", b"RIFF": "a media file"}
ROBOTS_TTL = 3600.0
ROBOTS_CACHE = 512


class FetchError(NewsQAError):
    """A URL that could not be had; ``permanent`` is False when a retry may succeed."""

    def __init__(self, url: str, reason: str, *, permanent: bool = True) -> None:
        super().__init__(f"{url}: {reason}")
        self.url, self.reason, self.permanent = url, reason, permanent


@dataclass(frozen=True)
class FetchLimits:
    timeout: float = 10.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    host_delay: float = 1.0


@dataclass(frozen=True)
class Response:
    url: str  # as asked
    final_url: str  # after redirects
    status: int  # 200, or 304 for a conditional GET with nothing new
    content_type: str  # lower-cased media type, '' if none
    charset: str | None
    body: bytes
    etag: str | None = None
    last_modified: str | None = None


class Fetcher:
    """One HTTP client for a batch or a watch: connection reuse, robots and delay state."""

    def __init__(self, limits: FetchLimits, *, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.limits = limits
        timeout = httpx.Timeout(limits.timeout)
        self._client = httpx.Client(
            timeout=timeout, follow_redirects=False, transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept-Language": "vi,en;q=0.5"},
        )
        self._sleep = sleep
        self._last: OrderedDict[str, float] = OrderedDict()
        self._robots: OrderedDict[str, tuple[float, urllib.robotparser.RobotFileParser]] = (
            OrderedDict())

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, kind: Literal["page", "feed"] = "page", *,
            etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET ``url`` following at most ``max_redirects`` redirects, each hop allowed by
        robots.txt; 304 comes back as a Response with status 304 and no body."""
        current, seen = url, {url}
        for _ in range(self.limits.max_redirects + 1):
            _check_scheme(url, current)
            self._allowed(url, current)
            headers = {"Accept": _accept(kind)}
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            response = self._request(url, current, headers, kind)
            if isinstance(response, str):
                if response in seen:
                    raise FetchError(url, f"redirect loop (back to {response})")
                seen.add(response)
                current = response
                continue
            return response
        raise FetchError(url, f"more than {self.limits.max_redirects} redirects")

    # --- one request -----------------------------------------------------------------------

    def _request(self, url: str, current: str, headers: dict[str, str],
                 kind: str) -> Response | str:
        self._wait_turn(current)
        try:
            with self._client.stream("GET", current, headers=headers) as answer:
                if answer.status_code in (301, 302, 303, 307, 308):
                    location = answer.headers.get("location")
                    if not location:
                        raise FetchError(url, f"HTTP {answer.status_code} without a Location")
                    return str(urljoin(current, location))
                if answer.status_code == 304:
                    return Response(url, current, 304, "", None, b"",
                                    answer.headers.get("etag"),
                                    answer.headers.get("last-modified"))
                if answer.status_code >= 400:
                    raise FetchError(url, f"HTTP {answer.status_code} {answer.reason_phrase}",
                                     permanent=answer.status_code in (404, 410, 451)
                                     or (answer.status_code < 500 and answer.status_code != 429))
                media, charset = _content_type(answer.headers.get("content-type", ""))
                allowed = PAGE_TYPES if kind == "page" else FEED_TYPES
                if media and media not in allowed and not media.endswith("+xml"):
                    raise FetchError(url, f"not {'a web page' if kind == 'page' else 'a feed'} "
                                     f"({media})")
                body = self._read(url, answer)
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out ({type(exc).__name__}, limit "
                             f"{self.limits.timeout:g} s)", permanent=False) from exc
        except httpx.ConnectError as exc:
            raise FetchError(url, _connect_reason(exc), permanent=False) from exc
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as exc:
            raise FetchError(url, f"the server broke the connection ({exc or type(exc).__name__})",
                             permanent=False) from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"HTTP error ({exc or type(exc).__name__})",
                             permanent=False) from exc
        for magic, what in _MAGIC.items():
            if body.startswith(magic):
                raise FetchError(url, f"not {'a web page' if kind == 'page' else 'a feed'} "
                                 f"({what})")
        return Response(url, current, answer.status_code, media, charset, body,
                        answer.headers.get("etag"), answer.headers.get("last-modified"))

    def _read(self, url: str, answer: httpx.Response) -> bytes:
        limit = self.limits.max_bytes
        declared = answer.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(url, f"{int(declared):,} bytes, over the {limit:,}-byte limit "
                             "(NEWSQA_FETCH_MAX_BYTES)")
        # A server dribbling bytes forever would never hit the per-read timeout.
        deadline = time.monotonic() + 3 * self.limits.timeout
        parts: list[bytes] = []
        size = 0
        for block in answer.iter_bytes():
            size += len(block)
            if size > limit:
                raise FetchError(url, f"over the {limit:,}-byte limit (NEWSQA_FETCH_MAX_BYTES)")
            if time.monotonic() > deadline:
                raise FetchError(url, f"too slow (not complete in {3 * self.limits.timeout:g} s)",
                                 permanent=False)
            parts.append(block)
        return b"".join(parts)

    # --- politeness ------------------------------------------------------------------------

    def _wait_turn(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        now = time.monotonic()
        last = self._last.pop(host, None)
        if last is not None and (wait := last + self.limits.host_delay - now) > 0:
            self._sleep(wait)
        self._last[host] = time.monotonic()
        if len(self._last) > ROBOTS_CACHE:
            self._last.popitem(last=False)

    def _allowed(self, url: str, current: str) -> None:
        parts = urlsplit(current)
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        cached = self._robots.pop(origin, None)
        if cached is None or time.monotonic() - cached[0] > ROBOTS_TTL:
            cached = (time.monotonic(), self._read_robots(url, origin))
        self._robots[origin] = cached
        if len(self._robots) > ROBOTS_CACHE:
            self._robots.popitem(last=False)
        if not cached[1].can_fetch(ROBOTS_AGENT, current):
            raise FetchError(url, f"robots.txt of {parts.netloc} does not allow newsqa here")

    def _read_robots(self, url: str, origin: str) -> urllib.robotparser.RobotFileParser:
        """RFC 9309: a 4xx robots.txt allows everything, a 5xx or no answer nothing."""
        parser = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        self._wait_turn(origin)
        try:
            answer = self._client.get(origin + "/robots.txt", follow_redirects=True)
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out ({type(exc).__name__}, limit "
                             f"{self.limits.timeout:g} s)", permanent=False) from exc
        except httpx.ConnectError as exc:
            raise FetchError(url, _connect_reason(exc), permanent=False) from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"robots.txt unreadable ({exc or type(exc).__name__})",
                             permanent=False) from exc
        if answer.status_code >= 500:
            raise FetchError(url, f"robots.txt answers HTTP {answer.status_code}: not fetching",
                             permanent=False)
        if answer.status_code >= 400:
            parser.parse([])
        else:
            parser.parse(answer.text[:500_000].splitlines())
        return parser


def _check_scheme(url: str, current: str) -> None:
    parts = urlsplit(current)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(url, f"not an http(s) URL ({current[:80]})")


def _accept(kind: str) -> str:
    if kind == "feed":
        return "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.1"
    return "text/html, application/xhtml+xml, text/plain;q=0.8, */*;q=0.1"


def _content_type(header: str) -> tuple[str, str | None]:
    media, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media.strip().lower(), charset


def _connect_reason(exc: httpx.ConnectError) -> str:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return "host not found (DNS lookup failed)"
        cause = cause.__cause__ or cause.__context__
    text = str(exc)
    if "Name or service not known" in text or "nodename nor servname" in text \
            or "Temporary failure in name resolution" in text:
        return "host not found (DNS lookup failed)"
    return f"cannot connect ({text or 'connection refused'})"
