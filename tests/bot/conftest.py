"""Fixtures for the bot tests: a fake Bot API per module and helpers to read the bot's replies."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.fake_bot_api import FakeBotApi

_user_ids = itertools.count(10_001)


@pytest.fixture(scope="module")
def fake_api() -> Iterator[FakeBotApi]:
    with FakeBotApi() as fake:
        yield fake


@pytest.fixture()
def user_id() -> int:
    """A user nobody else in the session uses (rate limits and refusals are per user/chat)."""
    return next(_user_ids)


def copy_index(seed_index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the session's seed index, for a bot process to serve."""
    target = tmp_path_factory.mktemp("bot-index") / "index"
    shutil.copytree(seed_index_dir, target)
    return target


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """Button label -> callback data of a bot message."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {button["text"]: button["callback_data"] for row in rows for button in row}


def button(message: dict[str, Any], label_start: str) -> str:
    matching = [data for label, data in buttons(message).items() if label.startswith(label_start)]
    assert matching, f"no {label_start!r} button in {buttons(message)}"
    return matching[0]
