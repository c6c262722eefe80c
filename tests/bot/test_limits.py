"""Per-user state stays bounded: the rate limiter, refused chats, log summaries, PTB's sets."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from bot.limits import LogSummary, RateLimiter, RecentSet, Verdict
from tests.support.fake_bot_api import FakeBotApi, group_chat, private_chat, user

from .test_app import run_with_app, settings_for


def test_the_rate_limiter_forgets_users_whose_window_is_empty() -> None:
    now = [0.0]
    limiter = RateLimiter(3, 60.0, clock=lambda: now[0])
    for key in range(100_000):  # 100 new users a second for 1,000 s
        now[0] = key / 100
        assert limiter.check(key) is Verdict.OK
        assert len(limiter) <= 60 * 100 + 1  # only the users of the last minute
    now[0] += 61
    limiter.check(-1)
    assert len(limiter) == 1


def test_the_rate_limiter_still_limits_and_is_capped() -> None:
    now = [0.0]
    limiter = RateLimiter(2, 60.0, clock=lambda: now[0], max_keys=100)
    assert [limiter.check(7) for _ in range(4)] == [Verdict.OK, Verdict.OK, Verdict.NOTIFY,
                                                    Verdict.DROP]
    for key in range(50):  # others come and go; user 7 is still limited
        now[0] += 1
        limiter.check(key)
    assert limiter.check(7) is Verdict.DROP
    for key in range(1000, 2000):  # more users at once than the cap
        limiter.check(key)
        assert len(limiter) <= 100
    now[0] += 61
    assert limiter.check(7) is Verdict.OK


def test_refused_chats_are_a_bounded_recent_set() -> None:
    refused = RecentSet(size=100)
    assert refused.add(1) is True and refused.add(1) is False
    for key in range(2, 1000):
        refused.add(key)
        refused.add(1)  # a chat that keeps writing stays remembered
        assert len(refused) <= 100
    assert refused.add(1) is False
    assert refused.add(2) is True  # long gone: told again


def test_a_flood_is_one_line_now_and_one_summary_per_interval(
        caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    log = logging.getLogger("tests.summary")
    summary = LogSummary(log, "chat %s refused", "refused %d more from %d chats in %.0f s",
                         interval=60.0, clock=lambda: now[0])
    with caplog.at_level(logging.INFO, logger="tests.summary"):
        for key in range(10_000):  # 100 a second for 100 s
            now[0] = key / 100
            summary.add(key)
        summary.flush()
        summary.flush()  # nothing new: nothing logged
        now[0] = 1000.0
        summary.add(5)
    assert caplog.messages == ["chat 0 refused", "refused 5999 more from 5999 chats in 60 s",
                               "refused 4000 more from 4000 chats in 60 s", "chat 5 refused"]


def test_the_summary_is_logged_by_a_timer_when_the_flood_stops(
        caplog: pytest.LogCaptureFixture) -> None:
    async def flood() -> None:
        summary = LogSummary(logging.getLogger("tests.timer"), "first %s", "%d more, %d, %.1f",
                             interval=0.2)
        for key in range(50):
            summary.add(key % 7)
        await asyncio.sleep(0.5)

    with caplog.at_level(logging.INFO, logger="tests.timer"):
        asyncio.run(flood())
    assert caplog.messages == ["first 0", "49 more, 7, 0.2"]


@pytest.fixture()
def fake() -> Any:
    with FakeBotApi() as api:
        yield api


def test_the_application_keeps_no_state_per_chat_or_user(
        fake: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    """PTB marked every chat and user for a persistence save that never comes."""
    async def body(application: Any) -> tuple[int, int]:
        for n in range(200):
            fake.send_text("Chào", chat=group_chat(-1_000_000_100_000 - n), sender=user(n + 1))
        # An id of the wrong type (PTB put it in a set: TypeError) is ignored too.
        fake.push_update({"update_id": fake.next_update_id(), "message": {
            "message_id": 1, "date": 0, "chat": {**private_chat(5), "id": [5]},
            "from": user(5), "text": "Cần Thơ"}})
        last = fake.ask(6, "/help")
        await asyncio.to_thread(fake.wait_reply, last, 1, 30.0)
        return (len(application._chat_ids_to_be_updated_in_persistence)
                + len(application._user_ids_to_be_updated_in_persistence),
                len(application.chat_data) + len(application.user_data))

    with caplog.at_level(logging.WARNING):
        marked, data = run_with_app(fake, settings_for(fake), None, body, polling=True)
    assert marked == 0 and data == 0
    assert "chat.id has the wrong type: ignored" in caplog.text
    assert "error while handling update" not in caplog.text
