"""Extraction of the page set and decoding of mislabelled Vietnamese pages."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from retrieval.ingest.encoding import decode_page, vietnamese_score
from retrieval.ingest.extract import ExtractError, extract_html, extract_text
from retrieval.ingest.store import words
from tests.support.news_site import LAYOUTS, to_windows_1258
from tests.support.news_stories import STORIES, Story


def token_f1(found: str, expected: str) -> float:
    a, b = Counter(words(found)), Counter(words(expected))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def page_url(layout: str, story: Story) -> str:
    if layout == "hidden-date":  # the date is only in the URL
        year, month, day = story.date.split("-")
        return f"http://127.0.0.1/{year}/{month}/{day}/{story.slug}.html"
    return f"http://127.0.0.1/{layout}/{story.slug}.html"


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_gives_title_date_and_body(layout: str) -> None:
    for story in STORIES:
        article = extract_html(LAYOUTS[layout](story), page_url(layout, story))
        assert article.title == story.title, layout
        assert article.date == story.date, (layout, story.slug)
        assert token_f1(article.text, story.text) >= 0.95, (layout, article.text)
        # Navigation, related links, comments, ads and footers stay out.
        for furniture in ("Trang chủ", "Tin liên quan", "Bình luận", "Quảng cáo", "Đọc nhiều",
                          "Giấy phép", "Tổng số"):
            assert furniture not in article.text, (layout, furniture)


def test_author_and_site_when_the_page_names_them() -> None:
    article = extract_html(LAYOUTS["structured"](STORIES[0]), page_url("structured", STORIES[0]))
    assert article.author == STORIES[0].author and article.site == "Dân Việt Điện Tử"
    byline = extract_html(LAYOUTS["hidden-date"](STORIES[0]), page_url("hidden-date", STORIES[0]))
    assert byline.author == STORIES[0].author


def test_day_first_dates_are_read_day_first() -> None:
    # 05/03/2024 is the 5th of March in Vietnam, not May the 3rd.
    story = STORIES[1]
    for layout in ("express", "related-inside", "portal", "amp"):
        assert extract_html(LAYOUTS[layout](story)).date == "2024-03-05", layout


def test_a_page_without_an_article_is_refused() -> None:
    listing = ("<html><body><nav><a href='/a'>Thời sự</a><a href='/b'>Kinh tế</a></nav>"
               "<ul>" + "".join(f"<li><a href='/{i}'>Tin số {i}</a></li>" for i in range(30))
               + "</ul></body></html>")
    with pytest.raises(ExtractError, match="no article text"):
        extract_html(listing)
    with pytest.raises(ExtractError):
        extract_html("")
    with pytest.raises(ExtractError):
        extract_html("\x00\x01\x02 <<<>>> \ufffd" * 100)


def test_plain_text_first_line_is_the_title() -> None:
    story = STORIES[4]
    article = extract_text(story.title + "\n\n" + story.text)
    assert article.title == story.title and token_f1(article.text, story.text) == 1.0
    with pytest.raises(ExtractError):
        extract_text("   \n\n 🙂 ")


SAMPLE = STORIES[1].title + ". " + STORIES[1].text


@pytest.mark.parametrize("declared", [None, "iso-8859-1", "windows-1252", "utf-8",
                                      "windows-1258", "bogus-charset"])
def test_windows_1258_pages_decode_whatever_the_label(declared: str | None) -> None:
    assert decode_page(to_windows_1258(SAMPLE), declared) == SAMPLE


@pytest.mark.parametrize("declared", [None, "iso-8859-1", "windows-1252", "windows-1258"])
def test_utf8_pages_with_a_wrong_label(declared: str | None) -> None:
    assert decode_page(SAMPLE.encode("utf-8"), declared) == SAMPLE


def test_meta_charset_and_boms() -> None:
    html = "<html><head><meta charset='windows-1258'></head><body>" + SAMPLE + "</body></html>"
    assert SAMPLE in decode_page(to_windows_1258(html))
    assert decode_page(b"\xef\xbb\xbf" + SAMPLE.encode()) == SAMPLE
    assert decode_page(SAMPLE.encode("utf-16")) == SAMPLE


def test_random_bytes_decode_to_something() -> None:
    noise = random.Random(7).randbytes(5000)
    assert isinstance(decode_page(noise, "utf-8"), str)


def test_the_score_prefers_real_vietnamese() -> None:
    wrong = to_windows_1258(SAMPLE).decode("windows-1252")
    assert vietnamese_score(SAMPLE) > 0 > vietnamese_score(wrong)
