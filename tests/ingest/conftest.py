"""Fixtures for the ingestion tests: the fake news web on 127.0.0.1 and an isolated folder."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from retrieval import RetrievalSettings
from tests.support.news_site import NewsSite


class NoDnsTransport(httpx.BaseTransport):
    """Real HTTP to 127.0.0.1; any '.invalid' host fails as a DNS lookup would, without a
    resolver being asked (tests never depend on how the machine's resolver behaves)."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.host.endswith(".invalid"):
            try:
                raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
            except socket.gaierror as exc:
                raise httpx.ConnectError(str(exc), request=request) from exc
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite() as server:
        yield server


@pytest.fixture()
def articles_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    return folder


@pytest.fixture()
def settings(articles_dir: Path, tmp_path: Path) -> RetrievalSettings:
    return RetrievalSettings(articles_dir=articles_dir, index_dir=tmp_path / "index",
                             fetch_host_delay=0, fetch_timeout=2.0, _env_file=None)


@pytest.fixture()
def transport() -> NoDnsTransport:
    return NoDnsTransport()
