"""Pure formatting: escaping, highlights, splitting at 4,096 characters, buttons."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import formatting as fmt
from bot.visible import visible_name
from retrieval import Answer, ArticleInfo, Person, SearchHit, SearchResponse, Source
from tests.support.fake_bot_api import entity_texts, parse_html

KEY = b"k" * 32
SOURCE = Source("003_<b>&.txt", 'Tô Lâm dự "Ngày hội" <ANTQ> & Cà Mau', "2022-08-11")


def hit(rank: int, text: str, highlights: tuple[tuple[int, int], ...] = (),
        source: Source = SOURCE) -> SearchHit:
    return SearchHit(rank=rank, score=1.0, text=text, source=source, highlights=highlights,
                     chunk_id=rank)


def shown(html: str) -> dict[str, object]:
    """The message as Telegram would show it (the fake's parser raises on bad HTML)."""
    text, entities = parse_html(html)
    return {"text": text, "entities": entities}


def test_article_and_source_text_is_escaped_and_shown_verbatim() -> None:
    text = "Giá <script>alert(1)</script> & AT&T tăng 5 < 6 > 4 &amp;"
    [page] = fmt.format_page(SearchResponse("q", (hit(1, text),), total=1), 0)
    assert "<script>" not in page and "&lt;script&gt;" in page
    message = shown(page)
    assert f"[1] {text}" in str(message["text"])
    assert (f"{SOURCE.title} · 11/08/2022 · {SOURCE.file}") in str(message["text"])


def test_matched_words_are_bold_and_nothing_else_in_the_passage() -> None:
    text = "Đại tướng Tô Lâm dự Ngày hội tại Cà Mau"
    spans = ((0, 9), (10, 16), (20, 28), (-5, 2), (text.index("Mau"), 99), (7, 7))
    [page] = fmt.format_page(SearchResponse("q", (hit(2, text, spans),), total=1), 0)
    bold = entity_texts(shown(page), "bold")
    # Adjacent ranges apart only by a space merge; out-of-range ones are clamped.
    assert bold == ["[2]", "Đại tướng Tô Lâm", "Ngày hội", "Mau"]


def test_people_answer_names_point_at_their_passage_numbers() -> None:
    answer = Answer("people", people=(
        Person("Nguyễn Duy Ngọc", "Trung tướng, Thứ trưởng", 2, True),
        Person("Lê <Quang> Mạnh", "", 1, True)))
    response = SearchResponse("q", (hit(1, "một"), hit(2, "hai")), answer=answer, total=2)
    [page] = fmt.format_page(response, 0)
    message = shown(page)
    text = str(message["text"])
    assert text.startswith("👥 Người tham dự\n• Nguyễn Duy Ngọc, Trung tướng, Thứ trưởng [2]\n"
                           "• Lê <Quang> Mạnh [1]")
    assert text.index("Người tham dự") < text.index("[1] một")
    assert {"Nguyễn Duy Ngọc", "Lê <Quang> Mạnh"} <= set(entity_texts(message, "bold"))


def test_date_and_place_answers_and_empty_answers() -> None:
    place = Answer("place", value="xã Hưng Mỹ", rank_of_passage=1)
    [page] = fmt.format_page(SearchResponse("q", (hit(1, "x"),), answer=place, total=1), 0)
    assert str(shown(page)["text"]).startswith("📍 Địa điểm: xã Hưng Mỹ [1]")
    assert fmt.answer_block(Answer("people")) is None
    assert fmt.answer_block(Answer("date")) is None


def test_no_results_and_notices() -> None:
    empty = SearchResponse("q", (), notices=("Câu hỏi dài quá 1000 ký tự nên đã được cắt bớt.",))
    [page] = fmt.format_page(empty, 0)
    assert "cắt bớt" in page and fmt.NO_RESULTS in page
    assert fmt.format_page(SearchResponse("q", ()), 3) == [fmt.NO_MORE]


def test_a_page_over_the_limit_is_split_between_passages() -> None:
    passages = tuple(hit(n, f"Đoạn {n} " + "chữ " * 300, ((0, 4),)) for n in range(1, 6))
    pages = fmt.format_page(SearchResponse("q", passages, total=9), 0)
    assert len(pages) > 1
    for page in pages:
        assert fmt.tg_len(page) <= fmt.MAX_MESSAGE
        text = str(shown(page)["text"])
        # Each message holds whole passages, each followed by its source.
        numbers = re.findall(r"^\[(\d)\] ", text, re.MULTILINE)
        assert numbers and text.count(SOURCE.file) == len(numbers)
    assert sum(len(re.findall(r"^\[\d\] ", str(shown(p)["text"]), re.M)) for p in pages) == 5


def test_one_passage_over_the_limit_is_split_between_words_only() -> None:
    words = [f"từ{n}" for n in range(2000)]
    text = " ".join(words)
    spans = tuple((m.start(), m.end()) for m in re.finditer(r"từ\d*7\b", text))
    pages = fmt.format_page(SearchResponse("q", (hit(1, text, spans),), total=1), 0)
    assert len(pages) >= 4
    shown_words: list[str] = []
    for page in pages:
        assert fmt.tg_len(page) <= fmt.MAX_MESSAGE
        shown_words += str(shown(page)["text"]).split()
    assert [w for w in shown_words if w.startswith("từ")] == words


def test_limits_are_counted_in_utf16_units() -> None:
    emoji = "😀" * 1500  # 3,000 UTF-16 units in 1,500 characters
    pages = fmt.pack_blocks([(fmt.Span(emoji),), (fmt.Span(emoji),)])
    assert len(pages) == 2


def test_a_word_longer_than_a_message_is_cut_by_characters() -> None:
    pages = fmt.pack_blocks([(fmt.Span("x" * 9000, bold=True),)])
    assert [len(str(shown(p)["text"])) for p in pages] == [4089, 4089, 822]


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(st.sampled_from(list("ab <>&\"' \nđạiÀ😀")), min_size=1, max_size=400),
    raw_spans=st.lists(st.tuples(st.integers(-5, 405), st.integers(-5, 405)), max_size=8),
    limit=st.integers(min_value=40, max_value=300),
)
def test_any_text_renders_to_valid_messages_within_the_limit(
        text: str, raw_spans: list[tuple[int, int]], limit: int) -> None:
    block = (fmt.Span("[1]", bold=True), fmt.Span(" "), *fmt.highlighted(text, raw_spans))
    pages = fmt.pack_blocks([block, (fmt.Span("nguồn", italic=True),)], limit)
    visible = ""
    for page in pages:
        assert fmt.tg_len(page) <= limit
        visible += str(shown(page)["text"])  # raises if any tag or entity is broken
    assert "".join(visible.split()) == "".join(("[1] " + text + "nguồn").split())


