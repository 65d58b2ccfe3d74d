"""The time grammar against every hand-read expression in the seeds, and the reply forms."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from plans.text import fold
from plans.timegrammar import context_for, find_time_expressions, parse_time

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
TSV = SHARED / "data" / "deadline_expressions.tsv"
ISSUED = {
    "ha-tinh-2018-ke-hoach-ttdn.txt": date(2018, 2, 7),
    "btttt-4110-huong-dan-ke-hoach-2019.txt": date(2018, 12, 4),
}
KIND = {"event-dependent": "event"}


def _rows() -> list[dict[str, str]]:
    with TSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _dates(cell: str) -> list[str]:
    return [part for part in cell.split(";") if part]


ROWS = _rows()


@pytest.mark.parametrize("tone_marks", [True, False], ids=["marked", "unmarked"])
@pytest.mark.parametrize(
    "row", ROWS, ids=[f"{r['file'][:9]}:{r['line']}:{r['expression'][:30]}" for r in ROWS]
)
def test_every_seed_expression(row: dict[str, str], tone_marks: bool) -> None:
    text = row["expression"] if tone_marks else fold(row["expression"])
    schedule = parse_time(text, plan_year=int(row["plan_year"]), issued_on=ISSUED.get(row["file"]))
    assert schedule.kind == KIND.get(row["kind"], row["kind"]), schedule
    starts = _dates(row["start"])
    assert (schedule.start.isoformat() if schedule.start else None) == (
        starts[0] if starts else None
    ), schedule
    assert [d.isoformat() for d in schedule.due] == _dates(row["end_or_due"]), schedule
    if row["recurrence"].startswith("FREQ=") and row["kind"] == "recurring":
        assert schedule.rrule == row["recurrence"]


def test_the_seed_table_is_all_there() -> None:
    assert len(ROWS) >= 70


TODAY = date(2026, 11, 18)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "kind", "due"),
    [
        ("15/12", "one-off", ["2026-12-15"]),
        ("xin gia han den 15/12", "one-off", ["2026-12-15"]),
        ("xin gia hạn đến 10/1", "one-off", ["2027-01-10"]),
        ("ngày 20 tháng 12", "one-off", ["2026-12-20"]),
        ("ngay 20 thang muoi hai", "one-off", ["2026-12-20"]),
        ("20 tháng 12 năm 2026", "one-off", ["2026-12-20"]),
        ("mai", "one-off", ["2026-11-19"]),
        ("ngày mai", "one-off", ["2026-11-19"]),
        ("sáng mai", "one-off", ["2026-11-19"]),
        ("8h sáng mai", "one-off", ["2026-11-19"]),
        ("8h sang mai", "one-off", ["2026-11-19"]),
        ("hôm qua", "one-off", ["2026-11-17"]),
        ("hôm kia", "one-off", ["2026-11-16"]),
        ("ngày kia", "one-off", ["2026-11-20"]),
        ("mốt", "one-off", ["2026-11-20"]),
        ("cuối tháng", "one-off", ["2026-11-30"]),
        ("cuoi thang", "one-off", ["2026-11-30"]),
        ("đầu tháng 12", "one-off", ["2026-12-10"]),
        ("giữa tháng 12", "one-off", ["2026-12-15"]),
        ("cuối tháng sau", "one-off", ["2026-12-31"]),
        ("cuối tuần", "one-off", ["2026-11-20"]),
        ("cuối tuần sau", "one-off", ["2026-11-27"]),
        ("tuần sau", "range", ["2026-11-27"]),
        ("2 tuần nữa", "one-off", ["2026-12-02"]),
        ("3 ngày nữa", "one-off", ["2026-11-21"]),
        ("trong 5 ngày tới", "one-off", ["2026-11-23"]),
        ("thứ 2 tuần sau", "one-off", ["2026-11-23"]),
        ("thu 6 tuan sau", "one-off", ["2026-11-27"]),
        ("thứ sáu", "one-off", ["2026-11-20"]),
        ("T6", "one-off", ["2026-11-20"]),
        ("T6/2027", "range", ["2027-06-30"]),
        ("chủ nhật", "one-off", ["2026-11-22"]),
        ("sau Tết", "one-off", ["2027-02-11"]),
        ("sau tet", "one-off", ["2027-02-11"]),
        ("trước Tết", "one-off", ["2027-02-03"]),
        ("3 ngày làm việc nữa", "one-off", ["2026-11-23"]),
        ("Quý 1 năm sau", "range", ["2027-03-31"]),
        ("quý I", "range", ["2027-03-31"]),
        ("trong tháng 12", "range", ["2026-12-31"]),
        ("hết năm nay", "one-off", ["2026-12-31"]),
    ],
)
@pytest.mark.parametrize("tone_marks", [True, False], ids=["marked", "unmarked"])
def test_reply_forms(text: str, kind: str, due: list[str], tone_marks: bool) -> None:
    schedule = parse_time(text if tone_marks else fold(text), today=TODAY, prefer="future")
    assert schedule.kind == kind, schedule
    assert [d.isoformat() for d in schedule.due] == due, schedule


def test_completion_dates_read_into_the_past() -> None:
    schedule = parse_time("đã gửi ngày 18/11", today=date(2026, 11, 20), prefer="past")
    assert schedule.due == (date(2026, 11, 18),)
    schedule = parse_time("đã gửi ngày 28/12", today=date(2027, 1, 5), prefer="past")
    assert schedule.due == (date(2026, 12, 28),)


@pytest.mark.parametrize(
    "text",
    [
        "dang lam 70%",
        "72 người tham dự",
        "kỷ niệm 45 năm",
        "3.5 xong",
        "xong 3/5 nhiệm vụ",
        "đã gửi báo cáo số 245/BC-STTTT",
        "Báo cáo 6 tháng",
        "ok",
        "12/13",
        "mãi không xong",
    ],
)
def test_numbers_that_are_not_dates(text: str) -> None:
    schedule = parse_time(text, today=TODAY)
    assert schedule.due == (), schedule
    assert schedule.kind == "unknown", schedule


def test_citations_are_never_deadlines() -> None:
    line = (
        "Triển khai Chỉ thị số 28/CT-TTg của Thủ tướng Chính phủ ngày 26/10/2021 về việc tăng "
        "cường thực hiện Cuộc vận động; Quyết định số 25/2019/QĐ-UBND ngày 16/4/2019"
    )
    assert find_time_expressions(line, context_for(plan_year=2022)) == []
    assert (
        parse_time("Kế hoạch số 44/KH-UBND ngày 07/02/2018 của UBND tỉnh", plan_year=2018).due == ()
    )


def test_programme_period_gives_way_to_the_task_time() -> None:
    schedule = parse_time("Thường xuyên, giai đoạn 2013 - 2020", plan_year=2018)
    assert schedule.kind == "ongoing"
    assert schedule.due == (date(2018, 12, 31),)


def test_recurring_forms() -> None:
    monthly = parse_time("Hàng tháng, quý", plan_year=2022)
    assert monthly.kind == "recurring" and len(monthly.due) == 12
    quarterly = parse_time("hằng quý", plan_year=2022)
    assert [d.month for d in quarterly.due] == [3, 6, 9, 12]
    day20 = parse_time("trước ngày 20 hàng tháng", plan_year=2023)
    assert day20.rrule == "FREQ=MONTHLY;BYMONTHDAY=20" and day20.due[1] == date(2023, 2, 20)
    weekly = parse_time("thứ 6 hàng tuần", plan_year=2026)
    assert weekly.rrule == "FREQ=WEEKLY;BYDAY=FR" and all(d.weekday() == 4 for d in weekly.due)
    adhoc = parse_time("định kỳ và đột xuất", plan_year=2022)
    assert adhoc.kind == "recurring" and adhoc.event == "đột xuất"


def test_quarter_forms() -> None:
    two = parse_time("Quý II,III", plan_year=2022)
    assert two.start == date(2022, 4, 1) and two.due == (date(2022, 6, 30), date(2022, 9, 30))
    span = parse_time("Quý II - Quý III/2023", plan_year=2022)
    assert span.start == date(2023, 4, 1) and span.due == (date(2023, 9, 30),)
    end = parse_time("cuối Quý III", plan_year=2022)
    assert end.kind == "one-off" and end.due == (date(2022, 9, 30),)


def test_half_years_and_months() -> None:
    assert parse_time("6 tháng đầu năm 2026").due == (date(2026, 6, 30),)
    assert parse_time("từ tháng 3 đến tháng 5/2026").start == date(2026, 3, 1)
    assert parse_time("trước tháng 1/2027").due == (date(2026, 12, 31),)
    assert parse_time("Tháng 6, 7/2026").due == (date(2026, 6, 30), date(2026, 7, 31))
