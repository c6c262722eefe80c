"""Follow-ups read against the chat's previous question: a place or time swapped, a
pronoun for the person last named; none without an earlier question; bounded, expiring."""

from __future__ import annotations

import pytest

from retrieval import Answer, Person, SearchResponse
from retrieval.conversation import Conversations, Reading, Turn, read_followup, turn_of

LAST = Turn("Ai dự ngày hội năm 2022 ở Cà Mau?", "Tô Lâm")


@pytest.mark.parametrize(("question", "resolved"), [
    ("còn ở Thanh Hóa thì sao?", "Ai dự ngày hội năm 2022 ở Thanh Hóa?"),
    ("con o thanh hoa thi sao", "Ai dự ngày hội năm 2022 o thanh hoa?"),
    ("thế năm 2023?", "Ai dự ngày hội ở Cà Mau năm 2023?"),
    ("What about in 2023?", "Ai dự ngày hội ở Cà Mau in 2023?"),
    ("ông ấy phát biểu gì?", "Tô Lâm phát biểu gì?"),
])
def test_follow_ups_lean_on_the_last_question(question: str, resolved: str) -> None:
    reading = read_followup(question, LAST)
    assert reading.question == resolved and reading.how and not reading.missing_context


@pytest.mark.parametrize("question", ["Ai dự ngày hội?", "còn gì nữa?", "thế thôi"])
def test_other_questions_are_taken_as_they_are(question: str) -> None:
    assert read_followup(question, LAST) == Reading(question)


def test_an_english_follow_up_stays_english() -> None:
    last = Turn("Who attended the festival in Ca Mau?", "Tô Lâm")
    # The name goes in unaccented, or the question would be read as Vietnamese.
    assert read_followup("What did he say?", last) == Reading(
        "What did To Lam say?", "reading «he» as Tô Lâm", english=True)
    assert read_followup("and in Thanh Hoa?", last) == Reading(
        "Who attended the festival in Thanh Hoa?",
        "read as: «Who attended the festival in Thanh Hoa?»", english=True)
    assert read_followup("What did she say?", None).english


def test_a_follow_up_without_an_earlier_question_says_so() -> None:
    assert read_followup("còn ở Thanh Hóa thì sao?", None).missing_context
    assert read_followup("ông ấy phát biểu gì?", Turn("Ngày hội ở đâu?", None)).missing_context


def test_the_turn_keeps_who_the_answer_named() -> None:
    answer = Answer("people", people=(Person("Tô Lâm", "", 1, True),))
    assert turn_of(SearchResponse("Ai dự?", (), answer)) == Turn("Ai dự?", "Tô Lâm")
    assert turn_of(SearchResponse("Ngày hội ở đâu?", ())) == Turn("Ngày hội ở đâu?", None)


def test_per_chat_bounded_and_expiring() -> None:
    now = [0.0]
    chats = Conversations(max_chats=2, expires_after=60.0, clock=lambda: now[0])
    chats.remember(1, LAST)
    chats.remember(2, Turn("b", None))
    assert chats.read(1, "thế năm 2023?").question == "Ai dự ngày hội ở Cà Mau năm 2023?"
    assert chats.read(3, "thế năm 2023?").missing_context  # another chat knows nothing
    chats.remember(3, Turn("c", None))
    assert len(chats) == 2 and chats.last(1) is None  # asked longest ago: dropped
    now[0] = 61.0
    assert chats.last(3) is None  # expired
