"""Copy the live generation of a files store into another store, vectors included.

Moving a collection to PostgreSQL this way costs no embedding (the model takes about an
hour per 10^5 passages on two cores); the copy is written through the target's own writer,
so it commits atomically like any build, and the next incremental build finds every
article unchanged.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..diacritics import DiacriticRestorer
from ..text import document_terms
from .files import FilesStore
from .protocol import PassageBatch, Store

BATCH = 2_000


def copy_live(source: FilesStore, target: Store, batch: int = BATCH) -> str:
    """Write ``source``'s live generation into ``target`` and commit it; returns the new
    generation's name."""
    generation = source.current()
    restorer = generation.restorer
    if not isinstance(restorer, DiacriticRestorer):
        raise TypeError("the source generation has no diacritic model")
    articles = list(generation.articles())
    with source.writer() as reading:  # holds the source's build lock while it is read
        stored = reading.reusable()
        if stored is None:
            raise ValueError("the source store has no intact generation")
        with target.writer() as writer:
            with_sentences = stored.sentence_vectors(0, 0) is not None
            # With its article hashes (the loaded manifest has none); a source built before
            # sentence vectors lends each passage's vector as its one sentence, unused.
            writer.begin(replace(stored.manifest, sentence_vectors=with_sentences))
            writer.write_articles(articles)
            for first in range(0, generation.size, batch):
                stop = min(generation.size, first + batch)
                ids = range(first, stop)
                texts = generation.texts(ids)
                owners = np.asarray([generation.article_of(i) for i in ids], dtype=np.int64)
                starts = np.asarray([generation.start_of(i) for i in ids], dtype=np.int64)
                vectors = np.asarray(stored.passage_vectors(first, stop), dtype=np.float32)
                sentences = stored.sentence_vectors(first, stop)
                if sentences is None:
                    sentences = np.arange(len(ids) + 1, dtype=np.int64), vectors
                writer.write_passages(PassageBatch(
                    first=first, texts=texts, terms=[document_terms(t) for t in texts],
                    vectors=vectors,
                    people=np.asarray([generation.people_count(i) for i in ids], np.uint8),
                    articles=owners,
                    ordinals=np.asarray([i - articles[a].first_chunk
                                         for i, a in zip(ids, owners.tolist(), strict=True)],
                                        dtype=np.int64),
                    starts=starts,
                    ends=starts + np.asarray([len(t) for t in texts], dtype=np.int64),
                    sentence_offsets=sentences[0], sentence_vectors=sentences[1]))
            writer.write_facts(stored.facts())  # the generation's leave sentences out
            writer.write_restorer(restorer)
            return writer.commit()
