"""Database URLs and the UTC column type, without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy.dialects import postgresql, sqlite

from storage.db import MIGRATIONS_DIR, alembic_config, default_database_url, normalize_database_url
from storage.types import UTCDateTime


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db:5432/nv", "postgresql+asyncpg://u:p@db:5432/nv"),
        ("postgresql://u:p@db/nv", "postgresql+asyncpg://u:p@db/nv"),
        ("postgresql+asyncpg://u@db/nv", "postgresql+asyncpg://u@db/nv"),
        ("postgres://u@db/nv?sslmode=require", "postgresql+asyncpg://u@db/nv?ssl=require"),
        ("sqlite:////srv/nv.db", "sqlite+aiosqlite:////srv/nv.db"),
        ("sqlite+aiosqlite:///rel.db", "sqlite+aiosqlite:///rel.db"),
    ],
)
def test_urls_get_the_async_driver(given: str, expected: str) -> None:
    assert normalize_database_url(given) == expected


def test_default_url_is_env_or_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert default_database_url() == f"sqlite+aiosqlite:///{tmp_path}/data/nhacviec.db"
    monkeypatch.setenv("DATABASE_URL", "postgres://nv:s%40cret@db/nv")
    assert default_database_url() == "postgresql+asyncpg://nv:s%40cret@db/nv"


def test_alembic_config_needs_no_ini_and_keeps_percent_signs() -> None:
    cfg = alembic_config("postgresql://nv:s%40cret@db/nv")
    assert cfg.config_file_name is None
    assert cfg.get_main_option("script_location") == str(MIGRATIONS_DIR)
    assert cfg.get_main_option("sqlalchemy.url") == "postgresql+asyncpg://nv:s%40cret@db/nv"
    assert (MIGRATIONS_DIR / "env.py").is_file()


def test_utc_datetime_binds_utc_and_refuses_naive() -> None:
    col = UTCDateTime()
    plus7 = datetime(2025, 1, 1, 7, 0, tzinfo=timezone(timedelta(hours=7)))
    assert col.process_bind_param(plus7, postgresql.dialect()) == datetime(2025, 1, 1, tzinfo=UTC)
    assert col.process_bind_param(plus7, sqlite.dialect()) == datetime(2025, 1, 1)
    assert col.process_bind_param(None, sqlite.dialect()) is None
    with pytest.raises(ValueError, match="naive"):
        col.process_bind_param(datetime(2025, 1, 1), sqlite.dialect())
    back = col.process_result_value(datetime(2025, 1, 1), sqlite.dialect())
    assert back == datetime(2025, 1, 1, tzinfo=UTC) and back.tzinfo is UTC
