"""The one place dateparser is used: resolving a small, already isolated date span."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

# Fixed settings (PARSING.md): Vietnamese only, day before month, "last" preferences so a
# month or year alone means its end, and a naive wall-clock base in Asia/Ho_Chi_Minh.
_BASE_SETTINGS: dict[str, Any] = {
    "DATE_ORDER": "DMY",
    "PREFER_DAY_OF_MONTH": "last",
    "PREFER_MONTH_OF_YEAR": "last",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "REQUIRE_PARTS": ["day", "month"],
}


@lru_cache(maxsize=1)
def _parser() -> Any:
    import dateparser  # imported lazily: it is slow to load and rarely needed

    return dateparser


def resolve_date(span: str, today: date, prefer: str = "nearest") -> date | None:
    """A date for an isolated span such as "20 tháng 12", or None when it is not one."""
    settings = dict(_BASE_SETTINGS)
    settings["RELATIVE_BASE"] = datetime(today.year, today.month, today.day, 12, 0)
    settings["PREFER_DATES_FROM"] = {"future": "future", "past": "past"}.get(
        prefer, "current_period"
    )
    result = _parser().parse(span, languages=["vi"], settings=settings)
    return result.date() if result else None
