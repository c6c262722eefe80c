"""The Postgres store end to end on a real server on 127.0.0.1: `newsqa index` into it, the
same answers as the files store, builds killed or refused, and clear errors."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pydantic import SecretStr

from retrieval import RetrievalSettings, Searcher
from retrieval.store.postgres_local import LocalServer
from tests.conftest import REPO, SEEDS
from tests.support.postgres import assert_same_top3, new_database
from tests.support.remembered_vectors import newsqa_command

pytestmark = pytest.mark.slow
ASKED = ["Ai đã tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở quận Ninh Kiều?",
         "ai la giam doc cong an tp can tho trao giay khen o ngay hoi",
         "Đại tướng Tô Lâm dự ngày hội ở đâu?"]


def newsqa(*args: str, url: str, articles: Path = SEEDS, timeout: float = 300,
           remembered: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The real CLI over Postgres; with ``remembered`` (the `remembered_vectors_env`
    fixture), the model runs only on texts the session has not embedded yet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update({"NEWSQA_STORE": "postgres", "NEWSQA_PG_URL": url,
                "NEWSQA_ARTICLES_DIR": str(articles), "HF_HUB_OFFLINE": "1",
                "NEWSQA_LANGUAGE": "en", **(remembered or {})})
    return subprocess.run([*newsqa_command(remembered), *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=timeout, check=False)


def pg_settings(url: str, articles: Path = SEEDS) -> RetrievalSettings:
    return RetrievalSettings(store="postgres", pg_url=SecretStr(url), articles_dir=articles,
                             _env_file=None)


@pytest.fixture(scope="module")
def seeded_url(pg_server: LocalServer, remembered_vectors_env: dict[str, str]) -> str:
    """A database that `newsqa index` filled from seeds/."""
    url = new_database(pg_server)
    result = newsqa("index", url=url, remembered=remembered_vectors_env)
    assert result.returncode == 0, result.stderr
    assert "Index ready" in result.stderr
    assert pg_server.password not in result.stderr + result.stdout
    return url


@pytest.fixture()
def pg_searcher(seeded_url: str) -> Iterator[Searcher]:
    searcher = Searcher.open(pg_settings(seeded_url))
    try:
        yield searcher
    finally:
        searcher.store.close()


def test_every_seed_question_gets_the_files_stores_top3(pg_searcher: Searcher,
                                                        seed_searcher: Searcher) -> None:
    assert assert_same_top3(seed_searcher, pg_searcher, same_answers=False) >= 45


def test_ask_through_the_cli(seeded_url: str) -> None:
    result = newsqa("ask", ASKED[0], "--json", url=seeded_url)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["results"][0]["source"]["file"] == "000_70767a7265ef359a.txt"


def _answers(url: str, articles: Path = SEEDS) -> list[list[tuple[str, str]]]:
    searcher = Searcher.open(pg_settings(url, articles))
    try:
        return [[(h.source.file, h.text) for h in searcher.search(q).results] for q in ASKED]
    finally:
        searcher.store.close()


def _live(url: str) -> str:
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT generation FROM newsqa_live").fetchone()
        assert row is not None
        return str(row[0])


def _generations(url: str) -> set[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'newsqa_gen_%'").fetchall()
    return {str(r[0]) for r in rows}


def test_a_killed_build_leaves_the_answers_unchanged(
    pg_seed_url: str, tmp_path: Path, remembered_vectors_env: dict[str, str],
) -> None:
    url = pg_seed_url
    articles = tmp_path / "articles"
    articles.mkdir()
    for path in SEEDS.glob("*.txt"):
        (articles / path.name).write_bytes(path.read_bytes())
    live, before = _live(url), _answers(url, articles)
    (articles / "900_new.txt").write_text(
        "Tiêu đề mới\n\nMột bài báo mới về ngày hội ở Ninh Kiều. " * 40, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSQA_")}
    env.update({"NEWSQA_STORE": "postgres", "NEWSQA_PG_URL": url,
                "NEWSQA_ARTICLES_DIR": str(articles), "HF_HUB_OFFLINE": "1",
                "NEWSQA_LANGUAGE": "en", **remembered_vectors_env})
    marker = tmp_path / "stalled"
    env["NEWSQA_TEST_STALL_MARKER"] = str(marker)
    build = subprocess.Popen(
        [sys.executable, "-m", "tests.postgres.stalling_commit_newsqa", "index", "--full"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and build.poll() is None:
            assert time.monotonic() < deadline, "the build never wrote its passages"
            time.sleep(0.05)
        half_written = _generations(url)
    finally:
        build.send_signal(signal.SIGKILL)
        build.wait(30)
    assert build.returncode == -signal.SIGKILL, "the build ended before it could be killed"
    assert len(half_written) == 2, "the killed build had no generation of its own"
    assert _live(url) == live
    assert _answers(url, articles) == before
    # The next build drops the dead one's schema and takes the lock it left behind.
    result = newsqa("index", url=url, articles=articles, remembered=remembered_vectors_env)
    assert result.returncode == 0, result.stderr
    # The live generation's vectors were reused: the dead build harmed nothing.
    assert re.search(r"[1-9]\d* reused", result.stderr), result.stderr
    assert _live(url) != live
    assert _generations(url) == {live, _live(url)}


def test_a_second_concurrent_build_is_refused(seeded_url: str) -> None:
    from retrieval.store import open_store

    store = open_store(pg_settings(seeded_url))
    try:
        with store.writer():
            result = newsqa("index", url=seeded_url)
    finally:
        store.close()
    assert result.returncode == 1
    assert "Another `newsqa index` is already building PostgreSQL at 127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr


def test_unreachable_server_and_wrong_password_are_one_line(pg_server: LocalServer) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    cases = {
        f"postgresql://newsqa:s3cret-pw@127.0.0.1:{closed_port}/newsqa": "cannot be reached",
        pg_server.url_for("newsqa", password="s3cret-pw"): "refused the password",
        pg_server.url_for("no_such_db"): "has no such database",
    }
    for url, reason in cases.items():
        for command in (["ask", "ngày hội"], ["index"]):
            result = newsqa(*command, url=url, timeout=60)
            assert result.returncode == 1, result.stderr
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1, result.stderr
            assert reason in lines[0] and "127.0.0.1" in lines[0], lines[0]
            assert "s3cret-pw" not in result.stderr + result.stdout
            assert pg_server.password not in result.stderr + result.stdout


def test_a_server_without_pgvector_rights_is_named(pg_server: LocalServer) -> None:
    """A user who may not create the extension on a database that lacks it."""
    url = new_database(pg_server)
    database = url.rsplit("/", 1)[1]
    with psycopg.connect(pg_server.url_for("postgres"), autocommit=True) as connection:
        connection.execute("CREATE ROLE plain LOGIN PASSWORD 'plain-pw'")
        connection.execute(f"GRANT ALL ON DATABASE {database} TO plain")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("GRANT ALL ON SCHEMA public TO plain")
    plain = f"postgresql://plain:plain-pw@127.0.0.1:{pg_server.port}/{database}"
    result = newsqa("index", url=plain)
    assert result.returncode == 1
    line = result.stderr.strip()
    assert "pgvector" in line and f"database {database}" in line and "\n" not in line
    assert "plain-pw" not in result.stderr
