"""What a user sees while the first index is built: Ctrl-C stops it at once, the progress
moves from the first passage, a mistyped --index says a new index is being created."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval import RetrievalSettings, build_index
from retrieval.embedding import batch_sizes
from tests.support.fake_embedder import HashingEmbedder

from ..conftest import REPO, SEEDS
from .test_cli import newsqa


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_stops_a_build_whose_embedder_is_inside_a_batch(tmp_path: Path) -> None:
    marker = tmp_path / "stalled"
    env = {**os.environ, "NEWSQA_TEST_STALL_MARKER": str(marker),
           "NEWSQA_INDEX_DIR": str(tmp_path / "index"), "NEWSQA_ARTICLES_DIR": str(SEEDS)}
    with (tmp_path / "err").open("w+", encoding="utf-8") as err:
        # A suite started in the background (`make test &`) ignores SIGINT, and a child
        # inherits that: the build gets Ctrl-C as a terminal's foreground process does.
        build = subprocess.Popen([sys.executable, "-m", "tests.cli.stalling_newsqa", "index"],
                                 cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=err,
                                 preexec_fn=_default_sigint)
        try:
            deadline = time.monotonic() + 120
            while not marker.exists():
                assert build.poll() is None, "the build ended before embedding"
                assert time.monotonic() < deadline, "the build never started embedding"
                time.sleep(0.01)
            build.send_signal(signal.SIGINT)
            # The embedder never returns: only a build that does not wait for it can end.
            try:
                code = build.wait(timeout=60)
            except subprocess.TimeoutExpired:
                build.send_signal(signal.SIGUSR1)  # every thread's stack, to the stderr below
                time.sleep(1)
                err.seek(0)
                pytest.fail("the build did not stop after Ctrl-C:\n" + err.read())
        finally:
            if build.poll() is None:
                build.kill()
                build.wait()
        err.seek(0)
        stderr = err.read()
    assert code == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "index" / "CURRENT").exists()


def test_progress_moves_after_the_first_passage(tmp_path: Path) -> None:
    calls: list[tuple[int, int]] = []
    settings = RetrievalSettings(articles_dir=SEEDS, index_dir=tmp_path / "index",
                                 _env_file=None)  # type: ignore[call-arg]
    build_index(settings, progress=lambda done, total: calls.append((done, total)),
                embedder=HashingEmbedder())
    total = calls[0][1]
    assert total > 32
    assert [done for done, _ in calls[:4]] == [0, 1, 3, 7]
    assert calls[-1] == (total, total)
    assert batch_sizes(100, 32, warm_up=False) == [32, 32, 32, 4]


def test_index_into_a_folder_that_does_not_exist_says_it_creates_one(tmp_path: Path) -> None:
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("Tin Cà Mau hôm nay\n\nNgày hội ở Cà Mau rất vui.", "utf-8")
    typo = tmp_path / "typo"
    result = newsqa("index", "--articles", str(articles), "--index", str(typo))
    assert result.returncode == 0, result.stderr
    first = result.stderr.splitlines()[0]
    assert "creating a new index" in first and str(typo) in first
    again = newsqa("index", "--articles", str(articles), "--index", str(typo))
    assert "creating a new index" not in again.stderr
