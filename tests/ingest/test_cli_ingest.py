"""`newsqa add`, `newsqa feeds …` and `newsqa watch` as a user runs them."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import SEEDS
from tests.support.news_site import LAYOUTS, NewsSite, atom, rss
from tests.support.news_stories import STORIES

pytestmark = pytest.mark.slow


@pytest.fixture()
def collection(seed_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    shutil.copytree(seed_index_dir, tmp_path / "index")
    monkeypatch.setenv("NEWSQA_ARTICLES_DIR", str(articles))
    monkeypatch.setenv("NEWSQA_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("NEWSQA_FETCH_HOST_DELAY", "0")
    return articles


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_add_urls_files_and_stdin_then_ask(
        collection: Path, site: NewsSite, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    page = site.add(f"/cli/{STORIES[1].slug}.html", LAYOUTS["related-inside"](STORIES[1]))
    saved = tmp_path / "saved.html"
    saved.write_text(LAYOUTS["portal"](STORIES[3]), encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(STORIES[5].title + "\n\n" + STORIES[5].text))
    code, out, err = run(capsys, "add", page, str(saved), "-", site.url("/cli/missing.html"))
    assert code == 1  # one source failed; the others are stored and indexed
    assert out.count("added: ") == 3
    assert f"failed: {site.url('/cli/missing.html')}: HTTP 404" in err
    assert "Index ready: 8 articles" in err and "Traceback" not in err

    code, out, _ = run(capsys, "ask", "Cầu Rồng phun lửa vào tối ngày nào?", "--json", "-k", "1")
    [hit] = json.loads(out)["results"]
    assert code == 0 and hit["source"]["title"] == STORIES[1].title
    assert hit["source"]["url"] == page
    code, out, _ = run(capsys, "ask", "Cầu Rồng phun lửa vào tối ngày nào?", "-k", "1")
    assert page in out

    code, out, err = run(capsys, "add", page)
    assert code == 0 and out.startswith("unchanged: ") and "Index ready" not in err


def test_feeds_and_watch(collection: Path, site: NewsSite,
                         capsys: pytest.CaptureFixture[str]) -> None:
    items = []
    for story in STORIES[:2]:
        items.append((site.add(f"/cw/{story.slug}.html", LAYOUTS["amp"](story)), story.title,
                      story.date))
    feed_rss = site.add("/cw/rss.xml", rss("Tin A", items[:1]),
                        content_type="application/rss+xml")
    feed_atom = site.add("/cw/atom.xml", atom("Tin B", items[1:]),
                         content_type="application/atom+xml")
    code, out, err = run(capsys, "watch", "--rounds", "1")
    assert code == 1 and "No feeds to watch" in err
    code, out, err = run(capsys, "feeds", "add", feed_rss, feed_atom, site.url("/cw/none.xml"))
    assert code == 1 and out.count("added feed: ") == 2 and "HTTP 404" in err
    code, out, _ = run(capsys, "feeds", "add", feed_rss)
    assert out.startswith("already watched: ")
    code, out, err = run(capsys, "watch", "--rounds", "2", "--interval", "0.1")
    assert code == 0
    assert "round 1: 2 feeds (0 unchanged, 0 failed), 2 new items: 2 stored" in err
    assert "round 2: 2 feeds (2 unchanged" in err
    code, out, _ = run(capsys, "feeds", "list")
    assert "Tin A" in out and "Tin B" in out and "1 items" in out
    code, out, _ = run(capsys, "feeds", "remove", feed_rss)
    assert code == 0 and "removed feed" in out
    code, out, err = run(capsys, "feeds", "remove", feed_rss)
    assert code == 1 and "not a watched feed" in err
    code, out, _ = run(capsys, "sources")
    assert STORIES[0].title in out and STORIES[1].title in out
