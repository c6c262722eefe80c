"""Article file names with newlines, ESC/OSC sequences and bidi overrides, through the real bot."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from retrieval import RetrievalSettings, Searcher, build_index
from tests.support.fake_bot_api import FakeBotApi, entity_texts
from tests.support.fake_embedder import HashingEmbedder

from .test_app import run_with_app, settings_for

NAMES = ("x\nIndex ready: 0 articles (FAKE LINE)\n.txt", "\x1b]0;title\x07.txt",
         "bài\u202egpj.exe.txt", "c\x9bd\u2028e\u2066f.txt")
ARTICLE = ("Ngày hội Zanzibar số {n} ở Cần Thơ\n\n"
           "Đoàn Zanzibar số {n} thăm Cần Thơ và dự ngày hội văn hoá.\n")


def _unsafe(text: str) -> list[str]:
    return [c for c in text if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0
            or c in "\u202e\u2066\u2028"]


@pytest.fixture()
def fake() -> Any:
    with FakeBotApi() as api:
        yield api


def test_file_names_reach_telegram_escaped_on_one_line(fake: FakeBotApi, tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    for n, name in enumerate(NAMES):
        (articles / name).write_text(ARTICLE.format(n=n), encoding="utf-8")
    settings = RetrievalSettings(articles_dir=articles, index_dir=tmp_path / "index",
                                 dense_backend="numpy", _env_file=None)  # type: ignore[call-arg]
    report = build_index(settings, embedder=HashingEmbedder())
    assert report.summary().startswith(f"Index ready: {len(NAMES)} articles")
    searcher = Searcher(settings, HashingEmbedder())

    async def body(application: Any) -> list[dict[str, Any]]:
        sources = fake.ask(71, "/sources")
        answer = fake.ask(71, "Zanzibar Cần Thơ")
        replies = []
        for question in (sources, answer):
            replies += await asyncio.to_thread(fake.wait_reply, question, 1, 30.0)
        return replies

    replies = run_with_app(fake, settings_for(fake), searcher, body, polling=True)
    names = [name for reply in replies for name in entity_texts(reply, "code")]
    assert len(names) >= len(NAMES) + 1  # every file in /sources, and the answer's sources
    for reply in replies:
        assert not _unsafe(reply["text"]), reply["text"]
        assert "\nIndex ready" not in reply["text"]  # no fake line
    for name in names:
        assert "\n" not in name and name.endswith(".txt")
    assert "x\\nIndex ready: 0 articles (FAKE LINE)\\n.txt" in names
    assert "\\x1b]0;title\\x07.txt" in names and "bài\\u202egpj.exe.txt" in names
