"""An English question's lexical terms: glossary words in Vietnamese, names as written."""

from __future__ import annotations

from retrieval.crosslingual import _glossary, english_query_terms, rendering_pattern
from retrieval.glossary import GLOSSARY
from retrieval.text import fold, fold_in_place, is_vietnamese_syllable

WRITTEN_IN_LETTERS = {"ubnd", "hdnd", "mttq", "tp", "hcm", "usd", "camera", "virus", "vitamin",
                      "protein", "calo", "stress", "x"}


def weights(question: str) -> dict[str, float]:
    terms = english_query_terms(question)
    return dict(zip(terms.terms, terms.weights, strict=True))


def test_title_and_place_words_become_the_vietnamese_the_articles_write() -> None:
    got = weights("Who is the Party Secretary of Dong Son district?")
    # 'Party Secretary' is one title: 'bí thư', not 'đảng' + 'bí thư'.
    assert got["~bi_thu"] > 0 and "~dang" not in got
    # A district is a 'huyện' or a 'quận': the word's weight is shared between them.
    assert got["~huyen"] == got["~quan"] == 0.5
    # The name stays as written; 'Son' of a name is not the English 'son' (con trai).
    assert got["~dong_son"] > 0 and "~con" not in got and "~trai" not in got
    # Function words are gone, and no English word is left to match Vietnamese by accident
    # ('the' folds like 'thể', 'is' matches nothing).
    assert not {"~who", "~is", "~the", "~of", "~party", "~secretary", "~district"} & set(got)


def test_inflected_and_possessive_forms_are_found() -> None:
    got = weights("How many households were praised by the people's committee?")
    assert "~ho_dan" in got  # households -> household
    assert "~bieu_duong" in got  # praised -> praise
    assert "~uy_ban" in got and "~ubnd" in got  # people's committee
    got = weights("In how many wards was the pilot carried out?")
    assert "~thi_diem" in got and "~thuc_hien" in got and "~phuong" in got


def test_renderings_keep_syllables_a_vietnamese_question_would_drop() -> None:
    # 'an' and 'to' are question words of a folded Vietnamese question (and English
    # function words); in 'công an' and 'tổ quốc' they are what the article says.
    got = weights("Who represented the Ministry of Public Security?")
    assert got["~an"] > 0 and got["~cong_an"] > 0 and got["~dai_dien"] > 0
    got = weights("When was the national security festival held?")
    assert got["~to_quoc"] > 0


def test_words_the_glossary_lacks_are_kept_as_written() -> None:
    got = weights("How many COVID vaccine doses did Hanoi give in 2021?")
    assert {"~covid", "~doses", "~2021"} <= set(got)
    assert "~vac_xin" in got and "~ha_noi" in got
    # A name at the start of the question is not mistaken for English either.
    assert "~lam" in weights("What did To Lam say?")


def test_every_glossary_line_has_english_forms_and_vietnamese_syllables() -> None:
    for line in GLOSSARY.strip().splitlines():
        english, _, vietnamese = line.partition("=")
        assert english.strip() and vietnamese.strip(), line
        for rendering in vietnamese.split(";"):
            syllables = rendering.split()
            assert syllables, line
    entries, longest = _glossary()
    assert longest <= 4 and len(entries) > 500
    for renderings in entries.values():
        for rendering in renderings:
            # Folded Vietnamese syllables, or what the articles write in letters ('UBND').
            assert all(is_vietnamese_syllable(s) or s in WRITTEN_IN_LETTERS
                       for s in fold(rendering).split()), rendering


def rendered(question: str, passage: str) -> list[str]:
    pattern = rendering_pattern(question)
    return [] if pattern is None else [
        passage[m.start():m.end()] for m in pattern.finditer(fold_in_place(passage))]


def test_a_passage_shows_where_it_says_the_english_words() -> None:
    passage = "Bí thư Huyện ủy, Chủ tịch UBND huyện Đông Sơn Lê Trọng Thụ phát biểu."
    # 'Bí thư' for 'Party Secretary'; 'huyện' alone is in too many passages to show.
    assert rendered("Who is the Party Secretary of Dong Son district?", passage) == ["Bí thư"]
    assert rendered("Who spoke?", passage) == ["phát biểu"]
    assert rendering_pattern("Is it Dong Son?") is None


def test_a_head_word_after_a_name_is_scored_before_it_as_vietnamese_writes_it() -> None:
    # 'Can Tho University' is 'Đại học Cần Thơ', 'Dong Son district' 'huyện Đông Sơn'.
    assert weights("Who spoke at Can Tho University?")["~hoc_can"] > 0
    got = weights("Who is the Party Secretary of Dong Son district?")
    assert got["~huyen_dong"] > 0 and got["~quan_dong"] > 0
    # Only after a name: 'the district police' has none.
    assert not [t for t in weights("Who leads the district police?") if t.startswith("~huyen_")]


def test_names_at_the_start_and_the_base_word_english_means() -> None:
    # A name can open the question when two Vietnamese syllables in capitals do.
    assert "~can_tho" in weights("Can Tho police arrested whom?")
    assert "~tinh_son" in weights("Son La province flood?")  # 'tỉnh Sơn La', no 'con trai'
    assert "~trai" not in weights("Son La province flood?")
    assert "~du" in weights("Do they attend?") and "~do" not in weights("Do they attend?")
    # The name a head word follows is the capitalised words before it, not a number.
    got = weights("Who heads the 2023 Can Tho University?")
    assert "~hoc_can" in got and "~hoc_2023" not in got
    # The longest base word first ('wine', not 'win'); doubled consonants undone.
    assert "~ruou" in weights("How many wines were exported?")
    assert "~ke_hoach" in weights("Who planned the project?")
