"""Fuzzed text path: normalization, tokens, dates, articles, chunks and search never raise.

Inputs mix random code points (lone surrogates included) with combining marks, NFC/NFD
mixes, zero-width and control characters, RTL text, emoji, HTML and Telegram markup, and
strings of up to 10^5 characters. Every chunk must be a slice of its article, and every
non-blank character of an article must land in some chunk.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from retrieval import BadQuestionError, Searcher, build_index, load_articles
from retrieval.articles import decode, parse_article, parse_date
from retrieval.chunking import chunk_article
from retrieval.embedding import Embedder, load_embedder
from retrieval.errors import NoArticlesError
from retrieval.text import (
    clean,
    clean_question,
    document_terms,
    fold,
    match_spans,
    query_terms,
    sentence_spans,
    syllables,
    tokens,
)
from retrieval.types import Article

from ..conftest import SEEDS
from ..support.fake_embedder import HashingEmbedder
from .helpers import core_settings
from .strategies import NASTY_PIECES, any_char, hostile_text, long_text, nasty_pieces

FEW = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
MANY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_SURROGATE = re.compile("[\ud800-\udfff]")


def check_text_path(text: str) -> None:
    """The properties every function of retrieval.text keeps on any input."""
    cleaned = clean(text)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert not _SURROGATE.search(cleaned)
    cleaned.encode("utf-8")  # the embedder and the index files need UTF-8
    assert "\r" not in cleaned and "\u200b" not in cleaned and "\ufeff" not in cleaned
    assert clean(cleaned) == cleaned
    question = clean_question(text)
    assert "\n" not in question and question == question.strip()
    for token in tokens(cleaned):
        assert cleaned[token.start:token.end].lower() == token.text
    assert syllables(cleaned) == [token.text for token in tokens(cleaned)]
    assert not re.search("[\u0300-\u036f]", fold(cleaned))
    for start, end in sentence_spans(cleaned):
        assert 0 <= start < end <= len(cleaned)
        assert cleaned[start:end].strip() == cleaned[start:end]
    for start, end in match_spans(cleaned, question[:200]):
        assert 0 <= start < end <= len(cleaned)
    query_terms(question)
    document_terms(cleaned)


@MANY
@given(hostile_text)
def test_text_functions_keep_their_promises_on_any_input(text: str) -> None:
    check_text_path(text)


@FEW
@given(long_text)
@example("\u200b" * 100_000)
@example(unicodedata.normalize("NFD", "Người dân Cà Mau. ") * 5_555)
def test_text_functions_on_strings_of_up_to_100k_characters(text: str) -> None:
    check_text_path(text)


def assert_real_date(value: str | None) -> None:
    """None, 'YYYY-MM' or a calendar date 'YYYY-MM-DD' between 1900 and 2100."""
    if value is None:
        return
    if len(value) == 7:
        year, month = map(int, value.split("-"))
        assert 1900 <= year <= 2100 and 1 <= month <= 12, value
    else:
        assert 1900 <= datetime.date.fromisoformat(value).year <= 2100, value


@MANY
@given(hostile_text, st.one_of(st.none(), st.integers(-10**6, 10**6)))
@example("31/02/2022", None)
@example("Sáng 31-2", 2023)
def test_parse_date_gives_none_or_a_real_date(text: str, context_year: int | None) -> None:
    assert_real_date(parse_date(text, context_year=context_year))


def test_impossible_calendar_dates_are_not_dates() -> None:
    assert parse_date("31/02/2022") is None
    assert parse_date("Sáng 30-2", context_year=2023) is None
    assert parse_date("29/02/2024") == "2024-02-29"
    article = parse_article("Tin về ngày hội ở Cà Mau\n31/02/2022\n\nNội dung.", "x.txt", "h")
    assert article is not None and article.date is None


def check_article(text: str) -> Article | None:
    article = parse_article(text, "tin tức/bài 1.txt", "h")
    if article is None:
        return None
    assert article.body and article.title and "\r" not in article.body
    assert unicodedata.is_normalized("NFC", article.body)
    article.body.encode("utf-8")
    assert_real_date(article.date)
    return article


@MANY
@given(st.lists(st.one_of(hostile_text, nasty_pieces), max_size=8).map("\n".join))
def test_parse_article_never_raises(text: str) -> None:
    check_article(text)


@MANY
@given(st.one_of(st.binary(max_size=400),
                 hostile_text.map(lambda t: t.encode("utf-16", "surrogatepass")),
                 hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_decoding_any_bytes_gives_text_or_none(raw: bytes) -> None:
    text = decode(raw)
    if text is not None:
        check_article(text)


@pytest.fixture(scope="module")
def bundled() -> Embedder:
    """The bundled model's tokenizer, which sizes the chunks of a real build."""
    return load_embedder(core_settings())


