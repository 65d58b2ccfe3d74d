"""Reporting periods as a coordinator types them, and how the document names them."""

from __future__ import annotations

from datetime import date

import pytest

from reports.period import PeriodError, default_period, parse_period


@pytest.mark.parametrize(
    ("typed", "start", "end", "label"),
    [
        ("2026H1", date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
        ("2026h2", date(2026, 7, 1), date(2026, 12, 31), "6 tháng cuối năm 2026"),
        ("2026Q1", date(2026, 1, 1), date(2026, 3, 31), "quý I năm 2026"),
        ("2026Q3", date(2026, 7, 1), date(2026, 9, 30), "quý III năm 2026"),
        ("2026Q4", date(2026, 10, 1), date(2026, 12, 31), "quý IV năm 2026"),
        ("2026", date(2026, 1, 1), date(2026, 12, 31), "năm 2026"),
        (
            "01/03/2026:31/05/2026",
            date(2026, 3, 1),
            date(2026, 5, 31),
            "từ ngày 01/03/2026 đến ngày 31/05/2026",
        ),
        (" 2026-03-01 : 2026-05-31 ", date(2026, 3, 1), date(2026, 5, 31), None),
        ("1/3/2026:5/3/2026", date(2026, 3, 1), date(2026, 3, 5), None),
    ],
)
def test_periods(typed: str, start: date, end: date, label: str | None) -> None:
    period = parse_period(typed)
    assert (period.start, period.end) == (start, end)
    if label is not None:
        assert period.label == label


@pytest.mark.parametrize("typed", ["2026H3", "2026Q5", "H1", "26", "31/02/2026:01/03/2026", ""])
def test_bad_periods_are_explained_in_vietnamese(typed: str) -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period(typed)
    assert f"Kỳ báo cáo «{typed.strip()}» không hợp lệ" in str(caught.value)
    assert "2026H1" in str(caught.value) and "01/01/2026:30/06/2026" in str(caught.value)


def test_a_period_ending_before_it_starts() -> None:
    with pytest.raises(PeriodError) as caught:
        parse_period("30/06/2026:01/01/2026")
    assert str(caught.value) == (
        "Kỳ báo cáo không hợp lệ: ngày bắt đầu 30/06/2026 sau ngày kết thúc 01/01/2026."
    )


def test_default_period_is_the_first_half_then_the_whole_year() -> None:
    assert default_period(date(2026, 5, 20)).code == "2026H1"
    assert default_period(date(2026, 11, 20)).code == "2026"
