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

    @classmethod
    def load(cls, env_file: str | Path | None = ".env") -> Settings:
        if env_file and Path(env_file).is_file():
            load_dotenv(env_file, override=False)  # the real environment wins over the file
        return cls(
            database_url=os.environ.get("DATABASE_URL") or None,
            telegram_bot_username=(
                os.environ.get("TELEGRAM_BOT_USERNAME", "").strip().lstrip("@") or None
            ),
        )
