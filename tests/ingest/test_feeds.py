"""Feeds: RSS 2.0 and Atom, conditional GET, new items only, faults, big feeds, kills."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval import RetrievalSettings, load_articles
from retrieval.ingest.feeds import FeedPoller, parse_feed
from retrieval.ingest.pipeline import Ingestor
from tests.conftest import REPO
from tests.support.news_site import LAYOUTS, NewsSite, atom, rss
from tests.support.news_stories import STORIES

from .conftest import NoDnsTransport


def publish(site: NewsSite, prefix: str, stories: range) -> list[tuple[str, str, str]]:
    items = []
    for number in stories:
        story = STORIES[number]
        url = site.add(f"/{prefix}/{story.slug}.html", LAYOUTS["structured"](story))
        items.append((url, story.title, story.date))
    return items


@pytest.fixture()
def ingestor(settings: RetrievalSettings, transport: NoDnsTransport) -> Ingestor:
    with Ingestor(settings, transport=transport) as it:
        yield it


def test_rss_and_atom_items_are_stored_once(site: NewsSite, ingestor: Ingestor) -> None:
    rss_url = site.add("/feeds/rss.xml", rss("Tin nhanh", publish(site, "r", range(0, 3))),
                       content_type="application/rss+xml", etag='"r1"')
    atom_url = site.add("/feeds/atom.xml", atom("Tin Atom", publish(site, "a", range(3, 5))),
                        content_type="application/atom+xml")
    catalog = ingestor.store.catalog
    assert catalog.add_feed(rss_url) and catalog.add_feed(atom_url)
    assert not catalog.add_feed(rss_url)
    poller = FeedPoller(ingestor)
    first = poller.run_round()
    assert (first.feeds, first.new_items, first.stored, first.failed_items) == (2, 5, 5, 0)
    assert first.problems == []
    assert {a.title for a in load_articles(ingestor.settings.articles_dir)} == {
        s.title for s in STORIES[:5]}
    second = poller.run_round()
    assert (second.new_items, second.unchanged) == (0, 2)
    # The RSS feed answered 304 to the ETag it gave; no item page was asked for again.
    rss_requests = [h for path, h in site.requests if path == "/feeds/rss.xml"]
    assert rss_requests[-1].get("If-None-Match") == '"r1"'
    assert site.hits(f"/r/{STORIES[0].slug}.html") == 1
    feeds = {f.url: f for f in catalog.feeds()}
    assert feeds[rss_url].status == "not modified" and feeds[atom_url].title == "Tin Atom"
    assert feeds[atom_url].items == 2


def test_a_new_item_is_the_only_one_fetched(site: NewsSite, ingestor: Ingestor) -> None:
    items = publish(site, "n", range(0, 2))
    feed = site.add("/feeds/new.xml", rss("Mới", items), content_type="text/xml")
    ingestor.store.catalog.add_feed(feed)
    poller = FeedPoller(ingestor)
    assert poller.run_round().stored == 2
    site.add("/feeds/new.xml", rss("Mới", [*publish(site, "n", range(2, 3)), *items]),
             content_type="text/xml")
    report = poller.run_round()
    assert (report.new_items, report.stored) == (1, 1)
    assert site.hits(f"/n/{STORIES[0].slug}.html") == 1


def test_broken_feeds_are_named_and_the_rest_go_on(site: NewsSite, ingestor: Ingestor) -> None:
    good = site.add("/feeds/good.xml", rss("Tốt", publish(site, "g", range(5, 6))),
                    content_type="application/rss+xml")
    truncated = site.add("/feeds/truncated.xml", b"<rss><channel><item><title>a</ti",
                         content_type="application/rss+xml")
    garbage = site.add("/feeds/garbage.xml", b"\x00\x01{{{ not xml", content_type="text/xml")
    html_page = site.add("/feeds/page.html", "<html><body><p>not a feed</p></body></html>")
    missing = site.url("/feeds/missing.xml")
    dead_item = site.add("/feeds/dead-item.xml", rss("Hỏng", [
        (site.url("/gone/404.html"), "Bài đã xoá", "2024-01-01")]), content_type="text/xml")
    failing = [garbage, html_page, missing, "http://nonexistent.invalid/rss"]
    for url in (truncated, *failing, dead_item, good):
        ingestor.store.catalog.add_feed(url)
    report = FeedPoller(ingestor).run_round()
    assert report.stored == 1 and report.failed_feeds == 4 and report.failed_items == 2
    for url in (truncated, *failing):
        assert any(line.startswith(url) for line in report.problems), url
    assert any("/gone/404.html" in line and "HTTP 404" in line for line in report.problems)
    assert all("\n" not in line for line in report.problems)
    # A 404 item is given up; a failed feed keeps being polled.
    again = FeedPoller(ingestor).run_round()
    assert again.failed_items == 0 and again.failed_feeds == 4


@pytest.mark.slow
def test_a_10000_item_feed_is_read_in_parts(site: NewsSite, settings: RetrievalSettings,
                                            transport: NoDnsTransport) -> None:
    story = STORIES[2]
    page = site.add(f"/big/{story.slug}.html", LAYOUTS["amp"](story))
    items = [(f"{page}?id={n}", f"Tin {n}", "2024-04-12") for n in range(10_000)]
    feed = site.add("/feeds/huge.xml", rss("Rất nhiều", items),
                    content_type="application/rss+xml", etag='"huge"')
    limited = settings.model_copy(update={"feed_max_items": 40})
    with Ingestor(limited, transport=transport) as ingestor:
        ingestor.store.catalog.add_feed(feed)
        poller = FeedPoller(ingestor)
        first = poller.run_round()
        # One story behind 10,000 links: stored once, the other links are duplicates.
        assert (first.new_items, first.stored, first.duplicates) == (40, 1, 39)
        [row] = ingestor.store.catalog.feeds()
        assert row.status == "9960 items left" and row.etag is None
        second = poller.run_round()
        assert (second.new_items, second.duplicates) == (40, 40)
        assert len(load_articles(limited.articles_dir)) == 1


def test_a_kill_mid_round_marks_only_stored_items(
        site: NewsSite, ingestor: Ingestor, monkeypatch: pytest.MonkeyPatch) -> None:
    feed = site.add("/feeds/kill.xml", rss("Kill", publish(site, "k", range(0, 4))),
                    content_type="application/rss+xml", etag='"k"')
    ingestor.store.catalog.add_feed(feed)
    calls = 0
    save = ingestor.store.save

    def dying_save(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return save(*args, **kwargs)

    monkeypatch.setattr(ingestor.store, "save", dying_save)
    with pytest.raises(KeyboardInterrupt):
        FeedPoller(ingestor).run_round()
    monkeypatch.undo()
    catalog = ingestor.store.catalog
    stored = {a.file for a in load_articles(ingestor.settings.articles_dir)}
    assert len(stored) == 2 and catalog.files() == stored
    assert len(catalog.settled_items(feed)) == 2
    assert catalog.feeds()[0].etag is None  # the next round must not get a 304
    report = FeedPoller(ingestor).run_round()
    assert (report.new_items, report.stored) == (2, 2)
    assert len(load_articles(ingestor.settings.articles_dir)) == 4


def test_feed_items_without_links_use_their_content() -> None:
    body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><item>"
            "<title>Chỉ có nội dung</title><guid isPermaLink='false'>x-1</guid>"
            "<description><![CDATA[<p>" + STORIES[0].text + "</p>]]></description>"
            "</item></channel></rss>").encode()
    [item] = parse_feed(body, "http://127.0.0.1/f.xml").items
    assert item.key == "x-1" and item.link is None and item.content


def test_a_linkless_item_is_stored_from_its_content(site: NewsSite, ingestor: Ingestor) -> None:
    body = ("<?xml version='1.0'?><rss version='2.0'><channel><title>T</title><item>"
            "<title>" + STORIES[3].title + "</title><guid isPermaLink='false'>x-2</guid>"
            "<description><![CDATA[" + "".join(f"<p>{p}</p>" for p in STORIES[3].paragraphs)
            + "]]></description></item></channel></rss>").encode()
    ingestor.store.catalog.add_feed(site.add("/feeds/linkless.xml", body, content_type="text/xml"))
    assert FeedPoller(ingestor).run_round().stored == 1
    [article] = load_articles(ingestor.settings.articles_dir)
    assert article.title == STORIES[3].title and article.url is None


def test_items_gone_from_the_feed_are_forgotten_after_a_while(
        site: NewsSite, ingestor: Ingestor) -> None:
    items = publish(site, "p", range(0, 3))
    feed = site.add("/feeds/prune.xml", rss("P", items), content_type="text/xml")
    catalog = ingestor.store.catalog
    catalog.add_feed(feed)
    FeedPoller(ingestor).run_round()
    assert len(catalog.settled_items(feed)) == 3
    listed = {key for key in catalog.settled_items(feed) if STORIES[0].slug in key}
    assert catalog.prune_items(feed, listed, older_than_days=1) == 0  # all recent
    assert catalog.prune_items(feed, listed, older_than_days=-1) == 2
    assert catalog.settled_items(feed) == listed
    assert len(load_articles(ingestor.settings.articles_dir)) == 3


@pytest.mark.slow
def test_watch_killed_mid_round_leaves_a_consistent_collection(
        site: NewsSite, settings: RetrievalSettings, tmp_path: Path) -> None:
    """A real SIGKILL of `newsqa watch` while it stores items, then a clean round."""
    # 24 items, copies of two stories (near-duplicates: two articles, the rest pointing there)
    stories = [type(s)(f"{s.slug}-{n}", f"{s.title} (kỳ {n})", s.date, s.author,
                       (*s.paragraphs, f"Kỳ {n}."))
               for n in range(12) for s in STORIES[:2]]
    items = [(site.add(f"/kill9/{s.slug}.html", LAYOUTS["amp"](s)), s.title, s.date)
             for s in stories]
    feed = site.add("/feeds/kill9.xml", rss("K9", items), content_type="text/xml")
    with Ingestor(settings) as ingestor:
        ingestor.store.catalog.add_feed(feed)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")},
           "NEWSQA_ARTICLES_DIR": str(settings.articles_dir),
           "NEWSQA_INDEX_DIR": str(settings.index_dir), "NEWSQA_FETCH_HOST_DELAY": "0"}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "watch", "--rounds", "1"],
                               cwd=REPO, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(list(settings.articles_dir.rglob("*.txt"))) < 2:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(30)
    with Ingestor(settings) as ingestor:
        catalog = ingestor.store.catalog
        files = {a.file for a in load_articles(settings.articles_dir)}
        # Every item marked done has its article; every article is in the catalog.
        done = catalog.item_files(feed)
        assert done and set(done.values()) <= files and catalog.files() == files
        assert not list(settings.articles_dir.rglob(".*.tmp"))
        report = FeedPoller(ingestor).run_round()
        assert report.failed_items == 0 and report.new_items == len(stories) - len(done)
        done = catalog.item_files(feed)
        assert len(done) == len(stories)
        assert set(done.values()) == {a.file for a in load_articles(settings.articles_dir)}
