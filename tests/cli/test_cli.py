"""`newsqa` as a user runs it: exit codes, JSON, stdin batches, messages without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from retrieval import RetrievalSettings
from tests.support.remembered_vectors import newsqa_command

from ..conftest import REPO

QUESTION = "Ai đã tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc tại Cà Mau?"


def newsqa(*args: str, index: Path | None = None, stdin: str | None = None,
           env: dict[str, str] | None = None, remembered: dict[str, str] | None = None,
           ) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess; with ``remembered`` (the `remembered_vectors_env`
    fixture), the model runs only on texts the session has not embedded yet."""
    full_env = {**os.environ, **(env or {}), **(remembered or {})}
    if index is not None:
        full_env["NEWSQA_INDEX_DIR"] = str(index)
    return subprocess.run([*newsqa_command(remembered), *args], input=stdin, env=full_env,
                          cwd=REPO, capture_output=True, text=True, timeout=120)


def test_ask_json_has_the_documented_shape(seed_settings: RetrievalSettings) -> None:
    started = time.perf_counter()
    result = newsqa("ask", QUESTION, "--json", index=seed_settings.index_dir)
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["question"] == QUESTION
    assert len(data["results"]) == 3
    top = data["results"][0]
    assert set(top) == {"rank", "score", "text", "source", "highlights"}
    assert top["source"] == {"file": "003_4be6f3f6f5d770e8.txt", "date": "2022-08-11",
                             "title": top["source"]["title"], "url": None}
    assert all(top["text"][s:e] for s, e in top["highlights"])
    assert "answer" in data
    assert data["answered"] is True and data["english"] is False
    assert elapsed < 30  # generous: the figure itself is measured in bench/, not here


def test_ask_plain_text_shows_passages_and_sources(seed_settings: RetrievalSettings) -> None:
    result = newsqa("ask", "ai tham du ngay hoi o ca mau", "-k", "2",
                    index=seed_settings.index_dir)
    assert result.returncode == 0, result.stderr
    assert "[1]" in result.stdout and "[2]" in result.stdout and "[3]" not in result.stdout
    assert "003_4be6f3f6f5d770e8.txt" in result.stdout
    assert "\x1b[" not in result.stdout


def test_empty_question_is_a_usage_error(seed_settings: RetrievalSettings) -> None:
    result = newsqa("ask", "   ", index=seed_settings.index_dir)
    assert result.returncode == 2
    assert "empty" in result.stderr and "Traceback" not in result.stderr


def test_stdin_batch_answers_each_line_and_reports_bad_ones(
    seed_settings: RetrievalSettings,
) -> None:
    lines = f"{QUESTION}\n\n???\n<b>Tô Lâm</b> & \x07 Cà Mau\n" + "an ninh " * 400 + "\n"
    result = newsqa("ask", "--json", index=seed_settings.index_dir, stdin=lines)
    assert result.returncode == 0, result.stderr
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["line"] for a in answers] == [1, 2, 3, 4, 5]
    assert answers[0]["results"]
    # a blank line is marked blank (not an error); a line with nothing to search is an error
    assert answers[1] == {"line": 2, "question": "", "blank": True}
    assert answers[2]["error"]
    assert answers[3]["results"][0]["source"]["file"] == "003_4be6f3f6f5d770e8.txt"
    assert answers[4]["notices"] and len(answers[4]["question"]) <= 1000


def test_plain_stdin_batch_shows_each_question_and_marks_blank_lines(
    seed_settings: RetrievalSettings,
) -> None:
    lines = f"{QUESTION}\n\n???\nNgày hội ở thị trấn Rừng Thông\n"
    result = newsqa("ask", index=seed_settings.index_dir, stdin=lines)
    assert result.returncode == 0, result.stderr
    blocks = result.stdout.split("── ")[1:]
    assert [b.split(":", 1)[0] for b in blocks] == ["1", "2", "3", "4"]
    assert blocks[0].startswith(f"1: {QUESTION}\n") and "[1] " in blocks[0]
    assert blocks[1].startswith("2: (blank line)")
    assert blocks[2].startswith("3: ???\nError: ")
    assert "004_bc4f3269c53976f8.txt" in blocks[3]


