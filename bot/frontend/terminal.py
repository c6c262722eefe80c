"""Text shown on a terminal with its control characters escaped (bot/visible.py's rules,
shared with the Telegram bot): a newline in a file name would print a fake line, an ESC or
OSC sequence would move the cursor or set the terminal's title."""

from __future__ import annotations

from ..visible import visible_name, visible_text


def safe(value: object) -> str:
    """A name, title, path or message on one line, every control character escaped."""
    return visible_name(str(value))


def safe_text(text: str) -> str:
    """Passage text: its newlines and tabs stay (they are layout), other controls escaped."""
    return visible_text(text)
