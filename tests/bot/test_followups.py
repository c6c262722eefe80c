"""The bot's follow-up state: per chat, bounded (least recently used chats go first) and
expiring, the question each follow-up was read as kept for its paging buttons."""

from __future__ import annotations

from typing import Any

from bot.followups import NO_EARLIER, NO_EARLIER_EN, ChatFollowUps
from retrieval import Answer, Person, SearchResponse


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Searcher:
    """Answers every question naming Tô Lâm; records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def search(self, question: str, top_k: int | None = None, offset: int = 0,
               **options: Any) -> SearchResponse:
        self.asked.append(question)
        answer = Answer("people", people=(Person("Tô Lâm", "", 1, True),))
        return SearchResponse(question=question, results=(), answer=answer, total=0)


def test_a_follow_up_leans_on_its_own_chat_only() -> None:
    searcher, followups = Searcher(), ChatFollowUps(10, 60)
    followups.search(searcher, 1, "Ai dự ngày hội ở Cà Mau?")
    response, reading = followups.search(searcher, 1, "ông ấy phát biểu gì?")
    assert reading is not None and reading.question == "Tô Lâm phát biểu gì?"
    assert response.notices[0] == "Câu hỏi tiếp theo: hiểu «ông ấy» là Tô Lâm"
    response, reading = followups.search(searcher, 2, "ông ấy phát biểu gì?")
    assert reading is not None and reading.missing_context and response.notices[0] == NO_EARLIER


def test_an_english_follow_up_is_told_in_english() -> None:
    searcher, followups = Searcher(), ChatFollowUps(10, 60)
    followups.search(searcher, 1, "Who attended the festival in Ca Mau?")
    response, reading = followups.search(searcher, 1, "What did he say?")
    assert reading is not None and reading.question == "What did To Lam say?"
    assert response.notices[0] == "Follow-up: reading «he» as Tô Lâm"
    response, _ = followups.search(searcher, 2, "What did he say?")
    assert response.notices[0] == NO_EARLIER_EN


def test_the_last_turn_expires() -> None:
    clock = Clock()
    searcher, followups = Searcher(), ChatFollowUps(10, 60, clock)
    followups.search(searcher, 1, "Ai dự ngày hội ở Cà Mau?")
    clock.now = 61
    _, reading = followups.search(searcher, 1, "còn ở Thanh Hóa thì sao?")
    assert reading is not None and reading.missing_context
    assert searcher.asked[-1] == "còn ở Thanh Hóa thì sao?"


def test_chats_are_bounded_least_recently_asked_first() -> None:
    searcher, followups = Searcher(), ChatFollowUps(3, 60)
    for chat in range(1, 5):
        followups.search(searcher, chat, "Ai dự ngày hội ở Cà Mau?")
    assert len(followups) == 3
    _, forgotten = followups.search(searcher, 1, "còn ở Thanh Hóa thì sao?")
    _, kept = followups.search(searcher, 4, "còn ở Thanh Hóa thì sao?")
    assert forgotten is not None and forgotten.missing_context
    assert kept is not None and kept.question == "Ai dự ngày hội ở Thanh Hóa?"


def test_a_question_not_read_is_still_remembered() -> None:
    searcher, followups = Searcher(), ChatFollowUps(3, 60)
    _, reading = followups.search(searcher, 1, "ông ấy là ai?", read=False)
    assert reading is None and searcher.asked == ["ông ấy là ai?"]
    _, reading = followups.search(searcher, 1, "ông ấy phát biểu gì?")
    assert reading is not None and reading.question == "Tô Lâm phát biểu gì?"


def test_off_reads_nothing_and_keeps_nothing() -> None:
    searcher, followups = Searcher(), ChatFollowUps(3, 0)
    followups.search(searcher, 1, "Ai dự ngày hội ở Cà Mau?")
    response, reading = followups.search(searcher, 1, "ông ấy phát biểu gì?")
    assert reading is None and not response.notices and len(followups) == 0


def test_the_question_a_follow_up_was_read_as_is_bounded_and_expires() -> None:
    clock = Clock()
    followups = ChatFollowUps(2, 60, clock)
    followups.keep(1, 10, "first")
    followups.keep(1, 11, "second")
    followups.keep(2, 10, "third")
    assert followups.read_as(1, 10) is None  # the least recently kept went first
    assert followups.read_as(1, 11) == "second" and followups.read_as(2, 10) == "third"
    clock.now = 61
    assert followups.read_as(2, 10) is None
