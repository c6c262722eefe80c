"""The bundled model's vectors, remembered per text for the test session.

The model's vector of a text depends on that text alone, not on its batch (checked equal to
the bit), so a build of the seeds needs to run the model on each passage and sentence once
per session. In process, `BundledE5Embedder._encode` looks the texts up first
(`remember`). A subprocess that runs the real CLI but tests something else than the model
(a build killed half-way, `eval --tune`, the Postgres store) is started as
``python -m tests.support.remembering_newsqa ...`` with `ENV` naming a file the session
wrote (`save`): it runs the model only on the texts that file lacks.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from retrieval.embedding import BundledE5Embedder

ENV = "NEWSQA_TEST_REMEMBERED_VECTORS"
Key = tuple[str, bool]
Encode = Callable[[BundledE5Embedder, list[str], bool], np.ndarray]


def remember(memo: dict[Key, np.ndarray]) -> Encode:
    """Install an `_encode` that asks the model only for texts missing from ``memo``;
    returns the model's own `_encode`, to put back."""
    encode: Encode = BundledE5Embedder._encode

    def remembered(self: BundledE5Embedder, texts: list[str], is_query: bool) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if (t, is_query) not in memo]
        if missing:
            memo.update(((t, is_query), v)
                        for t, v in zip(missing, encode(self, missing, is_query), strict=True))
        return np.stack([memo[(t, is_query)] for t in texts])

    BundledE5Embedder._encode = remembered  # type: ignore[method-assign]
    return encode


def save(memo: dict[Key, np.ndarray], path: Path) -> Path:
    keys = list(memo)
    np.savez(path, texts=np.array([t for t, _ in keys], dtype=str),
             is_query=np.array([q for _, q in keys], dtype=bool),
             vectors=np.stack([memo[k] for k in keys]))
    return path


def load(path: Path) -> dict[Key, np.ndarray]:
    with np.load(path, allow_pickle=False) as stored:
        return {(str(t), bool(q)): v for t, q, v in
                zip(stored["texts"], stored["is_query"], stored["vectors"], strict=True)}


def newsqa_command(remembered: Mapping[str, str] | None) -> list[str]:
    """How a test starts `newsqa`: with the session's vectors when ``remembered`` (the
    `remembered_vectors_env` fixture) is given, else the plain CLI."""
    module = "tests.support.remembering_newsqa" if remembered else "bot.cli"
    return [sys.executable, "-m", module]


def remember_from_env() -> None:
    """In a subprocess: remember the vectors of the file `ENV` names, if it names one."""
    path = os.environ.get(ENV)
    if path:
        remember(load(Path(path)))
