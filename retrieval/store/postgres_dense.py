"""The Postgres store's dense index kept by the readers (``NEWSQA_PG_DENSE_INDEX=replica``).

A build makes the same FAISS index the files store makes and stores it in the
generation's ``dense`` table, in parts; every reader (bot replica) loads it when it opens
the generation and searches it in its own memory. pgvector's HNSW walk goes through the
server's buffer manager and costs ~20 times the CPU of FAISS's for the same recall
(docs/benchmarks.md, "The PostgreSQL store"); the rows, texts and postings stay in the
database, shared.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from ..dense import (
    ByteArray,
    DenseIndex,
    DenseSettings,
    build_dense,
    dense_from_bytes,
    extend_loaded,
)
from ..errors import CorruptIndexError
from ..settings import RetrievalSettings
from .protocol import FloatArray

# bytea values are read and written whole: parts keep each one far below its 1 GB limit.
PART_BYTES = 64 << 20
SERVER_BACKEND = "postgres"


def keeps_dense_in_readers(dense: DenseSettings) -> bool:
    """A generation whose readers search their own copy of its dense index (pgvector's
    generations are marked by their backend)."""
    return dense.backend != SERVER_BACKEND


def plan_server_dense(settings: RetrievalSettings, count: int) -> DenseSettings:
    """pgvector's index of ``count`` vectors: exact up to ``exact_max_chunks``, HNSW over
    the half-precision vectors above (``faiss_index`` says so as for FAISS)."""
    kind = settings.faiss_index
    hnsw = kind == "hnsw" or (kind == "auto" and count > settings.exact_max_chunks)
    if not hnsw:
        return DenseSettings(SERVER_BACKEND, "exact", vector_storage="float32")
    return DenseSettings(SERVER_BACKEND, "hnsw", settings.hnsw_m,
                         settings.hnsw_ef_construction, "float32, halfvec graph")


def write_dense(connection: psycopg.Connection[Any], schema: str, index: DenseIndex) -> int:
    """Stores ``index`` in the generation's ``dense`` table; returns its size in bytes."""
    data = index.to_bytes()
    query = sql.SQL("COPY {}.dense (part, data) FROM STDIN WITH (FORMAT BINARY)").format(
        sql.Identifier(schema))
    view = memoryview(data.data)
    with connection.cursor() as cursor, cursor.copy(query) as copy:
        copy.set_types(["int4", "bytea"])
        for part, start in enumerate(range(0, max(len(data), 1), PART_BYTES)):
            copy.write_row((part, view[start:start + PART_BYTES]))
    return len(data)


def read_dense(connection: psycopg.Connection[Any], schema: str, dense: DenseSettings,
               settings: RetrievalSettings, where: str) -> DenseIndex:
    """The generation's dense index, read part by part into one buffer."""
    ident = sql.Identifier(schema)
    try:
        row = connection.execute(sql.SQL(
            "SELECT count(*), coalesce(sum(octet_length(data)), 0) FROM {}.dense").format(ident)
        ).fetchone()
    except psycopg.errors.UndefinedTable as exc:
        raise CorruptIndexError(where, "its dense index table is missing") from exc
    parts, total = (int(row[0]), int(row[1])) if row else (0, 0)
    if parts == 0:
        raise CorruptIndexError(where, "its dense index was never written")
    buffer: ByteArray = np.empty(total, dtype=np.uint8)
    filled = 0
    query = sql.SQL("SELECT data FROM {}.dense WHERE part = %s").format(ident)
    with connection.cursor(binary=True) as cursor:
        for part in range(parts):  # one part in memory at a time, besides the buffer
            row = cursor.execute(query, (part,)).fetchone()
            if row is None:
                raise CorruptIndexError(where, f"its dense index lacks part {part}")
            chunk = np.frombuffer(row[0], dtype=np.uint8)
            if filled + len(chunk) > total:
                break
            buffer[filled:filled + len(chunk)] = chunk
            filled += len(chunk)
    if filled != total:
        raise CorruptIndexError(where, "its dense index changed while it was read")
    try:
        return dense_from_bytes(buffer, dense, settings)
    except (RuntimeError, ValueError, KeyError) as exc:
        raise CorruptIndexError(where, f"its dense index does not load: {exc}") from exc


def replica_dense(vectors: FloatArray, dense: DenseSettings, settings: RetrievalSettings,
                  earlier: DenseIndex | None, reused: int) -> DenseIndex:
    """The generation's index: the earlier generation's graph with the new vectors added when
    it holds exactly their first ``reused`` rows, else one built from every vector."""
    if earlier is not None:
        extended = extend_loaded(earlier, dense, settings, vectors, reused)
        if extended is not None:
            return extended
    return build_dense(vectors, dense, settings)


def server_dense_sql(schema: sql.Identifier, hnsw_dimension: int | None) -> sql.Composed:
    """pgvector's dense top-k (``server_dense_args``): through the HNSW index over the
    half-precision vectors of that dimension, or (None) by an exact scan."""
    if hnsw_dimension is not None:
        # The graph finds the neighbours at half precision; they are scored exactly.
        return sql.SQL(
            "SELECT id, -(embedding <#> %(v)s) FROM {s}.passages "
            "ORDER BY embedding::halfvec({d}) <#> %(h)s LIMIT %(k)s").format(
                s=schema, d=sql.Literal(hnsw_dimension))
    return sql.SQL("SELECT id, -(embedding <#> %(v)s) AS score FROM {}.passages "
                   "ORDER BY embedding <#> %(v)s, id LIMIT %(k)s").format(schema)


def server_dense_args(vector: FloatArray, k: int, hnsw: bool) -> dict[str, Any]:
    from pgvector import HalfVector, Vector

    values = np.asarray(vector, dtype=np.float32)
    args: dict[str, Any] = {"v": Vector(values), "k": k}
    if hnsw:
        args["h"] = HalfVector(values)
    return args
