"""The people list: the core decides the headings and who goes under each; the plain, rich
and Telegram front ends show the same groups in the same order."""

from __future__ import annotations

from rich.console import Console

from bot import formatting as fmt
from bot.render import render_plain
from bot.rich_render import render_answer
from bot.serialize import answer_from_dict, answer_to_dict, response_to_dict
from retrieval import Answer, Person, SearchHit, SearchResponse, Source, people_groups

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


def test_the_json_shape_round_trips_to_the_same_answer() -> None:
    assert answer_from_dict(answer_to_dict(ANSWER)) == ANSWER
    date = Answer(kind="date", value="11/8/2022", rank_of_passage=1)
    assert answer_from_dict(answer_to_dict(date)) == date
    assert answer_from_dict(None) is None


def _order(text: str, words: list[str]) -> list[int]:
    return [text.index(w) for w in words]


def test_every_front_end_shows_the_core_groups_in_order() -> None:
    hit = SearchHit(1, 1.0, "Đoạn văn.", Source("a.txt", "Tiêu đề", "2022-08-11"), (), 0)
    response = SearchResponse("Ai dự?", (hit,), ANSWER)
    words = ["Người tham dự", "Tô Lâm", "Nguyễn Tiến Hải", "Cũng được nhắc đến", "Hồ Văn A"]
    plain = render_plain(response_to_dict(response))
    console = Console(width=200, record=True, color_system=None)
    for line in render_answer(ANSWER):
        console.print(line)
    rich = console.export_text()
    block = fmt.answer_block(ANSWER)
    assert block is not None
    telegram = "".join(span.text for span in block)
    for text in (plain, rich, telegram):
        positions = _order(text, words)
        assert positions == sorted(positions), text
        assert text.count("Người tham dự") == 1
