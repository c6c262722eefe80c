"""Filters stated in the question (year, month, day, relative time, place; unaccented
too) or given as flags, and the articles they keep by metadata."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.filters import ArticleFilter, DayRange, explicit_filter, parse_filter
from retrieval.filters.apply import ArticleMeta, MetaIndex, matches

TODAY = date(2026, 12, 2)  # a Wednesday


@pytest.mark.parametrize(("question", "first", "last", "said", "rest"), [
    ("Ai dự ngày hội năm 2023?", date(2023, 1, 1), date(2023, 12, 31), "năm 2023",
     "Ai dự ngày hội?"),
    ("ai du ngay hoi nam 2022", date(2022, 1, 1), date(2022, 12, 31), "nam 2022",
     "ai du ngay hoi"),
    ("Who attended the festival in 2022?", date(2022, 1, 1), date(2022, 12, 31), "in 2022",
     "Who attended the festival?"),
    ("Ai dự ngày hội tháng 8/2022?", date(2022, 8, 1), date(2022, 8, 31), "tháng 8/2022",
     "Ai dự ngày hội?"),
    ("ngày hội tháng 2 năm 2024 ở đâu", date(2024, 2, 1), date(2024, 2, 29),
     "tháng 2 năm 2024", "ngày hội ở đâu"),
    ("Hội nghị ngày 23/11/2022 do ai chủ trì?", date(2022, 11, 23), date(2022, 11, 23),
     "ngày 23/11/2022", "Hội nghị do ai chủ trì?"),
    ("ai dự ngày hội tuần trước", date(2026, 11, 23), date(2026, 11, 29), "tuần trước",
     "ai dự ngày hội"),
    ("ai du ngay hoi gan day", date(2026, 11, 2), date(2026, 12, 2), "gan day",
     "ai du ngay hoi"),
    ("Ai phát biểu hôm qua?", date(2026, 12, 1), date(2026, 12, 1), "hôm qua",
     "Ai phát biểu?"),
    ("Tháng trước có hội nghị nào?", date(2026, 11, 1), date(2026, 11, 30), "Tháng trước",
     "có hội nghị nào?"),
    ("Ai dự ngày hội năm ngoái?", date(2025, 1, 1), date(2025, 12, 31), "năm ngoái",
     "Ai dự ngày hội?"),
    ("What happened in August 2022?", date(2022, 8, 1), date(2022, 8, 31), "in August 2022",
     "What happened?"),
    ("Who spoke on 11 August 2022?", date(2022, 8, 11), date(2022, 8, 11),
     "on 11 August 2022", "Who spoke?"),
    ("Who attended on Aug. 11, 2022?", date(2022, 8, 11), date(2022, 8, 11),
     "on Aug. 11, 2022", "Who attended?"),
    ("Who came in Sept 2023?", date(2023, 9, 1), date(2023, 9, 30), "in Sept 2023",
     "Who came?"),
    # The year compared with is not the news' time; the one before it is.
    ("Năm 2023 số ca tăng bao nhiêu so với năm 2022?", date(2023, 1, 1), date(2023, 12, 31),
     "Năm 2023", "số ca tăng bao nhiêu so với năm 2022?"),
    ("ngay hoi nam truoc o dau", date(2025, 1, 1), date(2025, 12, 31), "nam truoc",
     "ngay hoi o dau"),
])
def test_time_filters(question: str, first: date, last: date, said: str, rest: str) -> None:
    found, searched = parse_filter(question, TODAY)
    assert found is not None and found.days == DayRange(first, last)
    assert found.said == (said,)
    assert searched == rest


def test_a_day_without_a_year_is_that_day_of_any_year() -> None:
    found, _ = parse_filter("Hội nghị hôm 24/11 có ai dự?", TODAY)
    assert found is not None and found.days is not None and found.days.any_year
    assert (found.days.first.month, found.days.first.day) == (11, 24)


@pytest.mark.parametrize(("question", "place", "key"), [
    ("Ai dự ngày hội ở Cà Mau?", "Cà Mau", "ca mau"),
    ("ai tham du ngay hoi o ca mau", "ca mau", "ca mau"),
    ("còn ở Thanh Hóa thì sao?", "Thanh Hóa", "thanh hoa"),
    ("Ngày hội tại tỉnh Thanh Hoá diễn ra khi nào?", "Thanh Hoá", "thanh hoa"),
    ("ai dự ngày hội ở quận Ninh Kiều", "Ninh Kiều", "ninh kieu"),
    ("Ai dự ngày hội ở TP.HCM?", "TP HCM", "tp hcm"),
    # A district whose name starts with a city's ('Vinh') is that district.
    ("Phong trào ở Vĩnh Thạnh đạt kết quả gì?", "Vĩnh Thạnh", "vinh thanh"),
    ("Ai dự ngày hội ở Vinh, Nghệ An?", "Vinh", "vinh"),
    ("Ngày hội ở Vinh bao giờ diễn ra?", "Vinh", "vinh"),
    ("ai du ngay hoi o ca mau ?", "ca mau", "ca mau"),
    ("ngày hội ở thanh hóa .", "thanh hóa", "thanh hoa"),
])
def test_place_filters(question: str, place: str, key: str) -> None:
    found, searched = parse_filter(question, TODAY)
    assert found is not None and (found.place, found.place_key) == (place, key)
    assert searched == question  # the place is also what the question is about


@pytest.mark.parametrize(("question", "readings"), [
    # Typed without capitals, a district or commune name may be read as one...
    ("ngay hoi o vinh thanh dien ra khi nao?", ["vinh thanh", "vinh"]),
    ("o vinh bao gio", ["vinh bao", "vinh"]),
    ("ai du ngay hoi o rung thong?", ["rung thong", None]),
    ("ai du ngay hoi tai thi tran rung thong nam 2023", ["rung thong", None]),
    ("ai dự ngày hội ở rừng thông?", ["rung thong", None]),
    # With accents, they must be the gazetteer's: 'trường thì' is no ward 'Trường Thi'.
    ("Học ngoại ngữ ở trường thì tiền bạc thế nào?", []),
    # ... but capitals and punctuation say which it is.
    ("Ngày hội ở Vinh bao giờ diễn ra?", ["vinh"]),
    ("ngày hội ở vinh, nghệ an", ["vinh"]),
    ("ngày hội ở thanh hóa .", ["thanh hoa"]),
])
def test_places_typed_without_capitals_have_other_readings(question: str,
                                                           readings: list[str | None]) -> None:
    found, _ = parse_filter(question, TODAY)
    keys = []
    while found is not None:
        keys.append(found.place_key)
        assert (f"ở {found.place}" in found.said) if found.place else not any(
            said.startswith("ở") for said in found.said)
        found = found.otherwise
    assert keys == readings


@pytest.mark.parametrize("question", [
    "Tô Lâm dự ngày hội ở đâu?", "Ai phát biểu tại Ngày hội?", "ngày 31/2 có gì",
    "tháng 13/2022 có gì", "Ai tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc?",
    "Có 2023 người dự", "Ai dự lễ tại nhà văn hóa?",
    "May I ask what happened?", "Who may attend in the march?",
    # A time to compare with ('so với năm trước'), a time ago, the year before another.
    "Tội phạm giảm bao nhiêu phần trăm so với năm trước?",
    "toi pham giam bao nhieu phan tram so voi nam truoc",
    "Số ca tăng bao nhiêu so với cùng kỳ năm 2021?",
    "xuat khau tang bao nhieu so voi cung ky nam truoc",
    "How much did crime fall compared with last year?", "Were there more cases than in 2021?",
    "2 năm trước ai dự ngày hội?", "vai thang truoc co gi", "Năm trước đó có bao nhiêu ca?",
    # Capitalised words apart are no one place name.
    "Ai được kéo dài thêm 2 học kỳ theo quy định tại Khoản 2, Điều 6 của Quy chế này?",
    "Sinh viên làm gì tại P. ĐTĐH hoặc văn phòng khoa?",
])
def test_no_filter(question: str) -> None:
    assert parse_filter(question, TODAY) == (None, question)


def test_explicit_flags_and_merging() -> None:
    flags = explicit_filter(date(2022, 1, 1), None, " Cà  Mau ")
    assert flags == ArticleFilter(DayRange(date(2022, 1, 1), date(9999, 12, 31)), "Cà Mau",
                                  "ca mau", ("từ 1/1/2022", "ở Cà Mau"))
    assert explicit_filter(None, None, None) is None
    asked, _ = parse_filter("Ai dự năm 2023 ở Thanh Hóa?", TODAY)
    assert asked is not None
    merged = asked.merged(flags)
    assert merged.days == flags.days and merged.place_key == "ca mau"


def meta(*dates: str, places: tuple[str, ...] = ()) -> ArticleMeta:
    return ArticleMeta(dates, tuple(f" {p} " for p in places))


def test_articles_kept_by_date_and_event_day_and_place() -> None:
    year_2022 = ArticleFilter(DayRange(date(2022, 1, 1), date(2022, 12, 31)))
    assert matches(meta("2022-08-11"), year_2022)
    assert matches(meta("2022-08"), year_2022)  # a month-only date overlaps
    assert not matches(meta("2023-08-03"), year_2022)
    assert matches(meta(), year_2022)  # undated: its date is unknown, not another one
    # Published on the 24th, the event on the 23rd: the event's day counts too.
    day = ArticleFilter(DayRange(date(2022, 11, 23), date(2022, 11, 23)))
    assert matches(meta("2022-11-24", "2022-11-23"), day)
    any_year = ArticleFilter(DayRange(date(2000, 11, 23), date(2000, 11, 23), True))
    assert matches(meta("2022-11-23"), any_year) and not matches(meta("2022-11-24"), any_year)
    place = ArticleFilter(place="Cà Mau", place_key="ca mau")
    assert matches(meta(places=("xa hung my, huyen cai nuoc, tinh ca mau",)), place)
    assert not matches(meta(places=("ca mau xanh",)), ArticleFilter(place_key="mau xa"))
    assert not matches(meta(places=("quan ninh kieu",)), place)


_PLACES = ("ca mau", "xa hung my", "ninh kieu", "mau", "tinh ca mau xanh", "can tho")
_DATES = ("2022-08-11", "2022-08", "2023-11-24", "2030-05-01", "20x", "2022-02-30")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(_DATES), max_size=3),
                          st.lists(st.sampled_from(_PLACES), max_size=3)), max_size=12),
       st.sampled_from((None, "ca mau", "mau", "hung my", "ninh  kieu", "mau xa")),
       st.sampled_from((None, DayRange(date(2022, 1, 1), date(2022, 12, 31)),
                        DayRange(date(2000, 11, 24), date(2000, 11, 24), True),
                        DayRange(date(2030, 5, 1), date(2030, 5, 1)))))
def test_meta_index_keeps_what_matches_keeps(
        articles: list[tuple[list[str], list[str]]], place_key: str | None,
        days: DayRange | None) -> None:
    from retrieval.filters.apply import MetaIndex

    metas = [meta(*dates, places=tuple(places)) for dates, places in articles]
    wanted = ArticleFilter(days, place_key=place_key)
    expected = [n for n, m in enumerate(metas) if matches(m, wanted)]
    if days is not None and not any(metas[n].dates for n in expected):
        expected = []
    assert MetaIndex(metas).kept(wanted) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(("ca mau", "mau xanh", "tinh ca mau xanh", "my ca",
                                          "xa hung my", "hung my")), max_size=3),
                max_size=12),
       st.sampled_from(("tinh ca mau", "ca mau xanh", "tinh ca mau xanh", "xa hung my",
                        "hung my ca", "xa hung my ca")))
def test_a_place_of_three_words_or_more_is_found_whole_within_one_place(
        articles: list[list[str]], place_key: str) -> None:
    from retrieval.filters.apply import MetaIndex

    metas = [meta(places=tuple(places)) for places in articles]
    wanted = ArticleFilter(None, place_key=place_key)
    assert MetaIndex(metas).kept(wanted) == [n for n, m in enumerate(metas)
                                             if matches(m, wanted)]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 4), max_size=8), st.data())
def test_kept_passages_are_the_kept_articles_passages_in_order(
        chunks: list[int], data: st.DataObject) -> None:
    from retrieval.filters.apply import kept_passages
    from retrieval.types import ArticleInfo

    firsts = [sum(chunks[:n]) for n in range(len(chunks))]
    articles = [ArticleInfo(f"{n}.txt", "", None, count, first_chunk=first)
                for n, (count, first) in enumerate(zip(chunks, firsts, strict=True))]
    numbers = data.draw(st.lists(st.sampled_from(range(len(chunks))), unique=True)
                        if chunks else st.just([]))
    expected = [p for n in numbers for p in range(firsts[n], firsts[n] + chunks[n])]
    assert kept_passages(articles, numbers).tolist() == expected


def test_the_first_reading_that_keeps_some_article_is_the_filter() -> None:
    index = MetaIndex([meta(places=("vinh", "nghe an")), meta(places=("vinh thanh",)),
                       meta(places=("cai nuoc",))])
    both, _ = parse_filter("ngay hoi o vinh thanh dien ra khi nao?", TODAY)
    assert both is not None
    assert index.settled(both) == (both, [1])
    city = MetaIndex([meta(places=("vinh", "nghe an")), meta(places=("cai nuoc",))])
    assert city.settled(both) == (both.otherwise, [0])
    commune, _ = parse_filter("ai du ngay hoi o rung thong?", TODAY)
    assert commune is not None
    settled, _ = city.settled(commune)
    assert settled.empty  # no article names it: the words were no place
    merged = commune.merged(explicit_filter(None, None, "Cái Nước"))
    assert merged.place_key == "cai nuoc" and merged.otherwise is None


def test_undated_articles_alone_do_not_satisfy_a_time_filter() -> None:
    from retrieval.filters.apply import kept_articles

    year_2030 = ArticleFilter(DayRange(date(2030, 1, 1), date(2030, 12, 31)))
    metas = [meta("2022-08-11"), meta()]
    assert kept_articles(metas, year_2030) == []
    assert kept_articles([meta("2030-05-01"), meta()], year_2030) == [0, 1]


def test_an_article_is_kept_by_the_province_its_commune_lies_in() -> None:
    from retrieval.events.model import ArticleFacts
    from retrieval.filters.apply import article_meta
    from retrieval.types import ArticleInfo

    info = ArticleInfo(file="004.txt", title="Ngày hội tại thị trấn Rừng Thông",
                       date="2023-08-03", first_chunk=0, chunks=1)
    thanh_hoa = ArticleFilter(place="Thanh Hóa", place_key="thanh hoa")
    named = ArticleFacts("004.txt", info.title, info.date, "h", places=("rung thong",))
    assert not matches(article_meta([info], [named])[0], thanh_hoa)  # facts before provinces
    located = ArticleFacts("004.txt", info.title, info.date, "h", places=("rung thong",),
                           provinces=("thanh hoa",))
    assert matches(article_meta([info], [located])[0], thanh_hoa)
    assert not matches(article_meta([info], [located])[0],
                       ArticleFilter(place="Cà Mau", place_key="ca mau"))
