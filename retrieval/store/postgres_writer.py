"""A build into the Postgres store: a new schema, filled by COPY, made live in one step.

The build holds a session advisory lock for its whole life, so a second build is refused
and a build whose process dies releases it with its connection. Everything before the
pointer moves happens in a schema no reader looks at; the switch is one transaction; what
follows it (dropping old generations) is best-effort and never touches the live one.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import numpy as np
import psycopg
from psycopg import sql

from ..dense import DenseIndex, DenseSettings
from ..diacritics import DiacriticRestorer
from ..errors import CorruptIndexError, IndexLockedError, NewsQAError
from ..events.model import ArticleFacts
from ..events.storage import dump_facts, load_facts
from ..lexical import LexicalIndex
from ..types import ArticleInfo
from .manifest import Counts, Manifest
from .postgres_db import connect, ensure_vector
from .postgres_dense import (
    SERVER_BACKEND,
    plan_server_dense,
    read_dense,
    replica_dense,
    write_dense,
)
from .postgres_lexical import signed_key
from .postgres_schema import (
    ARTICLE_URL,
    BUILD_LOCK_KEY,
    CREATE_LIVE,
    GENERATION_PREFIX,
    LIVE_TABLE,
    create_indexes,
    create_tables,
    drop,
    is_generation_name,
    new_generation_name,
)
from .protocol import PassageBatch, StoredPassages
from .sentences import SENTENCE_DTYPE, sentences_of

if TYPE_CHECKING:
    from .postgres import PostgresStore


class PostgresStored:
    """An earlier generation as an incremental build reuses it: every vector and people
    count read in one pass (one query per article would be thousands of round trips)."""

    def __init__(self, connection: psycopg.Connection[Any], schema: str) -> None:
        self.schema = schema
        ident = sql.Identifier(schema)
        row = connection.execute(sql.SQL("SELECT manifest, facts FROM {}.meta").format(ident)
                                 ).fetchone()
        if row is None:
            raise NewsQAError(f"generation {schema} has no manifest")
        self._facts = load_facts(bytes(row[1]), f"schema {schema}") if row[1] else []
        self._manifest = Manifest.from_dict(row[0])
        self._articles = [ArticleInfo(*r) for r in connection.execute(sql.SQL(
            "SELECT file, title, date, chunks, has_headline, content_hash, first_chunk, "
            f"{ARTICLE_URL} FROM {{}}.articles a ORDER BY id").format(ident)).fetchall()]
        dimension = int(self._manifest.embedder.dimension)
        size = int(self._manifest.counts.chunks)
        self._vectors = np.zeros((size, dimension), dtype=np.float32)
        self._people = np.zeros(size, dtype=np.uint8)
        self._spans = np.zeros((size, 3), dtype=np.int64)
        query = sql.SQL("COPY (SELECT id, people, ordinal, start_char, end_char, embedding "
                        "FROM {}.passages ORDER BY id) TO STDOUT WITH (FORMAT BINARY)"
                        ).format(ident)
        seen = 0
        with connection.cursor() as cursor, cursor.copy(query) as copy:
            copy.set_types(["int4", "int2", "int4", "int4", "int4", "vector"])
            for passage, people, ordinal, start, end, vector in copy.rows():
                self._vectors[passage] = vector.to_numpy() if hasattr(vector, "to_numpy") \
                    else vector
                self._people[passage] = people
                self._spans[passage] = (ordinal, start, end)
                seen += 1
        if seen != size:
            raise NewsQAError(f"generation {schema} lacks passages")
        self._sentences = (_read_sentences(connection, schema, size, dimension)
                           if self._manifest.sentence_vectors else None)

    @property
    def manifest(self) -> Manifest:
        return self._manifest

    def articles(self) -> Sequence[ArticleInfo]:
        return self._articles

    def passage_vectors(self, start: int, stop: int) -> np.ndarray[Any, Any]:
        return self._vectors[start:stop]

    def people_counts(self, start: int, stop: int) -> np.ndarray[Any, np.dtype[np.uint8]]:
        return self._people[start:stop]

    def sentence_vectors(self, start: int, stop: int
                         ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
        if self._sentences is None:
            return None
        return sentences_of(*self._sentences, start, stop)

    def restorer(self) -> DiacriticRestorer | None:
        return None  # jsonb keeps no key order: the statistics are fitted again

    def passage_spans(self, start: int, stop: int) -> np.ndarray[Any, Any]:
        return self._spans[start:stop]

    def facts(self) -> Sequence[ArticleFacts]:
        return self._facts


def _read_sentences(connection: psycopg.Connection[Any], schema: str, size: int,
                    dimension: int) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Every passage's sentence offsets and vectors (float16, as stored), in passage order."""
    table = sql.SQL("{}.sentences").format(sql.Identifier(schema))
    row = connection.execute(sql.SQL("SELECT count(*) FROM {}").format(table)).fetchone()
    total = int(row[0]) if row else 0
    owners = np.zeros(total, dtype=np.int64)
    vectors = np.zeros((total, dimension), dtype=SENTENCE_DTYPE)
    query = sql.SQL("COPY (SELECT passage, embedding FROM {} ORDER BY passage) "
                    "TO STDOUT WITH (FORMAT BINARY)").format(table)
    seen = 0
    with connection.cursor() as cursor, cursor.copy(query) as copy:
        copy.set_types(["int4", "halfvec"])
        for passage, vector in copy.rows():
            if seen == total:
                raise NewsQAError(f"generation {schema} changed while it was read")
            owners[seen] = passage
            vectors[seen] = vector.to_numpy()
            seen += 1
    counts = np.bincount(owners[:seen], minlength=size)
    if seen != total or len(counts) != size or bool((counts == 0).any()):
        raise NewsQAError(f"generation {schema} lacks sentence vectors")
    offsets = np.zeros(size + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(counts)
    return offsets, vectors


class PostgresWriter:
    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self._address = store.address
        self._connection: psycopg.Connection[Any] | None = None
        self._schema: str | None = None
        self._manifest: Manifest | None = None
        self._terms: list[Sequence[str]] = []
        # Kept only when the readers hold the dense index (built from them at commit).
        self._vectors: list[np.ndarray[Any, Any]] = []
        self._reuse: tuple[StoredPassages, np.ndarray[Any, Any]] | None = None
        self._restorer: dict[str, Any] | None = None
        self._facts: bytes | None = None
        self._articles = 0
        self._committed = False

    # --- lock -------------------------------------------------------------------------------

    def __enter__(self) -> PostgresWriter:
        connection = connect(self._address)
        try:
            ensure_vector(connection, self._address)
            connection.execute(CREATE_LIVE)
            connection.execute(f"ALTER TABLE {LIVE_TABLE} ADD COLUMN IF NOT EXISTS "
                               "previous text")
            row = connection.execute("SELECT pg_try_advisory_lock(%s)",
                                     (BUILD_LOCK_KEY,)).fetchone()
            if not row or not row[0]:
                raise IndexLockedError(str(self._address))
            self._connection = connection
            self._drop_dead_builds()
        except psycopg.Error as exc:
            connection.close()
            raise self._address.failure(exc) from None
        except BaseException:
            connection.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        try:
            if not self._committed:
                self.abort()
        finally:
            if self._connection is not None:
                self._connection.close()  # releases the advisory lock
                self._connection = None

    def _db(self) -> psycopg.Connection[Any]:
        if self._connection is None:
            raise NewsQAError("the Postgres writer is used outside its `with` block")
        return self._connection

    def _pointers(self) -> tuple[str | None, str | None]:
        row = self._db().execute(f"SELECT generation, previous FROM {LIVE_TABLE}").fetchone()
        return (str(row[0]), row[1]) if row else (None, None)

    def _generations(self) -> list[str]:
        rows = self._db().execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY nspname",
            (GENERATION_PREFIX + "%",)).fetchall()
        return [str(r[0]) for r in rows if is_generation_name(str(r[0]))]

    def _drop_dead_builds(self) -> None:
        """Schemas of builds that died (we hold the lock: no build is running). Neither the
        live generation nor the one before it (readers may still be on it) is touched."""
        keep = set(self._pointers())
        for name in self._generations():
            if name not in keep:
                self._db().execute(drop(name))

    # --- the protocol ---------------------------------------------------------------------

    def reclaim(self) -> int:
        """Dead builds' schemas are dropped when a build begins (``_drop_dead_builds``); the
        server does not tell their size cheaply, so nothing is counted here."""
        return 0

    def up_to_date(self, manifest: Manifest) -> bool:
        """The live generation was built from the same articles and settings."""
        stored = self.reusable()
        if stored is None:
            return False
        return (replace(stored.manifest, created_at="", files={})
                == replace(manifest, created_at="", files={}))

    def reusable(self) -> PostgresStored | None:
        """The live generation, for its unchanged articles' vectors and people counts."""
        live, previous = self._pointers()
        for name in (live, previous):
            if name is None:
                continue
            try:
                return PostgresStored(self._db(), name)
            except (NewsQAError, psycopg.Error, KeyError, TypeError, ValueError):
                continue  # a damaged generation is simply not reused
        return None

    def begin(self, manifest: Manifest) -> None:
        self._schema = new_generation_name()
        self._manifest = manifest
        for statement in create_tables(self._schema, manifest.embedder.dimension):
            self._db().execute(statement)

    def _table(self, name: str) -> sql.Composed:
        if self._schema is None:
            raise NewsQAError("begin() first")
        return sql.SQL("{}.{}").format(sql.Identifier(self._schema), sql.Identifier(name))

    def write_articles(self, articles: Sequence[ArticleInfo]) -> None:
        query = sql.SQL("COPY {} (id, file, title, date, content_hash, first_chunk, chunks, "
                        "has_headline, url) FROM STDIN").format(self._table("articles"))
        with self._db().cursor() as cursor, cursor.copy(query) as copy:
            for number, a in enumerate(articles, start=self._articles):
                copy.write_row((number, a.file, a.title, a.date, a.content_hash,
                                a.first_chunk, a.chunks, a.has_headline, a.url))
        self._articles += len(articles)

    def write_passages(self, batch: PassageBatch) -> None:
        if batch.first != len(self._terms):
            raise NewsQAError(f"passages written out of order ({batch.first}, expected "
                              f"{len(self._terms)})")
        from pgvector import HalfVector, Vector

        query = sql.SQL("COPY {} (id, article, ordinal, start_char, end_char, people, text, "
                        "embedding) FROM STDIN WITH (FORMAT BINARY)").format(
                            self._table("passages"))
        vectors = np.asarray(batch.vectors, dtype=np.float32)
        with self._db().cursor() as cursor, cursor.copy(query) as copy:
            copy.set_types(["int4", "int4", "int4", "int4", "int4", "int2", "text", "vector"])
            for offset in range(len(batch)):
                copy.write_row((batch.first + offset, int(batch.articles[offset]),
                                int(batch.ordinals[offset]), int(batch.starts[offset]),
                                int(batch.ends[offset]), int(batch.people[offset]),
                                batch.texts[offset], Vector(vectors[offset])))
        offsets = np.asarray(batch.sentence_offsets, dtype=np.int64)
        if len(offsets) != len(batch) + 1 or len(batch.sentence_vectors) != int(offsets[-1]):
            raise ValueError("every passage needs its sentence vectors, in order")
        owners = batch.first + np.repeat(np.arange(len(batch)), np.diff(offsets))
        query = sql.SQL("COPY {} (passage, embedding) FROM STDIN WITH (FORMAT BINARY)"
                        ).format(self._table("sentences"))
        with self._db().cursor() as cursor, cursor.copy(query) as copy:
            copy.set_types(["int4", "halfvec"])
            for owner, sentence in zip(owners.tolist(), batch.sentence_vectors, strict=True):
                copy.write_row((owner, HalfVector(np.asarray(sentence, dtype=np.float32))))
        # Interned: a build holds every passage's terms until commit, and most are repeats.
        self._terms.extend([sys.intern(term) for term in terms] for terms in batch.terms)
        if self._store.settings.pg_dense_index == "replica":
            self._vectors.append(vectors)

    def write_facts(self, facts: Sequence[ArticleFacts]) -> None:
        self._facts = dump_facts(facts)

    def write_restorer(self, restorer: DiacriticRestorer) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "diacritics.json"
            restorer.save(path)
            self._restorer = json.loads(path.read_text(encoding="utf-8"))

    def reuses(self, previous: StoredPassages, origins: np.ndarray[Any, Any]) -> None:
        """The rows are all written again; a dense index the readers hold is extended from the
        earlier generation's when this one begins with all of its passages in order."""
        self._reuse = (previous, np.asarray(origins))

    def commit(self) -> str:
        if self._schema is None or self._manifest is None:
            raise NewsQAError("begin() first")
        schema, settings = self._schema, self._store.settings
        self._write_lexical()
        size = len(self._terms)
        dense = self._manifest.dense
        if dense.backend == SERVER_BACKEND:
            if dense.kind not in ("hnsw", "exact") or self._manifest.counts.chunks != size:
                dense = plan_server_dense(settings, size)
            hnsw = dense.kind == "hnsw"
        else:
            self._write_replica_dense(dense)
            hnsw = False
        manifest = replace(self._manifest, dense=dense, files={},
                           counts=Counts(self._articles, size))
        db = self._db()
        # An HNSW graph built within memory is many times faster than one that spills
        # (10^5 passages: ~170 MB); the setting lasts for this build's session only.
        db.execute("SET maintenance_work_mem = '1GB'")
        graph = (dense.hnsw_m or settings.hnsw_m,
                 dense.ef_construction or settings.hnsw_ef_construction)
        for statement in create_indexes(schema, manifest.embedder.dimension,
                                        graph if hnsw else None):
            db.execute(statement)
        from psycopg.types.json import Jsonb

        db.execute(sql.SQL("INSERT INTO {} (manifest, restorer, facts) VALUES (%s, %s, %s)"
                           ).format(self._table("meta")),
                   (Jsonb(manifest.as_dict()), Jsonb(self._restorer), self._facts))
        for table in ("passages", "sentences", "terms", "articles"):
            db.execute(sql.SQL("ANALYZE {}").format(self._table(table)))
        # The commit point: one transaction moves the pointer.
        with db.transaction():
            live, _ = self._pointers()
            db.execute(f"DELETE FROM {LIVE_TABLE}")
            db.execute(f"INSERT INTO {LIVE_TABLE} (generation, previous) VALUES (%s, %s)",
                       (schema, live))
        self._committed = True
        self._prune(keep={schema, live})
        return schema

    def _write_replica_dense(self, dense: DenseSettings) -> None:
        assert self._schema is not None and self._manifest is not None
        dimension = int(self._manifest.embedder.dimension)
        vectors = (np.concatenate(self._vectors) if self._vectors
                   else np.zeros((0, dimension), dtype=np.float32))
        self._vectors = []
        earlier, reused = self._earlier_dense(dense)
        index = replica_dense(vectors, dense, self._store.settings, earlier, reused)
        del earlier, vectors
        write_dense(self._db(), self._schema, index)

    def _earlier_dense(self, dense: DenseSettings) -> tuple[DenseIndex | None, int]:
        """The earlier generation's dense index when this one begins with all of its
        passages in order and was planned alike (else nothing to extend)."""
        if self._reuse is None:
            return None, 0
        previous, origins = self._reuse
        count = int(previous.manifest.counts.chunks)
        schema = getattr(previous, "schema", None)
        if (schema is None or previous.manifest.dense != dense or count > len(origins)
                or not bool((origins[:count] == np.arange(count)).all())):
            return None, 0
        try:
            return read_dense(self._db(), str(schema), dense, self._store.settings,
                              f"{self._address}, schema {schema}"), count
        except CorruptIndexError:
            return None, 0  # an unreadable earlier index: build one anew

    def _prune(self, keep: set[str | None]) -> None:
        """Best-effort: an error here never undoes the commit."""
        try:
            for name in self._generations():
                if name not in keep:
                    self._db().execute(drop(name))
        except psycopg.Error:
            pass

    def abort(self) -> None:
        """Drop the unfinished schema (never the live one, which it cannot be)."""
        schema, self._schema = self._schema, None
        if schema is None or self._connection is None or self._connection.closed:
            return
        try:
            live, previous = self._pointers()
            if schema not in (live, previous):
                self._connection.execute(drop(schema))
        except psycopg.Error:
            pass  # the next build drops it

    # --- lexical ----------------------------------------------------------------------------

    def _write_lexical(self) -> None:
        """BM25 postings of every term, as the files store computes and keeps them."""
        index = LexicalIndex.build(self._terms)
        keys, indptr, doc_ids, impacts, scales = _columns(index)
        signed = keys.astype(np.int64)  # two's complement, as signed_key
        query = sql.SQL("COPY {} (key, scale, doc_ids, impacts) FROM STDIN WITH "
                        "(FORMAT BINARY)").format(self._table("terms"))
        ids = doc_ids.astype("<i4", copy=False)
        with self._db().cursor() as cursor, cursor.copy(query) as copy:
            copy.set_types(["int8", "float4", "bytea", "bytea"])
            for term in range(len(keys)):
                start, end = int(indptr[term]), int(indptr[term + 1])
                copy.write_row((int(signed[term]), float(scales[term]),
                                ids[start:end].tobytes(), impacts[start:end].tobytes()))


def _columns(index: LexicalIndex) -> tuple[np.ndarray[Any, Any], ...]:
    """The files store's BM25 columns: term keys, column starts, passages, byte impacts and
    each column's scale (its impacts times its scale are the scores both stores use)."""
    return (np.asarray(index._term_keys), np.asarray(index._indptr, dtype=np.int64),
            np.asarray(index._doc_ids), np.asarray(index._impacts),
            np.asarray(index._scales, dtype=np.float32))



__all__ = ["PostgresWriter", "signed_key"]
