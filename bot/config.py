"""Settings from the environment or a `.env` file; secrets never come from code."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import load_dotenv


@dataclass(frozen=True)
class Settings:
    database_url: str | None  # None: the default SQLite file under ./data/
    # The bot's @username, for t.me deep links that carry a link code; None: no links printed.
    telegram_bot_username: str | None = None
    telegram_bot_token: str | None = None  # None: Telegram is not served
    # A local Bot API server (or a test double) instead of Telegram's: ".../bot".
    telegram_api_url: str | None = None
    # Set: Telegram posts updates to this HTTPS URL (webhook); unset: long polling.
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: str | None = None
    # Zalo bots (ZALO_BOT_TOKEN and/or ZALO_BOT_TOKENS, a comma-separated list: the free plan
    # allows 50 users per bot); empty: Zalo is not served.
    zalo_bot_tokens: tuple[str, ...] = ()
    zalo_api_url: str | None = None  # None: https://bot-api.zaloplatforms.com
    # Set: Zalo posts to this HTTPS URL plus "/<bot id>" (webhook); unset: long polling.
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: str | None = None
    # How the outside world reaches this service's web server (https://bot.tinh.gov.vn):
    # Zalo fetches the photos it sends (charts) from {PUBLIC_BASE_URL}/media/<token>.
    public_base_url: str | None = None
    # Where the service's own web server (webhooks, /healthz, media) listens.
    web_host: str = "127.0.0.1"
    web_port: int = 8080
    # Serve the local web chat beside the configured channels (demo mode always has it).
    web_chat: bool = False
    # A Zalo bot token is set (ZALO_BOT_TOKEN or ZALO_BOT_TOKENS): not demo mode.
    zalo_configured: bool = False
    # "text" for people reading a terminal, "json" (one object per line) for log collectors.
    log_format: str = "text"
    log_level: str = "INFO"

    @classmethod
    def load(cls, env_file: str | Path | None = ".env") -> Settings:
        if env_file and Path(env_file).is_file():
            load_dotenv(env_file, override=False)  # the real environment wins over the file
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            telegram_bot_username=(
                os.environ.get("TELEGRAM_BOT_USERNAME", "").strip().lstrip("@") or None
            ),
            telegram_bot_token=_get("TELEGRAM_BOT_TOKEN"),
            telegram_api_url=_get("TELEGRAM_API_URL"),
            telegram_webhook_url=_get("TELEGRAM_WEBHOOK_URL"),
            telegram_webhook_secret=_get("TELEGRAM_WEBHOOK_SECRET"),
            zalo_bot_tokens=_tokens(_get("ZALO_BOT_TOKEN"), _get("ZALO_BOT_TOKENS")),
            zalo_api_url=_get("ZALO_API_URL"),
            zalo_webhook_url=_get("ZALO_WEBHOOK_URL"),
            zalo_webhook_secret=_get("ZALO_WEBHOOK_SECRET"),
            public_base_url=(_get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
            web_host=_get("WEB_HOST") or "127.0.0.1",
            web_port=int(_get("WEB_PORT") or 8080),
            web_chat=(_get("WEB_CHAT") or "").lower() in ("1", "true", "yes", "on"),
            zalo_configured=bool(_get("ZALO_BOT_TOKEN") or _get("ZALO_BOT_TOKENS")),
            log_format=(_get("LOG_FORMAT") or "text").lower(),
            log_level=(_get("LOG_LEVEL") or "INFO").upper(),
        )

    @property
    def chat_channels(self) -> bool:
        """Whether any real chat platform is configured; none means demo mode."""
        return bool(self.telegram_bot_token) or self.zalo_configured

    def __repr__(self) -> str:
        # Settings end up in tracebacks and debug logs; the secrets must not.
        hidden = {
            "telegram_bot_token",
            "telegram_webhook_secret",
            "database_url",
            "zalo_bot_tokens",
            "zalo_webhook_secret",
        }
        shown = ", ".join(
            f"{k}={'***' if k in hidden and v else v!r}" for k, v in self.__dict__.items()
        )
        return f"Settings({shown})"


def _get(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


def _tokens(*values: str | None) -> tuple[str, ...]:
    """Tokens from one or more comma- (or newline-) separated values, each once, in order."""
    found: list[str] = []
    for value in values:
        for token in (value or "").replace("\n", ",").split(","):
            token = token.strip()
            if token and token not in found:
                found.append(token)
    return tuple(found)
