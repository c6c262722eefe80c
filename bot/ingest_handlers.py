"""Adding articles from Telegram: admins send /add URL or forward a post; `--watch` polls feeds.

Fetching, storing and indexing run in a worker thread, one job at a time (a lock), so
everybody else's questions keep being answered; the new index generation is loaded before
the bot replies, so the next question already finds the article.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import html
import logging
import re
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Message, MessageEntity, MessageOriginChannel, ReplyParameters, Update
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from retrieval import NewsQAError, RetrievalSettings

from .handlers import SearcherProvider
from .settings import BotSettings

if TYPE_CHECKING:
    from retrieval.ingest.header import ArticleMeta
    from retrieval.ingest.pipeline import Ingestor, Outcome

logger = logging.getLogger(__name__)
Context = ContextTypes.DEFAULT_TYPE

NOT_ADMIN = "Chỉ quản trị viên của bot mới thêm được bài báo (TELEGRAM_ADMIN_IDS)."
ADD_USAGE = "Gửi /add kèm đường dẫn bài báo, ví dụ: /add https://baomoi.vn/bai-viet.html"
NOTHING_TO_ADD = "Tin nhắn này không có đường dẫn hay nội dung nào để lưu."
_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
MAX_LINKS = 10


def register(application: Application[Any, Any, Any, Any, Any, Any], settings: BotSettings,
             searcher_provider: SearcherProvider) -> IngestHandlers:
    """Adds /add and admins' forwarded posts (before the question handlers), and the feed
    poller when TELEGRAM_WATCH_FEEDS is on."""
    handlers = IngestHandlers(settings, searcher_provider)
    admins = filters.User(user_id=settings.admin_ids or ())
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    application.add_handlers([
        CommandHandler("add", handlers.add, filters=filters.UpdateType.MESSAGE),
        MessageHandler(private & filters.FORWARDED & admins, handlers.forwarded),
    ])
    if settings.watch_feeds:
        _chain(application, "post_init", handlers.start_watching)
        _chain(application, "post_stop", handlers.stop_watching)
    return handlers


def _chain(application: Any, hook: str, extra: Callable[[Any], Awaitable[None]]) -> None:
    previous = getattr(application, hook)

    async def both(app: Any) -> None:
        if previous is not None:
            await previous(app)
        await extra(app)

    setattr(application, hook, both)


class IngestHandlers:
    def __init__(self, settings: BotSettings, searcher_provider: SearcherProvider) -> None:
        self.settings = settings
        self._provider = searcher_provider
        self._lock = threading.Lock()  # one fetch/store/index job at a time
        self._ingestor: Ingestor | None = None
        self._watcher: asyncio.Task[None] | None = None

    # --- updates ---------------------------------------------------------------------------

    async def add(self, update: Update, context: Context) -> None:
        """/add URL [URL…] from an admin."""
        message = update.effective_message
        if message is None or not await self._admin(update, message, context):
            return
        urls = _URL.findall(message.text or "")[:MAX_LINKS]
        if not urls:
            await self._reply(context, message, ADD_USAGE)
            return
        await self._ingest(context, message, lambda it: [it.add_url(u) for u in urls])

    async def forwarded(self, update: Update, context: Context) -> None:
        """An admin's forwarded message or channel post: its links, else its text."""
        message = update.effective_message
        if message is None:
            return
        links = _links(message)
        if links:
            await self._ingest(context, message, lambda it: [it.add_url(u) for u in links])
            return
        text = message.text or message.caption or ""
        if not text.strip():
            await self._reply(context, message, NOTHING_TO_ADD)
            return
        meta = _post_meta(message)
        await self._ingest(context, message,
                           lambda it: [it.add_text(meta.url or meta.site or "tin nhắn", text,
                                                   meta)])

    async def _admin(self, update: Update, message: Message, context: Context) -> bool:
        user = update.effective_user
        if user is not None and user.id in (self.settings.admin_ids or ()):
            return True
        logger.info("user %s is not in TELEGRAM_ADMIN_IDS: /add refused",
                    user.id if user else None)
        await self._reply(context, message, NOT_ADMIN)
        return False

    async def _ingest(self, context: Context, message: Message,
                      job: Callable[[Ingestor], list[Outcome]]) -> None:
        outcomes = await asyncio.to_thread(self._run_job, job)
        await self._reply(context, message, "\n".join(outcome_html(o) for o in outcomes))

    # --- work in a thread ------------------------------------------------------------------

    def _run_job(self, job: Callable[[Ingestor], list[Outcome]]) -> list[Outcome]:
        from retrieval.ingest.pipeline import Outcome

        with self._lock:
            ingestor = self._open()
            try:
                outcomes = job(ingestor)
            except NewsQAError as exc:
                return [Outcome("?", "failed", reason=str(exc))]
            if any(o.changed for o in outcomes):
                try:
                    ingestor.update_index()
                    self._provider()  # loads the new generation before we say "added"
                except NewsQAError as exc:
                    logger.error("articles stored but the index update failed: %s", exc)
                    return [Outcome(o.source, "failed", o.title, o.file,
                                    reason=f"{o.source}: stored, but the index update "
                                    f"failed ({exc})") if o.changed else o for o in outcomes]
            return outcomes

    def _open(self) -> Ingestor:
        from retrieval.ingest.pipeline import Ingestor

        if self._ingestor is None:
            settings: RetrievalSettings = self._provider().settings
            self._ingestor = Ingestor(settings)
        return self._ingestor

    def _watch_round(self, number: int) -> None:
        from retrieval.ingest.feeds import FeedPoller

        with self._lock:
            ingestor = self._open()
            report = FeedPoller(ingestor).run_round()
            build = ingestor.update_index() if report.stored else None
            if build is not None:
                self._provider()
        logger.info("feeds %s%s", report.line(number), f"; {build.summary()}" if build else "")

    # --- the poller inside the bot ---------------------------------------------------------

    async def start_watching(self, application: Any) -> None:
        self._watcher = asyncio.create_task(self._watch_loop())
        logger.info("polling the feeds inside the bot")

    async def stop_watching(self, application: Any) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watcher
        if self._ingestor is not None:
            with self._lock:
                self._ingestor.close()
                self._ingestor = None

    async def _watch_loop(self) -> None:
        number = 0
        while True:
            number += 1
            try:
                await asyncio.to_thread(self._watch_round, number)
            except NewsQAError as exc:  # a damaged index, a locked folder: try next round
                logger.error("feed round %d failed: %s", number, exc)
            interval = self._provider().settings.watch_interval
            await asyncio.sleep(interval)

    @staticmethod
    async def _reply(context: Context, message: Message, text: str) -> None:
        await context.bot.send_message(
            message.chat_id, text,
            reply_parameters=ReplyParameters(message_id=message.message_id,
                                             allow_sending_without_reply=True))


