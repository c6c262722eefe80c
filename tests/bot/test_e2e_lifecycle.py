"""The real bot across a restart, an index rebuilt under it, webhook mode and a missing token."""

from __future__ import annotations

import json
import shutil
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot import formatting as fmt
from bot.cli import main
from retrieval import RetrievalSettings, build_index
from tests.conftest import SEEDS
from tests.support.fake_bot_api import BotProcess, FakeBotApi, entity_texts, private_chat

from .conftest import button, copy_index

pytestmark = pytest.mark.slow

QUESTION = "Đại tướng Tô Lâm dự ngày hội ở đâu?"
NEW_ARTICLE = (
    'date 2024-05-01 Đoàn Zanzibar <script>alert("x")</script> & AT&T thăm Cần Thơ\n\n'
    "Sáng 1/5/2024, đoàn công tác Zanzibar đến thăm <b>Cần Thơ</b> & gặp đại diện AT&T; "
    "chỉ số 5 < 6 > 4 được nêu tại buổi làm việc.\n\n"
    "Đoàn Zanzibar cũng dự một ngày hội văn hoá &amp; ẩm thực.\n"
)


def test_paging_buttons_keep_working_after_a_restart(
        fake_api: FakeBotApi, seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory,
        user_id: int) -> None:
    index = copy_index(seed_index_dir, tmp_path_factory)
    workdir = tmp_path_factory.mktemp("restart")
    first = BotProcess(fake_api, index, workdir).start()
    try:
        asked = fake_api.ask(user_id, QUESTION)
        [reply] = fake_api.wait_reply(asked)
    finally:
        assert first.stop() == 0  # SIGTERM is a clean stop
    with BotProcess(fake_api, index, workdir):
        fake_api.press(reply, button(reply, fmt.MORE_LABEL))
        fake_api.wait_for(lambda: "edit_date" in fake_api.message(user_id, reply["message_id"]),
                          what="the page turn after the restart")
        page = fake_api.message(user_id, reply["message_id"])
        assert "[4]" in entity_texts(page, "bold")


def test_a_rebuilt_index_is_served_without_restart_and_article_text_is_escaped(
        fake_api: FakeBotApi, seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory,
        user_id: int) -> None:
    index = copy_index(seed_index_dir, tmp_path_factory)
    articles = tmp_path_factory.mktemp("articles") / "seeds"
    shutil.copytree(SEEDS, articles)
    workdir = tmp_path_factory.mktemp("rebuild")
    with BotProcess(fake_api, index, workdir, articles_dir=articles):
        before = fake_api.wait_reply(fake_api.ask(user_id, "Zanzibar AT&T"))[0]
        assert "Zanzibar" not in before["text"]
        (articles / "005_zanzibar.txt").write_text(NEW_ARTICLE, encoding="utf-8")
        build_index(RetrievalSettings(articles_dir=articles, index_dir=index,
                                      _env_file=None))  # type: ignore[call-arg]

        after = fake_api.wait_reply(fake_api.ask(user_id, "Zanzibar AT&T"))[0]
        # Shown as written (the fake refuses any HTML that is not well formed)...
        assert 'Đoàn Zanzibar <script>alert("x")</script> & AT&T thăm Cần Thơ' in after["text"]
        assert "gặp đại diện AT&T; chỉ số 5 < 6 > 4" in after["text"]
        assert "văn hoá &amp; ẩm thực" in after["text"]
        # ...because every character that means something in HTML was escaped.
        source = fake_api.html(after)
        assert "&lt;script&gt;" in source and "AT&amp;T" in source and "<script>" not in source
        assert "Zanzibar" in " ".join(entity_texts(after, "bold"))
        sources = fake_api.wait_reply(fake_api.ask(user_id, "/sources"))[0]["text"]
        assert "6 bài" in sources and "005_zanzibar.txt" in sources


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_webhook_mode_answers_posted_updates_and_refuses_forged_ones(
        fake_api: FakeBotApi, seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory,
        user_id: int) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}/telegram-hook"
    env = {"TELEGRAM_WEBHOOK_URL": url, "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
           "TELEGRAM_WEBHOOK_PORT": str(port)}
    index = copy_index(seed_index_dir, tmp_path_factory)
    try:
        with BotProcess(fake_api, index, tmp_path_factory.mktemp("webhook"), env=env):
            hook = fake_api.wait_for(lambda: fake_api.webhook, what="setWebhook")
            assert hook["url"] == url and len(hook["secret_token"]) >= 32
            asked = fake_api.ask(user_id, QUESTION)  # delivered by POST to the bot
            [reply] = fake_api.wait_reply(asked)
            assert "[1]" in entity_texts(reply, "bold")
            # A post without the secret is refused and never answered.
            forged = json.dumps({"update_id": 1, "message": {
                "message_id": 77, "date": 0, "chat": private_chat(user_id),
                "text": "Cần Thơ"}}).encode()
            request = urllib.request.Request(url, forged,
                                             {"Content-Type": "application/json"})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=10)
            refused.value.close()
            assert refused.value.code == 403
            fake_api.quiet(0.5)
            assert len(fake_api.sent(user_id)) == 1
    finally:
        fake_api.webhook = None


def test_a_missing_token_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bot"]) == 1
    error = capsys.readouterr().err
    assert "TELEGRAM_BOT_TOKEN is not set" in error and "@BotFather" in error
