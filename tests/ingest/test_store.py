"""Storing pages: the article file, duplicates, updates, crash consistency, bad sources."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retrieval import NewsQAError, RetrievalSettings, load_articles
from retrieval.ingest.header import split_header
from retrieval.ingest.pipeline import Ingestor, add_sources
from retrieval.ingest.store import canonical_url
from tests.support.news_site import LAYOUTS, NewsSite, to_windows_1258
from tests.support.news_stories import COPY_OF_1, STORIES

from .conftest import NoDnsTransport


@pytest.fixture()
def ingestor(settings: RetrievalSettings, transport: NoDnsTransport) -> Ingestor:
    with Ingestor(settings, transport=transport) as it:
        yield it


def test_a_page_becomes_an_article_the_reader_understands(
        site: NewsSite, ingestor: Ingestor, articles_dir: Path) -> None:
    story = STORIES[0]
    url = site.add(f"/express/{story.slug}.html", LAYOUTS["express"](story)) + "?utm_source=fb#top"
    outcome = ingestor.add(url)
    assert outcome.status == "added" and outcome.title == story.title
    assert outcome.file and outcome.file.startswith("ingested/127.0.0.1_")
    meta, _ = split_header((articles_dir / outcome.file).read_text(encoding="utf-8"))
    assert meta is not None and meta.url == canonical_url(url) and "utm_source" not in meta.url
    assert meta.date == story.date and meta.fetched_at and len(meta.text_hash) == 64
    assert meta.site == "Báo Tin Nhanh"
    [article] = load_articles(articles_dir)
    assert (article.title, article.date, article.url) == (story.title, story.date, meta.url)
    assert article.has_headline and all(p in article.body for p in story.paragraphs)


def test_same_url_twice_is_stored_once_and_a_changed_page_is_updated(
        site: NewsSite, ingestor: Ingestor, articles_dir: Path) -> None:
    story = STORIES[2]
    url = site.add(f"/change/{story.slug}.html", LAYOUTS["amp"](story))
    first = ingestor.add(url)
    assert ingestor.add(url).status == "unchanged"
    changed = type(story)(story.slug, story.title + " (cập nhật)", story.date, story.author,
                          (*story.paragraphs, "Cập nhật lúc 15 giờ: giá lúa tiếp tục tăng "
                           "thêm 200 đồng mỗi ki-lô-gam tại nhiều địa phương."))
    site.add(f"/change/{story.slug}.html", LAYOUTS["amp"](changed))
    second = ingestor.add(url)
    assert second.status == "updated" and second.file == first.file
    [article] = load_articles(articles_dir)
    assert article.title == changed.title and "Cập nhật lúc 15 giờ" in article.body


def test_the_same_story_from_two_outlets_is_stored_once(
        site: NewsSite, ingestor: Ingestor, articles_dir: Path) -> None:
    original = ingestor.add(site.add("/outlet-a/cau-rong.html", LAYOUTS["express"](STORIES[1])))
    exact = ingestor.add(site.add("/outlet-b/cau-rong.html", LAYOUTS["portal"](STORIES[1])))
    near = ingestor.add(site.add("/outlet-c/cau-rong.html", LAYOUTS["amp"](COPY_OF_1)))
    other = ingestor.add(site.add("/outlet-c/marathon.html", LAYOUTS["amp"](STORIES[5])))
    assert original.status == "added"
    assert exact.status == "duplicate" and exact.file == original.file
    assert near.status == "duplicate" and near.file == original.file
    assert "already stored as" in near.line()
    assert other.status == "added"
    assert len(load_articles(articles_dir)) == 2


def test_local_files_and_stdin(tmp_path: Path, ingestor: Ingestor, articles_dir: Path) -> None:
    page = tmp_path / "saved.html"
    page.write_bytes(to_windows_1258(LAYOUTS["portal"](STORIES[3]).replace(
        "charset='utf-8'", "charset='windows-1258'")))
    text = tmp_path / "note.txt"
    text.write_text(STORIES[4].title + "\n\n" + STORIES[4].text, encoding="utf-8")
    outcomes = add_sources(ingestor.settings, [str(page), str(text), "-"],
                           stdin_text=STORIES[5].title + "\n\n" + STORIES[5].text,
                           ingestor=ingestor)
    assert [o.status for o in outcomes] == ["added", "added", "added"]
    titles = {a.title: a for a in load_articles(articles_dir)}
    assert set(titles) == {STORIES[3].title, STORIES[4].title, STORIES[5].title}
    assert titles[STORIES[3].title].date == STORIES[3].date
    assert all(a.url is None for a in titles.values())


def test_a_bad_batch_names_each_failure_and_goes_on(
        site: NewsSite, ingestor: Ingestor, tmp_path: Path, articles_dir: Path) -> None:
    good = site.add("/batch/good.html", LAYOUTS["structured"](STORIES[4]))
    empty = site.add("/batch/empty.html", "<html><body><nav>Trang chủ</nav></body></html>")
    pdf = site.add("/batch/a.pdf", b"%PDF-1.4", content_type="application/pdf")
    sources = ["http://nonexistent.invalid/a.html", site.url("/batch/missing.html"), pdf,
               empty, str(tmp_path / "no-such-file.html"), good]
    lines = [o.line() for o in add_sources(ingestor.settings, sources, ingestor=ingestor)]
    assert lines[-1].startswith("added: ")
    for source, line in zip(sources[:-1], lines[:-1], strict=True):
        assert line.startswith("failed: ") and source in line and "\n" not in line
    assert [a.title for a in load_articles(articles_dir)] == [STORIES[4].title]


def test_a_kill_mid_write_leaves_no_half_article(
        site: NewsSite, ingestor: Ingestor, articles_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    url = site.add("/kill/a.html", LAYOUTS["amp"](STORIES[0]))

    def die(*args: object) -> None:
        raise KeyboardInterrupt  # as if killed between writing and renaming

    monkeypatch.setattr(os, "replace", die)
    with pytest.raises(KeyboardInterrupt):
        ingestor.add(url)
    monkeypatch.undo()
    assert not list(articles_dir.rglob("*.txt")) and not list(articles_dir.rglob("*.tmp"))
    assert ingestor.store.catalog.count() == 0
    assert ingestor.add(url).status == "added"


def test_a_file_stored_without_its_catalog_row_is_found_again(
        site: NewsSite, settings: RetrievalSettings, transport: NoDnsTransport,
        articles_dir: Path) -> None:
    url = site.add("/orphan/a.html", LAYOUTS["amp"](STORIES[5]))
    with Ingestor(settings, transport=transport) as first:
        stored = first.add(url)
        # A kill after the rename but before the catalog commit:
        with first.store.catalog.transaction():
            first.store.catalog.remove_article(stored.file or "")
    with Ingestor(settings, transport=NoDnsTransport()) as second:
        assert second.add(url).status == "unchanged"
        (articles_dir / (stored.file or "")).unlink()  # deleted by hand
    with Ingestor(settings, transport=NoDnsTransport()) as third:
        assert third.store.catalog.count() == 0
        assert third.add(url).status == "added"


def test_a_damaged_catalog_is_one_clear_error(settings: RetrievalSettings,
                                              articles_dir: Path) -> None:
    (articles_dir / ".newsqa-ingest.sqlite3").write_bytes(b"this is not a database" * 100)
    with pytest.raises(NewsQAError, match=r"Cannot open the ingestion catalog .* move it away"):
        Ingestor(settings)
