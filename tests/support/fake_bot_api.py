"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests of the real bot.

It implements the methods the bot calls, checks them the way Telegram does (token, HTML,
message length, button data, replies, callback answers), queues updates for long polling
or delivers them to a webhook, records every call, and lets a test inject faults per method:
an HTTP status (with retry_after), a dropped connection, a delay or a body that is not JSON.
`BotProcess` runs `newsqa bot` as a subprocess against it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

T = TypeVar("T")
JSON = dict[str, Any]

REPO = Path(__file__).resolve().parents[2]
DEFAULT_TOKEN = "123456789:AAE-fake_token_for_tests_only_0123456"
BOT_USER: JSON = {"id": 4242, "is_bot": True, "first_name": "Tin tức QA",
                  "username": "newsqa_test_bot", "can_join_groups": True,
                  "can_read_all_group_messages": False, "supports_inline_queries": True}
MAX_TEXT = 4096
MAX_INLINE_RESULTS = 50
MAX_RESULT_ID = 64
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
# Parameters Telegram reads as plain strings; everything else arrives JSON-encoded.
STRING_FIELDS = {"text", "parse_mode", "callback_query_id", "action", "url", "secret_token",
                 "caption", "description", "language_code"}
ALLOWED_ACTIONS = {"typing", "upload_photo", "record_video", "upload_video", "record_voice",
                   "upload_voice", "upload_document", "choose_sticker", "find_location",
                   "record_video_note", "upload_video_note"}


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


@dataclass(frozen=True)
class Fault:
    """What the next call of a method gets instead of a normal answer (fields combine)."""

    status: int | None = None  # answer with this HTTP status and an error body
    retry_after: int | None = None  # with status 429: parameters.retry_after
    drop: bool = False  # close the connection without answering (nothing is processed)
    delay: float = 0.0  # wait this long first (then process, unless another field says no)
    bad_json: bool = False  # answer 200 with a body that is not JSON (nothing is processed)
    description: str = "Internal Server Error"


@dataclass
class ApiCall:
    method: str
    params: JSON
    at: float  # time.monotonic() when received
    fault: Fault | None = None
    status: int = 0  # HTTP status; -1: connection dropped, -2: a body that is not JSON
    result: Any = None  # the result on 200, else the error body


# --- Telegram's HTML ---------------------------------------------------------------------

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_ENTITY_CHARS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAGS = {"b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
         "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
         "del": "strikethrough", "code": "code", "pre": "pre", "a": "text_link",
         "tg-spoiler": "spoiler", "span": "spoiler", "blockquote": "blockquote"}


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(source: str) -> tuple[str, list[JSON]]:
    """Telegram's HTML parse mode: plain text and entities, or ApiError like Telegram's."""
    out: list[str] = []
    position = 0
    stack: list[tuple[str, str, int, JSON]] = []
    entities: list[JSON] = []
    i = 0
    while i < len(source):
        char = source[i]
        if char == "<":
            match = _TAG.match(source, i)
            if match is None:
                raise _parse_error(f"Unexpected '<' at byte offset {i}")
            closing, name, attrs = match[1] == "/", match[2].lower(), match[3]
            if name not in _TAGS:
                raise _parse_error(f'Unsupported start tag "{name}" at byte offset {i}')
            if closing:
                if not stack or stack[-1][0] != name:
                    raise _parse_error(f'Unmatched end tag at byte offset {i}, expected '
                                       f'"</{stack[-1][0] if stack else ""}>", found "</{name}>"')
                _, kind, start, attributes = stack.pop()
                if position > start:
                    entities.append({"type": kind, "offset": start, "length": position - start,
                                     **attributes})
            else:
                extra: JSON = {}
                if name == "a":
                    href = re.search(r'href\s*=\s*"([^"]*)"', attrs)
                    if href is None:
                        raise _parse_error("Can't find href in <a> tag")
                    extra["url"] = href[1]
                stack.append((name, _TAGS[name], position, extra))
            i = match.end()
            continue
        if char == "&":
            match = _ENTITY.match(source, i)
            if match is None:
                raise _parse_error(f"Unsupported HTML entity at byte offset {i}")
            name = match[1]
            if name.startswith("#x"):
                decoded = chr(int(name[2:], 16))
            elif name.startswith("#"):
                decoded = chr(int(name[1:]))
            else:
                decoded = _ENTITY_CHARS[name]
            out.append(decoded)
            position += utf16_len(decoded)
            i = match.end()
            continue
        if char == ">":
            raise _parse_error(f"Unexpected '>' at byte offset {i}")
        out.append(char)
        position += utf16_len(char)
        i += 1
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    return "".join(out), sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _parse_error(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def entity_texts(message: JSON, kind: str) -> list[str]:
    """The text covered by each entity of ``kind`` in a message (offsets are UTF-16)."""
    encoded = message.get("text", "").encode("utf-16-le")
    return [encoded[2 * e["offset"]:2 * (e["offset"] + e["length"])].decode("utf-16-le")
            for e in message.get("entities", []) if e["type"] == kind]


def _auto_entities(text: str) -> list[JSON]:
    """The entities Telegram adds to a user's text: a leading bot command and @mentions."""
    entities: list[JSON] = []
    command = re.match(r"/[A-Za-z0-9_]{1,32}(@[A-Za-z0-9_]{3,32})?", text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command[0])})
    for mention in re.finditer(r"(?<![\w/])@[A-Za-z0-9_]{5,32}", text):
        entities.append({"type": "mention", "offset": utf16_len(text[:mention.start()]),
                         "length": utf16_len(mention[0])})
    return entities


