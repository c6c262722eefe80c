"""The throw-away server the Postgres tests (and `newsqa pg`) use."""

from __future__ import annotations

import psycopg
import pytest

from retrieval.store.postgres_local import LocalServer


@pytest.mark.slow
def test_server_has_pgvector_and_refuses_a_wrong_password(pg_server: LocalServer,
                                                          pg_url: str) -> None:
    with psycopg.connect(pg_url) as connection:
        connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
        row = connection.execute(
            "SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    assert row is not None
    assert tuple(int(p) for p in row[0].split(".")[:2]) >= (0, 7)
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(pg_server.url_for("newsqa", password="wrong")).close()
