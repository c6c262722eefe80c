"""The answer follows the role the question asks for (attended, spoke, presided, handed out
awards, was awarded); streets are not people; a title is not cut at the commas of an
'A, B và C' organisation name."""

from __future__ import annotations

import pytest

from retrieval import Searcher, SearchHit, Source, people_groups
from retrieval.answers import extract_answer, people_in_passage, question_role


def hit(text: str, rank: int = 1, file: str = "a.txt") -> SearchHit:
    return SearchHit(rank=rank, score=1.0, text=text, source=Source(file, "Tiêu đề", None),
                     highlights=(), chunk_id=rank)


def shown(question: str, hits: list[SearchHit]) -> list[tuple[str, list[str]]]:
    answer = extract_answer(question, hits)
    return [(g.heading, [p.name for p in g.people]) for g in people_groups(answer)]


@pytest.mark.parametrize(("question", "role"), [
    ("Ai phát biểu tại Ngày hội ở Đại học Cần Thơ?", "spoke"),
    ("ai phat bieu tai ngay hoi o dai hoc can tho", "spoke"),
    ("Ai chủ trì hội nghị trực tuyến tổng kết Ngày hội?", "presided"),
    ("Who chaired the online conference?", "presided"),
    ("Ai trao Bằng khen tại ngày hội?", "awarded"),
    ("Những ai được trao Bằng khen?", "was_awarded"),
    ("Ai đã tham dự Ngày hội ở Cà Mau?", "attended"),
    ("Which officials attended the festival?", "attended"),
    ("who gave flowers at rung thong", "awarded"),
    ("Who handed out gifts to the families?", "awarded"),
    ("Who gave a speech at the festival?", "spoke"),
    ("Ai là Chủ tịch UBND Hà Nội?", None),
])
def test_the_role_a_question_asks_about(question: str, role: str | None) -> None:
    assert question_role(question) == role


@pytest.mark.parametrize(("question", "role"), [
    # Typed partly with diacritics: a phrase typed plain still says what is asked...
    ("ở can tho ai phat bieu", "spoke"),
    ("Ai trao bang khen ở Cà Mau?", "awarded"),
    # ...but one plain word may be what it says: 'du lịch' is travel, not 'dự'.
    ("Ai đi du lịch ở Cà Mau?", None),
    # Who was given the gifts, not who gave them.
    ("Bộ trưởng Tô Lâm tặng quà cho ai?", "was_awarded"),
    ("to lam tang qua cho ai", "was_awarded"),
    ("Đơn xin bảo lưu điểm phải nộp cho ai?", None),  # handed in: no award (uitqa-reg)
])
def test_a_question_typed_partly_plain_still_names_its_role(question: str,
                                                            role: str | None) -> None:
    assert question_role(question) == role


def test_each_person_gets_the_role_the_sentence_gives() -> None:
    text = ("Phát biểu tại ngày hội, ông Đồng Văn Thanh, Chủ tịch HĐND TP Cần Thơ ghi nhận "
            "kết quả. Thiếu tướng Trần Văn Dương, Cục trưởng Cục Xây dựng phong trào trao "
            "Bằng khen cho ông Lê Văn Tám, Trưởng ấp Hưng Mỹ. Dự và chủ trì hội nghị có đồng "
            "chí Trung tướng Lê Quốc Hùng, Thứ trưởng Bộ Công an; đồng chí Nguyễn Lam, Phó "
            "Trưởng Ban Dân vận Trung ương. Dự tại điểm cầu có Đại tá Đinh Trọng Soạn.")
    roles = {m.name: set(m.roles) for m in people_in_passage(text)}
    assert roles == {
        "Đồng Văn Thanh": {"attended", "spoke"},
        "Trần Văn Dương": {"attended", "awarded"},
        "Lê Văn Tám": {"attended", "was_awarded"},
        "Lê Quốc Hùng": {"attended", "presided"},
        "Nguyễn Lam": {"attended", "presided"},
        "Đinh Trọng Soạn": {"attended"},
    }


CAN_THO = [
    hit("Thiếu tướng Trần Văn Dương, Cục trưởng Cục Xây dựng phong trào bảo vệ ANTQ trao "
        "Bằng khen của Bộ Công an tặng tập thể, cá nhân. Phát biểu tại ngày hội, ông Đồng "
        "Văn Thanh, Chủ tịch HĐND TP Cần Thơ đã ghi nhận kết quả tại Đại học Cần Thơ."),
]


def test_who_spoke_lists_the_speaker_not_the_man_handing_out_awards() -> None:
    assert shown("Ai phát biểu tại Ngày hội ở Đại học Cần Thơ?", CAN_THO) == [
        ("Người phát biểu", ["Đồng Văn Thanh"])]
    assert shown("Ai trao Bằng khen tại Ngày hội ở Đại học Cần Thơ?", CAN_THO) == [
        ("Người trao thưởng", ["Trần Văn Dương"])]


