"""`newsqa` whose Postgres build stalls half-way through writing its generation (kill tests).

Run as ``python -m tests.postgres.stalling_commit_newsqa index ...`` with
NEWSQA_TEST_STALL_MARKER naming a file: once the new generation's passages and terms are
written, and before its indexes and its commit, the marker appears and the build sleeps.
With NEWSQA_TEST_REMEMBERED_VECTORS set, the session's vectors are remembered (see
`tests.support.remembered_vectors`).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bot.cli import main
from retrieval.store.postgres_writer import PostgresWriter
from tests.support.remembered_vectors import remember_from_env

_write_lexical = PostgresWriter._write_lexical

def _write_lexical_then_stall(self: PostgresWriter) -> None:
    _write_lexical(self)
    Path(os.environ["NEWSQA_TEST_STALL_MARKER"]).write_text("stalled", encoding="utf-8")
    while True:
        time.sleep(1)


if __name__ == "__main__":
    remember_from_env()
    PostgresWriter._write_lexical = _write_lexical_then_stall  # type: ignore[method-assign]
    sys.exit(main())
