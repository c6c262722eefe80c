"""Restoring diacritics from the collection's own text."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from retrieval.articles import load_articles
from retrieval.diacritics import DiacriticRestorer

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def restorer() -> DiacriticRestorer:
    return DiacriticRestorer.fit(a.body for a in load_articles(SEEDS))


def test_restores_from_seed_statistics(tmp_path: Path) -> None:
    model = restorer()
    assert model.restore("ai tham du ngay hoi o ca mau") == "ai tham dự ngày hội ở cà mau"
    assert model.restore("Bo truong To Lam") == "Bộ trưởng Tô Lâm"
    model.save(tmp_path / "d.json")
    assert DiacriticRestorer.load(tmp_path / "d.json").restore("ca mau") == "cà mau"


def test_accented_words_and_english_questions_are_left_alone() -> None:
    model = restorer()
    assert model.restore("tham dự ngay hoi") == "tham dự ngày hội"
    assert model.restore("Who is the Deputy Minister?") == "Who is the Deputy Minister?"


@given(st.text(max_size=200))
def test_never_raises_and_keeps_length_of_words(text: str) -> None:
    model = DiacriticRestorer.fit(["Người dân tham dự ngày hội", "Bộ Công an"])
    assert len(model.restore(text).split()) == len(text.split())
