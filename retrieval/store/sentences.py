"""Sentence vectors of passages: a passage scored by its best sentence as well as as a whole.

A 3-sentence passage's vector averages what its sentences say; a question about one of them
matches that sentence's own vector better. Each passage owns the vectors of its sentences
(``offsets[i] .. offsets[i+1]-1``, at least one each), stored as float16.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..text import sentence_spans
from .io import FileBytes, MatrixRows

FloatArray = np.ndarray[Any, np.dtype[np.float32]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]
SENTENCE_DTYPE = np.float16


def passage_sentences(text: str) -> list[str]:
    """The sentences of a passage as the model sees them (the passage itself when it has
    no sentence break)."""
    sentences = [text[a:b].strip() for a, b in sentence_spans(text)]
    sentences = [s for s in sentences if s]
    return sentences or [text]


class SentenceRows(MatrixRows):
    """A generation's sentence vectors on disk, read a passage's rows at a time: mapped,
    the pages around the few hundred rows a search reads stayed in the process's memory
    (225 of 238 MB after 300 searches at 10^5 passages)."""

    def __init__(self, file: FileBytes, dimension: int) -> None:
        super().__init__(file, dimension, SENTENCE_DTYPE)


def best_sentence_scores(offsets: IntArray, vectors: SentenceRows | np.ndarray[Any, Any],
                         passages: IntArray, vector: FloatArray) -> FloatArray:
    """For each of ``passages``, the largest inner product of one of its sentence vectors
    with ``vector``."""
    ids = np.asarray(passages, dtype=np.int64)
    if len(ids) == 0:
        return np.zeros(0, dtype=np.float32)
    starts = np.asarray(offsets[ids], dtype=np.int64)
    counts = np.asarray(offsets[ids + 1], dtype=np.int64) - starts
    firsts = np.cumsum(counts) - counts
    # Each passage's sentences are one run of rows (neighbouring passages' runs are read
    # as one).
    wanted = np.repeat(starts - firsts, counts) + np.arange(int(counts.sum()))
    rows = vectors.take(wanted) if isinstance(vectors, MatrixRows) else vectors[wanted]
    scores = np.asarray(rows, dtype=np.float32) @ vector
    return np.maximum.reduceat(scores, firsts).astype(np.float32)


def sentences_of(offsets: IntArray, vectors: SentenceRows | np.ndarray[Any, Any], start: int,
                 stop: int
                 ) -> tuple[IntArray, FloatArray]:
    """The sentence offsets (from 0) and vectors of passages ``start .. stop-1``, as
    ``PassageBatch`` holds them."""
    first, last = int(offsets[start]), int(offsets[stop])
    return (np.asarray(offsets[start:stop + 1] - first, dtype=np.int64),
            np.asarray(vectors[first:last], dtype=np.float32))