# --- people and chats --------------------------------------------------------------------

def user(user_id: int, name: str | None = None, language_code: str = "vi") -> JSON:
    return {"id": user_id, "is_bot": False, "first_name": name or f"Người dùng {user_id}",
            "language_code": language_code}


def private_chat(user_id: int) -> JSON:
    return {"id": user_id, "type": "private", "first_name": f"Người dùng {user_id}"}


def group_chat(chat_id: int, title: str = "Nhóm thử") -> JSON:
    return {"id": chat_id, "type": "supergroup", "title": title}


# --- the server --------------------------------------------------------------------------

class FakeBotApi:
    """The Bot API on 127.0.0.1:<port>, run in a background thread; safe to drive from tests."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        self.token = token
        self.bot = dict(BOT_USER)
        self._lock = threading.Condition()
        self._calls: list[ApiCall] = []
        self._counts: dict[str, Counter[int]] = defaultdict(Counter)
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._updates: list[JSON] = []  # not yet confirmed by an offset / delivered
        self.pushed_at: dict[int, float] = {}
        self._update_ids = itertools.count(1000)
        self._message_ids: dict[int, Iterator[int]] = defaultdict(lambda: itertools.count(1))
        self._messages: dict[tuple[int, int], JSON] = {}
        self._html: dict[tuple[int, int], str] = {}
        self._chats: dict[int, JSON] = {}
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._inline: dict[str, bool] = {}  # inline query id -> answered
        self._query_ids = itertools.count(1)
        self.commands: list[JSON] = []
        self.commands_by_language: dict[str, list[JSON]] = {}  # setMyCommands language_code
        self.webhook: JSON | None = None
        self.webhook_deliveries = 0
        self.last_update_id = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._waiters: set[asyncio.Future[None]] = set()
        self._delivery: asyncio.Task[None] | None = None
        self.port = 0

    # --- lifecycle -----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeBotApi:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True,
                                        name="fake-bot-api")
        self._thread.start()
        if not ready.wait(10) or not self.port:
            raise RuntimeError("the fake Bot API did not start")
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._loop = self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, ready: threading.Event) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0, backlog=1024)
        loop.run_until_complete(site.start())
        server = site._server
        assert isinstance(server, asyncio.Server) and server.sockets
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _shutdown(self) -> None:
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)
        if self._delivery is not None:
            self._delivery.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test side: updates ----------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def push_update(self, update: JSON) -> None:
        """Queue an update as is (it may be malformed on purpose)."""
        with self._lock:
            self._updates.append(update)
            if isinstance(update.get("update_id"), int):
                self.pushed_at.setdefault(update["update_id"], time.monotonic())
        self._wake()

    def send_text(self, text: str, *, chat: JSON, sender: JSON | None = None,
                  reply_to: JSON | None = None, kind: str = "message") -> JSON:
        """A user's text message (``kind`` may be 'edited_message' or 'channel_post')."""
        sender = sender or (user(chat["id"]) if chat["type"] == "private" else user(1))
        message: JSON = {"message_id": next(self._message_ids[chat["id"]]), "date": _now(),
                         "chat": chat, "text": text}
        if kind != "channel_post":
            message["from"] = sender
        entities = _auto_entities(text)
        if entities:
            message["entities"] = entities
        if kind == "edited_message":
            message["edit_date"] = _now()
        if reply_to is not None:
            message["reply_to_message"] = _without_reply(reply_to)
        self.push_message(message, kind=kind)
        return message

    def ask(self, user_id: int, text: str) -> JSON:
        """A question in the private chat of ``user_id``."""
        return self.send_text(text, chat=private_chat(user_id))

    def push_message(self, message: JSON, *, kind: str = "message") -> int:
        """Queue any message (a sticker, a photo...); returns the update id."""
        with self._lock:
            self._chats[message["chat"]["id"]] = message["chat"]
            self._messages[(message["chat"]["id"], message["message_id"])] = message
        update_id = self.next_update_id()
        self.last_update_id = update_id
        self.push_update({"update_id": update_id, kind: message})
        return update_id

    def press(self, message: JSON, data: str, *, sender: JSON | None = None,
              as_stored: bool = True) -> str:
        """A press on an inline button of a bot message; returns the callback query id.

        The query carries the message as the server stores it now, or ``message`` itself
        with ``as_stored=False`` (e.g. without the question it replied to, once deleted).
        """
        chat = message["chat"]
        with self._lock:
            current = message
            if as_stored:
                current = self._messages.get((chat["id"], message["message_id"]), message)
            query_id = f"q{next(self._query_ids)}"
            self._queries[query_id] = False
        sender = sender or (user(chat["id"]) if chat["type"] == "private" else user(1))
        self.push_update({"update_id": self.next_update_id(), "callback_query": {
            "id": query_id, "from": sender, "message": current, "chat_instance": "ci-1",
            "data": data}})
        return query_id

    def inline(self, user_id: int, text: str, *, chat_type: str = "sender",
               language_code: str = "vi") -> str:
        """An inline query '@bot text' typed by ``user_id``; returns the query id.

        Telegram cuts queries at 256 characters; this sends ``text`` whole, as a
        misbehaving server might.
        """
        with self._lock:
            query_id = f"i{next(self._query_ids)}"
            self._inline[query_id] = False
        self.push_update({"update_id": self.next_update_id(), "inline_query": {
            "id": query_id, "from": user(user_id, language_code=language_code), "query": text,
            "offset": "",
            "chat_type": chat_type}})
        return query_id

    def inline_answers(self, query_id: str) -> list[ApiCall]:
        """answerInlineQuery calls for one inline query that have been answered (a call is
        recorded when it arrives, before its status is set)."""
        return [c for c in self.calls("answerInlineQuery")
                if str(c.params.get("inline_query_id")) == query_id and c.status != 0]

    def forget(self) -> None:
        """Drops the record of calls and messages so far (long benchmarks); counts stay."""
        with self._lock:
            self._calls.clear()
            self._messages.clear()
            self._html.clear()
            self._queries = {k: v for k, v in self._queries.items() if not v}
            self.pushed_at.clear()

    def inject(self, method: str, *faults: Fault) -> None:
        """The next calls of ``method`` get these faults, in order."""
        with self._lock:
            self._faults[method].extend(faults)

    def pending_faults(self, method: str) -> int:
        with self._lock:
            return len(self._faults[method])

    # --- test side: what the bot did -------------------------------------------------------

    def calls(self, method: str | None = None) -> list[ApiCall]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def count(self, method: str, status: int | None = None) -> int:
        """How many calls of ``method`` (with this status) were answered so far."""
        with self._lock:
            counts = self._counts[method]
            return sum(counts.values()) if status is None else counts[status]

    def sent(self, chat_id: int | None = None) -> list[JSON]:
        """Messages the bot sent (as Telegram returned them), in order."""
        return [c.result for c in self.calls("sendMessage")
                if c.status == 200 and (chat_id is None or c.result["chat"]["id"] == chat_id)]

    def answers(self, query_id: str) -> list[ApiCall]:
        """answerCallbackQuery calls for one press that have been answered."""
        return [c for c in self.calls("answerCallbackQuery")
                if str(c.params.get("callback_query_id")) == query_id and c.status != 0]

    def message(self, chat_id: int, message_id: int) -> JSON:
        """The current state of a message (after edits)."""
        with self._lock:
            return self._messages[(chat_id, message_id)]

    def call_of(self, message: JSON) -> ApiCall:
        """The sendMessage call that created a bot message."""
        for call in self.calls("sendMessage"):
            if call.status == 200 and call.result["chat"]["id"] == message["chat"]["id"] and \
                    call.result["message_id"] == message["message_id"]:
                return call
        raise KeyError(message["message_id"])

    def html(self, message: JSON) -> str:
        """The HTML source the bot sent for a message (latest edit)."""
        with self._lock:
            return self._html[(message["chat"]["id"], message["message_id"])]

    def replies_to(self, message: JSON) -> list[JSON]:
        chat_id = message["chat"]["id"]
        return [m for m in self.sent(chat_id)
                if m.get("reply_to_message", {}).get("message_id") == message["message_id"]]

    def wait_for(self, predicate: Callable[[], T | bool | None], timeout: float = 15.0,
                 what: str = "the condition") -> T:
        """Waits until ``predicate()`` is truthy (re-checked whenever the bot calls)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                value = predicate()
                if value:
                    return value  # type: ignore[return-value]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
                self._lock.wait(min(remaining, 0.2))

    def wait_reply(self, message: JSON, count: int = 1, timeout: float = 15.0) -> list[JSON]:
        def found() -> list[JSON] | None:
            replies = self.replies_to(message)
            return replies if len(replies) >= count else None
        return self.wait_for(found, timeout, f"{count} reply(ies) to {message.get('text')!r}")

    def wait_calls(self, method: str, count: int = 1, timeout: float = 15.0,
                   where: Callable[[ApiCall], bool] = lambda call: True) -> list[ApiCall]:
        """Waits for ``count`` answered calls of ``method`` (a call is recorded when it
        arrives, before the fake has acted on it)."""
        def found() -> list[ApiCall] | None:
            matching = [c for c in self.calls(method) if c.status != 0 and where(c)]
            return matching if len(matching) >= count else None
        return self.wait_for(found, timeout, f"{count} {method} call(s)")

    def quiet(self, seconds: float = 1.0) -> None:
        """Waits until the bot has made no call for ``seconds`` (counted from now at least)."""
        since = time.monotonic()

        def idle() -> bool:
            calls = [c for c in self._calls if c.method != "getUpdates"]
            last = max(since, calls[-1].at) if calls else since
            return time.monotonic() - last >= seconds
        self.wait_for(idle, 30, "the bot to go quiet")

    # --- server side -----------------------------------------------------------------------

    def _wake(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._wake_waiters)
        with self._lock:
            self._lock.notify_all()

    def _wake_waiters(self) -> None:
        for waiter in list(self._waiters):
            if not waiter.done():
                waiter.set_result(None)
        if self.webhook is not None and (self._delivery is None or self._delivery.done()):
            self._delivery = asyncio.create_task(self._deliver())

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        try:
            params = await _params(request)
        except ConnectionResetError:  # the client gave up while sending: nothing happened
            return web.Response(status=499)
        call = ApiCall(method, params, time.monotonic())
        with self._lock:
            fault = self._faults[method].popleft() if self._faults[method] else None
            call.fault = fault
            self._calls.append(call)
            self._lock.notify_all()
        if request.match_info["token"] != self.token:
            return self._finish(call, 401, {"ok": False, "error_code": 401,
                                            "description": "Unauthorized"})
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                call.status = -1
                assert request.transport is not None
                request.transport.abort()
                raise asyncio.CancelledError
            if fault.bad_json:
                call.status = -2
                return web.Response(status=200, text="<html>upstream hiccup</html>",
                                    content_type="text/html")
            if fault.status is not None:
                body: JSON = {"ok": False, "error_code": fault.status,
                              "description": fault.description}
                if fault.retry_after is not None:
                    body["parameters"] = {"retry_after": fault.retry_after}
                    body["description"] = (f"Too Many Requests: retry after "
                                           f"{fault.retry_after}")
                return self._finish(call, fault.status, body)
        try:
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            result = await handler(params)
        except ApiError as exc:
            body = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            return self._finish(call, exc.code, body)
        return self._finish(call, 200, {"ok": True, "result": result})

    def _finish(self, call: ApiCall, status: int, body: JSON) -> web.Response:
        with self._lock:
            call.status = status
            call.result = body.get("result") if status == 200 else body
            self._counts[call.method][status] += 1
            self._lock.notify_all()
        return web.json_response(body, status=status)

    # --- methods ---------------------------------------------------------------------------

    async def _api_getme(self, params: JSON) -> JSON:
        return self.bot

    async def _api_getupdates(self, params: JSON) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active;"
                                " use deleteWebhook to delete the webhook first")
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        while True:
            with self._lock:
                if offset:
                    self._updates = [u for u in self._updates
                                     if not isinstance(u.get("update_id"), int)
                                     or u["update_id"] >= offset]
                batch = self._updates[:limit]
                # An update without an id cannot be confirmed: Telegram-like, hand it out once.
                self._updates = [u for u in self._updates
                                 if isinstance(u.get("update_id"), int) or u not in batch]
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0:
                return batch
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self._waiters.add(waiter)
            try:
                await asyncio.wait_for(waiter, remaining)
            except TimeoutError:
                pass
            finally:
                self._waiters.discard(waiter)

    async def _api_deletewebhook(self, params: JSON) -> bool:
        with self._lock:
            self.webhook = None
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    async def _api_setwebhook(self, params: JSON) -> bool:
        url = params.get("url", "")
        if not url:
            return await self._api_deletewebhook(params)
        with self._lock:
            self.webhook = {"url": url, "secret_token": params.get("secret_token"),
                            "allowed_updates": params.get("allowed_updates")}
            if params.get("drop_pending_updates"):
                self._updates.clear()
        self._wake_waiters()
        return True

    async def _api_getwebhookinfo(self, params: JSON) -> JSON:
        with self._lock:
            return {"url": (self.webhook or {}).get("url", ""), "has_custom_certificate": False,
                    "pending_update_count": len(self._updates)}

    async def _api_setmycommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list")
        for command in commands:
            name, description = command.get("command", ""), command.get("description", "")
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name) or not 1 <= len(description) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        language = params.get("language_code")
        if language is None:
            self.commands = commands
        elif isinstance(language, str) and re.fullmatch(r"[a-z]{2}", language):
            self.commands_by_language[language] = commands
        else:
            raise ApiError(400, "Bad Request: invalid language code specified")
        return True

    async def _api_getmycommands(self, params: JSON) -> list[JSON]:
        language = params.get("language_code")
        return self.commands_by_language.get(language, self.commands) if language \
            else self.commands

    async def _api_sendchataction(self, params: JSON) -> bool:
        self._chat(params)
        if params.get("action") not in ALLOWED_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _api_sendmessage(self, params: JSON) -> JSON:
        chat = self._chat(params)
        text, entities = self._text(params)
        markup = _check_markup(params.get("reply_markup"))
        reply = params.get("reply_parameters") or {}
        if "reply_to_message_id" in params:
            reply = {"message_id": params["reply_to_message_id"]}
        with self._lock:
            message: JSON = {"message_id": next(self._message_ids[chat["id"]]),
                             "from": self.bot, "chat": chat, "date": _now(), "text": text}
            if entities:
                message["entities"] = entities
            if markup:
                message["reply_markup"] = markup
            if reply.get("message_id"):
                original = self._messages.get((chat["id"], int(reply["message_id"])))
                if original is not None:
                    message["reply_to_message"] = _without_reply(original)
                elif not reply.get("allow_sending_without_reply"):
                    raise ApiError(400, "Bad Request: message to be replied not found")
            key = (chat["id"], message["message_id"])
            self._messages[key] = message
            self._html[key] = params.get("text", "")
        return message

    async def _api_editmessagetext(self, params: JSON) -> JSON:
        chat = self._chat(params)
        text, entities = self._text(params)
        markup = _check_markup(params.get("reply_markup"))
        with self._lock:
            key = (chat["id"], int(params.get("message_id") or 0))
            old = self._messages.get(key)
            if old is None:
                raise ApiError(400, "Bad Request: message to edit not found")
            if old.get("from", {}).get("id") != self.bot["id"]:
                raise ApiError(400, "Bad Request: message can't be edited")
            if (old["text"], old.get("entities", []), old.get("reply_markup")) == (
                    text, entities, markup or None):
                raise ApiError(400, "Bad Request: message is not modified: specified new "
                                    "message content and reply markup are exactly the same as "
                                    "a current content and reply markup of the message")
            new = {k: v for k, v in old.items() if k not in ("entities", "reply_markup")}
            new.update(text=text, edit_date=_now())
            if entities:
                new["entities"] = entities
            if markup:
                new["reply_markup"] = markup
            self._messages[key] = new
            self._html[key] = params.get("text", "")
        return new

    async def _api_answercallbackquery(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if len(str(params.get("text", ""))) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        with self._lock:
            if self._queries.get(query_id, True):
                raise ApiError(400, "Bad Request: query is too old and response timeout "
                                    "expired or query ID is invalid")
            self._queries[query_id] = True
        return True

    async def _api_answerinlinequery(self, params: JSON) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        results = params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids: set[str] = set()
        for result in results:
            result_id = result.get("id") if isinstance(result, dict) else None
            if not isinstance(result_id, str) or not (
                    1 <= len(result_id.encode()) <= MAX_RESULT_ID):
                raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
            if result_id in ids:
                raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
            ids.add(result_id)
            if result.get("type") != "article" or not str(result.get("title") or "").strip():
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
            content = result.get("input_message_content")
            if not isinstance(content, dict):
                raise ApiError(400, "Bad Request: MESSAGE_EMPTY")
            self._text({"text": content.get("message_text"),
                        "parse_mode": content.get("parse_mode")})
            _check_markup(result.get("reply_markup"))
        cache_time = params.get("cache_time")
        if cache_time is not None and (not isinstance(cache_time, int) or cache_time < 0):
            raise ApiError(400, "Bad Request: wrong cache_time")
        with self._lock:
            if self._inline.get(query_id, True):
                raise ApiError(400, "Bad Request: query is too old and response timeout "
                                    "expired or query ID is invalid")
            self._inline[query_id] = True
        return True

    async def _api_close(self, params: JSON) -> bool:
        return True

    async def _api_logout(self, params: JSON) -> bool:
        return True

    def _chat(self, params: JSON) -> JSON:
        chat_id = params.get("chat_id")
        with self._lock:
            chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        return chat

    @staticmethod
    def _text(params: JSON) -> tuple[str, list[JSON]]:
        source = params.get("text")
        if not isinstance(source, str) or not source.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        mode = str(params.get("parse_mode") or "").lower()
        text, entities = parse_html(source) if mode == "html" else (source, [])
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        return text, entities

    # --- webhook delivery ------------------------------------------------------------------

    async def _deliver(self) -> None:
        """Posts queued updates to the webhook one by one, retrying until each is taken."""
        async with aiohttp.ClientSession() as session:
            while True:
                with self._lock:
                    hook = self.webhook
                    update = self._updates[0] if self._updates else None
                if hook is None or update is None:
                    return
                headers = {"Content-Type": "application/json"}
                if hook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = hook["secret_token"]
                try:
                    async with session.post(hook["url"], data=json.dumps(update),
                                            headers=headers) as response:
                        ok = response.status == 200
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    with self._lock:
                        self.webhook_deliveries += 1
                        if self._updates and self._updates[0] is update:
                            self._updates.pop(0)
                        self._lock.notify_all()
                else:
                    await asyncio.sleep(0.2)


async def _params(request: web.Request) -> JSON:
    raw: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        with contextlib.suppress(ValueError):
            body = await request.json()
            if isinstance(body, dict):
                return {**raw, **body}
    elif request.can_read_body:
        form = await request.post()
        raw.update({k: v for k, v in form.items() if isinstance(v, str)})
    params: JSON = {}
    for key, value in raw.items():
        if key in STRING_FIELDS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _check_markup(markup: Any) -> JSON | None:
    if markup is None:
        return None
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise ApiError(400, "Bad Request: text buttons are unallowed in the inline "
                                    "keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= MAX_CALLBACK_DATA:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup if any(rows) else None


def _without_reply(message: JSON) -> JSON:
    """Telegram nests replied-to messages one level deep."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def _now() -> int:
    return int(time.time())


