"""When reporting rounds open, what they cover, when they nudge, and the settings they read."""

from __future__ import annotations

from datetime import date

import pytest

from plans.timegrammar import parse_time
from scheduler.calendar import WorkingCalendar
from scheduler.policy import PolicyError
from scheduler.report_policy import DigestPolicy, RoundPolicy, digest_policy, round_policy
from scheduler.rounds import is_nudge_day, period_for, reporting_deadlines, to_open

CAL = WorkingCalendar()


def rules(*texts: str, year: int = 2026) -> list[dict]:
    return [{"text": x, "schedule": parse_time(x, plan_year=year).to_json()} for x in texts]


def test_what_each_deadline_reports_on() -> None:
    twice = reporting_deadlines(rules("trước ngày 25/5 và 25/11"))
    assert twice == [date(2026, 5, 25), date(2026, 11, 25)]
    assert [period_for(d, twice).code for d in twice] == ["2026H1", "2026"]
    half_yearly = reporting_deadlines(rules("định kỳ 06 tháng"))
    assert [period_for(d, half_yearly).label for d in half_yearly] == [
        "6 tháng đầu năm 2026",
        "năm 2026",
    ]
    yearly = reporting_deadlines(rules("trước ngày 05 tháng 11 hàng năm"))
    assert [period_for(d, yearly).code for d in yearly] == ["2026"]
    quarterly = reporting_deadlines(rules("Hàng quý"))
    assert period_for(date(2026, 9, 30), quarterly).label == "quý III năm 2026"


def test_a_round_opens_ten_working_days_before_until_its_cut_off() -> None:
    regime = rules("trước ngày 25/5 và 25/11")
    policy = RoundPolicy()
    assert to_open(regime, date(2026, 5, 8), policy, CAL) == []
    [opening] = to_open(regime, date(2026, 5, 11), policy, CAL)
    assert (opening.due, opening.opens_on, opening.cutoff) == (
        date(2026, 5, 25),
        date(2026, 5, 11),
        date(2026, 5, 21),
    )
    assert to_open(regime, date(2026, 5, 21), policy, CAL) == [opening]
    assert to_open(regime, date(2026, 5, 22), policy, CAL) == []


def test_nudges_every_three_working_days_and_the_day_before_cut_off() -> None:
    opened, cutoff = date(2026, 5, 11), date(2026, 5, 21)
    days = [
        date(2026, 5, d)
        for d in range(11, 22)
        if is_nudge_day(opened, cutoff, date(2026, 5, d), RoundPolicy(), CAL)
    ]
    assert days == [date(2026, 5, 14), date(2026, 5, 19), date(2026, 5, 20)]


def test_settings_are_checked() -> None:
    assert digest_policy({"digest": {"weekday": "6", "send_at": "16:30"}}) == DigestPolicy(
        weekday=6, send_at="16:30"
    )
    assert round_policy({"rounds": {"enabled": "không"}}).enabled is False
    for bad in ({"weekday": 1}, {"send_at": "25h"}, {"colour": "red"}):
        with pytest.raises(PolicyError):
            digest_policy({"digest": bad})
    with pytest.raises(PolicyError):
        round_policy({"rounds": {"cutoff_before": 12}})
