"""`newsqa eval --tune` as a user runs it: no silent switch to lexical-only search, figures on
held-out questions, what was stored and how to undo it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retrieval import RetrievalSettings

from ..conftest import REPO
from .test_cli import newsqa

SEED_QUESTIONS = REPO / "tests" / "eval" / "seeds.jsonl"
# No word in common with the Vietnamese articles: only dense search finds these.
ENGLISH = "Which university hosted a security festival?"
DENSE_ONLY = [
    (ENGLISH, "001_f824fb1a18cc5dcd.txt"),
    ("online conference summary", "002_493233f6a5b72f62.txt"),
    ("What did students receive at the university event?", "001_f824fb1a18cc5dcd.txt"),
    ("Who led the city government?", "000_70767a7265ef359a.txt"),
    ("annual gathering for national safety in the mountains", "004_bc4f3269c53976f8.txt"),
    ("virtual meeting of the ministry", "002_493233f6a5b72f62.txt"),
    ("Which city party secretary attended?", "000_70767a7265ef359a.txt"),
    ("review meeting held over video link", "002_493233f6a5b72f62.txt"),
    ("festival at a school campus", "001_f824fb1a18cc5dcd.txt"),
]


def english_finds_its_passage(index: Path) -> bool:
    result = newsqa("ask", ENGLISH, "--json", "--articles", str(REPO / "seeds"), index=index)
    assert result.returncode == 0, result.stderr
    files = [hit["source"]["file"] for hit in json.loads(result.stdout)["results"]]
    return "001_f824fb1a18cc5dcd.txt" in files


def stored(index: Path) -> dict[str, float] | None:
    path = index / "fusion.json"
    if not path.exists():
        return None
    (entry,) = json.loads(path.read_text("utf-8")).values()
    return {"accented": entry["accented"], "unaccented": entry["unaccented"]}


@pytest.mark.slow
def test_tuning_on_the_seed_questions_keeps_dense_search(
    seed_settings: RetrievalSettings,
) -> None:
    # Every weight ranks the gold article first on the seeds: ties must not pick 0.00.
    index = seed_settings.index_dir
    result = newsqa("eval", str(SEED_QUESTIONS), "--articles", str(REPO / "seeds"), "--tune",
                    "--json", "--index", str(index))
    assert result.returncode == 0, result.stderr
    entry = stored(index)
    assert entry is None or (entry["accented"] > 0 and entry["unaccented"] > 0)
    assert "held out" in result.stderr and "default" in result.stderr
    report = json.loads(result.stdout)
    # the figures are those of the held-out questions, not of the fitted ones
    assert report["as_written"]["questions"] == report["tuning"]["held_out"] < 51
    assert english_finds_its_passage(index)


def test_too_few_questions_keep_the_default_and_say_so(seed_settings: RetrievalSettings) -> None:
    questions = seed_settings.index_dir.parent / "few.jsonl"
    questions.write_text("".join(json.dumps({"q": q, "gold_file": g}) + "\n"
                                 for q, g in DENSE_ONLY), "utf-8")
    result = newsqa("eval", str(questions), "--articles", str(REPO / "seeds"), "--tune",
                    "--index", str(seed_settings.index_dir))
    assert result.returncode == 0, result.stderr
    assert "too few" in result.stderr and "nothing stored" in result.stderr
    assert stored(seed_settings.index_dir) is None


@pytest.mark.slow
def test_a_better_weight_is_stored_announced_and_can_be_reset(
    seed_settings: RetrievalSettings, remembered_vectors_env: dict[str, str],
) -> None:
    index = seed_settings.index_dir
    questions = index.parent / "dense.jsonl"
    questions.write_text("".join(json.dumps({"q": q, "gold_file": g}) + "\n"
                                 for q, g in DENSE_ONLY * 6), "utf-8")
    # With the settings' default at 0 (lexical only) these questions find nothing: a
    # dense weight beats it on the held-out part and is stored.
    lexical_only = {"NEWSQA_DENSE_WEIGHT_ACCENTED": "0", "NEWSQA_DENSE_WEIGHT_UNACCENTED": "0"}
    result = newsqa("eval", str(questions), "--articles", str(REPO / "seeds"), "--tune",
                    "--index", str(index), env=lexical_only, remembered=remembered_vectors_env)
    assert result.returncode == 0, result.stderr
    entry = stored(index)
    assert entry is not None and entry["accented"] > 0, result.stderr
    assert f"stored dense weights accented {entry['accented']:.2f}" in result.stderr
    assert "newsqa eval --reset-tuning" in result.stderr

    rebuilt = newsqa("index", "--full", "--articles", str(REPO / "seeds"), index=index,
                     remembered=remembered_vectors_env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Tuned fusion weights in force" in rebuilt.stderr

    undone = newsqa("eval", "--reset-tuning", index=index)
    assert undone.returncode == 0, undone.stderr
    assert "Removed the tuned fusion weights" in undone.stderr
    assert stored(index) is None
    again = newsqa("index", "--articles", str(REPO / "seeds"), index=index)
    assert "Tuned fusion weights" not in again.stderr


def test_eval_over_the_configured_articles_reuses_the_configured_index(
    seed_settings: RetrievalSettings, tmp_path: Path,
) -> None:
    index = seed_settings.index_dir
    before = sorted(p.name for p in index.parent.iterdir())
    result = newsqa("eval", str(SEED_QUESTIONS), index=index,
                    env={"NEWSQA_ARTICLES_DIR": str(REPO / "seeds")})
    assert result.returncode == 0, result.stderr
    assert "0 embedded" in result.stderr and "65 reused" in result.stderr
    assert sorted(p.name for p in index.parent.iterdir()) == before
    assert not (tmp_path / "cache").exists()


@pytest.mark.slow
def test_private_eval_index_is_in_the_cache_and_tuning_lands_in_the_configured_index(
    seed_settings: RetrievalSettings, tmp_path: Path, remembered_vectors_env: dict[str, str],
) -> None:
    folder = tmp_path / "devset"
    (folder / "articles").mkdir(parents=True)
    for article in (REPO / "seeds").glob("*.txt"):
        (folder / "articles" / article.name).write_bytes(article.read_bytes())
    (folder / "questions.jsonl").write_text(
        "".join(json.dumps({"q": q, "gold_file": g}) + "\n" for q, g in DENSE_ONLY * 6), "utf-8")
    index = seed_settings.index_dir
    lexical_only = {"NEWSQA_DENSE_WEIGHT_ACCENTED": "0", "NEWSQA_DENSE_WEIGHT_UNACCENTED": "0",
                    "NEWSQA_ARTICLES_DIR": str(REPO / "seeds")}
    result = newsqa("eval", str(folder), "--tune", index=index, env=lexical_only,
                    remembered=remembered_vectors_env)
    assert result.returncode == 0, result.stderr
    (private,) = (tmp_path / "cache" / "newsqa").iterdir()
    assert str(private) in result.stderr
    assert not list(index.parent.glob("*eval*")) and not list(REPO.glob(".index-eval*"))
    entry = stored(index)
    assert entry is not None and entry["accented"] > 0
    assert not (private / "fusion.json").exists()
