"""Inline mode: `@bot question` in any chat lists the best passages as articles to send.

Telegram sends an inline query for nearly every keystroke, so queries have their own rate
limit (TELEGRAM_INLINE_RATE_LIMIT_PER_MINUTE) and every answer, even a refusal, carries a
cache time; the allow-list is applied to the user by the gate (an inline query has no chat).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from telegram import (
    InlineQuery,
    InlineQueryResultArticle,
    InputTextMessageContent,
    LinkPreviewOptions,
)
from telegram.constants import InlineQueryLimit, ParseMode
from telegram.error import BadRequest

from retrieval import BadQuestionError, SearchHit, SearchResponse

from . import formatting as fmt
from .formatting import Block, Span
from .limits import LogSummary, RateLimiter, Verdict
from .visible import visible_name, visible_text

if TYPE_CHECKING:
    from telegram import Update
    from telegram.ext import ContextTypes

    from .handlers import BotHandlers

    Context = ContextTypes.DEFAULT_TYPE

logger = logging.getLogger(__name__)

MAX_QUERY = int(InlineQueryLimit.MAX_QUERY_LENGTH)  # 256
MAX_RESULTS = int(InlineQueryLimit.RESULTS)  # 50
MAX_TITLE = 96
MAX_SNIPPET = 160
# A refusal or a rate-limit notice is cached briefly: long enough to absorb the keystrokes
# of a flood, short enough not to outlive the limit.
NOTICE_CACHE_TIME = 10
TOO_LONG_EN = (f"The question is too long: inline, I read at most {MAX_QUERY} characters. "
               "Ask it shorter, or send it to me in a private chat.")
TOO_LONG = (f"Câu hỏi quá dài: ở chế độ inline mình chỉ đọc được tối đa {MAX_QUERY} ký tự. "
            "Bạn hãy hỏi ngắn hơn, hoặc gửi câu hỏi trong chat riêng với mình.")


def notice_result(result_id: str, text: str) -> InlineQueryResultArticle:
    """A single result that only says something (refusal, limit, nothing found)."""
    return InlineQueryResultArticle(
        result_id, title=fmt.button_label(text, MAX_TITLE),
        input_message_content=_content(fmt.escape(text)),
        description=fmt.button_label(text, MAX_SNIPPET))


def inline_results(response: SearchResponse,
                   limit: int = MAX_RESULTS) -> list[InlineQueryResultArticle]:
    """One article per passage: the source as title, a snippet, and the passage to send."""
    if not response.results:
        return [notice_result("none", fmt.PAGE_WORDS[response.english].no_results)]
    results = []
    for number, hit in enumerate(response.results[:limit]):
        results.append(InlineQueryResultArticle(
            str(hit.rank), title=fmt.button_label(f"[{hit.rank}] {hit.source.title}", MAX_TITLE),
            input_message_content=_content(_message(response, hit, first=number == 0)),
            description=fmt.button_label(
                f"{fmt.format_date(hit.source.date, english=response.english)} · "
                f"{visible_text(hit.text)}", MAX_SNIPPET)))
    return results


def _message(response: SearchResponse, hit: SearchHit, *, first: bool) -> str:
    """The question, (on the first result) the notices and the short answer, the passage;
    within one message: the extras go first if they would not fit."""
    echo: Block = (Span("❓ "), Span(visible_name(response.question), bold=True))
    extras: list[Block] = []
    if first:
        extras = [(Span(f"⚠️ {notice}", italic=True),) for notice in response.notices]
        answer = fmt.answer_block(response.answer, english=response.english)
        if answer:
            extras.append(answer)
    passage = fmt.passage_block(hit, english=response.english)
    for blocks in ([echo, *extras, passage], [echo, passage]):
        messages = fmt.pack_blocks(blocks)
        if len(messages) == 1:
            return messages[0]
    # A passage longer than a message: the source first, then as much of the passage as fits.
    head = (fmt.render(echo) + fmt.BLOCK_SEPARATOR
            + fmt.render(fmt.source_line(hit.source, english=response.english)))
    room = fmt.MAX_MESSAGE - fmt.tg_len(head + fmt.BLOCK_SEPARATOR + fmt.ELLIPSIS)
    text: Block = (Span(f"[{hit.rank}]", bold=True), Span(" "),
                   *fmt.highlighted(hit.text, hit.highlights))
    return f"{head}{fmt.BLOCK_SEPARATOR}{fmt.split_block(text, room)[0]}{fmt.ELLIPSIS}"


def _content(html: str) -> InputTextMessageContent:
    return InputTextMessageContent(html, parse_mode=ParseMode.HTML,
                                   link_preview_options=LinkPreviewOptions(is_disabled=True))


class InlineAnswers:
    """The inline query handler of one bot (its own rate limiter)."""

    def __init__(self, handlers: BotHandlers) -> None:
        self._handlers = handlers
        settings = handlers.settings
        self._limiter = RateLimiter(settings.inline_rate_limit_per_minute)
        self._over_limit = LogSummary(
            logger, "user %s is over the inline rate limit (more are summed up once a minute)",
            "%d more inline queries over the rate limit from %d users in the last %.0f s")

    async def __call__(self, update: Update, context: Context) -> None:
        query = update.inline_query
        if query is None:
            return
        settings = self._handlers.settings
        # With an allow-list an answer must not be served from Telegram's cache to others.
        personal = settings.allowed_chat_ids is not None
        text = " ".join(query.query.split())
        english = fmt.english_user(update)
        if not text:
            await answer(query, [], settings.inline_cache_time, personal)
            return
        if len(text) > MAX_QUERY:
            await answer(query, [notice_result("too-long", TOO_LONG_EN if english else TOO_LONG)],
                         NOTICE_CACHE_TIME, True)
            return
        verdict = self._limiter.check(query.from_user.id)
        if verdict is not Verdict.OK:
            self._over_limit.add(query.from_user.id)
            notice = fmt.rate_limited(settings.inline_rate_limit_per_minute, english=english)
            await answer(query, [notice_result("limit", notice)], NOTICE_CACHE_TIME, True)
            return
        count = min(settings.inline_results, MAX_RESULTS)
        try:
            response = await asyncio.to_thread(
                lambda: self._handlers._provider().search(text, top_k=count))
        except BadQuestionError:
            await answer(query, [notice_result("bad", fmt.say("bad_question", english))],
                         NOTICE_CACHE_TIME, personal)
            return
        await answer(query, inline_results(response, count), settings.inline_cache_time,
                     personal)

    def flush_logs(self) -> None:
        self._over_limit.flush()


async def answer(query: InlineQuery, results: list[InlineQueryResultArticle], cache_time: int,
                 personal: bool) -> None:
    """Answers, unless Telegram stopped waiting (a query is only answerable for seconds)."""
    try:
        await query.answer(results, cache_time=cache_time, is_personal=personal)
    except BadRequest as exc:
        if "query is too old" not in str(exc).lower() and "query_id_invalid" not in str(
                exc).lower():
            raise
        logger.debug("inline query %s answered too late: %s", query.id, exc)


async def say_inline(query: InlineQuery, text: str) -> None:
    """One result that says ``text`` (a refusal, an apology), for this user, not cached."""
    await answer(query, [notice_result("notice", text)], 0, True)
