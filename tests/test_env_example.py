""".env.example documents every setting of every layer, each with a comment."""

from __future__ import annotations

import re

from bot.settings import BotSettings
from retrieval import RetrievalSettings

from .conftest import REPO


def test_env_example_lists_every_setting_with_a_comment() -> None:
    lines = (REPO / ".env.example").read_text(encoding="utf-8").splitlines()
    setting = re.compile(r"#?\s*((?:NEWSQA|TELEGRAM)_\w+)=")
    listed = {m.group(1): i for i, line in enumerate(lines) if (m := setting.match(line))}
    expected = {f"NEWSQA_{name.upper()}" for name in RetrievalSettings.model_fields}
    expected |= {f"TELEGRAM_{name.upper()}" for name in BotSettings.model_fields}
    assert set(listed) == expected
    for name, index in listed.items():
        block = lines[max(0, index - 4):index]
        assert any(line.startswith("# ") and not setting.match(line) for line in block), name
