"""The real bot under floods of strangers and of one fast user: a few log lines, not thousands."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import formatting as fmt
from tests.support.fake_bot_api import BotProcess, FakeBotApi

from .conftest import copy_index

pytestmark = pytest.mark.slow

ALLOWED = 901
STRANGERS = range(200_000, 200_300)
RATE = 3


def test_floods_are_summed_up_in_one_log_line_each(
        seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    env = {"TELEGRAM_ALLOWED_CHAT_IDS": str(ALLOWED),
           "TELEGRAM_RATE_LIMIT_PER_MINUTE": str(RATE),
           "TELEGRAM_FLOOD_MESSAGES_PER_SECOND": "0"}
    index = copy_index(seed_index_dir, tmp_path_factory)
    with FakeBotApi() as fake:
        bot = BotProcess(fake, index, tmp_path_factory.mktemp("floods"), env=env).start()
        try:
            for stranger in STRANGERS:
                fake.ask(stranger, "Cần Thơ")
                fake.ask(stranger, "Cà Mau")  # a second message is not refused again
            questions = [fake.ask(ALLOWED, "Rừng Thông") for _ in range(RATE + 20)]
            fake.wait_for(lambda: len(fake.sent()) >= len(STRANGERS) + RATE + 1, 60,
                          "every refusal, the answers and the notice")
            fake.quiet(1.0)
        finally:
            assert bot.stop() == 0
        refusals = [m for m in fake.sent() if m["text"] == fmt.NOT_ALLOWED]
        assert sorted(m["chat"]["id"] for m in refusals) == list(STRANGERS)  # one each
        answered = [q for q in questions if fake.replies_to(q)]
        assert len(answered) == RATE + 1  # the answers and one notice
    log = bot.output().splitlines()
    refused = [line for line in log if "TELEGRAM_ALLOWED_CHAT_IDS" in line]
    assert len(refused) == 2, refused
    assert f"chat {STRANGERS[0]} is not in TELEGRAM_ALLOWED_CHAT_IDS: refused" in refused[0]
    assert (f"refused {2 * len(STRANGERS) - 1} more updates from {len(STRANGERS)} chats"
            in refused[1])
    limited = [line for line in log if "rate limit" in line]
    assert len(limited) == 2, limited
    assert f"user {ALLOWED} is over the rate limit" in limited[0]
    assert "19 more updates over the rate limit from 1 users" in limited[1]
