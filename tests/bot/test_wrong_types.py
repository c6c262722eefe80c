"""A misbehaving Bot API sends fields of the wrong JSON type: the bot answers 'expired' or ignores.

PTB parses `data`, `text` and ids without checking their types; handlers used to raise
TypeError on them (and the user got the apology).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot import formatting as fmt
from retrieval import Searcher
from tests.support.fake_bot_api import BOT_USER, FakeBotApi, group_chat, private_chat, user

from .test_app import run_with_app, settings_for

WRONG = (123, 1.5, True, ["x:0"], {"data": "x:0"})


@pytest.fixture()
def fake() -> Any:
    with FakeBotApi() as api:
        yield api


def test_wrong_types_are_answered_expired_or_ignored(
        fake: FakeBotApi, seed_searcher: Searcher, caplog: pytest.LogCaptureFixture) -> None:
    chat = private_chat(61)
    group = group_chat(-1_000_000_000_061)
    bot_message = {"message_id": 1, "date": 0, "chat": chat, "from": BOT_USER, "text": "cũ"}

    async def body(application: Any) -> dict[str, Any]:
        presses = [fake.press(bot_message, value, as_stored=False)  # type: ignore[arg-type]
                   for value in WRONG]
        # The press's message, or the question it replies to, with a text that is a number.
        odd_reply = {**bot_message, "reply_to_message": {**bot_message, "text": 5}}
        presses.append(fake.press(odd_reply, "p:r:3:0123456789ab", as_stored=False))
        for value in WRONG:
            fake.push_message({"message_id": fake.next_update_id(), "date": 0, "chat": chat,
                               "from": user(61), "text": value})
            fake.push_message({"message_id": fake.next_update_id(), "date": 0, "chat": group,
                               "from": user(62), "caption": value, "photo": []})
        fake.push_update({"update_id": fake.next_update_id(), "message": {
            "message_id": 900, "date": 0, "chat": {**chat, "id": "61"}, "from": user(61),
            "text": "Cần Thơ"}})
        fake.push_message({"message_id": 901, "date": 0, "chat": chat,
                           "from": {**user(61), "id": "61"}, "text": "Cần Thơ"})
        question = fake.ask(61, "Rừng Thông")  # after them all: the bot still answers
        await asyncio.to_thread(fake.wait_reply, question, 1, 30.0)
        await asyncio.to_thread(fake.wait_for, lambda: all(fake.answers(q) for q in presses))
        await asyncio.to_thread(fake.quiet, 1.0)
        return {"presses": presses, "question": question}

    with caplog.at_level(logging.WARNING):
        seen = run_with_app(fake, settings_for(fake), seed_searcher, body, polling=True)
    for query in seen["presses"]:
        [answer] = fake.answers(query)
        assert answer.params["text"] == fmt.EXPIRED
    sent = fake.sent(61)
    assert len(sent) == 1, [m["text"][:80] for m in sent]
    assert sent[0]["reply_to_message"]["message_id"] == \
        seen["question"]["message_id"]  # nothing but the answer to the real question
    assert not fake.sent(group["id"])
    log = caplog.text
    assert "error while handling update" not in log and "TypeError" not in log
    assert log.count("has the wrong type: ignored") == len(WRONG) + 1 + 2 * len(WRONG) + 2


def test_inline_queries_of_the_wrong_type_are_ignored(
        fake: FakeBotApi, seed_searcher: Searcher, caplog: pytest.LogCaptureFixture) -> None:
    async def body(application: Any) -> str:
        for number, value in enumerate(WRONG):
            fake.push_update({"update_id": fake.next_update_id(), "inline_query": {
                "id": f"odd{number}", "from": user(63), "query": value, "offset": ""}})
        fake.push_update({"update_id": fake.next_update_id(), "inline_query": {
            "id": 77, "from": user(63), "query": "Cần Thơ", "offset": ""}})
        query = fake.inline(63, "Rừng Thông")  # after them all: the bot still answers
        await asyncio.to_thread(fake.wait_for, lambda: fake.inline_answers(query), 30.0)
        await asyncio.to_thread(fake.quiet, 1.0)
        return query

    with caplog.at_level(logging.WARNING):
        query = run_with_app(fake, settings_for(fake), seed_searcher, body, polling=True)
    [answer] = fake.calls("answerInlineQuery")
    assert answer.params["inline_query_id"] == query and answer.status == 200
    assert "error while handling update" not in caplog.text
    assert caplog.text.count("inline_query.query has the wrong type") == len(WRONG)
    assert caplog.text.count("inline_query.id has the wrong type") == 1
