"""Settings of the Telegram bot, read from TELEGRAM_* environment variables and `.env`."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from retrieval import NewsQAError

DEFAULT_EXAMPLES = (
    "Ai tham dự Ngày hội toàn dân bảo vệ an ninh Tổ quốc ở Cần Thơ?",
    "Đại tướng Tô Lâm dự ngày hội ở đâu?",
    "Ngày hội ở thị trấn Rừng Thông diễn ra khi nào?",
)


class FeedbackPathSettings(BaseSettings):
    """The part of the bot's settings `newsqa eval --feedback` reads (no token needed)."""

    # Empty values (`TELEGRAM_WEBHOOK_URL=` as in .env.example) mean "use the default".
    model_config = SettingsConfigDict(
        env_prefix="TELEGRAM_", env_file=".env", env_file_encoding="utf-8", extra="ignore",
        env_ignore_empty=True,
    )

    # The SQLite file of the 👍 / 👎 presses; None: feedback.sqlite3 in NEWSQA_INDEX_DIR.
    feedback_path: Path | None = None


class BotSettings(FeedbackPathSettings):
    bot_token: SecretStr
    # The Bot API server without the '/bot<token>' part: Telegram's, or a self-hosted one.
    base_url: str = "https://api.telegram.org"
    # Webhook mode when set (the public HTTPS URL Telegram posts to); long polling otherwise.
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(8443, ge=1, le=65535)
    # Telegram sends it back in a header so forged webhook posts are refused; derived from
    # the token when unset.
    webhook_secret: SecretStr | None = None
    # None: every chat may use the bot.
    allowed_chat_ids: Annotated[frozenset[int] | None, NoDecode] = None
    # Questions (and page turns) per user per minute; 0 turns the limit off.
    rate_limit_per_minute: int = Field(20, ge=0)
    # Outgoing flood limits (python-telegram-bot's AIORateLimiter); 0 turns one off.
    flood_messages_per_second: float = Field(30, ge=0)
    flood_group_messages_per_minute: float = Field(20, ge=0)
    flood_max_retries: int = Field(3, ge=0)
    # Network errors and 5xx answers of the Bot API: retries, first back-off (doubling).
    max_retries: int = Field(5, ge=0, le=20)
    retry_backoff: float = Field(0.5, ge=0, le=60)
    request_timeout: float = Field(10, gt=0)
    poll_timeout: int = Field(20, ge=0, le=50)
    # Updates handled at the same time (searches run in worker threads).
    concurrent_updates: int = Field(64, ge=1, le=1024)
    example_questions: tuple[str, ...] = DEFAULT_EXAMPLES
    log_level: str = "INFO"
    # Users who may add articles (/add URL, forwarded posts); None: nobody.
    admin_ids: Annotated[frozenset[int] | None, NoDecode] = None
    # Run the feed poller (`newsqa watch`) inside the bot process.
    watch_feeds: bool = False
    # Follow-ups ('còn ở Thanh Hóa thì sao?'): seconds a chat's last question is kept (0: off)
    # and how many chats are kept (the least recently asked go first).
    followup_expires: float = Field(1800, ge=0)
    followup_max_chats: int = Field(10_000, ge=1)
    # Inline mode (@bot question): queries per user per minute (0: no limit), results per
    # answer, and seconds Telegram may cache an answer.
    inline_rate_limit_per_minute: int = Field(60, ge=0)
    inline_results: int = Field(5, ge=1, le=50)
    inline_cache_time: int = Field(300, ge=0, le=86_400)
    # 👍 / 👎 buttons under answers, days a press is accepted, and the salt of the hashed
    # chat ids (None: derived from the token).
    feedback: bool = True
    feedback_expires_days: float = Field(30, gt=0)
    feedback_salt: SecretStr | None = None

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        token = value.get_secret_value().strip()
        head, _, tail = token.partition(":")
        if not (head.isdigit() and tail and all(c.isalnum() or c in "_-" for c in tail)):
            # Never echo the value: it may be a real token pasted with a typo.
            raise ValueError("does not look like a bot token ('123456:ABC...' from @BotFather)")
        return SecretStr(token)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        # People paste the full prefix; the '/bot' part is added by the bot itself.
        return value.removesuffix("/bot")

    @field_validator("allowed_chat_ids", "admin_ids", mode="before")
    @classmethod
    def _chat_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = value.replace(",", " ").split()
            if not parts:
                return None
            try:
                return frozenset(int(part) for part in parts)
            except ValueError:
                raise ValueError("must be chat ids separated by commas, e.g. 12345,-100678"
                                 ) from None
        return value

    @field_validator("example_questions")
    @classmethod
    def _examples(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(q.strip() for q in value if q.strip())
        return cleaned[:3] or DEFAULT_EXAMPLES

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @property
    def token(self) -> str:
        return self.bot_token.get_secret_value()

    def secret_token(self) -> str:
        """The webhook secret: the configured one, or one derived from the bot token."""
        if self.webhook_secret is not None:
            return self.webhook_secret.get_secret_value()
        return hashlib.sha256(b"newsqa-webhook:" + self.token.encode()).hexdigest()[:48]

    def feedback_key(self) -> bytes:
        """The salt of the chat ids in the feedback file."""
        if self.feedback_salt is not None:
            return self.feedback_salt.get_secret_value().encode()
        return hashlib.sha256(b"newsqa-feedback:" + self.token.encode()).digest()


def load_bot_settings(**overrides: Any) -> BotSettings:
    """The bot settings, or a NewsQAError naming each bad TELEGRAM_* variable (never its value)."""
    try:
        return BotSettings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = str(error["loc"][0]) if error["loc"] else ""
            name = f"TELEGRAM_{field.upper()}"
            if field == "bot_token" and error["type"] == "missing":
                problems.append("TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather "
                                "and put its token in .env (TELEGRAM_BOT_TOKEN=123456:ABC...)")
            else:
                message = str(error["msg"]).removeprefix("Value error, ")
                problems.append(f"{name} {message}")
        raise NewsQAError("; ".join(problems)) from None
