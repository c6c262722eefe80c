"""Follow-ups in the REPL: each question is read against the session's previous one and
the reply says how; paging keeps the question as read."""

from __future__ import annotations

from rich.console import Console

from bot.followups import NO_EARLIER, FollowUpSearcher, with_followups
from bot.repl import Repl
from retrieval import Answer, Person

from .test_repl import FakeSearcher, run_lines


def session(searcher: FakeSearcher) -> tuple[Repl, Console]:
    console = Console(record=True, width=200, color_system=None, highlight=False)
    return Repl(with_followups(lambda: searcher), console, 3), console


def test_follow_ups_are_read_against_the_last_question_and_say_so() -> None:
    searcher = FakeSearcher(count=8, answer=Answer("people",
                                                   people=(Person("Tô Lâm", "", 1, True),)))
    repl, console = session(searcher)
    run_lines(repl, ["Ai dự ngày hội năm 2022 ở Cà Mau?", "còn ở Thanh Hóa thì sao?", ":more",
                     "ông ấy phát biểu gì?"])
    assert [call[0] for call in searcher.calls] == [
        "Ai dự ngày hội năm 2022 ở Cà Mau?", "Ai dự ngày hội năm 2022 ở Thanh Hóa?",
        "Ai dự ngày hội năm 2022 ở Thanh Hóa?", "Tô Lâm phát biểu gì?"]
    text = console.export_text()
    assert "Câu hỏi tiếp theo: hiểu là: «Ai dự ngày hội năm 2022 ở Thanh Hóa?»" in text
    assert "Câu hỏi tiếp theo: hiểu «ông ấy» là Tô Lâm" in text


def test_a_follow_up_with_no_earlier_question_is_searched_as_typed_and_says_so() -> None:
    searcher = FakeSearcher()
    repl, console = session(searcher)
    run_lines(repl, ["ông ấy phát biểu gì?"])
    assert searcher.calls[0][0] == "ông ấy phát biểu gì?"
    assert NO_EARLIER in console.export_text()


def test_the_wrapper_passes_everything_else_through() -> None:
    searcher = FakeSearcher(refreshed=True)
    wrapped = FollowUpSearcher(searcher)
    assert wrapped.refresh() is True and wrapped.articles() == searcher.articles()
    assert wrapped.calls is searcher.calls  # any other attribute