def outcome_html(outcome: Outcome) -> str:
    """One line per source, in the bot's HTML: the title linked to its page."""
    title = html.escape(outcome.title or "", quote=False)
    if outcome.status == "failed":
        return f"❌ Không thêm được: {html.escape(outcome.reason or outcome.source, quote=False)}"
    link = outcome.source if outcome.source.lower().startswith(("http://", "https://")) else None
    shown = f'<a href="{html.escape(link, quote=True)}">{title}</a>' if link else f"<b>{title}</b>"
    if outcome.status == "added":
        return f"✅ Đã thêm: {shown}"
    if outcome.status == "updated":
        return f"♻️ Đã cập nhật: {shown}"
    return f"ℹ️ Bài này đã có: {shown}"


def _links(message: Message) -> list[str]:
    """URLs in the text or caption, and behind linked words (text_link entities)."""
    found: list[str] = []
    for entities, text in ((message.entities, message.text), (message.caption_entities,
                                                              message.caption)):
        for entity in entities or ():
            if entity.type == MessageEntity.TEXT_LINK and entity.url:
                found.append(entity.url)
            elif entity.type == MessageEntity.URL and text:
                found.append(message.parse_entity(entity) if message.text else
                             message.parse_caption_entity(entity))
    if not found:
        found = _URL.findall(message.text or message.caption or "")
    web = [u for u in dict.fromkeys(found) if u.lower().startswith(("http://", "https://"))]
    return web[:MAX_LINKS]


def _post_meta(message: Message) -> ArticleMeta:
    """Where a forwarded text comes from: the channel (and its t.me link) or the sender."""
    from retrieval.ingest.catalog import now_iso
    from retrieval.ingest.header import ArticleMeta

    origin = message.forward_origin
    site: str | None = None
    url: str | None = None
    when: datetime.datetime | None = origin.date if origin is not None else None
    if isinstance(origin, MessageOriginChannel):
        site = origin.chat.title or origin.chat.username
        if origin.chat.username:
            url = f"https://t.me/{origin.chat.username}/{origin.message_id}"
    elif origin is not None:
        user = getattr(origin, "sender_user", None)
        site = (getattr(origin, "sender_user_name", None) or getattr(origin, "author_signature",
                                                                       None)
                or (user.full_name if user is not None else None))
        chat = getattr(origin, "sender_chat", None)
        site = site or (chat.title if chat is not None else None)
    date = when.astimezone(datetime.timezone(datetime.timedelta(hours=7))).date().isoformat() \
        if when is not None else None
    return ArticleMeta(title="", url=url, date=date, site=site, origin="telegram",
                       fetched_at=now_iso())
