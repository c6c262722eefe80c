"""The Postgres store's tables: one schema per generation, and the live pointer.

    newsqa_live            one row: the schema of the live generation
    <generation>.meta      manifest (jsonb), diacritic model (jsonb), term count
    <generation>.articles  one row per article (file, title, date, hash, passages)
    <generation>.passages  text, position, people count, embedding vector(d)
    <generation>.sentences one row per sentence of each passage: its embedding halfvec(d)
    <generation>.terms     per term (by its 64-bit key): the passages that have it and
                           their BM25 impacts, the files store's postings (postgres_lexical)
    <generation>.dense     the FAISS index of the embeddings in parts (NEWSQA_PG_DENSE_INDEX
                           replica: every reader loads it; empty when pgvector searches)

A build fills a new schema and one transaction replaces the live pointer: readers see the
old generation or the new one, never half of one.
"""

from __future__ import annotations

import re
import secrets
import time

from psycopg import sql

LIVE_TABLE = "newsqa_live"
GENERATION_PREFIX = "newsqa_gen_"
# pg_try_advisory_lock key of a running build ("newsqa" in ASCII).
BUILD_LOCK_KEY = 0x6E6577737161
# An article's page (added by `newsqa add`); generations written before it have no such column
# and read as NULL through the row's JSON (the articles table is aliased ``a``).
ARTICLE_URL = "to_jsonb(a)->>'url'"
_NAME = re.compile(rf"^{GENERATION_PREFIX}[0-9a-z_]+$")

CREATE_LIVE = f"""
CREATE TABLE IF NOT EXISTS {LIVE_TABLE} (
    id boolean PRIMARY KEY DEFAULT true CHECK (id),
    generation text NOT NULL,
    committed_at timestamptz NOT NULL DEFAULT now()
)"""


def new_generation_name() -> str:
    stamp = time.strftime("%Y%m%dt%H%M%S", time.gmtime())
    return f"{GENERATION_PREFIX}{stamp}_{secrets.token_hex(3)}"


def is_generation_name(name: str) -> bool:
    return bool(_NAME.match(name))


def create_tables(schema: str, dimension: int) -> list[sql.Composed]:
    s = sql.Identifier(schema)
    return [
        sql.SQL("CREATE SCHEMA {}").format(s),
        sql.SQL("CREATE TABLE {}.meta (manifest jsonb NOT NULL, restorer jsonb, "
                "facts bytea)").format(s),
        sql.SQL("CREATE TABLE {}.articles (id integer PRIMARY KEY, file text NOT NULL, "
                "title text NOT NULL, date text, content_hash text NOT NULL, "
                "first_chunk integer NOT NULL, chunks integer NOT NULL, "
                "has_headline boolean NOT NULL, url text)").format(s),
        sql.SQL("CREATE TABLE {}.passages (id integer PRIMARY KEY, article integer NOT NULL, "
                "ordinal integer NOT NULL, start_char integer NOT NULL, "
                "end_char integer NOT NULL, people smallint NOT NULL, text text NOT NULL, "
                "embedding vector({}) NOT NULL)").format(s, sql.Literal(dimension)),
        sql.SQL("CREATE TABLE {}.sentences (passage integer NOT NULL, "
                "embedding halfvec({}) NOT NULL)").format(s, sql.Literal(dimension)),
        sql.SQL("CREATE TABLE {}.terms (key bigint NOT NULL, scale real NOT NULL, "
                "doc_ids bytea NOT NULL, impacts bytea NOT NULL)").format(s),
        # Postings barely compress; stored plainly they are read without decompressing.
        sql.SQL("ALTER TABLE {}.terms ALTER COLUMN doc_ids SET STORAGE EXTERNAL, "
                "ALTER COLUMN impacts SET STORAGE EXTERNAL").format(s),
        sql.SQL("CREATE TABLE {}.dense (part integer PRIMARY KEY, data bytea NOT NULL)"
                ).format(s),
        sql.SQL("ALTER TABLE {}.dense ALTER COLUMN data SET STORAGE EXTERNAL").format(s),
    ]


def create_indexes(schema: str, dimension: int, hnsw: tuple[int, int] | None
                   ) -> list[sql.Composed]:
    """Indexes built after the rows are in (much faster than row by row)."""
    s = sql.Identifier(schema)
    statements = [
        sql.SQL("CREATE UNIQUE INDEX ON {}.terms (key)").format(s),
        sql.SQL("CREATE INDEX ON {}.sentences (passage)").format(s),
    ]
    if hnsw is not None:
        m, ef_construction = hnsw
        # Half-precision graph, full-precision vectors: half the index memory, and the
        # candidates it finds are scored exactly.
        statements.append(sql.SQL(
            "CREATE INDEX ON {}.passages USING hnsw ((embedding::halfvec({})) halfvec_ip_ops) "
            "WITH (m = {}, ef_construction = {})").format(
                s, sql.Literal(dimension), sql.Literal(m), sql.Literal(ef_construction)))
    return statements


def drop(schema: str) -> sql.Composed:
    return sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
