"""The real bot with an allow-list, a tight rate limit, long answers and a short timeout."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import formatting as fmt
from retrieval import Searcher
from tests.support.fake_bot_api import (
    BOT_USER,
    JSON,
    BotProcess,
    FakeBotApi,
    Fault,
    entity_texts,
    group_chat,
    parse_html,
    private_chat,
    user,
)

from .conftest import button, buttons, copy_index

pytestmark = pytest.mark.slow

ALLOWED_USERS = (501, 502, 503, 504)
ALLOWED_GROUP = -1_000_000_000_500
STRANGER = 777
RATE = 4
TOP_K = 8  # 3-sentence passages: enough to pass 4,096 characters, fewer than the 10 shown
QUESTION = "Ngày hội toàn dân bảo vệ an ninh Tổ quốc có những ai tham dự?"


@pytest.fixture(scope="module")
def bot(fake_api: FakeBotApi, seed_index_dir: Path,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    env = {
        "TELEGRAM_ALLOWED_CHAT_IDS": ",".join(map(str, (*ALLOWED_USERS, ALLOWED_GROUP))),
        "TELEGRAM_RATE_LIMIT_PER_MINUTE": str(RATE),
        "TELEGRAM_REQUEST_TIMEOUT": "1.5",
        "NEWSQA_TOP_K": str(TOP_K),
    }
    index = copy_index(seed_index_dir, tmp_path_factory)
    with BotProcess(fake_api, index, tmp_path_factory.mktemp("bot-run"), env=env) as process:
        yield process


def test_a_stranger_gets_one_polite_refusal_and_nothing_else(
        bot: BotProcess, fake_api: FakeBotApi) -> None:
    for text in ("Xin chào", "Cần Thơ", "/start", "/ask Cà Mau"):
        fake_api.ask(STRANGER, text)
    # A press on a button (from an old message, or forged) is refused too.
    old = {"message_id": 1, "date": 0, "chat": private_chat(STRANGER), "from": BOT_USER,
           "text": "cũ"}
    query = fake_api.press(old, "x:0", as_stored=False)
    fake_api.wait_for(lambda: fake_api.answers(query))
    assert fake_api.answers(query)[0].params["text"] == fmt.NOT_ALLOWED
    fake_api.quiet(1.0)
    assert [m["text"] for m in fake_api.sent(STRANGER)] == [fmt.NOT_ALLOWED]
    searched = [c for c in fake_api.calls("sendChatAction") if c.params["chat_id"] == STRANGER]
    assert not searched and not fake_api.calls("editMessageText")


def test_a_stranger_group_is_refused_once_only_when_it_addresses_the_bot(
        bot: BotProcess, fake_api: FakeBotApi) -> None:
    group = group_chat(-1_000_000_000_777)
    fake_api.send_text("Chào cả nhà", chat=group, sender=user(STRANGER + 1))
    fake_api.send_text("/ask Cần Thơ", chat=group, sender=user(STRANGER + 1))
    fake_api.send_text("@newsqa_test_bot Cà Mau", chat=group, sender=user(STRANGER + 2))
    fake_api.quiet(1.0)
    assert [m["text"] for m in fake_api.sent(group["id"])] == [fmt.NOT_ALLOWED]


def test_allowed_chats_are_answered(bot: BotProcess, fake_api: FakeBotApi) -> None:
    asked = fake_api.ask(ALLOWED_USERS[0], "Rừng Thông")
    assert fake_api.wait_reply(asked)[0]["text"] != fmt.NOT_ALLOWED
    group = group_chat(ALLOWED_GROUP)
    in_group = fake_api.send_text("/ask Rừng Thông", chat=group, sender=user(STRANGER + 3))
    assert fake_api.wait_reply(in_group)[0]["text"] != fmt.NOT_ALLOWED


def test_the_rate_limit_answers_the_excess_with_one_short_notice(
        bot: BotProcess, fake_api: FakeBotApi) -> None:
    who = ALLOWED_USERS[1]
    for n in range(RATE + 3):
        fake_api.ask(who, f"Cần Thơ câu {n}")
    def answered() -> set[int]:  # questions that got something (answers come in parts)
        return {m["reply_to_message"]["message_id"] for m in fake_api.sent(who)}

    fake_api.wait_for(lambda: len(answered()) >= RATE + 1, what="answers and the notice")
    fake_api.quiet(1.0)
    texts = [m["text"] for m in fake_api.sent(who)]
    assert texts.count(fmt.rate_limited(RATE)) == 1
    assert len(answered()) == RATE + 1
    # Button presses count too (an example question here): over the limit, a toast says so.
    query = fake_api.press(fake_api.sent(who)[0], "x:0")
    fake_api.wait_for(lambda: fake_api.answers(query))
    assert fake_api.answers(query)[0].params["text"] == fmt.rate_limited(RATE)


def _passage_texts(searcher: Searcher, question: str, offset: int) -> list[str]:
    return [f"[{hit.rank}] {hit.text}"
            for hit in searcher.search(question, top_k=TOP_K, offset=offset).results]


def test_a_long_answer_is_split_on_passage_boundaries(
        bot: BotProcess, fake_api: FakeBotApi, seed_searcher: Searcher) -> None:
    who = ALLOWED_USERS[2]
    passages = _passage_texts(seed_searcher, QUESTION, 0)
    assert sum(len(p) for p in passages) > fmt.MAX_MESSAGE  # else this test proves nothing
    asked = fake_api.ask(who, QUESTION)
    fake_api.wait_reply(asked)
    fake_api.quiet(0.5)
    parts = fake_api.replies_to(asked)
    assert len(parts) >= 2
    _assert_whole_passages(fake_api, parts, passages)
    assert [bool(buttons(p)) for p in parts] == [False] * (len(parts) - 1) + [True]
    # Paging a split answer: the last part becomes the next page, the rest follow it.
    last = parts[-1]
    query = fake_api.press(last, button(last, fmt.MORE_LABEL))
    fake_api.wait_for(lambda: fake_api.answers(query))
    fake_api.quiet(0.5)
    page = [fake_api.message(who, last["message_id"])]
    page += [m for m in fake_api.replies_to(asked) if m["message_id"] > last["message_id"]]
    _assert_whole_passages(fake_api, page, _passage_texts(seed_searcher, QUESTION, TOP_K))


def _assert_whole_passages(fake_api: FakeBotApi, parts: list[JSON],
                           passages: list[str]) -> None:
    for part in parts:
        source = fake_api.html(part)
        assert len(source) <= fmt.MAX_MESSAGE
        assert parse_html(source)[0] == part["text"]  # every tag closed in its own message
    for passage in passages:
        assert sum(passage in part["text"] for part in parts) == 1, passage[:40]
    shown = [label for part in parts for label in entity_texts(part, "bold")
             if label.startswith("[")]
    assert shown == [p.split(" ", 1)[0] for p in passages]


def test_a_send_that_times_out_is_not_sent_twice(bot: BotProcess, fake_api: FakeBotApi) -> None:
    # The server takes the message but answers after the bot's timeout: retrying would
    # send it twice, apologising would contradict it.
    who = ALLOWED_USERS[3]
    fake_api.inject("sendMessage", Fault(delay=3.0))
    asked = fake_api.ask(who, "Cà Mau")
    fake_api.wait_reply(asked, timeout=20)
    fake_api.quiet(2.0)
    assert len(fake_api.sent(who)) == 1
    assert fake_api.sent(who)[0]["text"] != fmt.APOLOGY
    assert "TimedOut" in bot.output()
    again = fake_api.ask(who, "Cần Thơ")
    assert fake_api.wait_reply(again)[0]["text"] != fmt.APOLOGY
