"""Fetching against the local news web: limits, faults, robots.txt, politeness."""

from __future__ import annotations

import socket

import pytest

from retrieval.ingest.fetch import USER_AGENT, Fetcher, FetchError, FetchLimits
from tests.support.news_site import LAYOUTS, NewsSite
from tests.support.news_stories import STORIES

from .conftest import NoDnsTransport

LIMITS = FetchLimits(timeout=2.0, max_bytes=1_000_000, max_redirects=3, host_delay=0.0)


def fetch_error(fetcher: Fetcher, url: str, kind: str = "page") -> FetchError:
    with pytest.raises(FetchError) as caught:
        fetcher.get(url, kind)  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(url) and "\n" not in message
    return caught.value


@pytest.fixture()
def fetcher(transport: NoDnsTransport) -> Fetcher:
    with Fetcher(LIMITS, transport=transport) as client:
        yield client


def test_a_page_comes_with_an_honest_user_agent(site: NewsSite, fetcher: Fetcher) -> None:
    url = site.add("/ok/a.html", LAYOUTS["express"](STORIES[0]))
    response = fetcher.get(url)
    assert response.status == 200 and response.content_type == "text/html"
    assert STORIES[0].title.encode() in response.body
    headers = [h for path, h in site.requests if path == "/ok/a.html"][-1]
    assert headers["User-Agent"] == USER_AGENT and "newsqa" in USER_AGENT


@pytest.mark.parametrize(("status", "text"), [(404, "HTTP 404"), (500, "HTTP 500")])
def test_error_statuses(site: NewsSite, fetcher: Fetcher, status: int, text: str) -> None:
    url = site.add(f"/status/{status}", b"<h1>oops</h1>", status=status)
    error = fetch_error(fetcher, url)
    assert text in str(error)
    assert error.permanent == (status == 404)


def test_redirects_are_followed_and_loops_stopped(site: NewsSite, fetcher: Fetcher) -> None:
    target = site.add("/moved/target.html", LAYOUTS["amp"](STORIES[1]))
    start = site.add("/moved/start", status=301, location="/moved/target.html")
    assert fetcher.get(start).final_url == target
    loop = site.add("/loop/a", status=302, location="/loop/b")
    site.add("/loop/b", status=302, location="/loop/a")
    assert "redirect loop" in str(fetch_error(fetcher, loop))
    self_loop = site.add("/loop/self", behaviour="redirect-loop")
    assert "redirect loop" in str(fetch_error(fetcher, self_loop))
    for step in range(6):
        site.add(f"/chain/{step}", status=302, location=f"/chain/{step + 1}")
    assert "more than 3 redirects" in str(fetch_error(fetcher, site.url("/chain/0")))


def test_huge_and_endless_pages_are_cut_off(site: NewsSite, fetcher: Fetcher) -> None:
    huge = site.add("/big/declared", behaviour="huge")
    assert "200,000,000 bytes, over the 1,000,000-byte limit" in str(fetch_error(fetcher, huge))
    endless = site.add("/big/endless", behaviour="endless")
    assert "over the 1,000,000-byte limit" in str(fetch_error(fetcher, endless))


def test_pdf_and_images_are_not_pages(site: NewsSite, fetcher: Fetcher) -> None:
    pdf = site.add("/files/report.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    assert "not a web page (application/pdf)" in str(fetch_error(fetcher, pdf))
    image = site.add("/files/photo.jpg", b"\xff\xd8\xff\xe0JFIF", content_type="image/jpeg")
    assert "not a web page (image/jpeg)" in str(fetch_error(fetcher, image))
    disguised = site.add("/files/photo.html", b"\x89PNG\r\n\x1a\n...")
    assert "not a web page (a PNG image)" in str(fetch_error(fetcher, disguised))


def test_slow_servers_time_out(site: NewsSite, transport: NoDnsTransport) -> None:
    slow = site.add("/slow/answer", LAYOUTS["amp"](STORIES[2]), behaviour="slow")
    drip = site.add("/slow/drip", behaviour="drip")
    with Fetcher(FetchLimits(timeout=0.6, max_bytes=10**6), transport=transport) as fetcher:
        error = fetch_error(fetcher, slow)
        assert "timed out" in str(error) and not error.permanent
        assert "too slow" in str(fetch_error(fetcher, drip))


def test_dns_failure_and_refused_connection(fetcher: Fetcher) -> None:
    assert "host not found (DNS lookup failed)" in str(
        fetch_error(fetcher, "http://nonexistent.invalid/tin-tuc.html"))
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fetch_error(fetcher, f"http://127.0.0.1:{port}/a.html")
    assert "cannot connect" in str(error) and not error.permanent


def test_a_dropped_connection_is_named(site: NewsSite, fetcher: Fetcher) -> None:
    url = site.add("/drop/me", behaviour="drop")
    assert "connection" in str(fetch_error(fetcher, url))


def test_not_http_is_refused(fetcher: Fetcher) -> None:
    assert "not an http(s) URL" in str(fetch_error(fetcher, "ftp://127.0.0.1/a.txt"))


def test_robots_txt_is_respected_and_read_once() -> None:
    with NewsSite() as own:
        own.add("/robots.txt", b"User-agent: newsqa\nDisallow: /private/\n",
                content_type="text/plain")
        open_page = own.add("/public/a.html", LAYOUTS["amp"](STORIES[0]))
        closed = own.add("/private/b.html", LAYOUTS["amp"](STORIES[1]))
        with Fetcher(LIMITS) as fetcher:
            fetcher.get(open_page)
            assert "robots.txt" in str(fetch_error(fetcher, closed))
            fetcher.get(open_page)
        assert own.hits("/robots.txt") == 1 and own.hits("/private/b.html") == 0


def test_robots_txt_server_error_means_no_fetching() -> None:
    with NewsSite() as own:
        own.add("/robots.txt", b"down", status=503)
        page = own.add("/a.html", LAYOUTS["amp"](STORIES[0]))
        with Fetcher(LIMITS) as fetcher:
            assert "robots.txt answers HTTP 503" in str(fetch_error(fetcher, page))
        assert own.hits("/a.html") == 0


def test_missing_robots_txt_allows_everything() -> None:
    with NewsSite() as own:
        own.add("/robots.txt", b"no", status=404)
        page = own.add("/a.html", LAYOUTS["amp"](STORIES[0]))
        with Fetcher(LIMITS) as fetcher:
            assert fetcher.get(page).status == 200


def test_requests_to_one_host_are_spaced(site: NewsSite, transport: NoDnsTransport) -> None:
    url = site.add("/delay/a.html", LAYOUTS["amp"](STORIES[3]))
    waits: list[float] = []
    limits = FetchLimits(timeout=2.0, max_bytes=10**6, host_delay=30.0)
    with Fetcher(limits, transport=transport, sleep=waits.append) as fetcher:
        fetcher.get(url)
        fetcher.get(url)
    # robots.txt, then the page, then the page again: each waits for the one before.
    assert len(waits) == 2 and all(25.0 < wait <= 30.0 for wait in waits)


def test_conditional_get_answers_not_modified(site: NewsSite, fetcher: Fetcher) -> None:
    url = site.add("/feed/etag.xml", b"<rss/>", content_type="application/rss+xml",
                   etag='"v1"')
    first = fetcher.get(url, "feed")
    assert first.etag == '"v1"'
    again = fetcher.get(url, "feed", etag=first.etag)
    assert again.status == 304 and again.body == b""
