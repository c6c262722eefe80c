"""People and events extracted per article: events with day and place, people with the
title each article gives and their role, tied to their passage; one person under every
form of the name; namesakes apart; stored rows round-trip; built incrementally."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest

from retrieval import Article, CorruptIndexError, load_articles
from retrieval.chunking import chunk_article
from retrieval.events.catalog import PeopleCatalog
from retrieval.events.evaluate import reverse_scores, role_scores
from retrieval.events.extract import extract_facts
from retrieval.events.model import FACTS_VERSION, ArticleFacts
from retrieval.events.reverse import events_answer
from retrieval.events.storage import (
    build_facts,
    dump_facts,
    facts_from_rows,
    facts_rows,
    load_facts,
    read_facts_file,
    write_facts_file,
)
from retrieval.store.protocol import Generation, body_text
from retrieval.types import ArticleInfo, Chunk

REPO = Path(__file__).resolve().parents[2]
GOLD = json.loads((REPO / "tests" / "eval" / "events.json").read_text(encoding="utf-8"))


def words(text: str) -> int:
    return len(text.split()) + 2


def article(file: str, body: str, date: str | None = "2024-03-05",
            title: str = "Tiêu đề") -> Article:
    return Article(file, title, date, body, f"hash-{hash(body)}", True)


def chunks_of(a: Article, max_tokens: int = 60) -> list[Chunk]:
    return chunk_article(a, words, max_tokens, 1)


def facts(a: Article) -> ArticleFacts:
    return extract_facts(a, chunks_of(a))


CA_MAU = article("ca_mau.txt", (
    "Sáng 11/8/2022, Đại tướng Tô Lâm, Bộ trưởng Bộ Công an đã đến dự Ngày hội Toàn dân "
    "bảo vệ an ninh Tổ quốc năm 2022 tại xã Hưng Mỹ, huyện Cái Nước, tỉnh Cà Mau.\n\n"
    "Về phía tỉnh có đồng chí Huỳnh Quốc Việt, Chủ tịch UBND tỉnh Cà Mau.\n\n"
    "Phát biểu tại Ngày hội, Bộ trưởng Tô Lâm nhấn mạnh vai trò của nhân dân.\n\n"
    "Bộ trưởng Tô Lâm trao Bằng khen cho ông Lê Văn Tám, Trưởng ấp Thị Tường A.\n\n"
    "Bộ trưởng Tô Lâm cảm ơn các bộ, ngành đã phối hợp tổ chức Hội nghị sơ kết năm 2021."
), date="2022-08-11")


def test_an_event_with_its_day_place_and_passage() -> None:
    found = facts(CA_MAU)
    assert [(e.what, e.date, e.place) for e in found.events] == [
        ("Ngày hội Toàn dân bảo vệ an ninh Tổ quốc năm 2022", "2022-08-11",
         "xã Hưng Mỹ, huyện Cái Nước, tỉnh Cà Mau")]
    event = found.events[0]
    assert event.date_text == "Sáng 11/8/2022"
    assert event.evidence.startswith("Sáng 11/8/2022, Đại tướng Tô Lâm")
    assert event.chunk == 0


def test_people_with_titles_roles_and_passages() -> None:
    found = facts(CA_MAU)
    rows = [(m.name, m.title, m.roles, m.event) for m in found.mentions]
    assert rows == [
        ("Tô Lâm", "Đại tướng, Bộ trưởng Bộ Công an", ("attended",), 0),
        ("Huỳnh Quốc Việt", "Chủ tịch UBND tỉnh Cà Mau", ("attended",), 0),
        ("Tô Lâm", "Bộ trưởng", ("attended", "spoke"), 0),
        ("Tô Lâm", "Bộ trưởng", ("attended", "awarded"), 0),
        ("Lê Văn Tám", "Trưởng ấp Thị Tường A", ("attended", "was_awarded"), 0),
        # Thanking those who held another event is no part in it: the article's event.
        ("Tô Lâm", "Bộ trưởng", (), None),
    ]
    chunks = chunks_of(CA_MAU)
    for m in found.mentions:
        passage = next(c for c in chunks if c.ordinal == m.chunk)
        assert m.name in passage.text and m.evidence in CA_MAU.body


def test_the_subject_of_another_event_is_not_an_event() -> None:
    a = article("hoi_nghi.txt", (
        "Chiều 23/11/2022, Bộ Công an tổ chức Hội nghị trực tuyến tổng kết công tác tổ chức "
        "“Ngày hội Toàn dân bảo vệ an ninh Tổ quốc” năm 2022. Dự và chủ trì hội nghị có "
        "đồng chí Trung tướng Lê Quốc Hùng, Thứ trưởng Bộ Công an."))
    found = facts(a)
    assert [e.what for e in found.events] == [
        "Hội nghị trực tuyến tổng kết công tác tổ chức “Ngày hội Toàn dân bảo vệ an ninh Tổ "
        "quốc” năm 2022"]
    assert found.events[0].date == "2022-11-23"
    assert [(m.name, m.roles, m.event) for m in found.mentions] == [
        ("Lê Quốc Hùng", ("attended", "presided"), 0)]


def test_an_article_without_an_event_still_names_its_people() -> None:
    a = article("vu_an.txt", "Đại tá Nguyễn Quốc Toản, Phó Giám đốc Công an tỉnh Quảng Nam "
                             "cho biết cơ quan điều tra đã khởi tố vụ án.")
    found = facts(a)
    assert found.events == ()
    assert [(m.name, m.event) for m in found.mentions] == [("Nguyễn Quốc Toản", None)]


def test_one_person_under_every_form_of_the_name() -> None:
    items = [
        facts(CA_MAU),
        facts(article("b.txt", "Sáng 2/3/2024, đồng chí Tô Lâm dự Hội nghị Công an toàn quốc "
                               "tại Hà Nội.", date="2024-03-02")),
        facts(article("c.txt", "Sáng 9/5/2024, ông To Lam tham dự Lễ kỷ niệm 70 năm chiến "
                               "thắng Điện Biên Phủ tại Điện Biên.", date="2024-05-09")),
    ]
    catalog = PeopleCatalog(items)
    assert [p.name for p in catalog.people].count("Tô Lâm") == 1
    for query in ("Đại tướng Tô Lâm", "Bộ trưởng Tô Lâm", "đồng chí Tô Lâm", "To Lam",
                  "to lam", "TÔ LÂM"):
        match = catalog.find(query)
        assert match.exact and [p.name for p in match.people] == ["Tô Lâm"], query
    person = catalog.find("Tô Lâm").people[0]
    events = catalog.events_of(person)
    assert [(e.what, e.date) for e in events] == [
        ("Lễ kỷ niệm 70 năm chiến thắng Điện Biên Phủ", "2024-05-09"),
        ("Hội nghị Công an toàn quốc", "2024-03-02"),
        ("Ngày hội Toàn dân bảo vệ an ninh Tổ quốc năm 2022", "2022-08-11"),
    ]
    # The title each article gives, with that article's date.
    assert events[-1].title == "Đại tướng, Bộ trưởng Bộ Công an"
    assert events[-1].source.date == "2022-08-11"


def test_namesakes_whose_titles_name_different_places_stay_apart() -> None:
    items = [
        facts(article("x.txt", "Sáng 1/4/2024, ông Nguyễn Văn Hùng, Chủ tịch UBND xã Hưng Mỹ "
                               "dự Lễ ra quân tại xã Hưng Mỹ.")),
        facts(article("y.txt", "Sáng 2/4/2024, ông Nguyễn Văn Hùng, Chủ tịch UBND huyện Đông "
                               "Sơn dự Hội nghị tại huyện Đông Sơn.")),
        facts(article("z.txt", "Sáng 3/4/2024, ông Nguyễn Văn Hùng, Chủ tịch UBND xã Hưng Mỹ "
                               "phát biểu tại Hội thảo nông thôn mới tại xã Hưng Mỹ.")),
    ]
    catalog = PeopleCatalog(items)
    match = catalog.find("Nguyễn Văn Hùng")
    assert match.exact and len(match.people) == 2
    events = {p.id: [e.source.file for e in catalog.events_of(p)] for p in match.people}
    assert events == {"nguyen-van-hung": ["z.txt", "x.txt"], "nguyen-van-hung-2": ["y.txt"]}


def test_names_apart_only_by_their_accents_are_two_people_with_two_ids() -> None:
    """'Đinh Thanh Hiếu' and 'Đinh Thành Hiếu' both folded to 'dinh-thanh-hieu': asking
    about one (or opening one in the bot) gave the other's events."""
    items = [
        facts(article("x.txt", "Sáng 1/4/2024, ông Đinh Thanh Hiếu, Chủ tịch UBND xã Hưng Mỹ "
                               "dự Lễ ra quân tại xã Hưng Mỹ.")),
        facts(article("y.txt", "Sáng 2/4/2024, ông Đinh Thành Hiếu, Giám đốc Sở Y tế phát "
                               "biểu tại Hội nghị ngành y tế tại Hà Nội.")),
    ]
    catalog = PeopleCatalog(items)
    ids = {p.name: p.id for p in catalog.people}
    assert ids == {"Đinh Thanh Hiếu": "dinh-thanh-hieu", "Đinh Thành Hiếu": "dinh-thanh-hieu-2"}
    for name, file in (("Đinh Thanh Hiếu", "x.txt"), ("Đinh Thành Hiếu", "y.txt")):
        person = catalog.person(ids[name])
        assert person is not None and person.name == name
        assert [e.source.file for e in catalog.events_of(person)] == [file]
        answer = events_answer(f"{name} đã dự những sự kiện nào?", catalog)
        assert answer is not None and answer.person == name


