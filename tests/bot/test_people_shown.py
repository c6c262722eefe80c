"""The people list: the core decides the headings and who goes under each; the plain, rich
and Telegram front ends show the same groups in the same order."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rich.console import Console

from bot import formatting as fmt
from bot.frontend.messages import set_language
from bot.render import render_plain
from bot.rich_render import render_answer, render_response
from bot.serialize import answer_from_dict, answer_to_dict, response_to_dict
from retrieval import (
    Answer,
    Person,
    SearchHit,
    SearchResponse,
    Source,
    answer_value,
    people_groups,
)

ANSWER = Answer(kind="people", people=(
    Person("Tô Lâm", "Đại tướng, Bộ trưởng Bộ Công an", 1, True),
    Person("Nguyễn Tiến Hải", "Bí thư Tỉnh ủy Cà Mau", 2, True),
    Person("Hồ Văn A", "", 3, False),
))


def test_groups_are_the_attendees_then_the_people_only_named() -> None:
    groups = people_groups(ANSWER)
    assert [(g.heading, [p.name for p in g.people]) for g in groups] == [
        ("Người tham dự", ["Tô Lâm", "Nguyễn Tiến Hải"]),
        ("Cũng được nhắc đến", ["Hồ Văn A"]),
    ]
    only_named = Answer(kind="people", people=ANSWER.people[2:])
    assert [g.heading for g in people_groups(only_named)] == ["Cũng được nhắc đến"]
    assert people_groups(Answer(kind="date", value="11/8/2022")) == ()
    assert people_groups(None) == ()


@pytest.mark.parametrize(("english", "headings"), [
    (False, ["Người giữ chức vụ được hỏi", "Cũng được nhắc đến"]),
    (True, ["Holding the title asked about", "Also mentioned"]),
])
def test_a_title_question_shows_who_holds_it_then_the_others(english: bool,
                                                              headings: list[str]) -> None:
    held = replace(ANSWER, holders=1)
    assert [(g.heading, [p.name for p in g.people])
            for g in people_groups(held, english=english)] == [
        (headings[0], ["Tô Lâm"]), (headings[1], ["Nguyễn Tiến Hải", "Hồ Văn A"])]
    everyone = replace(ANSWER, holders=3)
    assert [g.heading for g in people_groups(everyone, english=english)] == headings[:1]
    assert answer_from_dict(answer_to_dict(held)) == held
    # A question asking who someone is: that person, under a heading saying so.
    asked = replace(ANSWER, people=ANSWER.people[:1], named=True)
    assert [(g.heading, [p.name for p in g.people])
            for g in people_groups(asked, english=english)] == [
        ("Asked about" if english else "Người được hỏi", ["Tô Lâm"])]
    assert answer_from_dict(answer_to_dict(asked)) == asked
    # Nobody holds it: said, over everyone named.
    nobody = replace(ANSWER, holders=0)
    [group] = people_groups(nobody, english=english)
    assert group.heading == ("No passage names who holds the title asked about; also "
                             "mentioned" if english else "Không đoạn nào nêu người giữ chức "
                             "vụ được hỏi; cũng được nhắc đến")
    assert len(group.people) == 3
    assert answer_from_dict(answer_to_dict(nobody)) == nobody


def test_the_json_shape_round_trips_to_the_same_answer() -> None:
    assert answer_from_dict(answer_to_dict(ANSWER)) == ANSWER
    date = Answer(kind="date", value="11/8/2022", rank_of_passage=1)
    assert answer_from_dict(answer_to_dict(date)) == date
    article_date = Answer(kind="date", value="2022-08-11", rank_of_passage=1,
                          from_article_date=True)
    assert answer_from_dict(answer_to_dict(article_date)) == article_date
    assert answer_from_dict(None) is None


def _order(text: str, words: list[str]) -> list[int]:
    return [text.index(w) for w in words]


@pytest.mark.parametrize(("english", "words"), [
    (False, ["Người tham dự", "Tô Lâm", "Nguyễn Tiến Hải", "Cũng được nhắc đến", "Hồ Văn A"]),
    (True, ["Attended", "Tô Lâm", "Nguyễn Tiến Hải", "Also mentioned", "Hồ Văn A"]),
])
def test_every_front_end_shows_the_core_groups_in_order(english: bool,
                                                        words: list[str]) -> None:
    """The CLI and the REPL word the answer in their language; Telegram in the question's."""
    set_language("en" if english else "vi")
    hit = SearchHit(1, 1.0, "Đoạn văn.", Source("a.txt", "Tiêu đề", "2022-08-11"), (), 0)
    response = SearchResponse("Ai dự?", (hit,), ANSWER, english=english)
    plain = render_plain(response_to_dict(response))
    console = Console(width=200, record=True, color_system=None)
    for line in render_answer(ANSWER):
        console.print(line)
    rich = console.export_text()
    telegram = "\n".join(fmt.format_page(response, 0))
    for text in (plain, rich, telegram):
        positions = _order(text, words)
        assert positions == sorted(positions), text
        assert text.count(words[0]) == 1
        other = "Người tham dự" if english else "Attended"
        assert other not in text


def test_an_english_question_gets_english_words_in_a_vietnamese_cli_too() -> None:
    set_language("vi")
    hit = SearchHit(1, 1.0, "Đoạn văn.", Source("a.txt", "Tiêu đề", None), (), 0)
    response = SearchResponse("Who attended?", (hit,), ANSWER, english=True)
    plain = render_plain(response_to_dict(response))
    console = Console(width=200, record=True, color_system=None)
    console.print(render_response(response))
    rich = console.export_text()
    for text in (plain, rich):
        assert "Attended:" in text and "Also mentioned:" in text, text
        assert "Tiêu đề · date unknown · a.txt" in text and "Người tham dự" not in text
    vietnamese = render_plain(response_to_dict(SearchResponse("Ai dự?", (hit,), ANSWER)))
    assert "Người tham dự:" in vietnamese and "không rõ ngày" in vietnamese


def test_the_words_of_a_date_from_the_article_follow_the_language() -> None:
    answer = Answer(kind="date", value="2022-08", rank_of_passage=2, from_article_date=True)
    assert answer_value(answer) == "tháng 8/2022 (ngày của bài báo)"
    assert answer_value(answer, english=True) == "8/2022 (the article's date)"
    written = Answer(kind="date", value="Sáng 11/8/2022", rank_of_passage=1)
    assert answer_value(written, english=True) == "Sáng 11/8/2022"
    hit = SearchHit(2, 1.0, "Đoạn văn.", Source("a.txt", "Tiêu đề", "2022-08"), (), 0)
    english = "\n".join(fmt.format_page(SearchResponse("When?", (hit,), answer, english=True), 0))
    assert "📅 When: <b>8/2022 (the article's date)</b> [2]" in english
    assert "Tiêu đề</i> · 08/2022 ·" in english
    vietnamese = "\n".join(fmt.format_page(SearchResponse("Khi nào?", (hit,), answer), 0))
    assert "📅 Thời gian: <b>tháng 8/2022 (ngày của bài báo)</b> [2]" in vietnamese
    assert "Tiêu đề</i> · tháng 08/2022 ·" in vietnamese
