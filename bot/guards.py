"""Checks on updates a misbehaving Bot API may send: PTB parses fields without checking types."""

from __future__ import annotations

from telegram import Message, Update

# Fields the handlers read as text; a number or an object there raised TypeError.
_MESSAGE_TEXT_FIELDS = ("text", "caption")


def wrong_type(update: Update) -> str | None:
    """The first field the handlers read that is not of its documented type, or None."""
    chat, sender = update.effective_chat, update.effective_user
    if chat is not None and not _is_int(chat.id):
        return "chat.id"
    if sender is not None and not _is_int(sender.id):
        return "from.id"
    query = update.callback_query
    if query is not None:
        if not isinstance(query.data, str | None):
            return "callback_query.data"
        if not isinstance(query.id, str):
            return "callback_query.id"
    inline = update.inline_query
    if inline is not None:
        if not isinstance(inline.query, str):
            return "inline_query.query"
        if not isinstance(inline.id, str):
            return "inline_query.id"
    for name, message in (("message", update.effective_message),
                          ("callback_query.message",
                           query.message if query is not None else None)):
        if isinstance(message, Message):
            problem = _message_problem(message)
            if problem is not None:
                return f"{name}.{problem}"
    return None


def _message_problem(message: Message) -> str | None:
    for depth, current in enumerate((message, message.reply_to_message)):
        if current is None:
            continue
        prefix = "reply_to_message." if depth else ""
        for field in _MESSAGE_TEXT_FIELDS:
            if not isinstance(getattr(current, field), str | None):
                return prefix + field
        if not _is_int(current.message_id):
            return prefix + "message_id"
    return None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
