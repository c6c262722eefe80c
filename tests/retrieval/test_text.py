"""Vietnamese normalization, folding, sentences and lexical terms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import astuple

from hypothesis import given
from hypothesis import strategies as st

from retrieval.text import (
    _SENTENCE_END,
    BIGRAM_WEIGHT,
    clean,
    clean_question,
    document_terms,
    find_syllables,
    fold,
    fold_in_place,
    has_diacritics,
    is_unaccented_vietnamese,
    match_spans,
    query_terms,
    sentence_spans,
    syllables,
    tokens,
)


def test_fold_drops_every_vietnamese_mark_and_d_stroke() -> None:
    assert fold("Người đã tham dự Ngày hội ở Cà Mau") == "Nguoi da tham du Ngay hoi o Ca Mau"
    assert fold("ĐẠI TƯỚNG Tô Lâm") == "DAI TUONG To Lam"


def test_nfd_input_is_composed_and_invisible_characters_dropped() -> None:
    decomposed = unicodedata.normalize("NFD", "Thứ trưởng")
    assert clean(decomposed) == "Thứ trưởng"
    assert clean("Cà\u200b Mau\ufeff\x07") == "Cà Mau"
    assert clean_question("  ai\n tham\tdự \r\n") == "ai tham dự"


def test_accent_detection() -> None:
    assert has_diacritics("Cà Mau")
    assert not has_diacritics("ca mau")
    assert is_unaccented_vietnamese("ai tham du ngay hoi")
    assert not is_unaccented_vietnamese("ai tham dự")
    assert not is_unaccented_vietnamese("123 ?")


def test_syllables_keep_numbers_whole_and_lowercase() -> None:
    assert syllables("Giảm 11,9% so với năm 2021; TP.HCM") == [
        "giảm", "11,9", "so", "với", "năm", "2021", "tp", "hcm"]


def test_sentences_respect_vietnamese_abbreviations() -> None:
    text = ("Ông Nguyễn Văn A, PGS.TS. Trần B và TP. Hồ Chí Minh đã đến. Sau đó họ về! "
            "ThS. Lê C phát biểu.\nĐoạn mới")
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == [
        "Ông Nguyễn Văn A, PGS.TS. Trần B và TP. Hồ Chí Minh đã đến.",
        "Sau đó họ về!",
        "ThS. Lê C phát biểu.",
        "Đoạn mới",
    ]


def test_document_terms_are_folded_syllables_and_bigrams() -> None:
    assert sorted(document_terms("Cà Mau")) == ["~ca", "~ca_mau", "~mau"]


def test_an_unaccented_question_has_the_same_lexical_terms_as_the_accented_one() -> None:
    assert query_terms("Ai đã tham dự ngày hội ở Cà Mau?") == query_terms(
        "ai da tham du ngay hoi o ca mau")


def test_question_words_are_not_scored_alone_and_bigrams_weigh_less() -> None:
    terms = dict(zip(*astuple(query_terms("Ai đã tham dự ngày hội?")), strict=True))
    assert "~ai" not in terms and "~da" not in terms and "~ai_da" not in terms
    assert terms["~tham"] == 1.0 and terms["~tham_du"] == BIGRAM_WEIGHT < 1.0
    assert "~da_tham" in terms  # a question word beside a content word still pairs


def test_highlights_match_with_or_without_diacritics() -> None:
    text = "Đại tướng Tô Lâm dự Ngày hội tại Cà Mau."
    for question in ("ngày hội ở Cà Mau", "ngay hoi o ca mau"):
        found = [text[s:e] for s, e in match_spans(text, question)]
        assert found == ["Ngày hội", "Cà Mau"]


def test_highlights_keep_the_accents_the_question_wrote() -> None:
    text = "Gia đình ông Định ở Cà Mau, không phải Cả."
    spans = [text[s:e] for s, e in match_spans(text, "gia đình ở Cà Mau")]
    assert spans == ["Gia đình", "ở Cà Mau"]  # not 'Định', not 'Cả'
    # Typed without diacritics, a phrase matches whatever its accents; a word alone only
    # as typed ('ca' is not 'Cả').
    spans = [text[s:e] for s, e in match_spans(text, "gia dinh o ca mau")]
    assert spans == ["Gia đình", "Định ở Cà Mau"]
    # A caller that folded the text already passes it: same spans.
    assert match_spans(text, "gia dinh o ca mau", folded=fold_in_place(text)) == match_spans(
        text, "gia dinh o ca mau")


def test_highlights_skip_folded_false_friends_and_unmarked_words_of_accented_questions(
) -> None:
    text = "Cá nhân ở Cà Mau và cả nước; Thành ủy Cần Thơ; tỉnh Thanh Hoá."
    assert [text[s:e] for s, e in match_spans(text, "ca mau")] == ["Cà Mau"]
    # 'Thanh' written in an accented question is not 'Thành'; 'Hóa' is 'Hoá' (tone placement).
    spans = [text[s:e] for s, e in match_spans(text, "Ai dự ngày hội ở Thanh Hóa?")]
    assert spans == ["ở", "Thanh Hoá"]


def test_highlights_show_distinctive_words_by_the_ranker_weights() -> None:
    text = "Người dân ở Cà Mau đón ngày hội; dân vận khéo."
    weights = {"nguoi": 0.3, "dan": 0.2, "o": 0.1, "ca": 1.5, "mau": 3.0, "ngay": 0.5, "hoi": 0.6}
    spans = [text[s:e] for s, e in match_spans(text, "người dân ở Cà Mau", weights=weights)]
    assert spans == ["Cà Mau"]  # the light 'dân', 'ở' neither alone nor at a phrase's ends
    assert [text[s:e] for s, e in match_spans(text, "dân", weights={"dan": 0.2})] == ["dân", "dân"]


def found_tokens(text: str, wanted: frozenset[str]) -> list[tuple[int, int, str]]:
    folded = fold_in_place(text)
    assert len(folded) == len(text)
    return list(find_syllables(folded, wanted))


def test_find_syllables_finds_whole_tokens_in_any_case_and_accent() -> None:
    text = "ĐẠI TƯỚNG Tô Lâm dự Ngày hội, giảm 11,9% còn 1.672 vụ; Lâmđồng, 11 hộ."
    wanted = frozenset({"dai", "lam", "ngay", "11", "11,9", "672"})
    assert [text[s:e] for s, e, _ in found_tokens(text, wanted)] == [
        "ĐẠI", "Lâm", "Ngày", "11,9", "11"]  # not 'Lâm' in 'Lâmđồng', not 672 in 1.672
    # A letter whose lower case is two characters: offsets still point into the text.
    text = "İstanbul và Cà Mau"
    assert [text[s:e] for s, e, _ in found_tokens(text, frozenset({"ca", "istanbul"}))] == [
        "İstanbul", "Cà"]


VIETNAMESE_TEXT = st.text(
    alphabet="aAàÀảạăắâấđĐeèêếiíoòôồơớuùưứyýnghmtc0123456789 .,;%-\n\u0301İ",
    max_size=120)


@given(VIETNAMESE_TEXT, st.lists(st.sampled_from(
    ["a", "an", "nga", "d", "do", "ca", "cu", "0", "12", "1,5", "e", "i", "in", "ieng", "ngh",
     "o"]),
    max_size=6))
def test_find_syllables_agrees_with_the_tokenizer(text: str, wanted_list: list[str]) -> None:
    text = clean(text)
    wanted = frozenset(wanted_list)
    expected = [(t.start, t.end, fold(t.text)) for t in tokens(text) if fold(t.text) in wanted]
    assert found_tokens(text, wanted) == expected


@given(st.text(alphabet="ab .!?…\n\"'”’)]\t", max_size=40))
def test_sentence_end_pattern_matches_the_plain_alternation(text: str) -> None:
    # The pattern is shaped for speed; this is what it must mean.
    plain = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|\n")
    assert ([m.span() for m in _SENTENCE_END.finditer(text)]
            == [m.span() for m in plain.finditer(text)])


@given(st.text(max_size=300))
def test_text_functions_never_raise_and_spans_stay_inside(text: str) -> None:
    cleaned = clean(text)
    for start, end in sentence_spans(cleaned):
        assert 0 <= start < end <= len(cleaned)
        assert cleaned[start:end].strip() == cleaned[start:end]
    for start, end in match_spans(cleaned, text[:50]):
        assert 0 <= start < end <= len(cleaned)
    fold(text)
    query_terms(text)
    document_terms(text)


def test_english_questions_are_told_from_unaccented_vietnamese() -> None:
    from retrieval.text import looks_english

    assert looks_english("Who attended the security festival in Ca Mau?")
    assert looks_english("How many models does Rung Thong town maintain?")
    assert not looks_english("ai co mat tai ngay hoi TDBV ANTQ o truong Dai hoc Can Tho")
    assert not looks_english("thoi tiet ha noi ngay mai the nao")
    assert not looks_english("Ai dự ngày hội ở Thanh Hóa?")
    assert not looks_english("cach lam ho chieu online")
    # Names are syllables in both languages: they do not dilute the English words.
    assert looks_english("What did To Lam say in Ca Mau?")
    assert looks_english("What did Nguyen Tien Hai say at the festival in Cai Nuoc?")
    assert not looks_english("Bo truong To Lam noi gi o Ca Mau ve Covid va Omicron?")
    assert not looks_english("Benh nhan can lam gi khi bi Covid?")
    assert looks_english("Tell me about the Hung My festival")


def test_a_syllable_after_marks_stacked_on_a_letter_is_inside_its_token() -> None:
    for marks in range(1, 6):
        text = "À" + "\u0300" * marks + "CA, " + "5" + "\u0300" * marks + "ca"
        found = [s for s, _, _ in find_syllables(fold_in_place(text), frozenset({"ca"}))]
        # 'À̀̀̀CA' is one token; after a digit the marks stand alone and 'ca' is a token.
        assert found == [text.rindex("ca")], marks
        assert [t.text for t in tokens(text)][-1] == "ca"
