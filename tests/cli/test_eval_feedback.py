"""`newsqa eval --feedback [PATH]`: the bot's 👍 presses as evaluation questions, the 👎
counted, and a clear message when there is no feedback."""

from __future__ import annotations

import json
from pathlib import Path

from bot.feedback_store import FeedbackStore, Passage, default_path
from retrieval import RetrievalSettings

from .test_cli import newsqa

ENGLISH = {"NEWSQA_LANGUAGE": "en"}
QUESTION = "Đại tướng Tô Lâm dự ngày hội ở đâu?"
CA_MAU = "003_4be6f3f6f5d770e8.txt"


def test_no_feedback_file_is_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    result = newsqa("eval", "--feedback", index=tmp_path / "index",
                    env={**ENGLISH, "TELEGRAM_FEEDBACK_PATH": str(missing)})
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"newsqa: No feedback file at {missing}: the bot stores the 👍 / 👎 presses there "
        "(TELEGRAM_FEEDBACK_PATH, default feedback.sqlite3 in the index folder).")


def test_only_thumbs_down_means_nothing_to_evaluate(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "f.sqlite3", b"salt")
    store.vote(store.record(1, QUESTION, [Passage(1, CA_MAU, 40)]), 1, 1, up=False)
    result = newsqa("eval", "--feedback", str(store.path), index=tmp_path / "index",
                    env=ENGLISH)
    assert result.returncode == 1
    assert "No 👍 presses in" in result.stderr and "(1 👎)" in result.stderr
    assert "Traceback" not in result.stderr


def test_feedback_and_a_question_file_together_is_a_usage_error(tmp_path: Path) -> None:
    result = newsqa("eval", "q.jsonl", "--feedback", str(tmp_path / "f.sqlite3"),
                    index=tmp_path / "index", env=ENGLISH)
    assert result.returncode == 2 and "--feedback replaces the question file" in result.stderr


def test_thumbs_up_become_questions_of_the_index_they_were_given_on(
        seed_settings: RetrievalSettings) -> None:
    store = FeedbackStore(default_path(seed_settings.index_dir), b"salt")
    for chat in (1, 2):  # two users liked the same answer: one question
        store.vote(store.record(chat, QUESTION, [Passage(1, CA_MAU, 40)]), chat, chat, up=True)
    store.vote(store.record(3, "Rừng Thông", [Passage(1, CA_MAU, 41)]), 3, 3, up=False)
    result = newsqa("eval", "--feedback", "--json", "--articles", "seeds",
                    index=seed_settings.index_dir, env=ENGLISH)
    assert result.returncode == 0, result.stderr
    assert "2 👍 presses make 1 questions" in result.stderr and "1 👎" in result.stderr
    report = json.loads(result.stdout)
    assert report["as_written"]["questions"] == 1 and report["as_written"]["hit@1"] == 1.0
