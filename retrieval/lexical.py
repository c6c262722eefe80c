"""BM25 over Vietnamese-aware terms (see ``text.document_terms``): our own, built, stored and
searched in our own compact arrays.

The engine is ours outright: ``bm25_columns`` computes every (term, passage) BM25 score with
a short NumPy build, and bm25s, which used to compute them, is kept only as the test oracle
(tests/retrieval/test_lexical.py checks the scores equal its). We keep them as one column per term,
passages sorted within a column, the scores quantized to one byte per posting against the
column's maximum, and the vocabulary as sorted 64-bit term hashes instead of a dictionary
of strings. At 10^6 passages that is a few bytes per posting and no Python objects per term
(docs/benchmarks.md has the measurements behind each choice).

Small queries are scored exactly over every posting. When a question's terms have more
postings than ``exact_postings`` (a large collection and common syllables), the rarest terms
pick a pool of candidates and the common terms are scored on that pool only, by binary
search in their sorted columns: common syllables cannot make a passage relevant on their
own, and scanning their postings is what made lexical search grow with the collection.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import CorruptIndexError
from .text import QueryTerms

FloatArray = np.ndarray[Any, np.dtype[np.float32]]
IntArray = np.ndarray[Any, np.dtype[np.int64]]

BM25_PARAMS: dict[str, Any] = {"k1": 1.5, "b": 0.75, "method": "lucene"}
# Postings scored at once in a build (bounds its float64 temporaries to ~0.2 GB).
SCORE_SLICE = 1 << 23
FORMAT = 2
# Postings scored exactly per question; above this the common terms score a candidate pool.
EXACT_POSTINGS = 150_000
# Candidates the rare terms pick for the common terms to complete (at least 10 per wanted).
CANDIDATE_POOL = 2_000
# Scoring given passages: up to this many postings per passage asked for, adding every
# posting into a full array beats a binary search per passage and term (measured at 10^5).
SCATTER_POSTINGS_PER_ID = 200
_FILES = ("terms.npy", "indptr.npy", "doc_ids.npy", "impacts.npy", "scales.npy")
# What an incremental build needs to score unchanged passages again without their text:
# each posting's term frequency and each passage's length (searches never read them).
_BUILD_FILES = ("tf.npy", "lengths.npy")


def term_key(term: str) -> int:
    """A stable 64-bit key of a term (a collision among 10^7 terms has odds of ~10^-5)."""
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(),
                          "little")


def bm25_columns(documents: Sequence[Sequence[str]]) -> tuple[
        list[str], np.ndarray[Any, Any], np.ndarray[Any, Any], FloatArray]:
    """(terms, indptr, passage ids, scores): BM25 of every term in every passage as CSC
    columns, passages ascending within a column (see ``bm25_postings``)."""
    return bm25_postings(documents)[:4]


def bm25_postings(documents: Sequence[Sequence[str]]) -> tuple[
        list[str], np.ndarray[Any, Any], np.ndarray[Any, Any], FloatArray,
        np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(terms, indptr, passage ids, scores, term frequencies, passage lengths): BM25 of every
    term in every passage as CSC columns, passages ascending within a column.

    The same arithmetic as bm25s's "lucene" method, so its float32 scores come out equal:
    idf = ln(1 + (N - df + 0.5) / (df + 0.5)) rounded to float32, times
    tf / (k1 * (1 - b + b * len / mean len) + tf) in float64.
    """
    vocabulary: dict[str, int] = {}
    lengths = np.fromiter((len(d) for d in documents), dtype=np.int64, count=len(documents))
    flat = np.fromiter((vocabulary.setdefault(term, len(vocabulary))
                        for document in documents for term in document),
                       dtype=np.int64, count=int(lengths.sum()))
    n_docs = len(documents)
    # One key per (term, passage) pair: sorted, they are the CSC order. Built and sorted in
    # place, a slice of passages at a time (np.unique, or whole-array temporaries, would hold
    # several copies: gigabytes at 10^6 passages).
    flat *= n_docs
    ends = np.cumsum(lengths)
    step = max(1, SCORE_SLICE // 512)  # passages (a few hundred terms each): ~a scored slice
    for first in range(0, n_docs, step):
        last = min(n_docs, first + step)
        flat[ends[first] - lengths[first]:ends[last - 1]] += np.repeat(
            np.arange(first, last, dtype=np.int64), lengths[first:last])
    flat.sort()
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1])))
    tf = np.empty(len(starts), dtype=np.int32)
    np.subtract(starts[1:], starts[:-1], out=tf[:-1], casting="unsafe")
    tf[-1:] = len(flat) - starts[-1:]
    pairs = flat[starts]
    del flat, starts
    doc_ids = np.remainder(pairs, n_docs)
    pairs //= n_docs
    column = pairs
    del pairs
    df = np.bincount(column, minlength=len(vocabulary))
    indptr = np.zeros(len(vocabulary) + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    scores = bm25_scores(column, df, doc_ids, tf, lengths)
    return list(vocabulary), indptr, doc_ids, scores, tf, lengths


def bm25_scores(column: np.ndarray[Any, Any], df: np.ndarray[Any, Any],
                doc_ids: np.ndarray[Any, Any], tf: np.ndarray[Any, Any],
                lengths: np.ndarray[Any, Any]) -> FloatArray:
    """BM25 of each posting (its column, passage and term frequency) given every column's
    document frequency and every passage's length (int64: the mean must sum alike)."""
    n_docs = len(lengths)
    distinct, which = np.unique(df, return_inverse=True)
    idf_of_df = np.array([math.log(1 + (n_docs - d + 0.5) / (d + 0.5)) for d in distinct.tolist()],
                         dtype=np.float32)
    idf = idf_of_df[which]
    k1, b = float(BM25_PARAMS["k1"]), float(BM25_PARAMS["b"])
    average = float(lengths.mean())
    scores: FloatArray = np.empty(len(doc_ids), dtype=np.float32)
    # In slices: the float64 temporaries of 3 * 10^8 postings at once (10^6 passages) were
    # most of a build's peak memory.
    for start in range(0, len(doc_ids), SCORE_SLICE):
        part = slice(start, start + SCORE_SLICE)
        tf64 = tf[part].astype(np.float64)
        norm = k1 * ((1 - b) + b * lengths[doc_ids[part]] / average)
        scores[part] = idf[column[part]].astype(np.float64) * (tf64 / (norm + tf64))
    return scores


class LexicalIndex:
    def __init__(self, term_keys: np.ndarray[Any, Any], indptr: np.ndarray[Any, Any],
                 doc_ids: np.ndarray[Any, Any], impacts: np.ndarray[Any, Any],
                 scales: np.ndarray[Any, Any], size: int,
                 tf: np.ndarray[Any, Any] | None = None,
                 lengths: np.ndarray[Any, Any] | None = None) -> None:
        self.tf = tf  # aligned with doc_ids; None for an index saved without them
        self.lengths = lengths
        self._term_keys = term_keys
        self._indptr = indptr
        self._doc_ids = doc_ids
        self._impacts = impacts
        self._scales = scales
        self.size = size
        self.exact_postings = EXACT_POSTINGS
        self._last_lookup: tuple[tuple[str, ...], IntArray, np.ndarray[Any, Any]] | None = None

    # --- build and persistence -------------------------------------------------------------

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> LexicalIndex:
        """BM25 (Lucene variant, as bm25s computes it: the test oracle) of every
        (term, passage) pair, then our compact layout."""
        if not documents:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty.astype(np.uint64), np.zeros(1, dtype=np.int64),
                       empty.astype(np.int32), empty.astype(np.uint8),
                       empty.astype(np.float32), 0, empty.astype(np.uint16), empty)
        terms, indptr, doc_ids, scores, tf, lengths = bm25_postings(documents)
        return cls.from_columns(terms, indptr, doc_ids, scores, len(documents), tf, lengths)

    @classmethod
    def from_columns(cls, terms: Sequence[str], indptr: np.ndarray[Any, Any],
                     doc_ids: np.ndarray[Any, Any], scores: np.ndarray[Any, Any],
                     size: int, tf: np.ndarray[Any, Any] | None = None,
                     lengths: np.ndarray[Any, Any] | None = None) -> LexicalIndex:
        """Our layout from CSC columns (column ``j`` holds term ``terms[j]``)."""
        keys = np.fromiter((term_key(t) for t in terms), dtype=np.uint64, count=len(terms))
        order = np.argsort(keys, kind="stable")
        sizes = np.diff(indptr)[order]  # postings per column
        new_indptr = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(sizes, out=new_indptr[1:])
        # Gather each column's postings in key order, passages ascending within a column.
        starts = np.asarray(indptr[:-1], dtype=np.int64)[order]
        gather = np.repeat(starts - new_indptr[:-1], sizes)
        gather += np.arange(int(new_indptr[-1]))
        ids = np.asarray(doc_ids, dtype=np.int64)[gather]
        values = np.asarray(scores, dtype=np.float32)[gather]
        counts = None if tf is None else np.asarray(tf)[gather]
        del gather
        descending = np.flatnonzero(np.diff(ids) <= 0) + 1
        if not np.isin(descending, new_indptr).all():
            within = np.lexsort((ids, np.repeat(np.arange(len(terms)), sizes)))
            ids, values = ids[within], values[within]
            counts = None if counts is None else counts[within]
        return cls.quantized(keys[order], new_indptr, ids, values, size, counts, lengths)

    @classmethod
    def quantized(cls, keys: np.ndarray[Any, Any], indptr: np.ndarray[Any, Any],
                  ids: np.ndarray[Any, Any], values: np.ndarray[Any, Any], size: int,
                  tf: np.ndarray[Any, Any] | None = None,
                  lengths: np.ndarray[Any, Any] | None = None) -> LexicalIndex:
        """Our layout from columns in key order, passages ascending within each: scores
        to one byte per posting against the column's maximum."""
        sizes = np.diff(indptr)  # postings per column
        column_max = np.zeros(len(keys), dtype=np.float32)
        if len(values):
            nonempty = sizes > 0
            column_max[nonempty] = np.maximum.reduceat(values, indptr[:-1][nonempty])
        scales = np.where(column_max > 0, column_max / 255.0, 1.0).astype(np.float32)
        impacts = np.clip(np.rint(values / np.repeat(scales, sizes)), 1, 255).astype(np.uint8)
        return cls(keys, indptr, ids.astype(np.int32), impacts, scales, size,
                   None if tf is None else _counts(tf),
                   None if lengths is None else np.asarray(lengths, dtype=np.int64))

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        arrays = (self._term_keys, self._indptr, self._doc_ids, self._impacts, self._scales)
        for name, array in zip(_FILES, arrays, strict=True):
            with open(directory / name, "wb") as handle:
                np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
        if self.tf is not None and self.lengths is not None:
            for name, array in zip(_BUILD_FILES, (self.tf, self.lengths), strict=True):
                with open(directory / name, "wb") as handle:
                    np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
        params = {"format": FORMAT, "documents": self.size, **BM25_PARAMS}
        (directory / "params.json").write_text(json.dumps(params), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> LexicalIndex:
        params_path = directory / "params.json"
        try:
            params = json.loads(params_path.read_text(encoding="utf-8"))
            size = int(params["documents"])
            version = int(params["format"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CorruptIndexError(str(params_path), str(exc)) from exc
        if version != FORMAT:
            raise CorruptIndexError(str(params_path), f"lexical format {version}, not {FORMAT}")
        arrays = []
        for name in _FILES:
            try:
                arrays.append(np.load(directory / name, mmap_mode="r" if mmap else None,
                                      allow_pickle=False))
            except (OSError, ValueError) as exc:
                raise CorruptIndexError(str(directory / name), str(exc)) from exc
        keys, indptr, doc_ids, impacts, scales = arrays
        if (len(indptr) != len(keys) + 1 or len(scales) != len(keys)
                or len(doc_ids) != len(impacts) or int(indptr[-1]) != len(doc_ids)):
            raise CorruptIndexError(str(directory), "lexical arrays disagree in length")
        # Plain views of the mapped files: a slice of an np.memmap costs ~0.8 µs more (it
        # copies its attributes), and a question takes a few hundred slices.
        return cls(np.asarray(keys), np.asarray(indptr), np.asarray(doc_ids),
                   np.asarray(impacts), np.asarray(scales), size)

    @classmethod
    def load_for_build(cls, directory: Path) -> LexicalIndex | None:
        """The saved index with its term frequencies and passage lengths (memory-mapped),
        or None if it was saved without them or cannot be read."""
        try:
            index = cls.load(directory)
            tf, lengths = (np.load(directory / name, mmap_mode="r", allow_pickle=False)
                           for name in _BUILD_FILES)
        except (CorruptIndexError, OSError, ValueError):
            return None
        if len(tf) != len(index._doc_ids) or len(lengths) != index.size:
            return None
        index.tf, index.lengths = tf, lengths
        return index

    def postings(self) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
        """(term key of each posting, passage of each posting), in stored order."""
        return np.repeat(self._term_keys, np.diff(self._indptr)), self._doc_ids

    # --- scoring ---------------------------------------------------------------------------

    def _lookup(self, terms: Sequence[str]) -> tuple[IntArray, np.ndarray[Any, Any]]:
        """(column of each term, whether the index has it); one search asks for the same
        terms three times (top-k, candidate scores, idf), so the last answer is kept."""
        key = tuple(terms)
        last = self._last_lookup
        if last is not None and last[0] == key:
            return last[1], last[2]
        if not terms or not len(self._term_keys):
            positions = np.zeros(len(terms), dtype=np.int64)
            found = np.zeros(len(terms), dtype=bool)
        else:
            keys = np.fromiter(map(term_key, terms), dtype=np.uint64, count=len(terms))
            positions = np.minimum(np.searchsorted(self._term_keys, keys),
                                   len(self._term_keys) - 1).astype(np.int64)
            found = self._term_keys[positions] == keys
        self._last_lookup = (key, positions, found)  # one assignment: safe across threads
        return positions, found

    def _columns(self, query: QueryTerms) -> tuple[IntArray, FloatArray]:
        """Columns of the query's known terms and their weights."""
        positions, found = self._lookup(query.terms)
        return positions[found], np.asarray(query.weights, dtype=np.float32)[found]

    def _add_column(self, out: FloatArray, column: int, weight: float) -> None:
        start, end = int(self._indptr[column]), int(self._indptr[column + 1])
        factor = np.float32(weight * float(self._scales[column]))
        # Within one column each passage appears once, so fancy-index addition is exact.
        out[self._doc_ids[start:end]] += self._impacts[start:end] * factor

    def scores(self, query: QueryTerms) -> FloatArray:
        """BM25 score of every passage for the weighted query terms (all postings)."""
        out = np.zeros(self.size, dtype=np.float32)
        for column, weight in zip(*self._columns(query), strict=True):
            self._add_column(out, int(column), float(weight))
        return out

    def top(self, query: QueryTerms, k: int) -> tuple[IntArray, FloatArray]:
        """The ``k`` best passages with a positive score and their scores, best first."""
        columns, weights = self._columns(query)
        if k <= 0 or len(columns) == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        lengths = self._indptr[columns + 1] - self._indptr[columns]
        if int(lengths.sum()) <= self.exact_postings:
            scores = self.scores(query)
            ids = top_k(scores, k)
            return ids, scores[ids]
        # Rarest first, as many terms as fit the budget (at least one).
        order = np.argsort(lengths, kind="stable")
        within = np.cumsum(lengths[order]) <= self.exact_postings
        within[0] = True
        rare, common = order[within], order[~within]
        partial = np.zeros(self.size, dtype=np.float32)
        for position in rare:
            self._add_column(partial, int(columns[position]), float(weights[position]))
        pool = np.sort(top_k(partial, max(CANDIDATE_POOL, 10 * k)))
        totals = partial[pool] + self._score_ids(pool, columns[common], weights[common])
        best = np.argsort(-totals, kind="stable")[:k]
        return pool[best], totals[best]

    def scores_for(self, ids: IntArray, query: QueryTerms) -> FloatArray:
        """Exact BM25 scores of the passages ``ids`` (any order) for the query."""
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return np.zeros(0, dtype=np.float32)
        columns, weights = self._columns(query)
        postings = int((self._indptr[columns + 1] - self._indptr[columns]).sum())
        if postings <= SCATTER_POSTINGS_PER_ID * len(ids):
            # The same sums in the same order: the scores are identical either way.
            return self.scores(query)[ids]
        order = np.argsort(ids, kind="stable")
        sorted_scores = self._score_ids(ids[order], columns, weights)
        out = np.empty(len(ids), dtype=np.float32)
        out[order] = sorted_scores
        return out

    def _score_ids(self, sorted_ids: IntArray, columns: IntArray,
                   weights: FloatArray) -> FloatArray:
        out = np.zeros(len(sorted_ids), dtype=np.float32)
        # In the postings' own type: a search over int32 postings for int64 ids copied the
        # postings into int64 first.
        sorted_ids = np.asarray(sorted_ids, dtype=self._doc_ids.dtype)
        for column, weight in zip(columns.tolist(), weights.tolist(), strict=True):
            start, end = int(self._indptr[column]), int(self._indptr[column + 1])
            postings = self._doc_ids[start:end]
            found = np.searchsorted(postings, sorted_ids)
            inside = found < len(postings)
            hit = np.zeros(len(sorted_ids), dtype=bool)
            hit[inside] = postings[found[inside]] == sorted_ids[inside]
            out[hit] += (self._impacts[start + found[hit]]
                         * np.float32(weight * float(self._scales[column])))
        return out

    def idf(self, terms: Sequence[str]) -> FloatArray:
        """BM25 idf of each term (0 for terms no passage has)."""
        positions, found = self._lookup(terms)
        df = (self._indptr[positions + 1] - self._indptr[positions])[found]
        out = np.zeros(len(terms), dtype=np.float32)
        out[found] = np.log1p((self.size - df + 0.5) / (df + 0.5))
        return out


def _counts(tf: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Term frequencies in two bytes when they fit (a passage has a few hundred terms)."""
    tf = np.asarray(tf)
    small = not len(tf) or int(tf.max()) <= np.iinfo(np.uint16).max
    return tf.astype(np.uint16 if small else np.uint32)


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
