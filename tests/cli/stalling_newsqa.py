"""`newsqa` whose embedder stalls inside C code the way a model's batch does (for Ctrl-C tests).

Run as ``python -m tests.cli.stalling_newsqa index ...`` with NEWSQA_TEST_STALL_MARKER naming a
file: the first passage batch creates it, then blocks in libc ``read`` on a pipe nobody writes.
SIGINT restarts the read (SA_RESTART), as it would not interrupt a C computation either, so
only a build that waits for its embedder from another thread can stop at once.
"""

from __future__ import annotations

import ctypes
import faulthandler
import os
import signal
import sys
from pathlib import Path

import numpy as np

import retrieval.indexer
from bot.cli import main
from retrieval.embedding import Embedder, FloatArray
from retrieval.settings import RetrievalSettings
from tests.support.fake_embedder import HashingEmbedder


class StallingEmbedder(HashingEmbedder):
    def __init__(self, marker: Path) -> None:
        super().__init__()
        self._marker = marker
        self._pipe = os.pipe()

    def _encode(self, texts: list[str], is_query: bool) -> FloatArray:
        if is_query:
            return super()._encode(texts, is_query)
        self._marker.write_text("stalled", encoding="utf-8")
        libc = ctypes.CDLL(None, use_errno=True)
        buffer = ctypes.create_string_buffer(1)
        libc.read(self._pipe[0], buffer, 1)  # never returns: nothing writes to the pipe
        return np.zeros((len(texts), 64), dtype=np.float32)


def stalling_embedder(settings: RetrievalSettings) -> Embedder:
    return StallingEmbedder(Path(os.environ["NEWSQA_TEST_STALL_MARKER"]))


if __name__ == "__main__":
    signal.siginterrupt(signal.SIGINT, False)
    faulthandler.register(signal.SIGUSR1, all_threads=True)
    retrieval.indexer.load_embedder = stalling_embedder  # type: ignore[attr-defined]
    sys.exit(main())
