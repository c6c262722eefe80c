"""The PostgreSQL + pgvector store: many processes (bot replicas) share one collection.

A generation is a schema (``postgres_schema``); ``newsqa_live`` names the live one. Readers
hold a generation object and move to a newer one on ``refresh()``. BM25 is scored here from
the postings the server keeps (the files store's own quantized impacts). Dense search runs
either in each reader, over the generation's FAISS index read from the server
(``postgres_dense``, the files store's own index, so both stores score alike), or in the
server by pgvector's HNSW, scored at full precision (``NEWSQA_PG_DENSE_INDEX=server``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent import futures
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from ..dense import DenseIndex
from ..diacritics import DiacriticRestorer
from ..embedding import EmbedderIdentity
from ..errors import CorruptIndexError, IndexMismatchError, IndexNotFoundError, NewsQAError
from ..events.model import ArticleFacts
from ..events.storage import load_facts
from ..settings import RetrievalSettings
from ..text import QueryTerms
from ..types import ArticleInfo, Source
from .manifest import Manifest
from .postgres_db import POOL_SIZE, Pool, ServerAddress
from .postgres_dense import (
    keeps_dense_in_readers,
    read_dense,
    server_dense_args,
    server_dense_sql,
)
from .postgres_lexical import TermColumns
from .postgres_schema import ARTICLE_URL, LIVE_TABLE
from .protocol import (
    Candidates,
    FloatArray,
    IntArray,
    best_within_of,
    candidates_of,
    scored_of,
    side_by_side,
)

# Passages whose position, people count and length stay cached per generation (~60 B each).
META_CACHE_SIZE = 200_000
TEXT_CACHE_SIZE = 4_000
# Query vectors whose candidates' dense scores are kept: a search asks again for the best
# candidate's score (not-found check), which then costs no round trip.
SCORE_MEMO_SIZE = 64


class PostgresGeneration:
    """One committed generation, read through the store's pool; it never changes."""

    def __init__(self, pool: Pool, schema: str, settings: RetrievalSettings,
                 background: futures.Executor) -> None:
        self._pool = pool
        self._background = background
        self.schema = schema
        self._ident = sql.Identifier(schema)
        self._lock = threading.Lock()
        self._meta: OrderedDict[int, tuple[int, int, int, int]] = OrderedDict()
        self._texts: OrderedDict[int, str] = OrderedDict()
        self._scores: OrderedDict[bytes, dict[int, float]] = OrderedDict()
        self._sentence_scores: OrderedDict[bytes, dict[int, float]] = OrderedDict()
        self._ef_search = settings.hnsw_ef_search
        with pool.connection() as connection:
            try:
                row = connection.execute(self._q("SELECT manifest, restorer, facts FROM {}.meta")
                                         ).fetchone()
                articles = connection.execute(self._q(
                    "SELECT file, title, date, chunks, has_headline, content_hash, first_chunk, "
                    f"{ARTICLE_URL} FROM {{}}.articles a ORDER BY id")).fetchall()
            except psycopg.errors.UndefinedTable as exc:
                raise CorruptIndexError(f"{pool.address}, schema {schema}",
                                        "its tables are missing") from exc
        if row is None:
            raise CorruptIndexError(f"{pool.address}, schema {schema}", "no manifest row")
        try:
            self._manifest = Manifest.from_dict(row[0])
        except (KeyError, TypeError, ValueError) as exc:
            raise CorruptIndexError(f"{pool.address}, schema {schema}",
                                    f"not a valid manifest: {exc!r}") from exc
        restorer = row[1] or {"unigrams": {}, "bigrams": {}}
        self._restorer = DiacriticRestorer(restorer["unigrams"], restorer["bigrams"])
        where = f"{pool.address}, schema {schema}"
        self._facts = load_facts(bytes(row[2]), where, sentences=False) if row[2] else []
        self._articles = [ArticleInfo(file, title, date, chunks, has_headline, content_hash,
                                      first, url) for file, title, date, chunks, has_headline,
                          content_hash, first, url in articles]
        self._size = int(self._manifest.counts.chunks)
        self._lexical = TermColumns(self._size)
        self._hnsw = self._manifest.dense.kind == "hnsw"
        self._dimension = int(self._manifest.embedder.dimension)
        self._local: DenseIndex | None = None
        if keeps_dense_in_readers(self._manifest.dense):
            with pool.connection() as connection:
                self._local = read_dense(connection, schema, self._manifest.dense, settings,
                                         where)
            if self._local.size != self._size:
                raise CorruptIndexError(where, "its dense index and passage counts differ")

    def _q(self, template: str) -> sql.Composed:
        return sql.SQL(template).format(self._ident)

    # --- identity ---------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.schema

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    @property
    def size(self) -> int:
        return self._size

    # --- passages ---------------------------------------------------------------------------

    def _passage_meta(self, passage: int) -> tuple[int, int, int, int]:
        """(article, start, people, text bytes) of a passage, cached."""
        cached = self._meta.get(passage)
        if cached is None:
            self._fetch_meta([passage])
            cached = self._meta.get(passage)
            if cached is None:
                raise IndexError(f"no passage {passage} in {self.schema}")
        return cached

    def _fetch_meta(self, passages: Sequence[int]) -> None:
        missing = [p for p in passages if p not in self._meta]
        if not missing:
            return
        with self._pool.connection() as connection:
            rows = connection.execute(self._q(
                "SELECT id, article, start_char, people, octet_length(text) FROM {}.passages "
                "WHERE id = ANY(%s::int4[])"), (missing,)).fetchall()
        self._remember_meta(rows)

    def _remember_meta(self, rows: Sequence[Sequence[Any]]) -> None:
        with self._lock:
            for row in rows:
                self._meta[int(row[0])] = (int(row[1]), int(row[2]), int(row[3]), int(row[4]))
            while len(self._meta) > META_CACHE_SIZE:
                self._meta.popitem(last=False)

    def text(self, passage: int) -> str:
        cached = self._texts.get(passage)
        if cached is not None:
            return cached
        return self.texts([passage])[0]

    def texts(self, passages: Sequence[int]) -> list[str]:
        wanted = [int(p) for p in passages]
        with self._lock:
            # Taken before the fetch: trimming the cache after it may drop some of them.
            have = {p: self._texts[p] for p in wanted if p in self._texts}
        missing = sorted(set(wanted) - set(have))
        if missing:
            with self._pool.connection() as connection:
                rows = connection.execute(self._q(
                    "SELECT id, text FROM {}.passages WHERE id = ANY(%s::int4[])"),
                    (missing,)).fetchall()
            found = {int(i): str(t) for i, t in rows}
            have.update(found)
            with self._lock:
                self._texts.update(found)
                while len(self._texts) > TEXT_CACHE_SIZE:
                    self._texts.popitem(last=False)
        gone = [p for p in wanted if p not in have]
        if gone:
            raise IndexError(f"no passages {gone[:5]} in {self.schema}")
        return [have[p] for p in wanted]

    def text_bytes(self, passage: int) -> int:
        return self._passage_meta(passage)[3]

    def article_of(self, passage: int) -> int:
        return self._passage_meta(passage)[0]

    def start_of(self, passage: int) -> int:
        return self._passage_meta(passage)[1]

    def people_count(self, passage: int) -> int:
        return self._passage_meta(passage)[2]

    def source(self, passage: int) -> Source:
        article = self._articles[self.article_of(passage)]
        return Source(article.file, article.title, article.date, article.url)

    # --- articles ---------------------------------------------------------------------------

    def articles(self) -> Sequence[ArticleInfo]:
        return self._articles

    def article(self, number: int) -> ArticleInfo:
        return self._articles[number]

    # --- lexical ----------------------------------------------------------------------------

    def lexical_top(self, terms: QueryTerms, k: int) -> tuple[IntArray, FloatArray]:
        with self._pool.connection() as connection:
            return self._lexical.top(connection, self._ident, terms, k)

    def lexical_scores(self, passages: IntArray, terms: QueryTerms) -> FloatArray:
        with self._pool.connection() as connection:
            return self._lexical.scores_for(connection, self._ident, passages, terms)

    def idf(self, terms: Sequence[str]) -> FloatArray:
        with self._pool.connection() as connection:
            return self._lexical.idf(connection, self._ident, terms)

    # --- dense ------------------------------------------------------------------------------

    def dense_top(self, vector: FloatArray, k: int) -> tuple[IntArray, FloatArray]:
        if k <= 0 or self._size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self._local is not None:
            scores, ids = self._local.search(np.asarray(vector, dtype=np.float32)[None, :], k)
            keep = ids[0] >= 0
            return ids[0][keep], scores[0][keep]
        with self._pool.connection() as connection:
            rows = connection.execute(self._dense_sql(k), self._dense_args(vector, k)).fetchall()
        rows.sort(key=lambda row: (-row[1], row[0]))
        return (np.asarray([r[0] for r in rows], dtype=np.int64),
                np.asarray([r[1] for r in rows], dtype=np.float32))

    def _dense_sql(self, k: int) -> sql.Composed:
        return server_dense_sql(self._ident, self._dimension if self._hnsw else None)

    def _dense_args(self, vector: FloatArray, k: int) -> dict[str, Any]:
        return server_dense_args(vector, k, self._hnsw)

    def dense_scores(self, passages: IntArray, vector: FloatArray) -> FloatArray:
        from pgvector import Vector

        ids = np.asarray(passages, dtype=np.int64)
        if len(ids) == 0:
            return np.zeros(0, dtype=np.float32)
        if self._local is not None:
            return self._local.scores(ids, vector)
        known = self._scores.get(_vector_key(vector))
        if known is not None and all(int(i) in known for i in ids.tolist()):
            return np.asarray([known[int(i)] for i in ids.tolist()], dtype=np.float32)
        with self._pool.connection() as connection:
            rows = connection.execute(self._q(
                "SELECT id, -(embedding <#> %s) FROM {}.passages WHERE id = ANY(%s::int4[])"),
                (Vector(np.asarray(vector, dtype=np.float32)), ids.tolist())).fetchall()
        return _aligned(ids, rows)

    def sentence_scores(self, passages: IntArray, vector: FloatArray) -> FloatArray | None:
        from pgvector import Vector

        if not self._manifest.sentence_vectors:
            return None
        ids = np.asarray(passages, dtype=np.int64)
        if len(ids) == 0:
            return np.zeros(0, dtype=np.float32)
        key = _vector_key(vector)
        with self._lock:
            known = dict(self._sentence_scores.get(key, {}))
        missing = sorted(set(ids.tolist()) - set(known))
        if missing:
            with self._pool.connection() as connection:
                rows = connection.execute(self._q(
                    # Half-precision rows against the full-precision query, as in the files
                    # store.
                    "SELECT passage, max(-(embedding::vector <#> %s)) FROM {}.sentences "
                    "WHERE passage = ANY(%s::int4[]) GROUP BY passage"),
                    (Vector(np.asarray(vector, dtype=np.float32)), missing)).fetchall()
            known.update((int(i), float(score)) for i, score in rows)
            # Kept like the dense scores: a question asked again needs no round trip.
            with self._lock:
                self._sentence_scores[key] = known
                self._sentence_scores.move_to_end(key)
                while len(self._sentence_scores) > SCORE_MEMO_SIZE:
                    self._sentence_scores.popitem(last=False)
        return _aligned(ids, list(known.items()))

    # --- both -------------------------------------------------------------------------------

    def scored(self, passages: IntArray, terms: QueryTerms,
               vector: FloatArray | None) -> Candidates:
        return scored_of(self, passages, terms, vector, self._background)

    def best_within(self, passages: IntArray, terms: QueryTerms, vector: FloatArray | None,
                    depth: int) -> Candidates:
        return best_within_of(self, passages, terms, vector, depth, self._background)

    def candidates(self, terms: QueryTerms, vector: FloatArray | None, k: int) -> Candidates:
        """Both top-k lists and both scores of every candidate. The dense top-k (with each
        one's score and position) is asked first, on another connection, and the server
        walks its graph while the lexical top-k is scored here from the postings; one more
        query gives the dense scores and positions of the lexical candidates it lacks."""
        if vector is None or self._local is not None:
            candidates = candidates_of(self, terms, vector, k, self._background)
            self._fetch_meta(candidates.ids.tolist())
            return candidates
        (lexical_ids, lexical_scores), rows = side_by_side(
            self._background, lambda: self.lexical_top(terms, k),
            lambda: self._dense_rows(vector, k))
        found = {int(r[0]) for r in rows}
        others = [i for i in lexical_ids.tolist() if i not in found]
        if others:
            with self._pool.connection() as connection:
                rows += connection.execute(self._q(
                    "SELECT id, -(embedding <#> %s), article, start_char, people, "
                    "octet_length(text) FROM {}.passages WHERE id = ANY(%s::int4[])"),
                    (self._dense_args(vector, 0)["v"], others)).fetchall()
        rows.sort(key=lambda row: row[0])
        ids = np.asarray([r[0] for r in rows], dtype=np.int64)
        lexical = np.zeros(len(ids), dtype=np.float32)
        known = np.isin(ids, lexical_ids)
        if len(lexical_ids):
            order = np.argsort(lexical_ids)
            position = np.searchsorted(lexical_ids[order], ids[known])
            lexical[known] = lexical_scores[order][position]
        if not known.all():
            with self._pool.connection() as connection:
                lexical[~known] = self._lexical.scores_for(connection, self._ident,
                                                           ids[~known], terms)
        self._remember_meta([(r[0], r[2], r[3], r[4], r[5]) for r in rows])
        dense = np.asarray([r[1] for r in rows], dtype=np.float32)
        with self._lock:
            self._scores[_vector_key(vector)] = dict(zip(ids.tolist(), dense.tolist(),
                                                         strict=True))
            while len(self._scores) > SCORE_MEMO_SIZE:
                self._scores.popitem(last=False)
        return Candidates(ids, lexical, dense)

    def _dense_rows(self, vector: FloatArray, k: int) -> list[Any]:
        """The dense top-k as (id, score, article, start, people, text bytes) rows."""
        if k <= 0 or self._size == 0:
            return []
        with self._pool.connection() as connection:
            widen = self._hnsw and k > self._ef_search
            if widen:
                connection.execute("SELECT set_config('hnsw.ef_search', %s, false)", (str(k),))
            rows: list[Any] = connection.execute(sql.SQL(
                "SELECT p.id, dense.score, p.article, p.start_char, p.people, "
                "octet_length(p.text) FROM ({dense}) AS dense(id, score) "
                "JOIN {s}.passages p ON p.id = dense.id").format(
                    dense=self._dense_sql(k), s=self._ident), self._dense_args(vector, k)
            ).fetchall()
            if widen:
                connection.execute("SELECT set_config('hnsw.ef_search', %s, false)",
                                   (str(self._ef_search),))
        return rows

    def facts(self) -> Sequence[ArticleFacts]:
        return self._facts

    def restore_diacritics(self, text: str) -> str:
        return self._restorer.restore(text)