def test_who_presided_lists_the_chairs_only() -> None:
    hits = [hit("Dự và chủ trì hội nghị có đồng chí Trung tướng Lê Quốc Hùng, Thứ trưởng Bộ "
                "Công an; đồng chí Nguyễn Lam, Phó Trưởng Ban Dân vận Trung ương. Dự Hội nghị "
                "tại điểm cầu Công an tỉnh Ninh Bình có đồng chí Đại tá Đinh Trọng Soạn, Phó "
                "Giám đốc Công an tỉnh.")]
    assert shown("Ai chủ trì hội nghị trực tuyến?", hits) == [
        ("Người chủ trì", ["Lê Quốc Hùng", "Nguyễn Lam"])]
    # Attendance still lists all three.
    assert shown("Ai dự hội nghị trực tuyến?", hits) == [
        ("Người tham dự", ["Lê Quốc Hùng", "Nguyễn Lam", "Đinh Trọng Soạn"])]


def test_a_role_nobody_has_says_so_and_shows_who_is_named() -> None:
    hits = [hit("Trung tướng Nguyễn Duy Ngọc, Thứ trưởng Bộ Công an tham dự ngày hội.")]
    assert shown("Ai chủ trì ngày hội?", hits) == [
        ("Không đoạn nào nói ai chủ trì; cũng được nhắc đến", ["Nguyễn Duy Ngọc"])]


@pytest.mark.parametrize("text", [
    "Chủ tịch UBND TP Hà Nội Trần Sỹ Thanh kiểm tra tiến độ mở rộng các tuyến đường Lê Văn "
    "Lương, Phạm Văn Đồng và nút giao Phạm Hùng.",
    "Chủ tịch UBND TP Hà Nội Trần Sỹ Thanh đã đi kiểm tra các tuyến Lê Văn Lương, Phạm Văn "
    "Đồng.",
    "Ông Trần Sỹ Thanh, Chủ tịch UBND TP Hà Nội, yêu cầu sớm hoàn thành dự án trên trục Lê "
    "Văn Lương - Phạm Văn Đồng.",
])
def test_street_names_are_not_people(text: str) -> None:
    answer = extract_answer("Ai là Chủ tịch UBND Hà Nội?", [hit(text)])
    assert answer is not None
    assert [(p.name, p.title) for p in answer.people] == [
        ("Trần Sỹ Thanh", "Chủ tịch UBND TP Hà Nội")]


@pytest.mark.parametrize(("text", "name", "title"), [
    ("Hôm nay, ông Nguyễn Văn Hùng, Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch, đã dự lễ.",
     "Nguyễn Văn Hùng", "Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch"),
    ("Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch Nguyễn Văn Hùng dự lễ khai mạc.",
     "Nguyễn Văn Hùng", "Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch"),
    ("Tham dự có ông Đào Ngọc Dung, Bộ trưởng Bộ Lao động, Thương binh và Xã hội; bà Nguyễn "
     "Thị Hà, Thứ trưởng.", "Đào Ngọc Dung", "Bộ trưởng Bộ Lao động, Thương binh và Xã hội"),
    ("Ông Lê Văn A, Giám đốc Sở Văn hóa, Thể thao và Du lịch, Trưởng ban Tổ chức phát biểu.",
     "Lê Văn A", "Giám đốc Sở Văn hóa, Thể thao và Du lịch, Trưởng ban Tổ chức"),
])
def test_titles_are_not_cut_at_the_commas_of_an_organisation_name(
        text: str, name: str, title: str) -> None:
    answer = extract_answer("Ai dự lễ?", [hit(text)])
    assert answer is not None
    assert (answer.people[0].name, answer.people[0].title) == (name, title)


@pytest.mark.slow
def test_seed_who_spoke_at_can_tho(seed_searcher: Searcher) -> None:
    response = seed_searcher.search("Ai phát biểu tại Ngày hội ở Đại học Cần Thơ?")
    groups = people_groups(response.answer)
    assert [(g.heading, [p.name for p in g.people]) for g in groups] == [
        ("Người phát biểu", ["Đồng Văn Thanh"])]


@pytest.mark.slow
def test_seed_who_presided_the_online_conference(seed_searcher: Searcher) -> None:
    response = seed_searcher.search(
        "Ai chủ trì hội nghị trực tuyến tổng kết Ngày hội toàn dân bảo vệ an ninh Tổ quốc?")
    groups = people_groups(response.answer)
    assert [(g.heading, [p.name for p in g.people]) for g in groups] == [
        ("Người chủ trì", ["Lê Quốc Hùng", "Nguyễn Lam"])]
