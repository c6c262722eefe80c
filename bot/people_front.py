"""`:people [NAME]` / `:events` in the REPL and `/people [NAME]` / `/events` in the bot.

Registered with one line each in `bot/repl.py` and `bot/telegram_app.py`; the bot's go
through the same gate (allow-list), rate limit and error handler as every other update.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from retrieval import NewsQAError
from retrieval.events.catalog import PeopleCatalog
from retrieval.events.lookup import people_report

from .formatting import english_user
from .frontend.messages import language
from .people_view import events_pages, events_rich, people_pages, people_rich

if TYPE_CHECKING:  # the REPL imports this module: no Telegram library at run time
    from telegram import Update
    from telegram.ext import ContextTypes

    from .handlers import BotHandlers
    from .repl import Repl

    Context = ContextTypes.DEFAULT_TYPE


def _catalog(searcher: object) -> PeopleCatalog:
    people = getattr(searcher, "people", None)
    if people is None:
        raise NewsQAError("this index cannot list people")
    catalog: PeopleCatalog = people()
    return catalog


# --- REPL --------------------------------------------------------------------------------

def repl_people(repl: Repl, argument: str) -> bool:
    """`:people` lists everyone named; `:people NAME` one person's events."""
    try:
        english = language() == "en"
        report = people_report(_catalog(repl._get_searcher()), argument, english=english)
    except NewsQAError as exc:
        repl._error(str(exc))
        return True
    for line in people_rich(report, english=english):
        repl.console.print(line)
    return True


def repl_events(repl: Repl, argument: str) -> bool:
    """`:events` lists the events of the collection, newest first."""
    try:
        catalog = _catalog(repl._get_searcher())
    except NewsQAError as exc:
        repl._error(str(exc))
        return True
    for line in events_rich(catalog, english=language() == "en"):
        repl.console.print(line)
    return True


# --- Telegram ----------------------------------------------------------------------------

def _argument(text: str | None) -> str:
    """'/people@bot Tô Lâm' -> 'Tô Lâm'."""
    _, _, rest = (text or "").partition(" ")
    return rest.strip()


async def bot_people(handlers: BotHandlers, update: Update, context: Context) -> None:
    """/people [NAME]: everyone named with counts, or one person's events."""
    message = update.effective_message
    if message is None or not await handlers._within_quota(update, context):
        return
    name, english = _argument(message.text), english_user(update)
    pages = await asyncio.to_thread(lambda: people_pages(
        people_report(_catalog(handlers._provider()), name, english=english), english=english))
    for page in pages:
        await handlers._reply(context.bot, message, page)


async def bot_events(handlers: BotHandlers, update: Update, context: Context) -> None:
    """/events: the events of the collection, newest first."""
    message = update.effective_message
    if message is None or not await handlers._within_quota(update, context):
        return
    english = english_user(update)
    pages = await asyncio.to_thread(
        lambda: events_pages(_catalog(handlers._provider()), english=english))
    for page in pages:
        await handlers._reply(context.bot, message, page)