def test_missing_index_is_built_first(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("Tin Cà Mau hôm nay\n\nNgày hội ở Cà Mau rất vui.", "utf-8")
    result = newsqa("ask", "Cà Mau", "--articles", str(articles), index=tmp_path / "idx")
    assert result.returncode == 0, result.stderr
    assert "creating a new index there" in result.stderr and str(tmp_path / "idx") in result.stderr
    assert "a.txt" in result.stdout


def test_corrupt_index_is_one_line_and_exit_1(seed_settings: RetrievalSettings) -> None:
    current = (seed_settings.index_dir / "CURRENT").read_text().strip()
    (seed_settings.index_dir / current / "chunks.npy").write_bytes(b"garbage")
    result = newsqa("ask", QUESTION, index=seed_settings.index_dir)
    assert result.returncode == 1
    assert "chunks.npy" in result.stderr and "newsqa index --full" in result.stderr
    assert "Traceback" not in result.stderr


def test_index_reports_skipped_files_and_a_summary(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "ok.txt").write_text("Tin tốt hôm nay ở đây\n\nNội dung.", "utf-8")
    (articles / "bad.txt").write_bytes(b"\xff\xfe\x00\xd8 broken")
    result = newsqa("index", "--articles", str(articles), index=tmp_path / "idx")
    assert result.returncode == 0, result.stderr
    assert "skipped bad.txt" in result.stderr
    assert "Index ready: 1 article, 1 passage; " in result.stderr  # no "1 passages"


def test_eval_prints_hits_for_both_question_forms(tmp_path: Path) -> None:
    articles = tmp_path / "set" / "articles"
    articles.mkdir(parents=True)
    (articles / "a.txt").write_text("Lễ hội ở Cà Mau\n\nNgười dân Cà Mau dự lễ hội.", "utf-8")
    (articles / "b.txt").write_text("Hội nghị ở Hà Nội\n\nBộ Công an họp ở Hà Nội.", "utf-8")
    questions = tmp_path / "set" / "questions.jsonl"
    questions.write_text(
        json.dumps({"q": "Lễ hội ở Cà Mau?", "gold_file": "a.txt"}, ensure_ascii=False) + "\n"
        + json.dumps({"q": "Bộ Công an họp ở đâu?", "gold_file": "b.txt"}, ensure_ascii=False),
        "utf-8")
    result = newsqa("eval", str(tmp_path / "set"), "--json", index=tmp_path / "idx")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["as_written"]["hit@1"] == 1.0
    assert report["diacritics_stripped"]["questions"] == 2
    # evaluation never touches the user's own index folder
    assert not (tmp_path / "idx").exists()


def test_bad_setting_is_reported_not_raised() -> None:
    result = newsqa("ask", QUESTION, env={"NEWSQA_TOP_K": "many"})
    assert result.returncode == 1
    assert "invalid setting" in result.stderr and "Traceback" not in result.stderr


def test_articles_folder_1500_levels_deep_is_indexed(tmp_path: Path) -> None:
    # os.walk recursed once per level and raised RecursionError near 1,000.
    articles = tmp_path / "deep"
    articles.mkdir()
    (articles / "top.txt").write_text("Tin Cà Mau\n\nNgày hội ở Cà Mau rất vui.", "utf-8")
    levels = [str(articles)]
    for _ in range(1500):
        levels.append(os.path.join(levels[-1], "d"))
        os.mkdir(levels[-1])
    Path(levels[-1], "bottom.txt").write_text("Tin Rừng Thông\n\nNgày hội ở Rừng Thông.",
                                              "utf-8")
    try:
        result = newsqa("index", "--articles", str(articles), index=tmp_path / "idx")
        assert result.returncode == 0, result.stderr[-2000:]
        assert "Index ready: 2 articles" in result.stderr
        assert "Traceback" not in result.stderr
    finally:  # shutil.rmtree recurses per level too: remove bottom-up
        os.remove(os.path.join(levels[-1], "bottom.txt"))
        for level in reversed(levels[1:]):
            os.rmdir(level)


def test_legacy_encodings_are_named_and_a_latin1_mislabel_is_repaired(tmp_path: Path) -> None:
    from .legacy_encoding import to_cp1258

    articles = tmp_path / "articles"
    articles.mkdir()
    text = "Tin ở Huế\n\nNgười dân Huế dự ngày hội toàn dân bảo vệ an ninh Tổ quốc."
    (articles / "old.txt").write_bytes(to_cp1258(text))
    # UTF-8 once read as Latin-1 and saved as UTF-8 again
    mislabelled = "Tin ở Cà Mau\n\nNgười dân Cà Mau đã dự ngày hội ở xã Hưng Mỹ."
    (articles / "twice.txt").write_text(mislabelled.encode("utf-8").decode("latin-1"), "utf-8")
    index = tmp_path / "idx"
    built = newsqa("index", "--articles", str(articles), index=index)
    assert built.returncode == 0, built.stderr
    assert "skipped old.txt: not UTF-8 text (it looks like WINDOWS-1258" in built.stderr
    assert "iconv -f WINDOWS-1258 -t UTF-8" in built.stderr
    asked = newsqa("ask", "Người dân Cà Mau dự ngày hội ở đâu?", "--json", "--articles",
                   str(articles), index=index)
    top = json.loads(asked.stdout)["results"][0]
    assert top["source"]["file"] == "twice.txt" and "Người dân Cà Mau" in top["text"]
