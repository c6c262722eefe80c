"""The systems ``bench.peers`` sets beside newsqa, each over the same passages and vectors.

Every system gets the passages of a newsqa index (same chunking) and the vectors that index
stores, and ranks with its own defaults: what a user who picked it would get. Query vectors
are handed in (embedded once per question by the bench), so no system runs the model.
"""

from __future__ import annotations

import os
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

# Haystack sends usage telemetry unless told not to; nothing here may reach the network.
os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

Vector = np.ndarray[Any, np.dtype[np.float32]]


@dataclass(frozen=True)
class Corpus:
    """The passages of one newsqa index: text as its lexical side reads it, vector as its
    dense side stores it (the headline embedded with every passage but an article's first)."""

    texts: list[str]
    vectors: Vector  # (n, dimension), L2-normalized
    files: list[str]  # the article file of each passage


class System(Protocol):
    name: str
    detail: str

    def load(self) -> None:
        """Import the library (not part of the build time)."""

    def build(self, corpus: Corpus) -> None: ...

    def search(self, text: str, vector: Vector, k: int) -> list[int]:
        """Passage numbers, best first."""


class PlainBM25:
    """bm25s with its defaults (Lucene BM25, k1 1.5, b 0.75; its own tokenizer)."""

    name = "bm25s"
    detail = "bm25s BM25 (its defaults and tokenizer), lexical only"

    def load(self) -> None:
        import bm25s

        self._bm25s = bm25s

    def build(self, corpus: Corpus) -> None:
        bm25s = self._bm25s
        self.size = len(corpus.texts)
        self.retriever = bm25s.BM25()
        self.retriever.index(bm25s.tokenize(corpus.texts, show_progress=False),
                             show_progress=False)

    def search(self, text: str, vector: Vector, k: int) -> list[int]:
        tokens = self._bm25s.tokenize([text], return_ids=False, show_progress=False)
        if not tokens or not tokens[0]:
            return []
        ids, scores = self.retriever.retrieve(tokens, k=min(k, self.size),
                                              show_progress=False, n_threads=1)
        return [int(i) for i, s in zip(ids[0], scores[0], strict=True) if s > 0]


class PlainFaiss:
    """FAISS exact inner product over the stored vectors, dense only."""

    name = "faiss"
    detail = "FAISS IndexFlatIP (exact inner product), dense only"

    def load(self) -> None:
        import faiss

        self._faiss = faiss

    def build(self, corpus: Corpus) -> None:
        self.index = self._faiss.IndexFlatIP(corpus.vectors.shape[1])
        self.index.add(np.ascontiguousarray(corpus.vectors, dtype=np.float32))

    def search(self, text: str, vector: Vector, k: int) -> list[int]:
        _, ids = self.index.search(vector[None, :].astype(np.float32), k)
        return [int(i) for i in ids[0] if i >= 0]


class Txtai:
    """txtai ``Embeddings`` with ``hybrid=True`` (its BM25 scoring plus its dense ANN, fused
    by its default convex combination, weight 0.5), vectors through an external transform."""

    name = "txtai"
    detail = ("txtai Embeddings(method='external', hybrid=True): its BM25 + faiss, "
              "default fusion (convex, 0.5)")

    def load(self) -> None:
        import txtai

        self._txtai = txtai

    def build(self, corpus: Corpus) -> None:
        Embeddings = self._txtai.Embeddings
        # txtai hands the transform the texts it is indexing (passages) or searching with
        # (queries): passages get their stored vector (in order, as one text may repeat
        # with another headline), queries the vector the bench passes in.
        pending: dict[str, deque[Vector]] = defaultdict(deque)
        for text, vector in zip(corpus.texts, corpus.vectors, strict=True):
            pending[text].append(vector)
        self._query: dict[str, Vector] = {}

        def transform(texts: Sequence[str]) -> Vector:
            out = []
            for text in texts:
                queue = pending.get(text)
                out.append(queue.popleft() if queue else self._query[text])
            return np.stack(out).astype(np.float32)

        self.embeddings = Embeddings(method="external", transform=transform, hybrid=True,
                                     content=False)
        self.embeddings.index((i, text, None) for i, text in enumerate(corpus.texts))
        left = sum(len(q) for q in pending.values())
        if left:
            raise RuntimeError(f"txtai did not take {left} passage vectors")

    def search(self, text: str, vector: Vector, k: int) -> list[int]:
        self._query = {text: vector}
        return [int(uid) for uid, _ in self.embeddings.search(text, k)]


class Haystack:
    """Haystack's in-memory BM25 retriever and embedding retriever joined by reciprocal rank
    fusion (``DocumentJoiner``) in a ``Pipeline``; documents carry the stored vectors."""

    name = "haystack"
    detail = ("Haystack InMemoryBM25Retriever (BM25L) + InMemoryEmbeddingRetriever, "
              "DocumentJoiner reciprocal rank fusion, in a Pipeline")

    def load(self) -> None:
        import haystack.components.joiners
        import haystack.components.retrievers.in_memory
        import haystack.document_stores.in_memory  # noqa: F401 - imported before the timing

    def build(self, corpus: Corpus) -> None:
        from haystack import Document, Pipeline
        from haystack.components.joiners import DocumentJoiner
        from haystack.components.retrievers.in_memory import (
            InMemoryBM25Retriever,
            InMemoryEmbeddingRetriever,
        )
        from haystack.document_stores.in_memory import (
            InMemoryDocumentStore,
        )

        self.store = InMemoryDocumentStore()
        self.store.write_documents([
            Document(id=str(i), content=text, embedding=vector.tolist())
            for i, (text, vector) in enumerate(zip(corpus.texts, corpus.vectors, strict=True))
        ])
        self.pipeline = Pipeline()
        self.pipeline.add_component("bm25", InMemoryBM25Retriever(self.store))
        self.pipeline.add_component("dense", InMemoryEmbeddingRetriever(self.store))
        self.pipeline.add_component("join", DocumentJoiner(join_mode="reciprocal_rank_fusion"))
        self.pipeline.connect("bm25", "join")
        self.pipeline.connect("dense", "join")

    def search(self, text: str, vector: Vector, k: int) -> list[int]:
        result = self.pipeline.run({
            "bm25": {"query": text, "top_k": k},
            "dense": {"query_embedding": vector.tolist(), "top_k": k},
            "join": {"top_k": k},
        })
        return [int(doc.id) for doc in result["join"]["documents"]]


def peers() -> list[System]:
    return [PlainBM25(), PlainFaiss(), Txtai(), Haystack()]
