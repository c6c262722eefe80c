"""Ingestion into the Postgres store on a real server on 127.0.0.1: `newsqa add` and the
running bot's /add and forwarded posts; answers from the new story with its link, no restart.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval.store.postgres_local import LocalServer
from tests.conftest import REPO, SEEDS
from tests.support.fake_bot_api import BotProcess, FakeBotApi, private_chat, user
from tests.support.news_site import LAYOUTS, NewsSite
from tests.support.news_stories import STORIES

pytestmark = pytest.mark.slow

ADMIN = 7101
OTHER = 7102


@pytest.fixture(scope="module")
def web() -> Iterator[NewsSite]:
    with NewsSite() as server:
        yield server


def pg_env(url: str, articles: Path) -> dict[str, str]:
    return {"NEWSQA_STORE": "postgres", "NEWSQA_PG_URL": url,
            "NEWSQA_ARTICLES_DIR": str(articles), "NEWSQA_FETCH_HOST_DELAY": "0"}


def newsqa(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSQA_", "TELEGRAM_"))}
    full.update({"HF_HUB_OFFLINE": "1", "NEWSQA_LANGUAGE": "en", **env})
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=full, cwd=REPO,
                          capture_output=True, text=True, timeout=300, check=False)


def test_newsqa_add_into_postgres_then_ask_finds_it_with_its_url(
        pg_seed_url: str, web: NewsSite, tmp_path: Path) -> None:
    story = STORIES[1]
    page = web.add(f"/pg-cli/{story.slug}.html", LAYOUTS["related-inside"](story))
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    env = pg_env(pg_seed_url, articles)
    added = newsqa("add", page, env=env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith(f"added: {story.title}")
    # The seeds' passages come from the database's generation; only the page is embedded.
    assert "Index ready: 6 articles" in added.stderr and "65 reused" in added.stderr, \
        added.stderr
    asked = newsqa("ask", "Cầu Rồng phun lửa vào tối ngày nào?", "--json", "-k", "1", env=env)
    assert asked.returncode == 0, asked.stderr
    [hit] = json.loads(asked.stdout)["results"]
    assert hit["source"]["title"] == story.title and hit["source"]["url"] == page


def test_the_running_bot_adds_into_postgres_and_answers_from_it_with_the_link(
        pg_server: LocalServer, pg_seed_url: str, web: NewsSite, tmp_path: Path) -> None:
    story, slow_story, posted = STORIES[4], STORIES[5], STORIES[2]
    page = web.add(f"/pg-bot/{story.slug}.html", LAYOUTS["structured"](story))
    slow_page = web.add(f"/pg-bot/{slow_story.slug}.html", LAYOUTS["amp"](slow_story),
                        behaviour="slow")
    articles = tmp_path / "articles"
    shutil.copytree(SEEDS, articles)
    env = {**pg_env(pg_seed_url, articles), "TELEGRAM_ADMIN_IDS": str(ADMIN),
           "TELEGRAM_RATE_LIMIT_PER_MINUTE": "0"}
    with FakeBotApi() as fake, BotProcess(fake, tmp_path / "unused-index", tmp_path / "run",
                                          env=env, articles_dir=articles) as bot:
        refused = fake.ask(OTHER, f"/add {page}")
        assert "quản trị viên" in fake.wait_reply(refused)[0]["text"]

        added = fake.ask(ADMIN, f"/add {page}")
        [reply] = fake.wait_reply(added, timeout=120)
        assert reply["text"].startswith("✅ Đã thêm: " + story.title), reply["text"]
        # Asked right after "added": the running bot answers from Postgres, with the link.
        question = fake.ask(OTHER, "Mưa lớn ở Quảng Ngãi làm ngập sâu bao nhiêu mét?")
        [answer] = fake.wait_reply(question, timeout=60)
        assert story.title in answer["text"], answer["text"]
        links = [e.get("url") for e in answer.get("entities", []) if e["type"] == "text_link"]
        assert page in links, answer

        # While a slow page is fetched and indexed, others are still answered.
        slow = fake.ask(ADMIN, f"/add {slow_page}")
        meanwhile = fake.ask(OTHER, "Lễ hội hoa xuân ở Hà Nội kéo dài đến ngày nào?")
        fake.wait_reply(meanwhile, timeout=60)
        assert not fake.replies_to(slow)
        assert "Đã thêm" in fake.wait_reply(slow, timeout=120)[0]["text"]

        post = {"message_id": 601, "date": 1733011200, "chat": private_chat(ADMIN),
                "from": user(ADMIN), "text": posted.title + "\n\n" + posted.text,
                "forward_origin": {"type": "channel", "date": 1712900000, "message_id": 91,
                                   "chat": {"id": -1004321, "type": "channel",
                                            "title": "Kênh Nông Nghiệp",
                                            "username": "kenhnongnghiep"}}}
        fake.push_message(post)
        [stored] = fake.wait_reply(post, timeout=120)
        assert stored["text"].startswith("✅ Đã thêm: " + posted.title), stored["text"]
        question = fake.ask(OTHER, "Năng suất lúa đông xuân ở đồng bằng sông Cửu Long?")
        [answer] = fake.wait_reply(question, timeout=60)
        assert posted.title in answer["text"], answer["text"]
        links = [e.get("url") for e in answer.get("entities", []) if e["type"] == "text_link"]
        assert "https://t.me/kenhnongnghiep/91" in links, answer
        log = bot.output()
    assert "Traceback" not in log
    assert pg_server.password not in log
