"""Sentence vectors of passages: a passage scored by its best sentence as well as as a whole.

A 3-sentence passage's vector averages what its sentences say; a question about one of them
matches that sentence's own vector better. Each passage owns the vectors of its sentences
(``offsets[i] .. offsets[i+1]-1``, at least one each), stored as float16.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..text import sentence_spans
from .io import FileBytes

FloatArray = np.ndarray[Any, np.dtype[np.float32]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
SENTENCE_DTYPE = np.float16


def passage_sentences(text: str) -> list[str]:
    """The sentences of a passage as the model sees them (the passage itself when it has
    no sentence break)."""
    sentences = [text[a:b].strip() for a, b in sentence_spans(text)]
    sentences = [s for s in sentences if s]
    return sentences or [text]


class SentenceRows:
    """A generation's sentence vectors on disk, read a passage's rows at a time with
    ``pread`` (``FileBytes``): mapped, the pages around the few hundred rows a search reads
    stayed in the process's memory (225 of 238 MB after 300 searches at 10^5 passages)."""

    def __init__(self, file: FileBytes, dimension: int) -> None:
        self._file = file
        self._row_bytes = dimension * np.dtype(SENTENCE_DTYPE).itemsize
        self._dimension = dimension
        self.rows = file.size // self._row_bytes

    def __len__(self) -> int:
        return self.rows

    def __getitem__(self, span: slice) -> np.ndarray[Any, Any]:
        start, stop, _ = span.indices(self.rows)
        if stop <= start:
            return np.zeros((0, self._dimension), dtype=SENTENCE_DTYPE)
        data = self._file[start * self._row_bytes:stop * self._row_bytes]
        return np.frombuffer(data, dtype=SENTENCE_DTYPE).reshape(stop - start, self._dimension)


def best_sentence_scores(offsets: IntArray, vectors: SentenceRows | np.ndarray[Any, Any],
                         passages: IntArray, vector: FloatArray) -> FloatArray:
    """For each of ``passages``, the largest inner product of one of its sentence vectors
    with ``vector``."""
    ids = np.asarray(passages, dtype=np.int64)
    if len(ids) == 0:
        return np.zeros(0, dtype=np.float32)
    starts = np.asarray(offsets[ids], dtype=np.int64)
    stops = np.asarray(offsets[ids + 1], dtype=np.int64)
    # A passage's sentences are one run of rows: one read each.
    rows = np.concatenate([vectors[start:stop] for start, stop
                           in zip(starts.tolist(), stops.tolist(), strict=True)])
    scores = np.asarray(rows, dtype=np.float32) @ vector
    counts = stops - starts
    return np.maximum.reduceat(scores, np.cumsum(counts) - counts).astype(np.float32)


def sentences_of(offsets: IntArray, vectors: SentenceRows | np.ndarray[Any, Any], start: int,
                 stop: int
                 ) -> tuple[IntArray, FloatArray]:
    """The sentence offsets (from 0) and vectors of passages ``start .. stop-1``, as
    ``PassageBatch`` holds them."""
    first, last = int(offsets[start]), int(offsets[stop])
    return (np.asarray(offsets[start:stop + 1] - first, dtype=np.int64),
            np.asarray(vectors[first:last], dtype=np.float32))
