"""BM25 in the Postgres store: the question's terms as ids and a sparsevec of weights.

A passage's row holds its term ids (GIN index) and its BM25 impacts as a ``sparsevec`` over
the term ids; ``impacts <#> weights`` is minus its score. Terms are looked up by their
64-bit key (the files store's ``term_key``) and kept in a per-generation cache.

As in the files store, a question whose terms have more postings than ``EXACT_POSTINGS``
picks its candidates with its rarest terms only (as many as fit the budget) and scores that
pool with all of them: a common syllable cannot make a passage relevant on its own.
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

from ..lexical import CANDIDATE_POOL, EXACT_POSTINGS, term_key
from ..text import QueryTerms
from .protocol import FloatArray

TERM_CACHE_SIZE = 100_000
_SIGN = 1 << 64


def signed_key(term: str) -> int:
    """``term_key`` as Postgres stores it (bigint is signed)."""
    key = term_key(term)
    return key - _SIGN if key >= 1 << 63 else key


@dataclass(frozen=True)
class LexicalPlan:
    """The question's known terms: the full weights, and the rare ones that pick the pool."""

    query: Any  # pgvector SparseVector of every known term's weight
    filter_ids: list[int]  # term ids whose passages are candidates
    pool_query: Any | None  # weights of those terms alone, when they are not all the terms
    empty: bool

    def top_sql(self, schema: sql.Identifier, k: int) -> tuple[sql.Composed, dict[str, Any]]:
        """SELECT id of the lexical top-k (the pool scored by every term when pruned)."""
        if self.pool_query is None:
            return sql.SQL(
                "SELECT id FROM (SELECT id FROM {}.lexical WHERE terms && %(t)s::int4[] "
                "ORDER BY impacts <#> %(q)s, id LIMIT %(k)s) AS lexical").format(schema), {
                    "t": self.filter_ids}
        return sql.SQL(
            "SELECT id FROM (SELECT id FROM (SELECT id, impacts FROM {}.lexical "
            "WHERE terms && %(t)s::int4[] ORDER BY impacts <#> %(pq)s, id LIMIT %(pool)s) AS pool "
            "ORDER BY impacts <#> %(q)s, id LIMIT %(k)s) AS lexical").format(schema), {
                "t": self.filter_ids, "pq": self.pool_query,
                "pool": max(CANDIDATE_POOL, 10 * k)}


class TermTable:
    """Term key -> (id, document frequency) of one generation, cached."""

    def __init__(self, documents: int, dimensions: int) -> None:
        self.documents = documents
        self.dimensions = max(dimensions, 1)
        self.exact_postings = EXACT_POSTINGS
        self._cache: OrderedDict[int, tuple[int, int]] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, connection: psycopg.Connection[Any], schema: sql.Identifier,
               terms: Sequence[str]) -> list[tuple[int, int] | None]:
        """(id, df) of each term, None for a term no passage has."""
        keys = [signed_key(t) for t in terms]
        missing = sorted({k for k in keys if k not in self._cache})
        if missing:
            rows = connection.execute(
                sql.SQL("SELECT key, id, df FROM {}.terms WHERE key = ANY(%s::int8[])"
                        ).format(schema),
                (missing,)).fetchall()
            found = {int(key): (int(i), int(df)) for key, i, df in rows}
            with self._lock:
                for key in missing:
                    # Unknown terms are cached too (id -1): a typo asked twice costs nothing.
                    self._cache[key] = found.get(key, (-1, 0))
                while len(self._cache) > TERM_CACHE_SIZE:
                    self._cache.popitem(last=False)
        out: list[tuple[int, int] | None] = []
        for key in keys:
            entry = self._cache.get(key, (-1, 0))
            out.append(entry if entry[0] >= 0 else None)
        return out

    def plan(self, connection: psycopg.Connection[Any], schema: sql.Identifier,
             terms: QueryTerms) -> LexicalPlan:
        from pgvector import SparseVector

        weights: dict[int, float] = {}
        frequency: dict[int, int] = {}
        for entry, weight in zip(self.lookup(connection, schema, terms.terms), terms.weights,
                                 strict=True):
            if entry is not None and weight > 0:
                weights[entry[0]] = weights.get(entry[0], 0.0) + float(weight)
                frequency[entry[0]] = entry[1]
        if not weights:
            return LexicalPlan(None, [], None, True)
        query = SparseVector(weights, self.dimensions)
        ids = list(weights)
        if sum(frequency.values()) <= self.exact_postings:
            return LexicalPlan(query, sorted(ids), None, False)
        # Rarest first, as many terms as fit the budget (at least one), as the files store.
        by_rarity = sorted(ids, key=lambda i: (frequency[i], ids.index(i)))
        rare: list[int] = []
        total = 0
        for term in by_rarity:
            total += frequency[term]
            if rare and total > self.exact_postings:
                break
            rare.append(term)
        pool = SparseVector({i: weights[i] for i in rare}, self.dimensions)
        return LexicalPlan(query, sorted(rare), pool, False)

    def idf(self, connection: psycopg.Connection[Any], schema: sql.Identifier,
            terms: Sequence[str]) -> FloatArray:
        entries = self.lookup(connection, schema, terms)
        out = np.zeros(len(terms), dtype=np.float32)
        for number, entry in enumerate(entries):
            if entry is not None:
                df = entry[1]
                out[number] = np.log1p((self.documents - df + 0.5) / (df + 0.5))
        return out
