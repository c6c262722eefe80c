"""The lexical index of a new generation from an earlier one's postings plus the new passages.

BM25 ties every score to the collection (idf, mean passage length), so every posting is
scored again, but from the earlier index's term frequencies and passage lengths rather than
from the texts: only the new passages are split into terms. The arithmetic is
``lexical.bm25_scores``'s and the layout ``LexicalIndex.quantized``'s, so the result equals
``LexicalIndex.build`` of all the passages' terms array for array.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .lexical import LexicalIndex, bm25_scores, term_key

IntArray = np.ndarray[Any, np.dtype[np.int64]]


def merge_lexical(previous: LexicalIndex, origins: IntArray,
                  terms_of: Callable[[int], Sequence[str]]) -> LexicalIndex:
    """Passage ``i`` of the result is passage ``origins[i]`` of ``previous`` (which must
    carry ``tf`` and ``lengths``), or, where ``origins[i]`` is -1, the passage whose terms
    ``terms_of(i)`` gives."""
    assert previous.tf is not None and previous.lengths is not None
    size = len(origins)
    old_keys, old_docs = previous.postings()
    old_tf, old_lengths = previous.tf, previous.lengths
    reused = np.flatnonzero(origins >= 0)
    source = origins[reused]
    lengths = np.zeros(size, dtype=np.int64)
    lengths[reused] = np.asarray(old_lengths)[source]
    appended = (len(reused) == previous.size
                and bool((reused == np.arange(previous.size)).all())
                and bool((source == reused).all()))
    if appended:  # the earlier passages kept their numbers: their postings as they are
        keys_a, docs_a, tf_a = old_keys, np.asarray(old_docs, dtype=np.int64), np.asarray(old_tf)
    else:
        # Each earlier posting once per new passage made from its passage (none if dropped).
        counts = np.bincount(source, minlength=previous.size)
        grouped = reused[np.argsort(source, kind="stable")]
        first = np.cumsum(counts) - counts
        docs = np.asarray(old_docs, dtype=np.int64)
        repeat = counts[docs]
        pick = np.repeat(np.arange(len(docs)), repeat)
        offset = np.arange(len(pick)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
        keys_a, docs_a = old_keys[pick], grouped[first[docs[pick]] + offset]
        tf_a = np.asarray(old_tf)[pick]

    fresh = np.flatnonzero(origins < 0)
    new_keys: list[int] = []
    new_docs: list[int] = []
    new_tf: list[int] = []
    key_of: dict[str, int] = {}
    for passage in fresh.tolist():
        terms = terms_of(passage)
        lengths[passage] = len(terms)
        for term, count in Counter(terms).items():
            key = key_of.get(term)
            if key is None:
                key = key_of[term] = term_key(term)
            new_keys.append(key)
            new_docs.append(passage)
            new_tf.append(count)
    keys_b = np.array(new_keys, dtype=np.uint64)
    docs_b = np.array(new_docs, dtype=np.int64)
    tf_b = np.array(new_tf, dtype=np.int64)

    if appended and (not len(fresh) or int(fresh[0]) >= previous.size):
        # New passages come after every earlier one: each new posting goes after its term's
        # earlier postings, and the earlier ones stay sorted (no sort of all postings).
        order = np.lexsort((docs_b, keys_b))
        keys_b, docs_b, tf_b = keys_b[order], docs_b[order], tf_b[order]
        at = np.searchsorted(keys_a, keys_b, side="right")
        keys = np.insert(keys_a, at, keys_b)
        docs_all = np.insert(docs_a, at, docs_b)
        tf = np.insert(tf_a.astype(np.int64), at, tf_b)
    else:
        keys = np.concatenate([keys_a, keys_b])
        docs_all = np.concatenate([docs_a, docs_b])
        tf = np.concatenate([tf_a.astype(np.int64), tf_b])
        order = np.lexsort((docs_all, keys))
        keys, docs_all, tf = keys[order], docs_all[order], tf[order]

    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) \
        else np.zeros(0, dtype=np.int64)
    indptr = np.append(starts, len(keys)).astype(np.int64)
    df = np.diff(indptr)
    column = np.repeat(np.arange(len(starts)), df)
    scores = bm25_scores(column, df, docs_all, tf, lengths)
    return LexicalIndex.quantized(keys[starts], indptr, docs_all, scores, size, tf, lengths)