class _Passages:
    """Just what ``body_text`` reads of a generation: passages as slices of one body."""

    def __init__(self, body: str, spans: list[tuple[int, int]]) -> None:
        self.body, self.spans = body, spans

    def start_of(self, passage: int) -> int:
        return self.spans[passage][0]

    def text(self, passage: int) -> str:
        start, end = self.spans[passage]
        return self.body[start:end]


def test_a_sentence_is_read_back_from_overlapping_passages() -> None:
    body = "Một hai ba. Bốn năm sáu. Bảy tám chín. Mười."
    # Passages 2-4 of the collection (its first two are another article's): they overlap,
    # and the last leaves the body's end out.
    passages = _Passages(body, [(0, 0), (0, 0), (0, 24), (12, 38), (25, 38)])
    article = ArticleInfo("a.txt", "Tiêu đề", None, chunks=3, first_chunk=2)
    generation = cast(Generation, passages)
    for start, end in [(0, 11), (12, 24), (25, 38), (5, 30), (0, 38)]:
        for near in (0, 1, 2, 7):
            assert body_text(generation, article, start, end, near) == body[start:end]
    assert body_text(generation, article, 25, len(body), 2) == body[25:38]  # no passage: cut
    assert body_text(generation, article, 39, len(body), 2) == ""
    assert body_text(generation, replace(article, chunks=0), 0, 11) == ""