def _vector_key(vector: FloatArray) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def _aligned(ids: IntArray, rows: Sequence[Sequence[Any]]) -> FloatArray:
    scores = {int(i): float(s) for i, s in rows}
    missing = [int(i) for i in ids.tolist() if int(i) not in scores]
    if missing:
        raise IndexError(f"no passages {missing[:5]} in this generation")
    return np.asarray([scores[int(i)] for i in ids.tolist()], dtype=np.float32)


class PostgresStore:
    """The store at ``settings.pg_url``: its live generation and writers for builds."""

    def __init__(self, settings: RetrievalSettings,
                 embedder: EmbedderIdentity | None = None) -> None:
        self.embedder = embedder
        if settings.pg_url is None:
            raise NewsQAError("NEWSQA_STORE=postgres needs NEWSQA_PG_URL "
                              "(postgresql://user:password@host:5432/database).")
        self.settings = settings
        self.address = ServerAddress(settings.pg_url.get_secret_value())
        self.pool = Pool(self.address, setup=(
            f"SET hnsw.ef_search = {int(settings.hnsw_ef_search)}",))
        self._generation: PostgresGeneration | None = None
        self._lock = threading.Lock()
        # Where a search's dense query waits while its lexical side is scored.
        self._background = futures.ThreadPoolExecutor(POOL_SIZE, "newsqa-pg-dense")

    def live_name(self) -> str | None:
        with self.pool.connection() as connection:
            try:
                row = connection.execute(f"SELECT generation FROM {LIVE_TABLE}").fetchone()
            except psycopg.errors.UndefinedTable:
                return None
        return str(row[0]) if row else None

    def current(self) -> PostgresGeneration:
        generation = self._generation
        if generation is None:
            with self._lock:
                if self._generation is None:
                    name = self.live_name()
                    if name is None:
                        raise IndexNotFoundError(str(self.address))
                    self._generation = self._open(name)
                generation = self._generation
        return generation

    def refresh(self) -> bool:
        name = self.live_name()
        if name is None or (self._generation is not None and self._generation.name == name):
            return False
        generation = self._open(name)
        with self._lock:
            self._generation = generation
        return True

    def _open(self, name: str) -> PostgresGeneration:
        generation = PostgresGeneration(self.pool, name, self.settings, self._background)
        if self.embedder is not None and generation.manifest.embedder != self.embedder:
            raise IndexMismatchError(
                f"built with {generation.manifest.embedder.model!r}, configured model is "
                f"{self.embedder.model!r}")
        return generation

    def writer(self) -> Any:
        from .postgres_writer import PostgresWriter

        return PostgresWriter(self)

    def close(self) -> None:
        self._background.shutdown(wait=True)
        self.pool.close()

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

