"""The Application in-process against the fake Bot API: concurrency, retries, logging, refresh."""

from __future__ import annotations

import asyncio
import io
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import pytest
from telegram.error import NetworkError, TimedOut

from bot.settings import BotSettings
from bot.telegram_app import LiveSearcher, TokenRedactor, build_application
from retrieval import CorruptIndexError, RetrievalSettings, Searcher, SearchResponse
from tests.support.fake_bot_api import FakeBotApi, Fault, private_chat

T = TypeVar("T")
SLOW_WORD = "chậm"


class SlowSearcher(Searcher):
    """A real searcher that takes 3 s for questions containing SLOW_WORD."""

    def search(self, question: str, top_k: int | None = None, offset: int = 0,
               **kwargs: Any) -> SearchResponse:
        if SLOW_WORD in question:
            time.sleep(3)
        return super().search(question, top_k, offset, **kwargs)


def settings_for(fake: FakeBotApi, **overrides: Any) -> BotSettings:
    values: dict[str, Any] = {"bot_token": fake.token, "base_url": fake.base_url,
                              "retry_backoff": 0.01, "poll_timeout": 1, **overrides}
    return BotSettings(_env_file=None, **values)  # type: ignore[call-arg]


def run_with_app(fake: FakeBotApi, settings: BotSettings, searcher: Searcher | None,
                 body: Callable[[Any], Awaitable[T]], *, polling: bool = False) -> T:
    """Runs ``body(application)`` with the application initialised (and polling if asked)."""
    def provider() -> Searcher:
        assert searcher is not None, "this test does not search"
        return searcher

    async def main() -> T:
        application = build_application(settings, provider)
        async with application:
            if not polling:
                return await body(application)
            await application.start()
            assert application.updater is not None
            await application.updater.start_polling(timeout=1)
            try:
                return await body(application)
            finally:
                await application.updater.stop()
                await application.stop()

    return asyncio.run(main())


@pytest.fixture()
def fake() -> Any:
    with FakeBotApi() as api:
        yield api


@pytest.mark.slow
def test_a_slow_search_does_not_stall_other_chats(fake: FakeBotApi,
                                                  seed_settings: RetrievalSettings) -> None:
    searcher = SlowSearcher.open(seed_settings)

    async def body(application: Any) -> tuple[float, float]:
        slow = fake.ask(1, f"{SLOW_WORD} Cần Thơ")
        await asyncio.to_thread(fake.wait_calls, "sendChatAction")  # the slow search is on
        fast = fake.ask(2, "Rừng Thông")
        [slow_reply] = await asyncio.to_thread(fake.wait_reply, slow, 1, 20.0)
        [fast_reply] = await asyncio.to_thread(fake.wait_reply, fast, 1, 20.0)
        return fake.call_of(fast_reply).at, fake.call_of(slow_reply).at

    # Were the search run on the event loop, the second chat would wait for the first.
    fast_at, slow_at = run_with_app(fake, settings_for(fake), searcher, body, polling=True)
    assert fast_at < slow_at


def test_5xx_is_retried_with_back_off_until_it_succeeds(fake: FakeBotApi) -> None:
    fake.push_message({"message_id": 1, "date": 0, "chat": private_chat(5), "text": "hi"})
    fake.inject("sendMessage", Fault(status=503), Fault(status=500), Fault(drop=True))

    async def body(application: Any) -> int:
        message = await application.bot.send_message(5, "xin chào")
        return int(message.message_id)

    assert run_with_app(fake, settings_for(fake), None, body) > 0
    assert [c.status for c in fake.calls("sendMessage")] == [503, 500, -1, 200]


def test_retries_give_up_after_the_configured_number(fake: FakeBotApi) -> None:
    fake.push_message({"message_id": 1, "date": 0, "chat": private_chat(5), "text": "hi"})
    fake.inject("sendMessage", *[Fault(status=502)] * 3)

    async def body(application: Any) -> None:
        with pytest.raises(NetworkError):
            await application.bot.send_message(5, "xin chào")

    run_with_app(fake, settings_for(fake, max_retries=2), None, body)
    assert [c.status for c in fake.calls("sendMessage")] == [502, 502, 502]


def test_a_read_timeout_repeats_an_edit_but_never_a_send(fake: FakeBotApi) -> None:
    fake.push_message({"message_id": 1, "date": 0, "chat": private_chat(5), "text": "hi"})

    async def body(application: Any) -> None:
        sent = await application.bot.send_message(5, "một")
        fake.inject("editMessageText", Fault(delay=2.0))
        await application.bot.edit_message_text("hai", chat_id=5, message_id=sent.message_id)
        fake.inject("sendMessage", Fault(delay=2.0))
        with pytest.raises(TimedOut):
            await application.bot.send_message(5, "ba")

    run_with_app(fake, settings_for(fake, request_timeout=0.8), None, body)
    assert len(fake.calls("editMessageText")) == 2  # idempotent: repeated
    fake.wait_for(lambda: len(fake.sent(5)) == 2)  # the slow send still arrived...
    assert len(fake.calls("sendMessage")) == 2  # ...and was not repeated


def test_the_token_is_redacted_from_every_log_record() -> None:
    token = "987654:SECRET-token_value"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    log = logging.getLogger("tests.redaction")
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    uninstall = TokenRedactor(token).install()
    try:
        log.debug("POST https://api.telegram.org/bot%s/getMe", token)
        log.info(f"url was https://x/bot{token.replace(':', '%3A')}/send")
        try:
            raise RuntimeError(f"failed calling /bot{token}/sendMessage")
        except RuntimeError:
            log.exception("call failed")
    finally:
        uninstall()
        log.removeHandler(handler)
    output = stream.getvalue()
    assert output.count("<TELEGRAM_BOT_TOKEN>") == 3
    assert "SECRET" not in output


class _Refreshing:
    """Stands in for a Searcher whose new index generation is damaged."""

    def __init__(self) -> None:
        self.calls = 0

    def refresh(self) -> bool:
        self.calls += 1
        raise CorruptIndexError("gen-2/dense.faiss", "truncated")


def test_a_damaged_new_index_keeps_the_previous_one_serving() -> None:
    stub = _Refreshing()
    live = LiveSearcher(cast(Searcher, stub))
    assert live() is cast(Searcher, stub)
    assert live() is cast(Searcher, stub)
    assert stub.calls == 1  # not retried on every question


def test_searches_run_off_the_event_loop(fake: FakeBotApi, seed_settings: RetrievalSettings,
                                         tmp_path: Path) -> None:
    searcher = Searcher.open(seed_settings)
    threads: list[str] = []
    original = searcher.search

    def spy(question: str, top_k: int | None = None, offset: int = 0,
            **kwargs: Any) -> SearchResponse:
        threads.append(threading.current_thread().name)
        return original(question, top_k, offset, **kwargs)

    searcher.search = spy  # type: ignore[method-assign]

    async def body(application: Any) -> None:
        asked = fake.ask(3, "Cà Mau")
        await asyncio.to_thread(fake.wait_reply, asked, 1, 10.0)

    run_with_app(fake, settings_for(fake), searcher, body, polling=True)
    assert threads and threading.main_thread().name not in threads
