"""Bot settings: TELEGRAM_* variables, clear errors that never show the token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.settings import DEFAULT_EXAMPLES, BotSettings, load_bot_settings
from retrieval import NewsQAError

REPO = Path(__file__).resolve().parents[2]
TOKEN = "123456:AAE-abc_DEF"


def test_defaults_and_values_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    settings = load_bot_settings()
    assert settings.token == TOKEN and TOKEN not in repr(settings)
    assert settings.base_url == "https://api.telegram.org"
    assert settings.webhook_url is None and settings.allowed_chat_ids is None
    assert settings.rate_limit_per_minute == 20
    assert settings.example_questions == DEFAULT_EXAMPLES
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:8081/bot/")
    monkeypatch.setenv("TELEGRAM_ALLOWED_CHAT_IDS", "12, -1001234 ,7")
    monkeypatch.setenv("TELEGRAM_EXAMPLE_QUESTIONS", '["Một?", "  ", "Hai?"]')
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "")  # empty means unset
    settings = load_bot_settings()
    assert settings.base_url == "http://127.0.0.1:8081"
    assert settings.allowed_chat_ids == frozenset({12, -1001234, 7})
    assert settings.example_questions == ("Một?", "Hai?")
    assert settings.webhook_url is None


def test_a_missing_token_says_what_to_do() -> None:
    with pytest.raises(NewsQAError, match=r"TELEGRAM_BOT_TOKEN is not set.*@BotFather"):
        load_bot_settings()


@pytest.mark.parametrize("token", ["not a token", "98765", "abc:def", "987:has space"])
def test_a_malformed_token_is_refused_without_echoing_it(
        monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)
    with pytest.raises(NewsQAError) as error:
        load_bot_settings()
    assert "TELEGRAM_BOT_TOKEN does not look like a bot token" in str(error.value)
    assert token not in str(error.value) and error.value.__cause__ is None


@pytest.mark.parametrize(("name", "value", "message"), [
    ("TELEGRAM_ALLOWED_CHAT_IDS", "12,abc", "chat ids separated by commas"),
    ("TELEGRAM_BASE_URL", "api.telegram.org", "http://"),
    ("TELEGRAM_RATE_LIMIT_PER_MINUTE", "-1", "TELEGRAM_RATE_LIMIT_PER_MINUTE"),
    ("TELEGRAM_LOG_LEVEL", "loud", "DEBUG, INFO"),
])
def test_bad_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                      message: str) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv(name, value)
    with pytest.raises(NewsQAError, match=message) as error:
        load_bot_settings()
    assert name in str(error.value) and TOKEN not in str(error.value)


def test_the_webhook_secret_is_stable_and_not_the_token() -> None:
    settings = BotSettings(bot_token=TOKEN, _env_file=None)  # type: ignore[call-arg,arg-type]
    secret = settings.secret_token()
    assert secret == settings.secret_token() and TOKEN not in secret
    assert re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret)
