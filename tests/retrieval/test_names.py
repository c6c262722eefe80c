"""Reading people: the quick test that lets most sentences skip tokenizing skips none that
names someone."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from retrieval.answers.names import _Sentence, people_in_passage, people_in_sentence
from retrieval.answers.tokens import may_name_someone
from retrieval.text import sentence_spans

from ..reliability.strategies import hostile_text

# Capitalised words in every shape the tokenizer sees: names, titles, all-caps, one letter,
# letters past the BMP, upper-case letters of other scripts, joined by '_' or punctuation.
piece = st.sampled_from([
    "Nguyễn", "Văn", "Tô Lâm", "Đại tướng", "ông", "Bộ trưởng", "UBND", "TP.", "A", "B.",
    "\U0001d400bc", "Ωmega", "Ǆa", "_", "-", ",", ":", "\n", "  ", "tham dự", "x", "Ïa",
    "ĐẠI", "Lê_Văn", "(Trần", "Hà", "2022", "Cà\u0300", "\u00a0", "Mau", "Đỗ", "Ánh",
])
sentence = st.lists(st.one_of(piece, hostile_text), max_size=25).map(" ".join)
glued = st.lists(st.one_of(piece, hostile_text), max_size=25).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(sentence, glued))
@example(text="Đại tướng Tô Lâm tham dự.")
@example(text="Có ông Đỗ Ánh dự.")  # capitals outside ASCII only
@example(text="ông \U0001d400bc Văn")  # a capital past the BMP
@example(text="ông Lê_Ánh")
def test_a_sentence_the_quick_test_skips_has_no_name_candidate(text: str) -> None:
    if not may_name_someone(text, 0, len(text)):
        assert _Sentence(text, 0, len(text)).candidates == []


def test_the_quick_test_passes_names_and_skips_plain_sentences() -> None:
    assert may_name_someone("Sáng nay, Đại tướng Tô Lâm đã đến dự.", 0, 36)
    assert may_name_someone("ông Lê_Văn", 0, 10)
    assert not may_name_someone("Ngày hội diễn ra sôi nổi, vui tươi.", 0, 35)
    assert not may_name_someone("Theo đó, 3 mô hình được nhân rộng.", 0, 34)
    text = "Tô Lâm. Ngày hội diễn ra."
    assert [may_name_someone(text, a, b) for a, b in sentence_spans(text)] == [True, False]
    assert [m.name for m in people_in_sentence("Có ông Nguyễn Văn A dự.", 0, 23)] == [
        "Nguyễn Văn A"]


def test_people_of_a_passage_are_read_sentence_by_sentence() -> None:
    passage = ("Ngày hội diễn ra sôi nổi. Tham dự có Đại tướng Tô Lâm, Bộ trưởng Bộ Công an. "
               "Đồng chí Huỳnh Quốc Việt trao bằng khen.")
    assert [m.name for m in people_in_passage(passage)] == ["Tô Lâm", "Huỳnh Quốc Việt"]
