"""Follow-up questions in the REPL and the bot: the searcher is wrapped so each question is
read against the chat's previous one (`retrieval.conversation`); the reply says how it was
read."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from retrieval import ArticleInfo, SearchResponse
from retrieval.conversation import Conversations, Reading, turn_of

NO_EARLIER = ("Câu này dựa vào câu hỏi trước, nhưng chưa có câu hỏi nào (hoặc câu trước không "
              "nêu tên ai): tìm đúng như đã gõ.")
NO_EARLIER_EN = ("This question leans on an earlier one, but there is none (or it named "
                 "nobody): searched as typed.")


class FollowUpSearcher:
    """A searcher (anything with ``search``) whose first pages read follow-ups."""

    def __init__(self, inner: Any, chat: object = "repl",
                 conversations: Conversations | None = None) -> None:
        self._inner = inner
        self._chat = chat
        self._conversations = conversations if conversations is not None else Conversations()
        self.last_reading: Reading | None = None  # how the last first page was read

    def search(self, question: str, top_k: int | None = None, offset: int = 0,
               **options: Any) -> SearchResponse:
        if offset > 0:  # a later page of a question already read
            response: SearchResponse = self._inner.search(question, top_k, offset, **options)
            return response
        reading = self.last_reading = self._conversations.read(self._chat, question)
        response = self._inner.search(reading.question, top_k, offset, **options)
        self._conversations.remember(self._chat, turn_of(response))
        if reading.missing_context:
            notice: str | None = NO_EARLIER_EN if reading.english else NO_EARLIER
        elif reading.how:
            notice = f"{'Follow-up' if reading.english else 'Câu hỏi tiếp theo'}: {reading.how}"
        else:
            notice = None
        if notice:
            response = replace(response, notices=(notice, *response.notices))
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def refresh(self) -> bool:
        changed: bool = self._inner.refresh()
        return changed

    def articles(self) -> list[ArticleInfo]:
        found: list[ArticleInfo] = self._inner.articles()
        return found


def with_followups(get_searcher: Callable[[], Any]) -> Callable[[], FollowUpSearcher]:
    """A searcher getter whose searchers share one conversation (the REPL session's)."""
    conversations = Conversations()
    return lambda: FollowUpSearcher(get_searcher(), "repl", conversations)


class ChatFollowUps:
    """The bot's follow-ups: each chat's last turn, and the question each follow-up was read
    as (keyed by the message that asked it, so its paging buttons page that question).

    Both are bounded (``max_chats``, the least recently used go first) and expire after
    ``expires_after`` seconds; 0 turns follow-ups off.
    """

    def __init__(self, max_chats: int, expires_after: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.enabled = expires_after > 0
        self._conversations = Conversations(max_chats, expires_after, clock)
        self._read_as: OrderedDict[tuple[int, int], tuple[float, str]] = OrderedDict()
        self._max, self._expires, self._clock = max_chats, expires_after, clock
        self._lock = threading.Lock()

    def search(self, searcher: Any, chat_id: int, question: str, offset: int = 0, *,
               read: bool = True) -> tuple[SearchResponse, Reading | None]:
        """The page of ``question`` in ``chat_id`` at ``offset``; a first page is read as a
        follow-up if ``read`` and remembered either way (an example pressed is a question)."""
        if offset > 0 or not self.enabled:
            return searcher.search(question, offset=offset), None
        if not read:
            response: SearchResponse = searcher.search(question)
            self._conversations.remember(chat_id, turn_of(response))
            return response, None
        wrapped = FollowUpSearcher(searcher, chat_id, self._conversations)
        return wrapped.search(question), wrapped.last_reading

    def keep(self, chat_id: int, message_id: int, question: str) -> None:
        """The question the message ``message_id`` was read as, for its paging buttons."""
        with self._lock:
            key = (chat_id, message_id)
            self._read_as[key] = (self._clock(), question)
            self._read_as.move_to_end(key)
            while len(self._read_as) > self._max:
                self._read_as.popitem(last=False)

    def read_as(self, chat_id: int, message_id: int) -> str | None:
        with self._lock:
            found = self._read_as.get((chat_id, message_id))
            if found is None:
                return None
            if self._clock() - found[0] > self._expires:
                del self._read_as[(chat_id, message_id)]
                return None
            return found[1]

    def __len__(self) -> int:
        return len(self._conversations)
