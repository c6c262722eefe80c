"""The bot's log: timestamps, the token redacted, one line per failure unless --verbose."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

# faiss reports at INFO each optimised build it could not load before the one it uses.
QUIET_LOGGERS = ("faiss", "httpx", "httpcore")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class TokenRedactor:
    """A log record factory that replaces the token wherever it shows (PTB logs URLs).

    With ``tracebacks=False`` an exception attached to a record becomes the end of its line
    ('…: Type: message'), not a traceback.
    """

    def __init__(self, token: str, *, tracebacks: bool = True) -> None:
        self._secrets = [token, token.replace(":", "%3A")]
        self._factory = logging.getLogRecordFactory()
        self._tracebacks = tracebacks

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self._factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it when the record is emitted
            return record
        if not self._tracebacks and (record.exc_info or record.stack_info):
            error = record.exc_info[1] if record.exc_info else None
            if isinstance(error, BaseException):
                message = f"{message}: {one_line(error)}"
            record.msg, record.args = message, None
            record.exc_info = record.stack_info = None
        if any(secret in message for secret in self._secrets):
            record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = self.redact("".join(
                traceback.format_exception(*record.exc_info)).rstrip("\n"))
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return record

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<TELEGRAM_BOT_TOKEN>")
        return text

    def install(self) -> Callable[[], None]:
        previous = logging.getLogRecordFactory()
        logging.setLogRecordFactory(self)
        return lambda: logging.setLogRecordFactory(previous)


def one_line(error: BaseException) -> str:
    """'Type: message' of an exception, on one line (newlines in the message folded)."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def configure(token: str, level: str, *, verbose: bool) -> Callable[[], None]:
    """Sets up the bot's logging; returns the function that undoes the record factory."""
    uninstall = TokenRedactor(token, tracebacks=verbose).install()
    root = logging.getLogger()
    root.setLevel(level)
    for name in QUIET_LOGGERS:
        # httpx logs each request URL at INFO, and Bot API URLs contain the token.
        logging.getLogger(name).setLevel(logging.WARNING)
    for handler in root.handlers:  # a bot runs for days: say when things happened
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
    return uninstall
