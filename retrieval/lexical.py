"""BM25 over Vietnamese-aware terms (see ``text.document_terms``), built with bm25s.

bm25s precomputes every (term, passage) score into CSC arrays; a query is a weighted sum
of a few columns, done here directly on those arrays so terms can carry weights.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .text import QueryTerms

FloatArray = np.ndarray[Any, np.dtype[np.float32]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

BM25_PARAMS = {"k1": 1.5, "b": 0.75, "method": "lucene"}


class LexicalIndex:
    def __init__(self, model: Any) -> None:
        self._model = model
        self._vocab: dict[str, int] = model.vocab_dict
        scores = model.scores
        self._data = scores["data"]
        self._indices = scores["indices"]
        self._indptr = scores["indptr"]
        self.size = int(scores["num_docs"])

    @classmethod
    def build(cls, documents: Sequence[list[str]]) -> LexicalIndex:
        import bm25s

        model = bm25s.BM25(**BM25_PARAMS)
        # bm25s logs through the root logger and shows tqdm bars unless told otherwise.
        logging.getLogger("bm25s").setLevel(logging.WARNING)
        model.index(list(documents) if documents else [[""]], show_progress=False)
        index = cls(model)
        index.size = len(documents)
        return index

    def save(self, directory: Path) -> None:
        self._model.save(str(directory), show_progress=False)

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> LexicalIndex:
        import bm25s

        model = bm25s.BM25.load(str(directory), mmap=mmap, show_progress=False)
        return cls(model)

    def scores(self, query: QueryTerms) -> FloatArray:
        """BM25 score of every passage for the weighted query terms."""
        out = np.zeros(self.size, dtype=np.float32)
        for term, weight in zip(query.terms, query.weights, strict=True):
            term_id = self._vocab.get(term)
            if term_id is None:
                continue
            start, end = int(self._indptr[term_id]), int(self._indptr[term_id + 1])
            # Within one term's column each passage appears once, so plain fancy-index
            # addition is exact (no need for np.add.at).
            out[self._indices[start:end]] += weight * self._data[start:end]
        return out

    def vocabulary(self) -> dict[str, int]:
        return self._vocab

    def idf(self, terms: Sequence[str]) -> FloatArray:
        """BM25 idf of each term (0 for terms no passage has)."""
        out = np.zeros(len(terms), dtype=np.float32)
        for position, term in enumerate(terms):
            term_id = self._vocab.get(term)
            if term_id is not None:
                df = int(self._indptr[term_id + 1]) - int(self._indptr[term_id])
                out[position] = np.log1p((self.size - df + 0.5) / (df + 0.5))
        return out


def best_sentence_coverage(sentences: Sequence[frozenset[str]], query: QueryTerms,
                           idf: FloatArray) -> float:
    """Share of the question's idf mass found in the passage's best single sentence.

    BM25 scores a passage as a bag of words; this rewards the passage where the question's
    words stand together, as they do in the sentence that answers it.
    """
    folded = [(term, weight * float(w_idf))
              for term, weight, w_idf in zip(query.terms, query.weights, idf, strict=True)
              if term.startswith("~") and w_idf > 0]
    total = sum(weight for _, weight in folded)
    if total <= 0:
        return 0.0
    best = 0.0
    for present in sentences:
        best = max(best, sum(weight for term, weight in folded if term in present))
    return best / total


def top_k(scores: FloatArray, k: int) -> IntArray:
    """Indices of the ``k`` best positive scores, best first."""
    positive = np.flatnonzero(scores > 0)
    if len(positive) == 0:
        return np.zeros(0, dtype=np.int64)
    if len(positive) > k:
        part = np.argpartition(-scores[positive], k - 1)[:k]
        positive = positive[part]
    order = np.argsort(-scores[positive], kind="stable")
    return positive[order].astype(np.int64)
