"""A deadline on a day off runs to the next working day, in standings as in reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from plans.progress import standing
from plans.schedule import Schedule
from scheduler.calendar import WorkingCalendar

# Saturday 30/09/2023: the quarter ends on a weekend, so Monday 02/10 is still in time.
SATURDAY_DUE = Schedule("one-off", "Quý III/2023", due=(date(2023, 9, 30),))


@dataclass
class Report:
    status: str
    created_on: date
    state: str = "confirmed"
    percent: int | None = None
    said_date: date | None = None
    date_role: str | None = None
    reason: str | None = None
    checkpoint: date | None = None
    agency_id: int = 1


def test_monday_after_a_saturday_deadline_is_not_overdue_yet() -> None:
    monday = standing(SATURDAY_DUE, None, [], date(2023, 10, 2), WorkingCalendar())
    assert monday.timing != "overdue" and monday.due == date(2023, 9, 30)
    tuesday = standing(SATURDAY_DUE, None, [], date(2023, 10, 3), WorkingCalendar())
    assert tuesday.timing == "overdue" and tuesday.overdue_days == 1


def test_done_on_the_monday_is_on_time_and_on_the_tuesday_late() -> None:
    on_monday = [Report("done", date(2023, 10, 2))]
    on_tuesday = [Report("done", date(2023, 10, 3))]
    calendar = WorkingCalendar()
    assert standing(SATURDAY_DUE, None, on_monday, date(2023, 10, 9), calendar).timing == (
        "done_on_time"
    )
    assert standing(SATURDAY_DUE, None, on_tuesday, date(2023, 10, 9), calendar).timing == (
        "done_late"
    )


def test_a_deadline_before_tet_runs_past_the_holiday() -> None:
    # 09/02/2024 (29 Tết) is inside the Tết holiday, which ends on 14/02/2024.
    due = Schedule("one-off", "trước Tết", due=(date(2024, 2, 9),))
    assert standing(due, None, [], date(2024, 2, 15), WorkingCalendar()).timing != "overdue"
    late = standing(due, None, [], date(2024, 2, 16), WorkingCalendar())
    assert late.timing == "overdue" and late.overdue_days == 1
