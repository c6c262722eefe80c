"""Inline results within the Bot API's limits, whatever the passages and answers hold."""

from __future__ import annotations

from bot import formatting as fmt
from bot.inline import MAX_RESULTS, MAX_SNIPPET, MAX_TITLE, inline_results
from retrieval import Answer, Person, SearchHit, SearchResponse, Source
from tests.support.fake_bot_api import parse_html, utf16_len


def hit(rank: int, text: str = "Đại tướng Tô Lâm dự ngày hội.", title: str = "Bài") -> SearchHit:
    return SearchHit(rank, 1.0, text, Source(f"{rank}.txt", title, "2022-08-11"), ((0, 8),),
                     rank)


def test_at_most_50_results_each_one_message_with_short_title_and_snippet() -> None:
    hits = tuple(hit(rank, "chữ " * 3000, "Tiêu đề <b>rất</b> dài\n" * 20)
                 for rank in range(1, 61))
    people = tuple(Person(f"Người {n}", "Bộ trưởng " * 20, 1, True) for n in range(200))
    response = SearchResponse("Ai <dự> & ở đâu?", hits, answer=Answer("people", people=people),
                              notices=("Đã lọc: ở Cà Mau",), total=60)
    results = inline_results(response)
    assert len(results) == MAX_RESULTS
    assert len({r.id for r in results}) == MAX_RESULTS
    for result in results:
        assert fmt.tg_len(result.title) <= MAX_TITLE and "\n" not in result.title
        assert result.description is not None and fmt.tg_len(result.description) <= MAX_SNIPPET
        html = result.input_message_content.message_text  # type: ignore[union-attr]
        text, _ = parse_html(html)  # valid HTML for Telegram, or this raises
        assert 0 < utf16_len(text) <= fmt.MAX_MESSAGE
        assert text.startswith("❓ Ai <dự> & ở đâu?")
        assert f"{result.id}.txt" in text and text.endswith("chữ…")  # source kept, cut shown


def test_the_first_result_carries_the_notices_and_the_short_answer() -> None:
    answer = Answer("people", people=(Person("Tô Lâm", "Đại tướng", 1, True),))
    response = SearchResponse("Ai dự?", (hit(1), hit(2)), answer=answer,
                              notices=("Đã lọc: ở Cà Mau",), total=2)
    first, second = (parse_html(r.input_message_content.message_text)[0]  # type: ignore
                     for r in inline_results(response))
    assert "Đã lọc: ở Cà Mau" in first and "Tô Lâm" in first
    assert "Đã lọc" not in second and "[2] Đại tướng Tô Lâm dự ngày hội." in second


def test_nothing_found_is_one_result_saying_so() -> None:
    [result] = inline_results(SearchResponse("Ai?", ()))
    assert parse_html(result.input_message_content.message_text)[0] == (  # type: ignore
        fmt.NO_RESULTS)
