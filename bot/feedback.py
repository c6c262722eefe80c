"""👍 / 👎 buttons under each answer page; a press is stored by `bot/feedback_store.py`.

The buttons carry the id of the page as stored ('v:<id>:u'); a press on an id that is
unknown, of another chat or older than TELEGRAM_FEEDBACK_EXPIRES_DAYS says the answer
expired. A feedback file that cannot be written never stops an answer: it goes out without
the buttons, and a press that cannot be stored is told so.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message

from retrieval import SearchResponse

from . import formatting as fmt
from .feedback_store import FeedbackStore, Vote, shown_passages

if TYPE_CHECKING:
    from telegram import Update
    from telegram.ext import ContextTypes

    from .handlers import BotHandlers
    from .settings import BotSettings

    Context = ContextTypes.DEFAULT_TYPE

logger = logging.getLogger(__name__)

UP, DOWN = "👍", "👎"
PATTERN = r"^v:"  # the callback data the press handler takes (the rest stays with paging)
_DATA = re.compile(r"v:(\d{1,15}):([ud])")
THANKS = {Vote.RECORDED: "Cảm ơn bạn đã góp ý! Mình sẽ dùng nó để trả lời tốt hơn.",
          Vote.CHANGED: "Đã đổi góp ý của bạn. Cảm ơn bạn!",
          Vote.SAME: "Mình đã ghi nhận góp ý này rồi. Cảm ơn bạn!"}
NOT_SAVED = "Xin lỗi, mình chưa lưu được góp ý của bạn. Bạn thử lại sau ít phút nhé."
THANKS_EN = {Vote.RECORDED: "Thank you for the feedback! It helps me answer better.",
             Vote.CHANGED: "Your feedback is changed. Thank you!",
             Vote.SAME: "I have this feedback already. Thank you!"}
NOT_SAVED_EN = "Sorry, I could not save your feedback. Please try again in a few minutes."


def feedback_data(answer_id: int, up: bool) -> str:
    return f"v:{answer_id}:{'u' if up else 'd'}"


def parse_feedback_data(data: str) -> tuple[int, bool] | None:
    match = _DATA.fullmatch(data)
    return (int(match[1]), match[2] == "u") if match else None


def with_feedback(keyboard: InlineKeyboardMarkup | None,
                  answer_id: int) -> InlineKeyboardMarkup:
    """``keyboard`` (the paging buttons, if any) with a row of 👍 / 👎 under it."""
    rows = [list(row) for row in keyboard.inline_keyboard] if keyboard is not None else []
    rows.append([InlineKeyboardButton(UP, callback_data=feedback_data(answer_id, True)),
                 InlineKeyboardButton(DOWN, callback_data=feedback_data(answer_id, False))])
    return InlineKeyboardMarkup(rows)


class Feedback:
    """The buttons and the presses of one bot; without a store (off, or the file cannot be
    opened) answers go out without buttons."""

    def __init__(self, store: FeedbackStore | None) -> None:
        self.store = store

    @classmethod
    def open(cls, settings: BotSettings, path: Path | None) -> Feedback:
        if not settings.feedback or path is None:
            return cls(None)
        try:
            store = FeedbackStore(path, settings.feedback_key(),
                                  expires_after=settings.feedback_expires_days * 86_400)
        except (sqlite3.Error, OSError) as exc:
            logger.warning("feedback buttons are off: cannot open %s (%s)", path, exc)
            return cls(None)
        logger.info("feedback presses are stored in %s", path)
        return cls(store)

    async def keyboard(self, keyboard: InlineKeyboardMarkup | None, chat_id: int,
                       response: SearchResponse) -> InlineKeyboardMarkup | None:
        """The buttons of a page about to be shown: with 👍 / 👎 once the page is stored."""
        store = self.store
        if store is None or not response.results:
            return keyboard
        try:
            answer_id = await asyncio.to_thread(store.record, chat_id, response.question,
                                                shown_passages(response.results))
        except (sqlite3.Error, OSError) as exc:
            logger.warning("could not store an answer for feedback (%s): sent without the "
                           "buttons", exc)
            return keyboard
        return with_feedback(keyboard, answer_id)


async def feedback_press(handlers: BotHandlers, update: Update, context: Context) -> None:
    """A press on 👍 / 👎: stored once per voter and answer (a second press changes it)."""
    query = update.callback_query
    if query is None:
        return
    english = fmt.english_user(update)
    parsed = parse_feedback_data(query.data or "")
    message = query.message if isinstance(query.message, Message) else None
    store = handlers.feedback.store
    if parsed is None or message is None or store is None:
        await query.answer(fmt.say("expired", english), show_alert=True)
        return
    if not await handlers._within_quota(update, context):
        return
    answer_id, up = parsed
    try:
        outcome = await asyncio.to_thread(store.vote, answer_id, message.chat_id,
                                          query.from_user.id, up)
    except (sqlite3.Error, OSError) as exc:
        logger.warning("could not store a feedback press (%s)", exc)
        await query.answer(NOT_SAVED_EN if english else NOT_SAVED, show_alert=True)
        return
    if outcome is Vote.EXPIRED:
        await query.answer(fmt.say("expired", english), show_alert=True)
        return
    await query.answer((THANKS_EN if english else THANKS)[outcome])
