"""The Telegram Application: the one place handlers are registered, and `newsqa bot` itself."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable, Coroutine
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from telegram import BotCommand, LinkPreviewOptions, Update
from telegram._utils.defaultvalue import DEFAULT_NONE
from telegram._utils.types import JSONDict, ODVInput
from telegram.constants import ParseMode
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    ExtBot,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest, RequestData

from retrieval import NewsQAError, RetrievalSettings, Searcher

from . import feedback, ingest_handlers
from . import formatting as fmt
from .bot_logging import TokenRedactor, configure
from .feedback_store import default_path
from .handlers import BotHandlers, SearcherProvider
from .inline import InlineAnswers
from .people_front import bot_events, bot_people
from .settings import BotSettings, load_bot_settings

logger = logging.getLogger(__name__)

# Edits and channel posts are not questions: not asking for them keeps the traffic down
# (the handlers still ignore them if a server sends them anyway).
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY]
# A refresh that failed (a damaged new generation) is retried after this many seconds.
REFRESH_RETRY_AFTER = 30.0
BotApplication = Application[Any, Any, Any, Any, Any, Any]


class RetryingRequest(HTTPXRequest):
    """HTTPXRequest that retries network failures and 5xx answers with exponential back-off.

    A send is retried only when it cannot have reached Telegram (no connection, the server
    closed without answering, a 5xx or unreadable answer); a read timeout on a send is not
    retried, since the message may be out already and must not go twice.
    """

    def __init__(self, *, retries: int, backoff: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._retries = retries
        self._backoff = backoff

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]  # never log the url: it holds the token
        attempt = 0
        error: BaseException | None
        while True:
            try:
                code, payload = await super().do_request(
                    url, method, request_data, read_timeout, write_timeout, connect_timeout,
                    pool_timeout)
            except (TimedOut, NetworkError) as exc:
                if attempt >= self._retries or not _may_retry(exc, endpoint):
                    raise
                reason, error = type(exc.__cause__ or exc).__name__, exc
            else:
                if attempt >= self._retries or not _bad_answer(code, payload):
                    return code, payload
                reason, error = f"HTTP {code}", None
            if attempt == 0:
                # One line per failing call: its retries are planned here and logged at DEBUG.
                logger.warning("Bot API %s failed (%s): %s", endpoint, reason, self._plan(),
                               exc_info=error)
            delay = self._delay(attempt) * random.uniform(0.8, 1.2)
            attempt += 1
            logger.debug("Bot API %s failed (%s): retry %d of %d in %.1f s",
                         endpoint, reason, attempt, self._retries, delay)
            await asyncio.sleep(delay)

    def _delay(self, attempt: int) -> float:
        return min(30.0, self._backoff * 2.0 ** attempt)

    def _plan(self) -> str:
        """'retrying up to 5 times over about 16 s' (the waits before the jitter)."""
        seconds = sum(self._delay(attempt) for attempt in range(self._retries))
        wait = f"{seconds:.0f}" if seconds >= 10 else f"{seconds:.1f}"
        if self._retries == 1:
            return f"retrying once in about {wait} s"
        return f"retrying up to {self._retries} times over about {wait} s"


def _idempotent(endpoint: str) -> bool:
    return endpoint == "sendChatAction" or not endpoint.startswith(("send", "forward", "copy"))


def _may_retry(exc: TelegramError, endpoint: str) -> bool:
    if _idempotent(endpoint):
        return True
    cause = exc.__cause__
    # Nothing was sent (connect / pool / write), or the server hung up without answering,
    # which is what a stale keep-alive connection does.
    return isinstance(cause, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout
                      | httpx.WriteTimeout | httpx.WriteError | httpx.RemoteProtocolError)


def _bad_answer(code: int, payload: bytes) -> bool:
    """A 5xx, or a 2xx whose body is not JSON (a proxy's error page): the call did not happen."""
    if code >= 500:
        return True
    if 200 <= code < 300:
        return not payload.lstrip().startswith(b"{")
    return False


class FloodLimiter(AIORateLimiter):
    """PTB's limiter, except for 'typing…' actions, which must not delay real replies."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if endpoint == "sendChatAction":
            return await callback(*args, **kwargs)
        return await super().process_request(callback, args, kwargs, endpoint, data,
                                             rate_limit_args)


class NewsBot(ExtBot[int]):
    """ExtBot that survives a malformed update (PTB drops the whole batch and loops on it)."""

    async def _do_post(
        self,
        endpoint: str,
        data: JSONDict,
        *,
        read_timeout: ODVInput[float] = DEFAULT_NONE,
        write_timeout: ODVInput[float] = DEFAULT_NONE,
        connect_timeout: ODVInput[float] = DEFAULT_NONE,
        pool_timeout: ODVInput[float] = DEFAULT_NONE,
    ) -> bool | JSONDict | list[JSONDict]:
        result = await super()._do_post(
            endpoint, data, read_timeout=read_timeout, write_timeout=write_timeout,
            connect_timeout=connect_timeout, pool_timeout=pool_timeout)
        if endpoint == "getUpdates" and isinstance(result, list):
            return [usable for raw in result if (usable := self._usable(raw)) is not None]
        return result

    def _usable(self, raw: Any) -> JSONDict | None:
        """The update, its bare id if it cannot be parsed (so polling moves past it), or None."""
        update_id = raw.get("update_id") if isinstance(raw, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            logger.warning("dropped an update without a usable update_id")
            return None
        try:
            Update.de_json(raw, self)
        except Exception as exc:  # any shape error inside PTB's parsing
            logger.warning("update %s is malformed (%s): ignored", update_id,
                           type(exc).__name__)
            return {"update_id": update_id}
        return dict(raw)


class NewsApplication(Application[Any, Any, Any, Any, Any, Any]):
    """Application that keeps no per-chat state without a persistence.

    PTB marks every update's chat and user id for the next persistence save, and only a
    save empties those sets: with no persistence they grew by every stranger for ever.
    """

    def _mark_for_persistence_update(self, *, update: object | None = None,
                                     job: Any = None) -> None:
        if self.persistence is not None:
            super()._mark_for_persistence_update(update=update, job=job)


class LiveSearcher:
    """The searcher, moved to the newest committed index generation before each use."""

    def __init__(self, searcher: Searcher) -> None:
        self._searcher = searcher
        self._failed_at: float | None = None

    def __call__(self) -> Searcher:
        failed_at = self._failed_at
        if failed_at is None or time.monotonic() - failed_at > REFRESH_RETRY_AFTER:
            try:
                if self._searcher.refresh():
                    logger.info("now serving the rebuilt index")
                self._failed_at = None
            except NewsQAError as exc:
                # The previous generation stays loaded and keeps answering.
                logger.warning("the new index could not be loaded, still serving the "
                               "previous one: %s", exc)
                self._failed_at = time.monotonic()
        return self._searcher


def build_application(settings: BotSettings, searcher_provider: SearcherProvider,
                      feedback_path: Path | None = None) -> BotApplication:
    """The Application with every handler, the error handler and the command menu
    (👍 / 👎 buttons only with a ``feedback_path``)."""
    # httpx logs each request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    timeout = settings.request_timeout
    request = RetryingRequest(
        retries=settings.max_retries, backoff=settings.retry_backoff,
        connection_pool_size=settings.concurrent_updates + 8, connect_timeout=timeout,
        read_timeout=timeout, write_timeout=timeout, pool_timeout=timeout,
    )
    updates_request = HTTPXRequest(connection_pool_size=2, connect_timeout=timeout,
                                   read_timeout=timeout, write_timeout=timeout,
                                   pool_timeout=timeout)
    bot = NewsBot(
        token=settings.token,
        base_url=f"{settings.base_url}/bot",
        base_file_url=f"{settings.base_url}/file/bot",
        request=request,
        get_updates_request=updates_request,
        defaults=Defaults(parse_mode=ParseMode.HTML,
                          link_preview_options=LinkPreviewOptions(is_disabled=True)),
        rate_limiter=FloodLimiter(
            overall_max_rate=settings.flood_messages_per_second,
            group_max_rate=settings.flood_group_messages_per_minute,
            max_retries=settings.flood_max_retries,
        ),
    )
    handlers = BotHandlers(settings, searcher_provider, feedback_path)
    inline = InlineAnswers(handlers)

    async def flush_logs(application: BotApplication) -> None:
        handlers.flush_logs()
        inline.flush_logs()

    application: BotApplication = (
        Application.builder().application_class(NewsApplication).bot(bot)
        .concurrent_updates(settings.concurrent_updates).post_init(_post_init)
        .post_shutdown(flush_logs).build()
    )
    message = filters.UpdateType.MESSAGE  # not edits, not channel posts
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    application.add_handler(TypeHandler(Update, handlers.gate), group=-1)
    ingest_handlers.register(application, settings, searcher_provider)  # before questions
    # Every handler of the bot, in order: a new feature adds one line here (first match wins).
    application.add_handlers([
        CommandHandler("start", handlers.start, filters=message),
        CommandHandler("help", handlers.help, filters=message),
        CommandHandler("sources", handlers.sources, filters=message),
        CommandHandler("ask", handlers.ask, filters=message),
        CommandHandler("people", partial(bot_people, handlers), filters=message),
        CommandHandler("events", partial(bot_events, handlers), filters=message),
        MessageHandler(message & private & filters.TEXT & ~filters.COMMAND,
                       handlers.private_text),
        MessageHandler(message & groups & filters.TEXT & ~filters.COMMAND, handlers.group_text),
        MessageHandler(message & private & filters.COMMAND, handlers.unknown_command),
        MessageHandler(message & private & ~filters.TEXT, handlers.not_text),
        CallbackQueryHandler(partial(feedback.feedback_press, handlers),
                             pattern=feedback.PATTERN),
        CallbackQueryHandler(handlers.button),
        InlineQueryHandler(inline),
    ])
    application.add_error_handler(handlers.error)
    return application


async def _post_init(application: BotApplication) -> None:
    commands = [BotCommand(name, description) for name, description in fmt.COMMANDS]
    english = [BotCommand(name, description) for name, description in fmt.COMMANDS_EN]
    try:
        await application.bot.set_my_commands(commands)
        await application.bot.set_my_commands(english, language_code="en")
    except TelegramError as exc:  # the menu is a convenience: answer questions anyway
        logger.warning("could not register the command menu: %s", exc)
    logger.info("bot @%s is running", application.bot.username)


# --- `newsqa bot` --------------------------------------------------------------------------

def run_bot(settings: RetrievalSettings, *, verbose: bool = False) -> int:
    """`newsqa bot`: long polling, or a webhook server when TELEGRAM_WEBHOOK_URL is set."""
    from .frontend import open_searcher

    bot_settings = load_bot_settings()
    redactor = TokenRedactor(bot_settings.token)
    uninstall = configure(bot_settings.token, bot_settings.log_level, verbose=verbose)
    try:
        searcher = open_searcher(settings)
        _warm_up(searcher, bot_settings)
        application = build_application(
            bot_settings, LiveSearcher(searcher),
            bot_settings.feedback_path or default_path(settings.index_dir))
        try:
            _connect(application)
            _run(application, bot_settings)
        except InvalidToken:
            raise NewsQAError("Telegram refused TELEGRAM_BOT_TOKEN: check the token with "
                              "@BotFather.") from None
        except TelegramError as exc:
            raise NewsQAError(
                f"cannot reach the Bot API at {bot_settings.base_url} "
                f"({redactor.redact(str(exc))}): check TELEGRAM_BASE_URL and the network, "
                "then start the bot again.") from None
    finally:
        uninstall()
    return 0


def _connect(application: BotApplication) -> None:
    """Meets the Bot API (getMe) before polling, so a failure is ours to report in one line.

    PTB's own start-up would log it with a traceback first; run_polling and run_webhook
    then reuse this event loop and skip their initialisation.
    """
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(application.initialize())
    except BaseException:
        loop.run_until_complete(application.bot.shutdown())
        asyncio.set_event_loop(None)
        loop.close()
        raise


def _run(application: BotApplication, settings: BotSettings) -> None:
    if settings.webhook_url is None:
        logger.info("long polling %s", settings.base_url)
        application.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
                                timeout=settings.poll_timeout)
        return
    path = urlsplit(settings.webhook_url).path.strip("/")
    logger.info("webhook on %s:%s/%s", settings.webhook_listen, settings.webhook_port, path)
    application.run_webhook(
        listen=settings.webhook_listen, port=settings.webhook_port, url_path=path,
        webhook_url=settings.webhook_url, secret_token=settings.secret_token(),
        allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False,
    )


def _warm_up(searcher: Searcher, settings: BotSettings) -> None:
    """One search before going live, so the first user does not wait for model warm-up."""
    started = time.perf_counter()
    try:
        searcher.search(settings.example_questions[0])
    except NewsQAError as exc:
        logger.warning("warm-up search failed: %s", exc)
    logger.info("search warmed up in %.1f s", time.perf_counter() - started)
