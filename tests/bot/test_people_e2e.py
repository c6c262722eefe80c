"""`/people [NAME]`, `/events` and reverse questions in the real bot process, against the
fake Bot API on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_bot_api import BotProcess, FakeBotApi, private_chat, user

from .conftest import copy_index

pytestmark = pytest.mark.slow

CA_MAU = "003_4be6f3f6f5d770e8.txt"


@pytest.fixture(scope="module")
def bot(fake_api: FakeBotApi, seed_index_dir: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    index = copy_index(seed_index_dir, tmp_path_factory)
    with BotProcess(fake_api, index, tmp_path_factory.mktemp("bot-run")) as process:
        yield process


def reply(fake_api: FakeBotApi, user_id: int, text: str) -> str:
    replies = fake_api.wait_reply(fake_api.ask(user_id, text))
    return "\n".join(str(r["text"]) for r in replies)


def test_people_and_one_persons_events(bot: BotProcess, fake_api: FakeBotApi,
                                       user_id: int) -> None:
    everyone = reply(fake_api, user_id, "/people")
    assert "16 người được nhắc đến trong 5 bài" in everyone and "Tô Lâm" in everyone
    one = reply(fake_api, user_id, "/people Đại tướng Tô Lâm")
    assert one.startswith("👤 Tô Lâm:") and CA_MAU in one
    assert "11/8/2022 · xã Hưng Mỹ" in one and "“Sáng 11/8/2022" in one


def test_unknown_and_ambiguous_names_get_a_clear_answer(bot: BotProcess, fake_api: FakeBotApi,
                                                        user_id: int) -> None:
    assert "Không thấy ai tên «Nobody Here»" in reply(fake_api, user_id, "/people Nobody Here")
    assert "«lam» có thể là 2 người" in reply(fake_api, user_id, "/people lam")
    long = reply(fake_api, user_id, "/people " + "x" * 500)
    assert "Tên quá dài" in long


def test_events_and_a_reverse_question(bot: BotProcess, fake_api: FakeBotApi,
                                       user_id: int) -> None:
    events = reply(fake_api, user_id, "/events")
    assert events.startswith("🗓 5 sự kiện trong 5 bài")
    assert events.index("3/8/2023") < events.index("23/11/2022") < events.index("11/8/2022")
    answer = reply(fake_api, user_id, "Tô Lâm đã tham dự những sự kiện nào?")
    assert answer.startswith("🗓 Sự kiện Tô Lâm đã tham dự (1)") and CA_MAU in answer


def test_a_user_whose_telegram_speaks_english_gets_english_listings(
        bot: BotProcess, fake_api: FakeBotApi, user_id: int) -> None:
    english = user(user_id, language_code="en")

    def english_reply(text: str) -> str:
        sent = fake_api.send_text(text, chat=private_chat(user_id), sender=english)
        return "\n".join(str(r["text"]) for r in fake_api.wait_reply(sent))

    assert "16 people named in 5 articles" in english_reply("/people")
    assert "Nobody named «Nobody Here»" in english_reply("/people Nobody Here")
    one = english_reply("/people to lam")
    assert one.startswith("👤 Tô Lâm:") and " · spoke, presented awards, attended" in one
    assert english_reply("/events").startswith("🗓 5 events in 5 articles")
    # A reverse question asked in English is answered in English, whoever asks.
    answer = reply(fake_api, user_id, "Which events did To Lam attend?")
    assert answer.startswith("🗓 Events Tô Lâm attended (1)") and CA_MAU in answer