def test_paging_buttons_and_their_data() -> None:
    first = fmt.paging_keyboard(KEY, 42, "r", "câu hỏi", 0, 3, 10)
    assert first is not None
    [[more]] = first.inline_keyboard
    assert more.text == fmt.MORE_LABEL
    data = str(more.callback_data)
    assert len(data.encode()) <= fmt.MAX_CALLBACK_DATA
    ref = fmt.parse_page_data(data)
    assert ref is not None and (ref.origin, ref.offset) == ("r", 3)
    assert ref.mac == fmt.page_mac(KEY, 42, "r", 3, "câu hỏi")
    # The MAC binds chat, question, origin and offset.
    assert ref.mac not in {fmt.page_mac(KEY, 43, "r", 3, "câu hỏi"),
                           fmt.page_mac(KEY, 42, "r", 3, "câu hỏi khác"),
                           fmt.page_mac(KEY, 42, "e0", 3, "câu hỏi"),
                           fmt.page_mac(KEY, 42, "r", 6, "câu hỏi"),
                           fmt.page_mac(b"other", 42, "r", 3, "câu hỏi")}
    middle = fmt.paging_keyboard(KEY, 42, "e1", "q", 3, 3, 10)
    assert middle is not None
    assert [b.text for b in middle.inline_keyboard[0]] == [fmt.BACK_LABEL, fmt.MORE_LABEL]
    last = fmt.paging_keyboard(KEY, 42, "r", "q", 9, 3, 10)
    assert last is not None and [b.text for b in last.inline_keyboard[0]] == [fmt.BACK_LABEL]
    assert fmt.paging_keyboard(KEY, 42, "r", "q", 0, 3, 3) is None
    for bad in ("", "p:r:3", "p:x:3:0123456789ab", "p:r:-1:0123456789ab",
                "p:r:3:0123456789AB", "x:a", "p:r:3:0123456789ab:extra"):
        assert fmt.parse_page_data(bad) is None
    assert fmt.parse_example_data("x:2") == 2 and fmt.parse_example_data("x:") is None


def test_greeting_help_and_sources() -> None:
    text, keyboard = fmt.greeting(["Câu <một>?", "Câu hai?"])
    assert "Xin chào" in text
    assert [row[0].callback_data for row in keyboard.inline_keyboard] == ["x:0", "x:1"]
    help_message = shown(fmt.help_text("tin_bot", "Ai <dự>?"))
    assert "@tin_bot" in str(help_message["text"]) and "Ai <dự>?" in str(help_message["text"])
    articles = [ArticleInfo(f"{n:03}.txt", f"Bài <{n}> & tin", "2023-08", 7) for n in range(90)]
    pages = fmt.format_sources(articles)
    assert len(pages) > 1
    joined = "".join(str(shown(p)["text"]) for p in pages)
    assert "90 bài, 630 đoạn" in joined and "Bài <89> & tin" in joined
    assert "tháng 08/2023 · 7 đoạn · 089.txt" in joined
    assert fmt.format_sources([]) == [fmt.EMPTY_INDEX]


