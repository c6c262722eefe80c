"""`newsqa bot` that cannot reach the Bot API: one warning with the retry plan, one error line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.fake_bot_api import FakeBotApi, Fault

from ..conftest import REPO, SEEDS

TOKEN = "123456789:AAE-startup_test_token_0000000000"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: connections to it are refused


def run_bot(base_url: str, index: Path, cwd: Path, *extra: str) -> tuple[int, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "NEWSQA_"))}
    env.update({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": base_url,
                "TELEGRAM_MAX_RETRIES": "2", "TELEGRAM_RETRY_BACKOFF": "0.1",
                "TELEGRAM_REQUEST_TIMEOUT": "3", "HF_HUB_OFFLINE": "1"})
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "bot", "--index", str(index), "--articles",
         str(SEEDS), *extra], cwd=cwd, env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True, text=True, timeout=120)
    return result.returncode, (result.stdout + result.stderr).splitlines()


@pytest.mark.parametrize("failure", ["closed port", "502"])
def test_an_unreachable_bot_api_is_one_warning_and_one_error_line(
        seed_index_dir: Path, tmp_path: Path, failure: str) -> None:
    with FakeBotApi(token=TOKEN) as fake:
        fake.inject("getMe", *[Fault(status=502, description="Bad Gateway")] * 10)
        url = f"http://127.0.0.1:{_closed_port()}" if failure == "closed port" else fake.base_url
        code, lines = run_bot(url, seed_index_dir, tmp_path)
        if failure == "502":
            assert len(fake.calls("getMe")) == 3  # the first call and its 2 retries
    text = "\n".join(lines)
    assert code == 1, text
    assert "Traceback" not in text
    assert "faiss" not in text and "ModuleNotFoundError" not in text
    warnings = [line for line in lines if " WARNING " in line]
    assert len(warnings) == 1, text
    assert "Bot API getMe failed" in warnings[0]
    assert "retrying up to 2 times over about 0.3 s" in warnings[0]
    assert lines[-1].startswith(f"newsqa: cannot reach the Bot API at {url} ("), text
    assert "check TELEGRAM_BASE_URL" in lines[-1]
    assert len(lines) <= 4, text  # plus 'search warmed up' and 'long polling' at INFO


def test_verbose_shows_the_traceback(seed_index_dir: Path, tmp_path: Path) -> None:
    code, lines = run_bot(f"http://127.0.0.1:{_closed_port()}", seed_index_dir, tmp_path,
                          "--verbose")
    text = "\n".join(lines)
    assert code == 1, text
    assert "Traceback (most recent call last)" in text
    assert "httpx.ConnectError" in text
    assert lines[-1].startswith("newsqa: cannot reach the Bot API"), text
    assert TOKEN.split(":")[1] not in text
