"""The "not found" evidence: which of the question's words count."""

from __future__ import annotations

import numpy as np

from retrieval.notfound import evidence, function_words
from retrieval.text import query_terms


def test_prepositions_are_function_words_typed_either_way() -> None:
    assert function_words("Ngày hội ở Cà Mau tổ chức vào ngày nào?") == {"o", "vao"}
    assert function_words("ngay hoi o ca mau to chuc vao ngay nao") == {"o", "vao"}


def test_asking_a_position_and_addressing_a_person_are_function_words() -> None:
    assert function_words("Ông Lê Trọng Thụ giữ chức vụ gì?") == {"ong", "giu", "chuc", "vu"}
    assert function_words("nguyen tien hai giu chuc vu gi") == {"giu", "chuc", "vu"}
    assert function_words("Ai tổ chức ngày hội?") == frozenset()  # 'tổ chức': organised


def test_an_accented_look_alike_of_a_preposition_is_a_word() -> None:
    # 'ô' of 'ô nhiễm', 'đèn' and 'vé' fold to the prepositions 'ở', 'đến' and 'về'.
    assert function_words("Ô nhiễm ở Hà Nội do đèn hay vé?") == {"o", "do", "hay"}
    assert function_words("Ô nhiễm không khí tăng bao nhiêu?") == frozenset()


def test_an_optional_word_counts_only_when_the_passage_has_it() -> None:
    terms = query_terms("Ngày hội ở Cà Mau")
    idf = np.array([2.0 if "_" not in t else 0.5 for t in terms.terms])
    lacking = {hash(s) for s in ("ngay", "hoi", "ca", "mau")}
    assert evidence(terms, idf, 5, lacking, 0.8, english=False).coverage == 0.8
    dropped = evidence(terms, idf, 5, lacking, 0.8, english=False, optional=frozenset({"o"}))
    assert dropped.coverage == 1.0 and dropped.unknown == 0.0
    # Held, it counts as any word: 'ở' found and 'mau' missing is 4 of 5, not 3 of 4.
    holding = {hash(s) for s in ("ngay", "hoi", "o", "ca")}
    held = evidence(terms, idf, 5, holding, 0.8, english=False, optional=frozenset({"o"}))
    assert held.coverage == 0.8
    # A question of prepositions alone, none in the passage, holds nothing to find.
    only = evidence(query_terms("ở"), np.array([2.0]), 5, set(), 0.8, english=False,
                    optional=frozenset({"o"}))
    assert only.coverage == 0.0 and only.unknown == 1.0
