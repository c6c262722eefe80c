"""The CLI's one-line messages: Vietnamese by default, English by setting, each naming what
is wrong; names shown on a terminal never carry control characters; JSON is always JSON."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from bot.frontend.messages import MESSAGES
from retrieval import RetrievalSettings

from ..conftest import REPO, SEEDS
from .test_cli import QUESTION, newsqa

VIETNAMESE = {"NEWSQA_LANGUAGE": "vi"}


def test_every_message_has_both_languages_with_the_same_fields() -> None:
    import string

    for key, (vi, en) in MESSAGES.items():
        assert vi and en, key
        fields = [{name for _, name, _, _ in string.Formatter().parse(text) if name}
                  for text in (vi, en)]
        assert fields[0] == fields[1], key


def test_messages_are_vietnamese_by_default(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NEWSQA_LANGUAGE"}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "ask", "   "], env=env,
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "câu hỏi trống" in result.stderr
    assert "câu hỏi trống" not in newsqa("ask", "   ").stderr  # tests speak English


def test_english_messages_by_setting() -> None:
    result = newsqa("ask", "   ", env={"NEWSQA_LANGUAGE": "en"})
    assert result.returncode == 2 and "the question is empty" in result.stderr


@pytest.mark.parametrize("language, words", [("vi", "số nguyên từ 1 đến 50"),
                                             ("en", "whole number from 1 to 50")])
def test_top_k_that_is_not_a_number_is_named(language: str, words: str) -> None:
    result = newsqa("ask", QUESTION, "-k", "abc", env={"NEWSQA_LANGUAGE": language})
    assert result.returncode == 2
    assert words in result.stderr and "'abc'" in result.stderr
    assert "_positive" not in result.stderr


@pytest.mark.parametrize("language, missing, unknown", [
    ("vi", "lỗi: thiếu tham số bắt buộc: COMMAND", "lỗi: tham số không nhận ra: --frob"),
    ("en", "error: the following arguments are required: COMMAND",
     "error: unrecognized arguments: --frob"),
])
def test_usage_errors_speak_the_chosen_language(language: str, missing: str,
                                                unknown: str) -> None:
    env = {"NEWSQA_LANGUAGE": language}
    result = newsqa(env=env)
    assert result.returncode == 2 and missing in result.stderr
    result = newsqa("ask", QUESTION, "--frob", env=env)
    assert result.returncode == 2 and unknown in result.stderr
    assert "usage: newsqa" in newsqa("--help", env=env).stdout  # the help stays English


def test_bad_environment_value_names_the_variable() -> None:
    result = newsqa("ask", QUESTION, env={"NEWSQA_TOP_K": "many"})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "NEWSQA_TOP_K='many'" in lines[0], result.stderr
    assert "pydantic" not in result.stderr and "For further information" not in result.stderr


def test_missing_model_folder_says_no_such_folder(tmp_path: Path) -> None:
    result = newsqa("ask", QUESTION, "--model", str(tmp_path / "no" / "such"))
    assert result.returncode == 1
    assert "no such folder" in result.stderr and "hub" not in result.stderr


def test_eval_warns_about_gold_files_not_in_the_collection(
    seed_settings: RetrievalSettings,
) -> None:
    questions = seed_settings.index_dir.parent / "q.jsonl"
    questions.write_text(
        json.dumps({"q": QUESTION, "gold_file": "003_4be6f3f6f5d770e8.txt"}) + "\n"
        + json.dumps({"q": "Ngày hội ở Rừng Thông", "gold_file": "gone.txt"}) + "\n", "utf-8")
    result = newsqa("eval", str(questions), "--json", "--articles", str(SEEDS),
                    index=seed_settings.index_dir, env={"NEWSQA_ARTICLES_DIR": str(SEEDS)})
    assert result.returncode == 0, result.stderr
    assert "gone.txt" in result.stderr and "skipped" in result.stderr
    report = json.loads(result.stdout)
    assert report["as_written"]["questions"] == 1 and report["as_written"]["hit@1"] == 1.0


def strict_json(text: str) -> object:
    def refuse(name: str) -> object:
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_json_output_has_no_nan_even_when_scores_are_nan(
    seed_settings: RetrievalSettings,
) -> None:
    # A damaged fusion.json with NaN weights makes every score NaN.
    from retrieval.embedding import load_embedder

    key = json.dumps(load_embedder(seed_settings).identity.as_dict(), sort_keys=True)
    (seed_settings.index_dir / "fusion.json").write_text(
        json.dumps({key: {"accented": float("nan"), "unaccented": float("nan"),
                          "questions": 60}}), "utf-8")
    result = newsqa("ask", QUESTION, "--json", index=seed_settings.index_dir)
    if result.returncode == 0:
        data = strict_json(result.stdout)
        assert isinstance(data, dict) and "results" in data
    else:  # a store that refuses the damaged file says so in one line
        assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1
    batch = newsqa("ask", "--json", index=seed_settings.index_dir, stdin=QUESTION + "\n")
    for line in batch.stdout.splitlines():
        strict_json(line)


HOSTILE = ["x\nIndex ready: 0 articles (FAKE LINE)\n.txt", "\x1b]0;title\x07.txt",
           "bell\x07\x1b[2J.txt"]


def hostile_collection(tmp_path: Path) -> Path:
    articles = tmp_path / "articles"
    articles.mkdir()
    for number, name in enumerate(HOSTILE):
        (articles / name).write_text(f"Tin số {number} ở Cà Mau\n\nNgày hội Cà Mau lần "
                                     f"{number} rất vui.", "utf-8")
    (articles / "skip\x1b[31m.txt").write_bytes(b"\xff\xfe\x00\xd8 broken")
    return articles


def assert_clean(output: str) -> None:
    assert "\x1b" not in output and "\x07" not in output
    assert not any(line.startswith("Index ready: 0 articles (FAKE") for line in
                   output.splitlines())


def test_control_characters_in_names_are_escaped_everywhere(tmp_path: Path) -> None:
    articles = hostile_collection(tmp_path)
    index = tmp_path / "index"
    built = newsqa("index", "--articles", str(articles), index=index)
    assert built.returncode == 0, built.stderr
    assert_clean(built.stderr)
    assert "skip\\x1b[31m.txt" in built.stderr
    sources = newsqa("sources", "--articles", str(articles), index=index)
    assert_clean(sources.stdout)
    assert "x\\nIndex ready: 0 articles (FAKE LINE)\\n.txt" in sources.stdout
    assert "\\x1b]0;title\\x07.txt" in sources.stdout
    asked = newsqa("ask", "Ngày hội Cà Mau", "-k", "3", "--articles", str(articles),
                   index=index)
    assert_clean(asked.stdout)
    batch = newsqa("ask", "--articles", str(articles), index=index, stdin="Cà Mau\n")
    assert_clean(batch.stdout)
    # JSON keeps the real names (escaped by JSON itself)
    data = json.loads(newsqa("ask", "Cà Mau", "--json", "-k", "3", "--articles",
                             str(articles), index=index).stdout)
    assert {hit["source"]["file"] for hit in data["results"]} <= set(HOSTILE)


def test_one_huge_stdin_line_is_cut_before_it_is_held(
    seed_settings: RetrievalSettings, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    huge = ("an ninh Cà Mau " * 2_000_000).encode("utf-8")  # ~32 MB on one line
    stdin = io.TextIOWrapper(io.BytesIO(huge + b"\n" + QUESTION.encode() + b"\n"),
                             encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    main(["ask", "--json", "--index", str(seed_settings.index_dir), "--articles",
          str(SEEDS)])  # the model and index load before the traced part
    stdin.seek(0)
    capsys.readouterr()
    tracemalloc.start()
    try:
        code = main(["ask", "--json", "--index", str(seed_settings.index_dir), "--articles",
                     str(SEEDS)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        stdin.close()
    assert code == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(answers) == 2 and answers[0]["notices"] and answers[1]["results"]
    assert len(answers[0]["question"]) <= 1000
    assert peak < len(huge) // 4, peak  # never the whole line (old: several copies of it)
