"""The 👍 / 👎 presses under the bot's answers, in one SQLite file (standard library only).

Each answer page shown with buttons is a row of ``answers`` (the question as searched, the
passages shown as file + chunk, the salted hash of the chat); a press upserts one row of
``votes`` per answer and voter. Every write is one transaction, so a crash leaves the file
as it was before or after a press. `newsqa eval --feedback` reads the 👍 as questions.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from retrieval import NewsQAError, SearchHit
from retrieval.evaluation import Question

FILE_NAME = "feedback.sqlite3"
# Unvoted answers older than the expiry are deleted once every this many new answers.
PRUNE_EVERY = 500
_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: an old button never finds a new row
    created REAL NOT NULL,
    chat TEXT NOT NULL,
    question TEXT NOT NULL,
    passages TEXT NOT NULL  -- JSON [{"rank", "file", "chunk"}], as shown
);
CREATE INDEX IF NOT EXISTS answers_created ON answers (created);
CREATE TABLE IF NOT EXISTS votes (
    answer INTEGER NOT NULL REFERENCES answers (id),
    voter TEXT NOT NULL,
    chat TEXT NOT NULL,
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    at REAL NOT NULL,
    PRIMARY KEY (answer, voter)
);
"""


class Vote(Enum):
    RECORDED = "recorded"
    CHANGED = "changed"  # the voter had pressed the other button
    SAME = "same"  # pressed twice
    EXPIRED = "expired"  # unknown answer, another chat's, or older than the expiry


@dataclass(frozen=True)
class Passage:
    rank: int
    file: str
    chunk: int


@dataclass(frozen=True)
class FeedbackSet:
    """The evaluation questions of the 👍 presses, and how many presses of each kind."""

    questions: list[Question]
    up: int
    down: int


def default_path(index_dir: Path) -> Path:
    return index_dir / FILE_NAME


def shown_passages(hits: Sequence[SearchHit]) -> list[Passage]:
    return [Passage(hit.rank, hit.source.file, hit.chunk_id) for hit in hits]


class FeedbackStore:
    """The feedback file; one short connection per call, so worker threads never share one."""

    def __init__(self, path: Path, key: bytes, *, expires_after: float = 30 * 86_400.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.path, self._key = path, key
        self._expires, self._clock = expires_after, clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)

    def hashed(self, chat_id: int) -> str:
        return hmac.new(self._key, str(chat_id).encode(), hashlib.sha256).hexdigest()[:32]

    def record(self, chat_id: int, question: str, passages: Sequence[Passage]) -> int:
        """Stores an answer as shown; its id goes into the buttons."""
        shown = json.dumps([vars(p) for p in passages], ensure_ascii=False)
        now = self._clock()
        with self._connect() as db, db:
            cursor = db.execute(
                "INSERT INTO answers (created, chat, question, passages) VALUES (?, ?, ?, ?)",
                (now, self.hashed(chat_id), question, shown))
            answer_id = int(cursor.lastrowid or 0)
            if answer_id % PRUNE_EVERY == 0:
                db.execute("DELETE FROM answers WHERE created < ? AND id NOT IN "
                           "(SELECT answer FROM votes)", (now - self._expires,))
        return answer_id

    def vote(self, answer_id: int, chat_id: int, voter_id: int, up: bool) -> Vote:
        """Stores a press on the buttons of ``answer_id`` in ``chat_id``."""
        chat, voter, value = self.hashed(chat_id), self.hashed(voter_id), 1 if up else -1
        now = self._clock()
        with self._connect() as db, db:
            row = db.execute("SELECT chat, created FROM answers WHERE id = ?",
                             (answer_id,)).fetchone()
            if row is None or row[0] != chat or now - row[1] > self._expires:
                return Vote.EXPIRED
            before = db.execute("SELECT vote FROM votes WHERE answer = ? AND voter = ?",
                                (answer_id, voter)).fetchone()
            if before is not None and before[0] == value:
                return Vote.SAME
            db.execute("INSERT INTO votes (answer, voter, chat, vote, at) VALUES (?, ?, ?, ?, ?)"
                       " ON CONFLICT (answer, voter) DO UPDATE SET vote = excluded.vote, "
                       "at = excluded.at", (answer_id, voter, chat, value, now))
        return Vote.RECORDED if before is None else Vote.CHANGED

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            yield db
        finally:
            db.close()


def load_feedback(path: Path) -> FeedbackSet:
    """The 👍 presses as questions: the question as searched -> the file of the first passage
    shown (one question per distinct pair); 👎 presses are only counted."""
    if not path.is_file():
        raise NewsQAError(f"No feedback file at {path}: the bot stores the 👍 / 👎 presses "
                          "there (TELEGRAM_FEEDBACK_PATH, default feedback.sqlite3 in the "
                          "index folder).")
    try:
        db = sqlite3.connect(path, timeout=10)
        try:
            rows = db.execute("SELECT a.question, a.passages, v.vote FROM votes v JOIN answers a"
                              " ON a.id = v.answer ORDER BY v.at").fetchall()
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise NewsQAError(f"Cannot read the feedback file {path}: {exc}") from exc
    questions: dict[tuple[str, str], Question] = {}
    up = down = 0
    for question, passages, vote in rows:
        if vote < 0:
            down += 1
            continue
        up += 1
        shown = sorted(json.loads(passages), key=lambda p: p["rank"])
        if shown:
            pair = (question, shown[0]["file"])
            questions.setdefault(pair, Question(*pair))
    return FeedbackSet(list(questions.values()), up, down)