def check_chunks(article: Article, embedder: Embedder, max_tokens: int) -> None:
    body = article.body
    chunks = chunk_article(article, embedder.count_tokens, max_tokens, 1)
    covered = bytearray(len(body))
    for chunk in chunks:
        assert chunk.text == body[chunk.start:chunk.end] and chunk.text in body
        assert chunk.text.strip()
        covered[chunk.start:chunk.end] = b"\x01" * (chunk.end - chunk.start)
    lost = [i for i, char in enumerate(body) if not covered[i] and not char.isspace()]
    assert not lost, f"characters in no chunk: {body[lost[0]:lost[0] + 20]!r}"


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(hostile_text, nasty_pieces), min_size=1, max_size=12).map("\n".join),
       st.sampled_from([16, 64, 256]))
def test_every_chunk_is_a_slice_of_its_article_and_nothing_is_lost(
    bundled: Embedder, text: str, max_tokens: int
) -> None:
    article = check_article(text)
    if article is not None:
        check_chunks(article, bundled, max_tokens)


@FEW
@given(long_text)
def test_chunks_of_100k_character_articles(bundled: Embedder, text: str) -> None:
    article = check_article("Tiêu đề của một bài rất dài\n\n" + text)
    assert article is not None
    check_chunks(article, bundled, 256)


@pytest.fixture(scope="module")
def seed_bodies() -> dict[str, str]:
    return {article.file: article.body for article in load_articles(SEEDS)}


def check_search(searcher: Searcher, bodies: dict[str, str], question: str) -> None:
    try:
        response = searcher.search(question)
    except BadQuestionError:
        assert not syllables(clean_question(question))
        return
    assert len(response.question) <= searcher.settings.max_question_chars
    for hit in response.results:
        assert hit.text in bodies[hit.source.file]  # a passage is a slice of its article
        for start, end in hit.highlights:
            assert 0 <= start < end <= len(hit.text)


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.one_of(nasty_pieces, st.text(any_char, max_size=30)), max_size=10)
       .map(" ".join))
@example("Cà Mau \ud800 ai tham dự?")
@example("<b>Cần Thơ</b> %s {0} ../../etc/passwd $(id)")
def test_search_answers_hostile_questions_with_slices_of_articles(
    seed_searcher: Searcher, seed_bodies: dict[str, str], question: str
) -> None:
    check_search(seed_searcher, seed_bodies, question)


@FEW
@given(long_text)
@example("Cà Mau " * 14_286)
def test_search_with_questions_of_up_to_100k_characters(
    seed_searcher: Searcher, seed_bodies: dict[str, str], question: str
) -> None:
    check_search(seed_searcher, seed_bodies, question)


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1258", "binary")


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.lists(st.one_of(hostile_text, nasty_pieces), max_size=6)
                          .map("\n".join), st.sampled_from(ENCODINGS)),
                min_size=1, max_size=4))
def test_fuzzed_files_are_indexed_or_skipped_by_name_and_passages_are_slices(
    tmp_path_factory: pytest.TempPathFactory, files: list[tuple[str, str]]
) -> None:
    folder = tmp_path_factory.mktemp("fuzzed")
    articles = folder / "articles"
    articles.mkdir()
    for number, (text, encoding) in enumerate(files):
        raw = (text.encode("utf-8", "surrogatepass") if encoding == "binary"
               else text.encode(encoding, "replace"))
        (articles / f"bài {number}.txt").write_bytes(raw)
    settings_ = core_settings(folder / "index", articles)
    embedder = HashingEmbedder()
    loaded = {article.file: article.body for article in load_articles(articles)}
    try:
        report = build_index(settings_, embedder=embedder)
    except NoArticlesError:
        assert not loaded
        event("every file skipped")
        return
    event("some files indexed")
    assert report.articles == len(loaded)
    assert report.articles + len(report.skipped) == len(files)  # each file is one or other
    snapshot = Searcher(settings_, embedder).snapshot
    for chunk_id in range(snapshot.manifest.counts.chunks):
        assert snapshot.text(chunk_id) in loaded[snapshot.source(chunk_id).file]


def test_the_pieces_cover_what_the_issue_lists() -> None:
    joined = "".join(NASTY_PIECES)
    for needed in ("\u0301", "\u200b", "\x00", "\u202e", "😀", "<b>", "tg://", "\ud800"):
        assert needed in joined
    assert unicodedata.normalize("NFD", "Tô Lâm") in joined