def test_dates_read_the_vietnamese_way() -> None:
    assert fmt.format_date("2022-08-11") == "11/08/2022"
    assert fmt.format_date("2022-08") == "tháng 08/2022"
    assert fmt.format_date(None) == "không rõ ngày"
    assert fmt.format_date("2022") == "2022"


def test_example_buttons_are_whole_questions_or_cut_between_words() -> None:
    from bot.settings import DEFAULT_EXAMPLES

    _, keyboard = fmt.greeting(DEFAULT_EXAMPLES)
    labels = [row[0].text for row in keyboard.inline_keyboard]
    assert labels == list(DEFAULT_EXAMPLES)  # "…ở Cần Thơ?" whole, not "…ở Cần Th"
    long = ("Ai tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở thị trấn Rừng Thông, "
            "huyện Đông Sơn, tỉnh Thanh Hóa?")
    label = fmt.button_label(long)
    assert label.endswith("…") and fmt.tg_len(label) <= fmt.MAX_BUTTON_LABEL
    kept = label.removesuffix("…")
    assert long.startswith(kept) and long[len(kept)] in " ,"  # cut between words
    assert len(kept) > fmt.MAX_BUTTON_LABEL - 15  # and not much shorter than it could be
    emoji = "🇻🇳 " * 40  # 4 UTF-16 units a flag
    assert fmt.tg_len(fmt.button_label(emoji)) <= fmt.MAX_BUTTON_LABEL
    one_word = "x" * 200
    assert fmt.button_label(one_word) == "x" * (fmt.MAX_BUTTON_LABEL - 1) + "…"
    assert fmt.button_label("  Câu   hỏi\nngắn ") == "Câu hỏi ngắn"


HOSTILE_NAMES = ("x\nIndex ready: 0 articles (FAKE LINE)\n.txt", "\x1b]0;title\x07.txt",
                 "bài\u202egpj.exe.txt", "a\x85b\u2028c\u2066d\x00.txt", "lẻ\ud800.txt")


def test_control_characters_in_names_and_titles_are_shown_as_escapes() -> None:
    for name in HOSTILE_NAMES:
        source = Source(name, f"Tiêu đề\x1b[31m{name}", "2022-08-11")
        page = fmt.format_page(SearchResponse("q", (hit(1, "Đoạn\nhai dòng\x1b[2J", (),
                                                        source),), total=1), 0)[0]
        sources = fmt.format_sources([ArticleInfo(name, source.title, None, 1)])[0]
        for html in (page, sources):
            text = str(shown(html)["text"])
            controls = [c for c in text if (ord(c) < 32 and c != "\n") or 0x7f <= ord(c) < 0xa0
                        or c in "\u202e\u2066\u2028" or 0xd800 <= ord(c) < 0xe000]
            assert not controls, (name, html)
            [file_entity] = entity_texts(shown(html), "code")
            assert "\n" not in file_entity and file_entity.endswith(".txt")
        assert "\\x1b[31m" in page and "Đoạn\nhai dòng\\x1b[2J" in page  # passages keep lines
    assert visible_name("x\nIndex ready\t.txt") == "x\\nIndex ready\\t.txt"
    assert visible_name("bài\u202egpj.exe") == "bài\\u202egpj.exe"
    assert fmt.button_label("Câu\x1b]0;x\x07 hỏi") == "Câu\\x1b]0;x\\x07 hỏi"


def test_greeting_language_follows_the_telegram_app_but_defaults_to_vietnamese() -> None:
    assert fmt.speaks_english("en") and fmt.speaks_english("en-US") and fmt.speaks_english("fr")
    assert not fmt.speaks_english("vi") and not fmt.speaks_english("VI-vn")
    assert not fmt.speaks_english(None) and not fmt.speaks_english("")
    text, _ = fmt.greeting(["Ai dự?"], english=True)
    assert text.startswith("Hello!") and fmt.greeting(["Ai dự?"])[0].startswith("Xin chào")
    assert "<i>Ai dự?</i>" in fmt.help_text("bot", "Ai dự?", english=True)


def test_the_sources_list_in_english() -> None:
    articles = [ArticleInfo("a.txt", "Tiêu đề", "2022-08", 1),
                ArticleInfo("b.txt", "Hai", None, 3)]
    text = "\n".join(fmt.format_sources(articles, english=True))
    assert "The news articles searched</b> (2 articles, 4 passages)" in text
    assert "08/2022 · 1 passage · " in text and "date unknown · 3 passages · " in text
    assert fmt.format_sources([], english=True) == ["No article is indexed yet."]
