"""The feedback file: answers as shown, one vote per voter and answer, expiry, hashed chats,
and the 👍 presses read back as evaluation questions."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.feedback import feedback_data, parse_feedback_data, with_feedback
from bot.feedback_store import PRUNE_EVERY, FeedbackStore, Passage, Vote, load_feedback
from retrieval import NewsQAError

DAY = 86_400.0
SHOWN = [Passage(1, "a.txt", 7), Passage(2, "b.txt", 30)]


class Clock:
    def __init__(self) -> None:
        self.now = 1_700_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture()
def clock() -> Clock:
    return Clock()


@pytest.fixture()
def store(tmp_path: Path, clock: Clock) -> FeedbackStore:
    return FeedbackStore(tmp_path / "sub" / "feedback.sqlite3", b"salt", expires_after=DAY,
                         clock=clock)


def test_a_vote_is_stored_once_per_voter_and_can_change(store: FeedbackStore) -> None:
    answer = store.record(42, "Ai dự?", SHOWN)
    assert store.vote(answer, 42, 42, up=True) is Vote.RECORDED
    assert store.vote(answer, 42, 42, up=True) is Vote.SAME
    assert store.vote(answer, 42, 42, up=False) is Vote.CHANGED
    assert store.vote(answer, 42, 43, up=True) is Vote.RECORDED  # another member of the chat
    found = load_feedback(store.path)
    assert (found.up, found.down) == (1, 1)
    assert [(q.text, q.gold_file) for q in found.questions] == [("Ai dự?", "a.txt")]


def test_unknown_foreign_and_expired_answers_are_refused_and_nothing_is_written(
        store: FeedbackStore, clock: Clock) -> None:
    answer = store.record(42, "Ai dự?", SHOWN)
    assert store.vote(answer + 1, 42, 42, up=True) is Vote.EXPIRED
    assert store.vote(answer, 99, 99, up=True) is Vote.EXPIRED  # a button of another chat
    clock.now += DAY + 1
    assert store.vote(answer, 42, 42, up=True) is Vote.EXPIRED
    assert load_feedback(store.path).up == 0


def test_chat_ids_are_kept_only_hashed_with_the_salt(tmp_path: Path) -> None:
    one = FeedbackStore(tmp_path / "one.sqlite3", b"salt")
    other = FeedbackStore(tmp_path / "other.sqlite3", b"pepper")
    chat = 123_456_789_012
    one.vote(one.record(chat, "q", SHOWN), chat, chat, up=True)
    assert str(chat).encode() not in one.path.read_bytes()
    assert one.hashed(chat) != other.hashed(chat) and one.hashed(chat) != one.hashed(chat + 1)


def test_ids_are_never_reused_and_old_unvoted_answers_are_pruned(
        store: FeedbackStore, clock: Clock) -> None:
    kept = store.record(1, "liked", SHOWN)
    store.vote(kept, 1, 1, up=True)
    old = store.record(1, "old", SHOWN)
    clock.now += 2 * DAY
    ids = [store.record(1, "new", SHOWN) for _ in range(PRUNE_EVERY)]
    assert ids == sorted(set(ids)) and ids[0] > old
    with sqlite3.connect(store.path) as db:
        questions = {row[0] for row in db.execute("SELECT question FROM answers")}
    db.close()
    assert questions == {"liked", "new"}  # the liked one stays for `eval --feedback`
    assert load_feedback(store.path).up == 1


def test_the_same_liked_pair_is_one_question_and_the_first_passage_is_gold(
        store: FeedbackStore) -> None:
    for chat in (1, 2):
        store.vote(store.record(chat, "Ở đâu?", [Passage(4, "later.txt", 3),
                                                 Passage(3, "first.txt", 1)]), chat, chat, True)
    found = load_feedback(store.path)
    assert found.up == 2 and [(q.text, q.gold_file) for q in found.questions] == [
        ("Ở đâu?", "first.txt")]


def test_reading_a_missing_or_broken_file_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(NewsQAError, match="No feedback file"):
        load_feedback(tmp_path / "none.sqlite3")
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database at all" * 100)
    with pytest.raises(NewsQAError, match="Cannot read the feedback file"):
        load_feedback(broken)


def test_button_data_round_trips_and_fits_telegrams_limit() -> None:
    data = feedback_data(10**15 - 1, up=False)
    assert len(data.encode()) <= 64 and parse_feedback_data(data) == (10**15 - 1, False)
    for forged in ("v:1:x", "v::u", "v:12", "p:r:0:abc", "v:1:u:extra"):
        assert parse_feedback_data(forged) is None
    keyboard = with_feedback(None, 5)
    assert [[b.callback_data for b in row] for row in keyboard.inline_keyboard] == [
        ["v:5:u", "v:5:d"]]


def test_a_feedback_file_that_cannot_be_written_never_stops_an_answer(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    from bot.feedback import Feedback
    from retrieval import SearchHit, SearchResponse, Source
    from tests.bot.test_app import settings_for
    from tests.support.fake_bot_api import FakeBotApi

    settings = settings_for(FakeBotApi())
    (tmp_path / "file").write_text("a file, not a folder")
    assert Feedback.open(settings, tmp_path / "file" / "feedback.sqlite3").store is None
    assert "feedback buttons are off" in caplog.text
    feedback = Feedback.open(settings, tmp_path / "feedback.sqlite3")
    assert feedback.store is not None
    paging = InlineKeyboardMarkup([[InlineKeyboardButton("▸", callback_data="p:r:3:0")]])
    hit = SearchHit(1, 1.0, "đoạn", Source("a.txt", "Bài", None), (), 0)
    response = SearchResponse("q", (hit,), total=1)
    shown = asyncio.run(feedback.keyboard(paging, 1, response))
    assert shown is not None and len(shown.inline_keyboard) == 2
    feedback.store.path.unlink()
    feedback.store.path.mkdir()  # the file is gone and cannot be made again
    assert asyncio.run(feedback.keyboard(paging, 1, response)) is paging
    assert "sent without the buttons" in caplog.text
    # Nothing to vote on: no buttons.
    assert asyncio.run(feedback.keyboard(None, 1, SearchResponse("q", ()))) is None
