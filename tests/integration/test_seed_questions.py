"""Each seed question finds, in its top 3 passages, a passage of its gold article with the
expected text (retrieval quality on the hand-written question set)."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from retrieval import Searcher

QUESTIONS = Path(__file__).resolve().parents[1] / "eval" / "seeds.jsonl"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def load() -> list[dict[str, Any]]:
    lines = QUESTIONS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


ROWS = load()

# Known retrieval misses, kept visible: strict, so a fix that makes one pass must remove it.
# The right article comes first but another of its passages wins (docs/benchmarks.md).
KNOWN_MISSES = {
    49: "the passage listing the models is its article's 3rd best (2 are shown): it writes "
        "'ANTT' for 'an ninh trật tự' and leaves 'Rừng Thông' to the headline",
}


def test_question_set_is_complete() -> None:
    assert len(ROWS) >= 45
    langs = [row["lang"] for row in ROWS]
    assert langs.count("vi_unaccented") >= 10 and langs.count("en") >= 20
    for row in ROWS:
        assert set(row) == {"q", "gold_file", "must_contain", "kind", "lang"}, row
        # The expected text really is in the gold article (the question is answerable).
        assert nfc(row["must_contain"]) in nfc((SEEDS / row["gold_file"]).read_text("utf-8"))


@pytest.mark.slow
@pytest.mark.parametrize("row", [
    pytest.param(r, marks=pytest.mark.xfail(reason=KNOWN_MISSES[i], strict=True))
    if i in KNOWN_MISSES else r
    for i, r in enumerate(ROWS)
], ids=[f"{i:02d}-{r['lang']}-{r['kind']}" for i, r in enumerate(ROWS)])
def test_seed_question_top3(seed_searcher: Searcher, row: dict[str, Any]) -> None:
    response = seed_searcher.search(row["q"], top_k=3)
    found = [(hit.rank, hit.source.file) for hit in response.results]
    assert any(hit.source.file == row["gold_file"] and nfc(row["must_contain"]) in nfc(hit.text)
               for hit in response.results), (
        f"{row['must_contain']!r} of {row['gold_file']} not in the top 3: {found}")
