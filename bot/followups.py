"""Follow-up questions in the REPL: the searcher is wrapped so each question is read against
the session's previous one (`retrieval.conversation`); the reply says how it was read."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from retrieval import ArticleInfo, SearchResponse
from retrieval.conversation import Conversations, turn_of

NO_EARLIER = ("Câu này dựa vào câu hỏi trước, nhưng chưa có câu hỏi nào (hoặc câu trước không "
              "nêu tên ai): tìm đúng như đã gõ.")


class FollowUpSearcher:
    """A searcher (anything with ``search``) whose first pages read follow-ups."""

    def __init__(self, inner: Any, chat: object = "repl",
                 conversations: Conversations | None = None) -> None:
        self._inner = inner
        self._chat = chat
        self._conversations = conversations if conversations is not None else Conversations()

    def search(self, question: str, top_k: int | None = None, offset: int = 0,
               **options: Any) -> SearchResponse:
        if offset > 0:  # a later page of a question already read
            response: SearchResponse = self._inner.search(question, top_k, offset, **options)
            return response
        reading = self._conversations.read(self._chat, question)
        response = self._inner.search(reading.question, top_k, offset, **options)
        self._conversations.remember(self._chat, turn_of(response))
        notice = NO_EARLIER if reading.missing_context else (
            f"Câu hỏi tiếp theo: {reading.how}" if reading.how else None)
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
