"""End to end: the real bot (a subprocess) adds articles from admins and from feeds, and
answers from them without a restart, through the fake Bot API and the local news web."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval import RetrievalSettings, load_articles
from retrieval.ingest.pipeline import Ingestor
from tests.conftest import SEEDS
from tests.support.fake_bot_api import BotProcess, FakeBotApi, private_chat, user
from tests.support.news_site import LAYOUTS, NewsSite, rss
from tests.support.news_stories import STORIES

pytestmark = pytest.mark.slow

ADMIN = 7001
OTHER = 7002


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture(scope="module")
def web() -> Iterator[NewsSite]:
    with NewsSite() as server:
        yield server


def collection(seed_index_dir: Path, root: Path) -> tuple[Path, Path]:
    """A copy of the seeds and of their index (reused as is: same texts, same hashes)."""
    articles, index = root / "articles", root / "index"
    shutil.copytree(SEEDS, articles)
    shutil.copytree(seed_index_dir, index)
    return articles, index


def bot_env(**extra: str) -> dict[str, str]:
    return {"TELEGRAM_ADMIN_IDS": str(ADMIN), "NEWSQA_FETCH_HOST_DELAY": "0",
            "TELEGRAM_RATE_LIMIT_PER_MINUTE": "0", **extra}


def test_feed_watched_inside_the_bot_is_answered_with_its_link(
        fake_api: FakeBotApi, web: NewsSite, seed_index_dir: Path, tmp_path: Path) -> None:
    story = STORIES[1]
    page = web.add(f"/watch/{story.slug}.html", LAYOUTS["express"](story))
    feed = web.add("/watch/rss.xml", rss("Tin Đà Nẵng", [(page, story.title, story.date)]),
                   content_type="application/rss+xml")
    articles, index = collection(seed_index_dir, tmp_path)
    with Ingestor(RetrievalSettings(articles_dir=articles, index_dir=index,
                                    _env_file=None)) as ingestor:
        ingestor.store.catalog.add_feed(feed)
    env = bot_env(TELEGRAM_WATCH_FEEDS="true", NEWSQA_WATCH_INTERVAL="1")
    with BotProcess(fake_api, index, tmp_path / "run", env=env, articles_dir=articles) as bot:
        fake_api.wait_for(lambda: "1 stored" in bot.output(), 120, "the first feed round")
        question = fake_api.ask(OTHER, "Cầu Rồng phun lửa phục vụ du khách vào tối ngày nào?")
        [answer] = fake_api.wait_reply(question, timeout=60)
        assert story.title in answer["text"]
        links = [e.get("url") for e in answer.get("entities", []) if e["type"] == "text_link"]
        assert page in links, answer
    assert [a.url for a in load_articles(articles) if a.url] == [page]


def test_admins_add_pages_and_posts_others_are_refused(
        fake_api: FakeBotApi, web: NewsSite, seed_index_dir: Path, tmp_path: Path) -> None:
    story, slow_story = STORIES[4], STORIES[5]
    page = web.add(f"/add/{story.slug}.html", LAYOUTS["structured"](story))
    slow_page = web.add(f"/add/{slow_story.slug}.html", LAYOUTS["amp"](slow_story),
                        behaviour="slow")
    articles, index = collection(seed_index_dir, tmp_path)
    with BotProcess(fake_api, index, tmp_path / "run", env=bot_env(),
                    articles_dir=articles):
        refused = fake_api.ask(OTHER, f"/add {page}")
        assert "quản trị viên" in fake_api.wait_reply(refused)[0]["text"]

        added = fake_api.ask(ADMIN, f"/add {page}")
        [reply] = fake_api.wait_reply(added, timeout=120)
        assert reply["text"].startswith("✅ Đã thêm: " + story.title)
        assert any(e["type"] == "text_link" and e.get("url") == page
                   for e in reply.get("entities", []))
        # Asked right after "added": the running bot already answers from it.
        question = fake_api.ask(OTHER, "Mưa lớn ở Quảng Ngãi làm ngập sâu bao nhiêu mét?")
        [answer] = fake_api.wait_reply(question, timeout=60)
        assert story.title in answer["text"]

        again = fake_api.ask(ADMIN, f"/add {page}")
        assert "đã có" in fake_api.wait_reply(again, timeout=60)[0]["text"]
        broken = fake_api.ask(ADMIN, f"/add {web.url('/add/missing.html')}")
        text = fake_api.wait_reply(broken, timeout=60)[0]["text"]
        assert "Không thêm được" in text and "HTTP 404" in text

        # While a slow page is fetched and indexed, others are still answered.
        slow = fake_api.ask(ADMIN, f"/add {slow_page}")
        meanwhile = fake_api.ask(OTHER, "Lễ hội hoa xuân ở Hà Nội kéo dài đến ngày nào?")
        fake_api.wait_reply(meanwhile, timeout=60)
        assert not fake_api.replies_to(slow)
        assert "Đã thêm" in fake_api.wait_reply(slow, timeout=120)[0]["text"]

        post = {"message_id": 501, "date": 1733011200, "chat": private_chat(ADMIN),
                "from": user(ADMIN), "text": STORIES[2].title + "\n\n" + STORIES[2].text,
                "forward_origin": {"type": "channel", "date": 1712900000, "message_id": 88,
                                   "chat": {"id": -1001234, "type": "channel",
                                            "title": "Kênh Nông Nghiệp",
                                            "username": "kenhnongnghiep"}}}
        fake_api.push_message(post)
        [stored] = fake_api.wait_reply(post, timeout=120)
        assert stored["text"].startswith("✅ Đã thêm: " + STORIES[2].title)
    by_title = {a.title: a for a in load_articles(articles)}
    assert by_title[STORIES[2].title].url == "https://t.me/kenhnongnghiep/88"
    assert by_title[STORIES[2].title].date == "2024-04-12"
    assert by_title[story.title].url == page
