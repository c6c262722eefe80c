"""Connections to the Postgres store: a small pool, and every failure as one clear line.

A message names the server and the database, never the password: psycopg's own messages do
not carry it, and any text that might (a malformed URL) is scrubbed before it is shown.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from ..errors import NewsQAError, StoreUnavailableError

# Seconds to wait for the server to accept a connection: a bot answering a user must not
# hang on a dead server.
CONNECT_TIMEOUT = 5
# Connections kept open for reuse (readers of one process; more are opened when needed).
POOL_SIZE = 8


class ServerAddress:
    """Where the store lives, for messages: host, port, database, user (no password)."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            parts = conninfo_to_dict(url)
        except psycopg.ProgrammingError as exc:
            raise NewsQAError("NEWSQA_PG_URL is not a valid PostgreSQL URL "
                              "(postgresql://user:password@host:5432/database)") from exc
        self.password = str(parts.get("password") or "")
        self.host = str(parts.get("host") or "localhost")
        self.port = str(parts.get("port") or "5432")
        self.database = str(parts.get("dbname") or parts.get("user") or "postgres")
        self.user = str(parts.get("user") or "")

    def __str__(self) -> str:
        return f"PostgreSQL at {self.host}:{self.port}, database {self.database}"

    def scrub(self, text: str) -> str:
        return text.replace(self.password, "***") if self.password else text

    def failure(self, exc: BaseException) -> StoreUnavailableError:
        """The one-line message for a failed connection or a connection lost mid-query."""
        raw = str(exc).strip()
        lines = [line.strip() for line in raw.splitlines() if line.strip()]
        detail = lines[-1] if lines else type(exc).__name__
        lowered = raw.lower()
        if "password authentication failed" in lowered or "no password supplied" in lowered:
            reason = f"refused the password of user {self.user!r}"
        elif "does not exist" in lowered and "database" in lowered:
            reason = "has no such database"
        elif "connection refused" in lowered or "no route" in lowered or "timeout" in lowered:
            reason = "cannot be reached (is the server running?)"
        elif "terminating connection" in lowered or "server closed" in lowered:
            reason = "closed the connection (server restarting or stopped?)"
        else:
            detail = detail.removeprefix("FATAL:").strip()
            reason = f"failed: {detail[:200]}"
        return StoreUnavailableError(self.scrub(f"{self} {reason}."))


def connect(address: ServerAddress, **options: Any) -> psycopg.Connection[Any]:
    """A connection with pgvector's types registered (when the extension exists)."""
    try:
        connection = psycopg.connect(address.url, connect_timeout=CONNECT_TIMEOUT,
                                     autocommit=True, **options)
    except psycopg.Error as exc:
        raise address.failure(exc) from None
    try:
        if _has_vector(connection):
            from pgvector.psycopg import register_vector

            register_vector(connection)
    except psycopg.Error as exc:
        connection.close()
        raise address.failure(exc) from None
    return connection


def _has_vector(connection: psycopg.Connection[Any]) -> bool:
    row = connection.execute("SELECT 1 FROM pg_type WHERE typname = 'vector'").fetchone()
    return row is not None


def ensure_vector(connection: psycopg.Connection[Any], address: ServerAddress) -> None:
    """Create the pgvector extension if missing; a server without it is named clearly."""
    try:
        connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.errors.InsufficientPrivilege as exc:
        raise NewsQAError(f"{address}: the pgvector extension is not enabled and user "
                          f"{address.user!r} may not enable it (an administrator can run "
                          "CREATE EXTENSION vector).") from exc
    except psycopg.Error as exc:
        raise NewsQAError(f"{address}: the pgvector extension is not installed on the "
                          "server (PostgreSQL 16+ with pgvector 0.7+ is needed).") from exc
    row = connection.execute(
        "SELECT extversion FROM pg_extension WHERE extname = 'vector'").fetchone()
    version = tuple(int(part) for part in str(row[0] if row else "0").split(".")[:2])
    if version < (0, 7):
        raise NewsQAError(f"{address}: pgvector {row[0] if row else '?'} is too old "
                          "(0.7 or newer is needed for halfvec and sparsevec).")
    from pgvector.psycopg import register_vector

    register_vector(connection)


class Pool:
    """Connections shared by the threads of one process, one per query at a time.

    A connection that failed is closed, not returned: the next query opens a new one, so
    the store recovers by itself once the server is back.
    """

    def __init__(self, address: ServerAddress, size: int = POOL_SIZE,
                 setup: tuple[str, ...] = ()) -> None:
        self.address = address
        self._size = size
        self._setup = setup
        self._idle: list[psycopg.Connection[Any]] = []
        self._lock = threading.Lock()
        self._closed = False

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Any]]:
        with self._lock:
            connection = self._idle.pop() if self._idle else None
        if connection is None or connection.closed:
            connection = connect(self.address)
            try:
                for statement in self._setup:
                    connection.execute(statement)
            except psycopg.Error as exc:
                connection.close()
                raise self.address.failure(exc) from None
        try:
            yield connection
        except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
            connection.close()
            if isinstance(exc, psycopg.errors.QueryCanceled):
                raise
            # The idle ones most likely lost the server too (a search uses two at once):
            # the next search then starts on fresh connections.
            self._drop_idle()
            raise self.address.failure(exc) from None
        except BaseException:
            connection.close()
            raise
        else:
            with self._lock:
                if not self._closed and len(self._idle) < self._size and not connection.closed:
                    self._idle.append(connection)
                    return
            connection.close()

    def _drop_idle(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
