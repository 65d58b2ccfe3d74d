"""The demo clock runs on from where it is put, and the jumps land on the right days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from scheduler.calendar import WorkingCalendar
from scheduler.clock import LOCAL_TZ
from scheduler.demo_clock import DemoClock
from scheduler.jumps import stops, target_day


class RealTime:
    """The machine's time, moved by hand: the demo clock must follow it."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_the_demo_clock_keeps_running_from_its_start() -> None:
    real = RealTime()
    clock = DemoClock(datetime(2018, 6, 22, 9, 0, tzinfo=LOCAL_TZ), real=real)
    assert clock.now() == datetime(2018, 6, 22, 2, 0, tzinfo=UTC)
    real.now += timedelta(minutes=5)
    assert clock.now().astimezone(LOCAL_TZ) == datetime(2018, 6, 22, 9, 5, tzinfo=LOCAL_TZ)
    clock.set(datetime(2018, 6, 25, 9, 0, tzinfo=LOCAL_TZ))
    real.now += timedelta(seconds=30)
    assert clock.now().astimezone(LOCAL_TZ) == datetime(2018, 6, 25, 9, 0, 30, tzinfo=LOCAL_TZ)


def test_the_demo_clock_never_goes_back() -> None:
    clock = DemoClock(datetime(2018, 6, 22, 9, 0, tzinfo=LOCAL_TZ), real=RealTime())
    with pytest.raises(ValueError):
        clock.set(datetime(2018, 6, 21, 9, 0, tzinfo=LOCAL_TZ))
    with pytest.raises(ValueError):
        DemoClock(datetime(2018, 6, 22, 9, 0))  # naive: its zone would be a guess


def test_next_working_day_skips_the_weekend_and_tet() -> None:
    calendar = WorkingCalendar()
    assert target_day("next_day", date(2018, 6, 22), calendar) == date(2018, 6, 25)
    # Tết Mậu Tuất: the break runs to Tuesday 20/02/2018.
    assert target_day("next_day", date(2018, 2, 13), calendar) == date(2018, 2, 21)


def test_a_week_and_the_next_deadline() -> None:
    calendar = WorkingCalendar()
    assert target_day("week", date(2018, 6, 22), calendar) == date(2018, 6, 29)
    deadlines = [date(2018, 3, 31), date(2018, 6, 30), date(2018, 12, 31)]
    # 30/06/2018 is a Saturday: the deadline runs to Monday 02/07.
    assert target_day("deadline", date(2018, 6, 22), calendar, deadlines) == date(2018, 7, 2)
    assert target_day("deadline", date(2018, 12, 31), calendar, deadlines) is None
    with pytest.raises(ValueError):
        target_day("yesterday", date(2018, 6, 22), calendar)


def test_a_jump_stops_at_every_working_day_on_the_way() -> None:
    days = [s.date() for s in stops(date(2018, 6, 22), date(2018, 7, 2), WorkingCalendar())]
    assert days == [
        date(2018, 6, 25),
        date(2018, 6, 26),
        date(2018, 6, 27),
        date(2018, 6, 28),
        date(2018, 6, 29),
        date(2018, 7, 2),
    ]
    landing = stops(date(2018, 6, 22), date(2018, 6, 25), WorkingCalendar())
    assert landing == [datetime(2018, 6, 25, 9, 0, tzinfo=LOCAL_TZ)]
