"""Reporting periods: 2026H1, 2026H2, 2026Q3, 2026, FROM:TO, and how a document names them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from texts import t

ROMAN = ("I", "II", "III", "IV")
_DAY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


class PeriodError(ValueError):
    """A period the user typed that cannot be read; the message is Vietnamese."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str  # "6 tháng đầu năm 2026", as it follows "Kết quả thực hiện … "
    code: str  # "2026H1", for file names

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end


def half(year: int, which: int) -> Period:
    if which == 1:
        return Period(date(year, 1, 1), date(year, 6, 30), t("period.h1", year=year), f"{year}H1")
    return Period(date(year, 7, 1), date(year, 12, 31), t("period.h2", year=year), f"{year}H2")


def quarter(year: int, which: int) -> Period:
    start = date(year, 3 * which - 2, 1)
    end = date(year, 3 * which, 31 if which in (1, 4) else 30)
    label = t("period.quarter", roman=ROMAN[which - 1], year=year)
    return Period(start, end, label, f"{year}Q{which}")


def whole_year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), t("period.year", year=year), str(year))


def _day(text: str, typed: str) -> date:
    text = text.strip()
    m = _DAY.fullmatch(text)
    try:
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
        return date.fromisoformat(text)
    except ValueError as exc:
        raise PeriodError(t("period.bad", text=typed)) from exc


def parse_period(text: str) -> Period:
    """The period a coordinator typed; PeriodError (in Vietnamese) when it cannot be read."""
    typed = text.strip()
    compact = typed.upper().replace(" ", "")
    if m := re.fullmatch(r"(\d{4})H([12])", compact):
        return half(int(m[1]), int(m[2]))
    if m := re.fullmatch(r"(\d{4})Q([1-4])", compact):
        return quarter(int(m[1]), int(m[2]))
    if re.fullmatch(r"\d{4}", compact):
        return whole_year(int(compact))
    if typed.count(":") == 1:
        start_text, end_text = typed.split(":")
        start, end = _day(start_text, typed), _day(end_text, typed)
        if end < start:
            raise PeriodError(t("period.reversed", start=_dmy(start), end=_dmy(end)))
        label = t("period.range", start=_dmy(start), end=_dmy(end))
        return Period(start, end, label, f"{start:%Y%m%d}-{end:%Y%m%d}")
    raise PeriodError(t("period.bad", text=typed))


def default_period(today: date) -> Period:
    """Mid-year the first half is reported; from July on, the whole year (the annual report)."""
    return half(today.year, 1) if today.month <= 6 else whole_year(today.year)


def _dmy(day: date) -> str:
    return day.strftime("%d/%m/%Y")
