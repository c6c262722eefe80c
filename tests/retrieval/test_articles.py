"""Reading articles: titles, dates, boilerplate, bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.articles import load_articles, parse_article, parse_date
from retrieval.types import Article, SkippedFile

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date 2022-08 Tham dự ngày hội", "2022-08"),
        ("Thứ Năm, 24/11/2022", "2022-11-24"),
        ("11/08/2022", "2022-08-11"),
        ("Sáng 3-8, tại thị trấn Rừng Thông năm 2023", "2023-08-03"),
        ("Sáng 3-8 tại xã", None),
        ("31/13/2022", None),
    ],
)
def test_parse_date(text: str, expected: str | None) -> None:
    assert parse_date(text) == expected


def test_parse_date_takes_the_year_from_context() -> None:
    assert parse_date("Sáng 3-8", context_year=2022) == "2022-08-03"


def test_seed_titles_and_dates() -> None:
    articles = {a.file: a for a in load_articles(SEEDS)}
    assert len(articles) == 5
    assert articles["003_4be6f3f6f5d770e8.txt"].date == "2022-08-11"
    assert articles["003_4be6f3f6f5d770e8.txt"].title.startswith("Xây dựng phong trào Toàn dân")
    assert articles["002_493233f6a5b72f62.txt"].date == "2022-11-24"
    assert articles["004_bc4f3269c53976f8.txt"].date == "2023-08-03"
    assert articles["000_70767a7265ef359a.txt"].date == "2022-08"
    assert articles["000_70767a7265ef359a.txt"].title.startswith("Trung tướng Nguyễn Duy Ngọc")


def test_boilerplate_and_repeated_paragraphs_are_dropped() -> None:
    articles = {a.file: a for a in load_articles(SEEDS)}
    body = articles["002_493233f6a5b72f62.txt"].body
    for line in ("Liên kết website", "Thống kê truy cập", "Tổng số: 1672241", "Hôm nay: 140"):
        assert line not in body
    assert "Lượt xem" not in articles["003_4be6f3f6f5d770e8.txt"].body
    paragraphs = articles["001_f824fb1a18cc5dcd.txt"].body.split("\n\n")
    assert len(paragraphs) == len(set(paragraphs))


def test_bad_files_are_skipped_by_name_and_the_rest_read(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "sub dir").mkdir(parents=True)
    (folder / "good.txt").write_text("Tiêu đề bài báo hôm nay\n\nNội dung bài báo.", "utf-8")
    (folder / "sub dir" / "Bài viết có dấu.txt").write_text("Một bài khác ở đây nhé\n\nThân.",
                                                            "utf-8")
    (folder / "latin1.txt").write_bytes("Người".encode("cp1258", errors="replace") + b"\xff\xfe")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00")
    (folder / "utf16.txt").write_bytes("Tin UTF-16 có BOM ở đây\r\n\r\nNội dung.".encode("utf-16"))
    (folder / "crlf.txt").write_bytes("Dòng tiêu đề có CRLF đây\r\n\r\nNội dung.".encode())
    outside = tmp_path / "secret.txt"
    outside.write_text("bí mật bên ngoài thư mục", "utf-8")
    (folder / "link.txt").symlink_to(outside)
    skipped: list[SkippedFile] = []
    articles = load_articles(folder, on_skip=skipped.append)
    assert sorted(a.file for a in articles) == [
        "crlf.txt", "good.txt", "sub dir/Bài viết có dấu.txt", "utf16.txt"]
    assert {s.file for s in skipped} == {"latin1.txt", "empty.txt", "binary.txt", "link.txt"}
    assert all("\r" not in a.body for a in articles)


def test_photo_credits_are_dropped_and_captions_kept() -> None:
    article = parse_article(
        "Tiêu đề của bài viết này\nĐại biểu dự Ngày hội tại Cần Thơ, sáng 28/7. Ảnh: CTV\n"
        "Ông A trao Bằng khen. (Ảnh: Quốc Hương)\nẢnh: TTXVN\nThân bài.", "x.txt", "h")
    assert article is not None
    assert article.body.split("\n\n") == [
        "Tiêu đề của bài viết này", "Đại biểu dự Ngày hội tại Cần Thơ, sáng 28/7.",
        "Ông A trao Bằng khen.", "Thân bài."]


def test_parse_article_of_only_boilerplate_is_none() -> None:
    assert parse_article("Liên kết website\nTìm kiếm\n", "x.txt", "h") is None
    article = parse_article("Tiêu đề của bài viết này\nThân bài.", "x.txt", "h")
    assert isinstance(article, Article) and article.title == "Tiêu đề của bài viết này"


def test_only_a_real_headline_counts_as_one() -> None:
    articles = {a.file: a for a in load_articles(SEEDS)}
    assert {f[:3] for f, a in articles.items() if a.has_headline} == {"000", "002", "003", "004"}
    # 001 opens with a paragraph of running text: it is the title shown, not a headline.
    assert not articles["001_f824fb1a18cc5dcd.txt"].has_headline
    one_paragraph = parse_article("Sinh viên có thể xin bảo lưu kết quả học tập trong "
                                  "thời gian không quá một năm.", "r.txt", "h")
    assert one_paragraph is not None and not one_paragraph.has_headline
    assert one_paragraph.title.startswith("Sinh viên có thể")
    headed = parse_article("Tiêu đề của bài viết này\nThân bài.", "x.txt", "h")
    assert headed is not None and headed.has_headline
