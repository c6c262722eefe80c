"""The real bot against the fake Bot API, answering from Postgres; the database stopped
under it and started again."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot import formatting as fmt
from retrieval import RetrievalSettings, Searcher, build_index
from retrieval.errors import StoreUnavailableError
from retrieval.store import postgres_local
from retrieval.store.postgres_local import LocalServer, LocalServerError
from tests.conftest import SEEDS
from tests.support.fake_bot_api import BotProcess, FakeBotApi

pytestmark = pytest.mark.slow
QUESTION = "Đại tướng Tô Lâm dự ngày hội ở đâu?"
# Words QUESTION lacks: its search needs postings the process has not read yet.
OTHER_QUESTION = "Tội phạm về trật tự xã hội giảm bao nhiêu phần trăm?"


@pytest.fixture(scope="module")
def own_server() -> Iterator[LocalServer]:
    """A server of this module's own, holding the seed index: it is stopped and started
    again."""
    root = Path(tempfile.mkdtemp(prefix="newsqa-pg-stop-"))
    try:
        server = postgres_local.create(root)
    except LocalServerError as exc:
        postgres_local.remove(LocalServer(root, 0, ""))
        pytest.skip(f"no PostgreSQL server can start here: {exc}")
    try:
        build_index(_settings(server))
        yield server
    finally:
        postgres_local.remove(server)


def _settings(server: LocalServer) -> RetrievalSettings:
    return RetrievalSettings(store="postgres", pg_url=SecretStr(server.url), articles_dir=SEEDS,
                             _env_file=None)


def test_search_says_unavailable_then_recovers_when_the_server_returns(
        own_server: LocalServer) -> None:
    searcher = Searcher.open(_settings(own_server))
    try:
        first = searcher.search(QUESTION).results[0].source.file
        own_server.stop()
        # Everything it needs is in this process (the dense index, the postings, texts and
        # rows it read): the same question is still answered while the server is away.
        assert searcher.search(QUESTION).results[0].source.file == first
        with pytest.raises(StoreUnavailableError) as caught:
            searcher.search(OTHER_QUESTION)
        message = str(caught.value)
        assert f"127.0.0.1:{own_server.port}, database newsqa" in message
        assert "\n" not in message and own_server.password not in message
        with pytest.raises(StoreUnavailableError):
            searcher.refresh()
        own_server.start()
        assert searcher.search(QUESTION).results[0].source.file == first
    finally:
        searcher.store.close()


def test_the_bot_answers_from_postgres_and_survives_the_database_going_away(
        own_server: LocalServer, tmp_path: Path) -> None:
    env = {"NEWSQA_STORE": "postgres", "NEWSQA_PG_URL": own_server.url}
    with FakeBotApi() as fake:
        bot = BotProcess(fake, tmp_path / "unused-index", tmp_path / "bot", env=env)
        with bot:
            reply = fake.wait_reply(fake.ask(5001, QUESTION), timeout=60)[0]
            assert "003_4be6f3f6f5d770e8.txt" in reply["text"] or "Cà Mau" in reply["text"]
            own_server.stop()
            down = fake.wait_reply(fake.ask(5001, OTHER_QUESTION), timeout=60)[0]
            assert down["text"] == fmt.UNAVAILABLE
            own_server.start()
            back = fake.wait_reply(fake.ask(5001, QUESTION), timeout=60)[0]
            assert back["text"] == reply["text"]
        log = bot.output()
    assert own_server.password not in log
    assert "Traceback" not in log
