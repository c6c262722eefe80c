"""One small async function per kind of update: parse, search in a worker thread, format, send."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from telegram import Bot, InlineKeyboardMarkup, Message, ReplyParameters, Update
from telegram.constants import ChatAction, ChatType, MessageEntityType
from telegram.error import BadRequest, Forbidden, TelegramError, TimedOut
from telegram.ext import ApplicationHandlerStop, ContextTypes

from retrieval import BadQuestionError, Searcher, SearchResponse
from retrieval.conversation import Reading
from retrieval.errors import StoreUnavailableError

from . import formatting as fmt
from .feedback import Feedback
from .followups import ChatFollowUps
from .guards import wrong_type
from .inline import say_inline
from .limits import LogSummary, RateLimiter, RecentIds, RecentSet, Verdict
from .settings import BotSettings

logger = logging.getLogger(__name__)

SearcherProvider = Callable[[], Searcher]
Context = ContextTypes.DEFAULT_TYPE
# Telegram shows 'typing…' for about 5 seconds per action.
TYPING_EVERY = 4.0
TYPING_GRACE = 1.0


def question_text(text: str, bot_username: str) -> str:
    """The question in a message: without a leading /ask command or @mentions of the bot."""
    text = re.sub(r"^/ask(@\w+)?(?=\s|$)", "", text.strip(), flags=re.IGNORECASE)
    if bot_username:
        text = re.sub(rf"@{re.escape(bot_username)}(?!\w)", " ", text, flags=re.IGNORECASE)
    return text.strip()


def addressed_to_bot(message: Message, bot_id: int, bot_username: str) -> bool:
    """In a group: a command for us, a mention of us or a reply to one of our messages."""
    if message.chat.type == ChatType.PRIVATE:
        return True
    reply = message.reply_to_message
    if reply is not None and reply.from_user is not None and reply.from_user.id == bot_id:
        return True
    text = message.text or message.caption or ""
    command = re.match(r"/(\w+)(?:@(\w+))?", text)
    if command and command[1].lower() in {name for name, _ in fmt.COMMANDS}:
        return command[2] is None or command[2].lower() == bot_username.lower()
    if bot_username and re.search(rf"@{re.escape(bot_username)}(?!\w)", text, re.IGNORECASE):
        return True
    return any(entity.type == MessageEntityType.TEXT_MENTION and entity.user is not None
               and entity.user.id == bot_id for entity in message.entities)


def _reply_to(message_id: int | None) -> ReplyParameters | None:
    if message_id is None:
        return None
    # The question may have been deleted meanwhile: answer anyway.
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True)



class BotHandlers:
    """The bot's update handlers, sharing the settings, the searcher and the limits."""

    def __init__(self, settings: BotSettings, searcher_provider: SearcherProvider,
                 feedback_path: Path | None = None) -> None:
        self.settings = settings
        self._provider = searcher_provider
        self.feedback = Feedback.open(settings, feedback_path)
        self._followups = ChatFollowUps(settings.followup_max_chats, settings.followup_expires)
        self._key = hashlib.sha256(b"newsqa-paging:" + settings.token.encode()).digest()
        self._limiter = RateLimiter(settings.rate_limit_per_minute)
        self._refused = RecentSet()
        self._seen = RecentIds()
        self._refusals = LogSummary(
            logger, "chat %s is not in TELEGRAM_ALLOWED_CHAT_IDS: refused (more refusals are "
            "summed up once a minute)", "refused %d more updates from %d chats not in "
            "TELEGRAM_ALLOWED_CHAT_IDS in the last %.0f s")
        self._over_limit = LogSummary(
            logger, "user %s is over the rate limit (more are summed up once a minute)",
            "%d more updates over the rate limit from %d users in the last %.0f s")

    def flush_logs(self) -> None:
        """Logs what the summaries counted so far (at shutdown)."""
        self._refusals.flush()
        self._over_limit.flush()

    # --- gate (runs before every other handler) --------------------------------------------

    async def gate(self, update: object, context: Context) -> None:
        """Drops repeated updates and updates without a chat; refuses chats not allowed."""
        if not isinstance(update, Update):
            raise ApplicationHandlerStop
        if self._seen.seen(update.update_id):
            logger.warning("update %s delivered twice: ignored", update.update_id)
            raise ApplicationHandlerStop
        problem = wrong_type(update)
        if problem is not None:
            logger.warning("update %s: %s has the wrong type: ignored", update.update_id,
                           problem)
            if update.callback_query is not None and problem != "callback_query.id":
                await update.callback_query.answer(fmt.say("expired", fmt.english_user(update)),
                                                   show_alert=True)
            raise ApplicationHandlerStop
        chat = update.effective_chat
        inline = update.inline_query
        if chat is None and inline is None:
            # Nothing to answer (a malformed update, or a kind we never asked for): say so.
            logger.warning("update %s has no chat: ignored", update.update_id)
            raise ApplicationHandlerStop
        # An inline query has no chat: its user's own (private) chat must be allowed.
        asker = chat.id if chat is not None else inline.from_user.id if inline else 0
        allowed = self.settings.allowed_chat_ids
        if allowed is not None and asker not in allowed:
            self._refusals.add(asker)
            await self._refuse(update, context)
            raise ApplicationHandlerStop

    async def _refuse(self, update: Update, context: Context) -> None:
        if update.inline_query is not None:
            await say_inline(update.inline_query, fmt.say("not_allowed", fmt.english_user(update)))
            return
        if update.callback_query is not None:
            # A press must be answered or the client keeps spinning.
            await update.callback_query.answer(fmt.say("not_allowed", fmt.english_user(update)),
                                               show_alert=True)
            return
        message = update.message
        if message is None or not self._addressed(message, context.bot):
            return
        if self._refused.add(message.chat_id):
            await self._reply(context.bot, message,
                              fmt.say("not_allowed", fmt.english_user(update)))

    # --- commands --------------------------------------------------------------------------

    async def start(self, update: Update, context: Context) -> None:
        """Greets and offers example questions as buttons."""
        message = update.effective_message
        if message is None:
            return
        text, keyboard = fmt.greeting(self.settings.example_questions,
                                      english=fmt.english_user(update))
        await self._reply(context.bot, message, text, keyboard)

    async def help(self, update: Update, context: Context) -> None:
        """Explains how to ask, page and use the bot in groups."""
        message = update.effective_message
        if message is None:
            return
        text = fmt.help_text(context.bot.username, self.settings.example_questions[0],
                             english=fmt.english_user(update))
        await self._reply(context.bot, message, text)

    async def sources(self, update: Update, context: Context) -> None:
        """Lists the indexed articles."""
        message = update.effective_message
        if message is None:
            return
        articles = await asyncio.to_thread(lambda: self._provider().articles())
        for page in fmt.format_sources(articles, english=fmt.english_user(update)):
            await self._reply(context.bot, message, page)

    async def ask(self, update: Update, context: Context) -> None:
        """/ask QUESTION (the way to ask in groups)."""
        await self._answer_text(update, context)

    # --- messages --------------------------------------------------------------------------

    async def private_text(self, update: Update, context: Context) -> None:
        """In a private chat every text message is a question."""
        await self._answer_text(update, context)

    async def _answer_text(self, update: Update, context: Context) -> None:
        message = update.effective_message
        if message is None or message.text is None:
            return
        await self._answer(update, context, message, question_text(message.text,
                                                                   context.bot.username))

    async def group_text(self, update: Update, context: Context) -> None:
        """In a group, answers mentions of the bot and replies to it; ignores other chatter."""
        message = update.effective_message
        if message is None or message.text is None or not self._addressed(message, context.bot):
            return
        await self._answer(update, context, message, question_text(message.text,
                                                                   context.bot.username))

    async def not_text(self, update: Update, context: Context) -> None:
        """Stickers, photos and the like in a private chat get a hint."""
        message = update.effective_message
        if message is not None:
            await self._reply(context.bot, message, fmt.say("not_text", fmt.english_user(update)))

    async def unknown_command(self, update: Update, context: Context) -> None:
        """A command we do not know, in a private chat, points to /help."""
        message = update.effective_message
        if message is not None:
            await self._reply(context.bot, message,
                              fmt.say("unknown_command", fmt.english_user(update)))

    # --- buttons ---------------------------------------------------------------------------

    async def button(self, update: Update, context: Context) -> None:
        """Example-question and paging buttons; forged or stale data says the search expired."""
        query = update.callback_query
        if query is None:
            return
        data = query.data or ""
        message = query.message if isinstance(query.message, Message) else None
        example = fmt.parse_example_data(data)
        if example is not None:
            await self._example(update, context, example)
            return
        ref = fmt.parse_page_data(data)
        question = self._recover(ref, message, context.bot.username) if ref else None
        if ref is None or message is None or question is None or not hmac.compare_digest(
                ref.mac, fmt.page_mac(self._key, message.chat_id, ref.origin, ref.offset,
                                      question)):
            await query.answer(fmt.say("expired", fmt.english_user(update)), show_alert=True)
            return
        if not await self._within_quota(update, context):
            return
        try:
            response, _, page_size = await self._search(context.bot, message.chat_id, question,
                                                        ref.offset)
        except BadQuestionError:
            await query.answer(fmt.say("expired", fmt.english_user(update)), show_alert=True)
            return
        if not response.results:
            await query.answer(fmt.PAGE_WORDS[response.english].no_more)
            return
        await query.answer()
        echo = question if ref.origin.startswith("e") else None
        pages = fmt.format_page(response, ref.offset, question_echo=echo)
        keyboard = await self.feedback.keyboard(
            fmt.paging_keyboard(self._key, message.chat_id, ref.origin, question, ref.offset,
                                page_size, response.total, english=response.english),
            message.chat_id, response)
        await self._edit(message, pages[0], keyboard if len(pages) == 1 else None)
        original = message.reply_to_message
        await self._send_pages(context.bot, message, pages[1:], keyboard,
                               original.message_id if original else None)

    async def _example(self, update: Update, context: Context, index: int) -> None:
        query = update.callback_query
        assert query is not None
        message = query.message if isinstance(query.message, Message) else None
        examples = self.settings.example_questions
        if message is None or index >= len(examples):
            await query.answer(fmt.say("expired", fmt.english_user(update)), show_alert=True)
            return
        if not await self._within_quota(update, context):
            return
        await query.answer()
        await self._answer(update, context, message, examples[index], origin=f"e{index}",
                           quota_checked=True)

    def _recover(self, ref: fmt.PageRef, message: Message | None, username: str) -> str | None:
        """The question a paging button belongs to, or None if it can no longer be known."""
        if message is None:
            return None
        if ref.origin in ("r", "f"):
            original = message.reply_to_message
            if original is None or not original.text:
                return None
            if ref.origin == "f":  # a follow-up: the question it was read as
                return self._followups.read_as(message.chat_id, original.message_id)
            return question_text(original.text, username)
        index = int(ref.origin[1:])
        examples = self.settings.example_questions
        return examples[index] if index < len(examples) else None

    # --- errors ----------------------------------------------------------------------------

    async def error(self, update: object, context: Context) -> None:
        """Logs the failure with the update id and apologises to the user; the bot goes on."""
        update_id = update.update_id if isinstance(update, Update) else None
        # The index's database is down or refusing us: one line, and the user is told to come
        # back (the store reconnects by itself on a later question).
        unavailable = isinstance(context.error, StoreUnavailableError)
        if unavailable:
            logger.warning("update %s: %s", update_id, context.error)
        else:
            logger.error("error while handling update %s", update_id, exc_info=context.error)
        apology = fmt.say("unavailable" if unavailable else "apology", fmt.english_user(update))
        if not isinstance(update, Update) or isinstance(context.error, Forbidden | TimedOut):
            # Forbidden: we were blocked or removed. TimedOut: the reply may have gone out.
            return
        try:
            if update.inline_query is not None:
                await say_inline(update.inline_query, apology)
            elif update.callback_query is not None:
                await update.callback_query.answer(apology, show_alert=True)
            elif update.message is not None and self._addressed(update.message, context.bot):
                await self._reply(context.bot, update.message, apology)
        except TelegramError as exc:
            logger.warning("could not apologise for update %s: %s", update_id, exc)

    # --- the shared path -------------------------------------------------------------------

    async def _answer(self, update: Update, context: Context, message: Message, question: str,
                      *, origin: str = "r", quota_checked: bool = False) -> None:
        """Searches ``question`` and sends the first page, replying to ``message``."""
        bot = context.bot
        if not question:
            await self._reply(bot, message, fmt.empty_ask(self.settings.example_questions[0],
                                                          english=fmt.english_user(update)))
            return
        if not quota_checked and not await self._within_quota(update, context):
            return
        from_example = origin.startswith("e")
        try:
            response, reading, page_size = await self._search(
                bot, message.chat_id, question, 0, read_followup=not from_example)
        except BadQuestionError:
            await self._reply(bot, message, fmt.say("bad_question", fmt.english_user(update)))
            return
        if reading is not None and reading.how is not None:
            # Read as another question: its pages are that question's.
            origin, question = "f", reading.question
            self._followups.keep(message.chat_id, message.message_id, question)
        pages = fmt.format_page(response, 0, question_echo=question if from_example else None)
        keyboard = await self.feedback.keyboard(
            fmt.paging_keyboard(self._key, message.chat_id, origin, question, 0, page_size,
                                response.total, english=response.english),
            message.chat_id, response)
        # Replying to the question lets a paging button find it again, even after a restart.
        await self._send_pages(bot, message, pages, keyboard,
                               None if from_example else message.message_id)

    async def _search(self, bot: Bot, chat_id: int, question: str, offset: int, *,
                      read_followup: bool = True
                      ) -> tuple[SearchResponse, Reading | None, int]:
        """Runs the search in a worker thread while the chat shows 'typing…' (a first page
        is read against the chat's last question: follow-ups)."""
        def work() -> tuple[SearchResponse, Reading | None, int]:
            searcher = self._provider()
            return (*self._followups.search(searcher, chat_id, question, offset,
                                            read=read_followup), searcher.settings.top_k)

        async with self._typing(bot, chat_id):
            return await asyncio.to_thread(work)

    @contextlib.asynccontextmanager
    async def _typing(self, bot: Bot, chat_id: int) -> AsyncIterator[None]:
        done = asyncio.Event()
        task = asyncio.create_task(self._keep_typing(bot, chat_id, done))
        try:
            yield
        finally:
            done.set()
            # Let an action in flight finish rather than cut its connection, so 'typing…'
            # never arrives after the answer; a stuck one is cancelled.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(task, TYPING_GRACE)

    @staticmethod
    async def _keep_typing(bot: Bot, chat_id: int, done: asyncio.Event) -> None:
        while not done.is_set():
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError as exc:  # cosmetic: never worth failing a reply for
                logger.debug("typing action failed in chat %s: %s", chat_id, exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), TYPING_EVERY)

    async def _within_quota(self, update: Update, context: Context) -> bool:
        user = update.effective_user
        chat = update.effective_chat
        key = user.id if user is not None else chat.id if chat is not None else 0
        verdict = self._limiter.check(key)
        if verdict is Verdict.OK:
            return True
        notice = fmt.rate_limited(self.settings.rate_limit_per_minute,
                                  english=fmt.english_user(update))
        self._over_limit.add(key)
        if update.callback_query is not None:
            await update.callback_query.answer(notice, show_alert=verdict is Verdict.NOTIFY)
        elif verdict is Verdict.NOTIFY and update.effective_message is not None:
            await self._reply(context.bot, update.effective_message, notice)
        return False

    def _addressed(self, message: Message, bot: Bot) -> bool:
        return addressed_to_bot(message, bot.id, bot.username)

    async def _reply(self, bot: Bot, message: Message, text: str,
                     keyboard: InlineKeyboardMarkup | None = None) -> None:
        await bot.send_message(message.chat_id, text, reply_markup=keyboard,
                               reply_parameters=_reply_to(message.message_id))

    async def _send_pages(self, bot: Bot, message: Message, pages: list[str],
                          keyboard: InlineKeyboardMarkup | None, reply_to: int | None) -> None:
        """Sends the pages in order; the buttons go under the last one."""
        thread = message.message_thread_id if message.is_topic_message else None
        for number, page in enumerate(pages, 1):
            await bot.send_message(
                message.chat_id, page, reply_parameters=_reply_to(reply_to),
                reply_markup=keyboard if number == len(pages) else None,
                message_thread_id=thread if reply_to is None else None,
            )

    @staticmethod
    async def _edit(message: Message, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
        try:
            await message.edit_text(text, reply_markup=keyboard)
        except BadRequest as exc:
            # A double press after a retry: the message already shows this page.
            if "not modified" not in str(exc).lower():
                raise
