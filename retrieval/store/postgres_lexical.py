"""BM25 in the Postgres store: each term's postings are one row, scored here as the files
store scores its own columns.

A term's row holds the passages that have it (int32, ascending) and its BM25 impacts (one
byte each, against the term's ``scale``): the files store's layout, so both stores compute
bit-identical scores. Scoring in the server was measured first: a ``sparsevec`` of impacts
per passage under a GIN index of term ids took 190-650 ms per question at 7 x 10^4
passages (every candidate row is detoasted), against ~1 ms for these arrays here
(docs/benchmarks.md). Columns fetched stay cached per generation, up to a byte budget:
the common syllables every question has are read once.

As in the files store, a question whose terms have more postings than ``EXACT_POSTINGS``
picks its candidates with its rarest terms only and scores that pool with all of them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from ..lexical import CANDIDATE_POOL, EXACT_POSTINGS, term_key, top_k
from ..text import QueryTerms
from .protocol import FloatArray, IntArray

# Bytes of postings kept per generation (the common terms; rare ones are cheap to fetch).
CACHE_BYTES = 64 * 1024 * 1024
_SIGN = 1 << 64


def signed_key(term: str) -> int:
    """``term_key`` as Postgres stores it (bigint is signed)."""
    key = term_key(term)
    return key - _SIGN if key >= 1 << 63 else key


@dataclass(frozen=True)
class Column:
    doc_ids: np.ndarray[Any, np.dtype[np.int32]]
    impacts: np.ndarray[Any, np.dtype[np.uint8]]
    scale: float

    @property
    def nbytes(self) -> int:
        return int(self.doc_ids.nbytes + self.impacts.nbytes) + 64


_MISSING = Column(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.uint8), 1.0)


class TermColumns:
    """The postings of one generation's terms, fetched on demand and cached."""

    def __init__(self, documents: int) -> None:
        self.documents = documents
        self.exact_postings = EXACT_POSTINGS
        self._cache: OrderedDict[int, Column] = OrderedDict()
        self._cached_bytes = 0
        self._lock = threading.Lock()

    def columns(self, connection: psycopg.Connection[Any], schema: sql.Identifier,
                terms: Sequence[str]) -> list[Column | None]:
        keys = [signed_key(t) for t in terms]
        with self._lock:
            found = {key: self._cache[key] for key in keys if key in self._cache}
            for key in found:
                self._cache.move_to_end(key)
        missing = sorted(set(keys) - set(found))
        if missing:
            rows = connection.execute(sql.SQL(
                "SELECT key, scale, doc_ids, impacts FROM {}.terms WHERE key = ANY(%s::int8[])"
            ).format(schema), (missing,)).fetchall()
            fetched = {int(key): Column(np.frombuffer(ids, dtype="<i4"),
                                        np.frombuffer(impacts, dtype=np.uint8), float(scale))
                       for key, scale, ids, impacts in rows}
            for key in missing:
                # A term no passage has is remembered too: a typo asked twice costs nothing.
                found[key] = fetched.get(key, _MISSING)
            self._remember({key: found[key] for key in missing})
        return [None if found[key] is _MISSING else found[key] for key in keys]

    def _remember(self, columns: dict[int, Column]) -> None:
        with self._lock:
            for key, column in columns.items():
                if key not in self._cache:
                    self._cache[key] = column
                    self._cached_bytes += column.nbytes
            while self._cached_bytes > CACHE_BYTES and self._cache:
                _, dropped = self._cache.popitem(last=False)
                self._cached_bytes -= dropped.nbytes

    def _known(self, connection: psycopg.Connection[Any], schema: sql.Identifier,
               query: QueryTerms) -> tuple[list[Column], list[float]]:
        columns, weights = [], []
        for column, weight in zip(self.columns(connection, schema, query.terms), query.weights,
                                  strict=True):
            if column is not None:
                columns.append(column)
                # Rounded as the files store's float32 weights are: bit-identical scores.
                weights.append(float(np.float32(weight)))
        return columns, weights

    # --- the files store's scoring, over fetched columns ------------------------------------

    @staticmethod
    def _add(out: FloatArray, column: Column, weight: float) -> None:
        factor = np.float32(weight * column.scale)
        out[column.doc_ids] += column.impacts * factor

    def top(self, connection: psycopg.Connection[Any], schema: sql.Identifier,
            query: QueryTerms, k: int) -> tuple[IntArray, FloatArray]:
        """The ``k`` best passages with a positive score, best first (``LexicalIndex.top``)."""
        columns, weights = self._known(connection, schema, query)
        if k <= 0 or not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        lengths = np.array([len(c.doc_ids) for c in columns], dtype=np.int64)
        if int(lengths.sum()) <= self.exact_postings:
            scores = np.zeros(self.documents, dtype=np.float32)
            for column, weight in zip(columns, weights, strict=True):
                self._add(scores, column, weight)
            ids = top_k(scores, k)
            return ids, scores[ids]
        order = np.argsort(lengths, kind="stable")
        within = np.cumsum(lengths[order]) <= self.exact_postings
        within[0] = True
        partial = np.zeros(self.documents, dtype=np.float32)
        for position in order[within].tolist():
            self._add(partial, columns[position], weights[position])
        pool = np.sort(top_k(partial, max(CANDIDATE_POOL, 10 * k)))
        common = order[~within].tolist()
        totals = partial[pool] + self._score_ids(pool, [columns[i] for i in common],
                                                 [weights[i] for i in common])
        best = np.argsort(-totals, kind="stable")[:k]
        return pool[best], totals[best]

    def scores_for(self, connection: psycopg.Connection[Any], schema: sql.Identifier,
                   ids: IntArray, query: QueryTerms) -> FloatArray:
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return np.zeros(0, dtype=np.float32)
        columns, weights = self._known(connection, schema, query)
        order = np.argsort(ids, kind="stable")
        out = np.empty(len(ids), dtype=np.float32)
        out[order] = self._score_ids(ids[order], columns, weights)
        return out

    @staticmethod
    def _score_ids(sorted_ids: IntArray, columns: list[Column], weights: list[float]
                   ) -> FloatArray:
        out = np.zeros(len(sorted_ids), dtype=np.float32)
        for column, weight in zip(columns, weights, strict=True):
            postings = column.doc_ids
            found = np.searchsorted(postings, sorted_ids)
            inside = found < len(postings)
            hit = np.zeros(len(sorted_ids), dtype=bool)
            hit[inside] = postings[found[inside]] == sorted_ids[inside]
            out[hit] += column.impacts[found[hit]] * np.float32(weight * column.scale)
        return out

    def idf(self, connection: psycopg.Connection[Any], schema: sql.Identifier,
            terms: Sequence[str]) -> FloatArray:
        out = np.zeros(len(terms), dtype=np.float32)
        for number, column in enumerate(self.columns(connection, schema, terms)):
            if column is not None:
                df = len(column.doc_ids)
                out[number] = np.log1p((self.documents - df + 0.5) / (df + 0.5))
        return out