# --- the real bot as a subprocess --------------------------------------------------------

@dataclass
class BotProcess:
    """`python -m bot.cli bot` polling ``fake``; always stopped on exit, output kept in a file."""

    fake: FakeBotApi
    index_dir: Path
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)
    articles_dir: Path = REPO / "seeds"
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    def start(self, ready_timeout: float = 90.0, wait_ready: bool = True) -> BotProcess:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / f"bot-{len(list(self.workdir.glob('bot-*.log')))}.log"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TELEGRAM_", "NEWSQA_"))}
        env.update({
            "TELEGRAM_BOT_TOKEN": self.fake.token, "TELEGRAM_BASE_URL": self.fake.base_url,
            "TELEGRAM_RETRY_BACKOFF": "0.05", "TELEGRAM_POLL_TIMEOUT": "2",
            "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1",
        })
        env.update(self.env)
        polls_before = len(self.fake.calls("getUpdates"))
        hooks_before = len(self.fake.calls("setWebhook"))
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "bot", "--index", str(self.index_dir),
                 "--articles", str(self.articles_dir)],
                cwd=self.workdir, env=env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait_ready:
            def ready() -> bool:
                if self.process is not None and self.process.poll() is not None:
                    raise AssertionError(f"the bot exited early:\n{self.output()}")
                return (len(self.fake.calls("getUpdates")) > polls_before
                        or len(self.fake.calls("setWebhook")) > hooks_before)
            try:
                self.fake.wait_for(ready, ready_timeout, "the bot to start polling")
            except AssertionError:
                self.stop()
                raise
        return self

    def stop(self, timeout: float = 20.0) -> int:
        """SIGTERM, then SIGKILL after ``timeout``; returns the exit code."""
        process = self.process
        if process is None:
            return 0
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        return process.returncode

    def wait(self, timeout: float = 60.0) -> int:
        assert self.process is not None
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise

    def output(self) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def __enter__(self) -> BotProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