def test_unknown_and_partial_names() -> None:
    catalog = PeopleCatalog([facts(CA_MAU)])
    assert catalog.find("Phạm Minh Chính").people == ()
    assert catalog.find("").people == ()
    assert catalog.find("   ").people == ()
    partial = catalog.find("Lâm")
    assert not partial.exact and [p.name for p in partial.people] == ["Tô Lâm"]


def test_stored_facts_are_read_article_by_article_and_a_cut_file_is_named() -> None:
    many = [facts(CA_MAU), dataclasses.replace(facts(CA_MAU), file="b.txt"),
            dataclasses.replace(facts(CA_MAU), file="c.txt", mentions=())]
    for items in ([], many[:1], many):
        raw = dump_facts(items)
        assert load_facts(raw, "x") == items
        # The same JSON written another way is read whole.
        spaced = json.dumps(json.loads(raw), indent=1).encode()
        assert load_facts(spaced, "x") == items
    raw = dump_facts(many)
    assert load_facts(raw + b"\n", "x") == many
    for broken in (raw[:-1], raw[:len(raw) // 2], raw.replace(b"},{", b"}{", 1),
                   raw + b"]", raw.replace(b'"articles":[', b'"articles":[,', 1)):
        with pytest.raises(CorruptIndexError, match="x"):
            load_facts(broken, "x")
    older = raw.replace(b'{"version":%d' % FACTS_VERSION, b'{"version":1', 1)
    assert load_facts(older, "x") == []


def test_stored_forms_round_trip_and_bad_files_are_named(tmp_path: Path) -> None:
    items = [facts(CA_MAU)]
    assert load_facts(dump_facts(items), "x") == items
    assert facts_from_rows(*facts_rows(items)) == items
    write_facts_file(tmp_path, items)
    assert read_facts_file(tmp_path) == items
    assert read_facts_file(tmp_path / "missing") == []
    stored = tmp_path / "people_events.json"
    stored.write_text('{"version": 0, "articles": []}', encoding="utf-8")
    assert read_facts_file(tmp_path) == []  # an older extraction: rebuilt, not misread
    stored.write_bytes(b"\xff{not json")
    with pytest.raises(CorruptIndexError, match=r"people_events\.json"):
        read_facts_file(tmp_path)


def test_built_incrementally_only_changed_articles_are_read_again() -> None:
    first = [CA_MAU, article("b.txt", "Sáng 2/3/2024, đồng chí Tô Lâm dự Hội nghị tại Hà Nội.")]
    built, fresh = build_facts(first, [chunks_of(a) for a in first], {})
    assert fresh == 2
    changed = article("b.txt", "Sáng 2/3/2024, đồng chí Lương Cường dự Hội nghị tại Hà Nội.")
    second = [CA_MAU, changed]
    rebuilt, fresh = build_facts(second, [chunks_of(a) for a in second],
                                 {f.file: f for f in built})
    assert fresh == 1
    assert rebuilt[0] == built[0]
    assert [m.name for m in rebuilt[1].mentions] == ["Lương Cường"]


def seed_facts() -> list[ArticleFacts]:
    seeds = load_articles(REPO / "seeds")
    return [extract_facts(a, chunk_article(a, words, 256, 1)) for a in seeds]


def test_seed_people_to_event_roles_against_the_gold() -> None:
    scores = role_scores(seed_facts(), GOLD)
    assert scores.precision >= 0.9, scores.extra
    assert scores.recall >= 0.9, scores.missing


def test_seed_events_have_their_day_and_place() -> None:
    for item in seed_facts():
        want = GOLD[item.file]["event"]
        events = [e for e in item.events if want["what"].lower() in e.what.lower()]
        assert len(events) == 1, (item.file, item.events)
        assert events[0].date == want["date"], item.file
        if want["place"]:
            assert want["place"] in (events[0].place or ""), item.file


REVERSE = [json.loads(line) for line in
           (REPO / "tests" / "eval" / "reverse.jsonl").read_text(encoding="utf-8").splitlines()]


def test_every_reverse_question_about_a_seed_person_lists_exactly_their_events() -> None:
    catalog = PeopleCatalog(seed_facts())

    def files(question: str) -> tuple[str, ...] | None:
        answer = events_answer(question, catalog)
        return None if answer is None else tuple(e.source.file for e in answer.events)

    scores = reverse_scores(files, REVERSE)
    assert scores.total == 64
    assert scores.exact == scores.total, scores.failures


def test_other_questions_are_not_reverse_questions() -> None:
    catalog = PeopleCatalog(seed_facts())
    for question in ("Ai đã tham dự Ngày hội ở Cà Mau?", "Tô Lâm dự ngày hội ở đâu?",
                     "Phạm Minh Chính đã tham dự những sự kiện nào?",
                     "Ngày hội ở Cà Mau diễn ra khi nào?"):
        assert events_answer(question, catalog) is None, question


def test_the_places_an_article_names_are_kept_for_place_filters() -> None:
    found = facts(article("p.txt", "Những người cách ly ở Đà Nẵng đã khỏe. Ca bệnh khởi phát tại "
                                   "Vũ Hán, Trung Quốc; tỉnh Cà Mau chưa có ca nào.",
                          title="Tin dịch"))
    assert set(found.places) == {"da nang", "vu han", "trung quoc", "ca mau"}
    assert load_facts(dump_facts([found]), "x")[0].places == found.places
    assert facts_from_rows(*facts_rows([found]))[0].places == found.places


def test_the_provinces_an_article_is_set_in_are_kept_and_older_facts_have_none() -> None:
    found = facts(article("r.txt", "Sáng nay, tại thị trấn Rừng Thông, huyện Đông Sơn đã diễn "
                                   "ra ngày hội; đoàn công tác tỉnh Cà Mau đến dự.",
                          title="Ngày hội"))
    assert found.provinces == ("ca mau", "thanh hoa")
    assert load_facts(dump_facts([found]), "x")[0] == found
    assert facts_from_rows(*facts_rows([found]))[0] == found
    older = ArticleFacts.from_dict({k: v for k, v in found.to_dict().items()
                                    if k != "provinces"})
    assert older.provinces is None
    assert facts_from_rows(*facts_rows([older]))[0].provinces is None
    # A rebuild keeps an unchanged article's facts, reading the provinces they lack.
    a = article("r.txt", "Tại thị trấn Rừng Thông, huyện Đông Sơn.", title="Ngày hội")
    kept, fresh = build_facts([a], [chunks_of(a)], {"r.txt": dataclasses.replace(
        facts(a), provinces=None)})
    assert fresh == 0 and kept[0].provinces == ("thanh hoa",)
