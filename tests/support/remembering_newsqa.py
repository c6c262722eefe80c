"""`newsqa` with the session's remembered model vectors (see `remembered_vectors`).

Run as ``python -m tests.support.remembering_newsqa ARGS`` with NEWSQA_TEST_REMEMBERED_VECTORS
naming the session's file: the real CLI, the real model for any text the file lacks.
"""

from __future__ import annotations

import sys

from bot.cli import main
from tests.support.remembered_vectors import remember_from_env

if __name__ == "__main__":
    remember_from_env()
    sys.exit(main())
