"""When reminders go out: the defaults, and a plan's own choices laid over them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import time
from typing import Any

SETTINGS_KEY = "reminders"  # where a plan keeps its choices in Plan.settings


class PolicyError(ValueError):
    """A setting the coordinator gave that cannot be used; the message names it."""


def _clock_time(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


@dataclass(frozen=True)
class ReminderPolicy:
    """Every number the reminder rules use; working days unless the name says otherwise."""

    before_days: tuple[int, ...] = (7, 3, 1)  # lead agencies, before each checkpoint
    overdue_every: int = 3  # while overdue, every this many working days
    escalate_after: int = 7  # overdue this long: the agency's leader and the coordinator hear
    escalate_every: int = 3  # and again this often while it stays overdue
    # An "in progress" report quiets reminders until this many working days before the deadline.
    quiet_when_in_progress: int = 3
    support_before_days: tuple[int, ...] = (5,)  # coordinating agencies: less often
    support_overdue: bool = False  # coordinating agencies are not chased once it is late
    checkin_before_days: tuple[int, ...] = (5,)  # ongoing tasks, before each reporting deadline
    send_at: str = "08:00"  # local time of the day's reminders
    working_hours: tuple[tuple[str, str], ...] = (("08:00", "11:30"), ("13:30", "17:00"))
    catch_up_days: int = 10  # working days a stopped service looks back on restart

    def __post_init__(self) -> None:
        for name in ("before_days", "support_before_days", "checkin_before_days"):
            if any(n < 0 for n in getattr(self, name)):
                raise PolicyError(name)
        for name in ("overdue_every", "escalate_after", "escalate_every"):
            if getattr(self, name) < 1:
                raise PolicyError(name)
        try:
            _clock_time(self.send_at)
            slots = [(_clock_time(a), _clock_time(b)) for a, b in self.working_hours]
        except (TypeError, ValueError) as exc:
            raise PolicyError("working_hours") from exc
        if not slots or any(start >= end for start, end in slots):
            raise PolicyError("working_hours")

    @property
    def send_time(self) -> time:
        return _clock_time(self.send_at)

    @property
    def slots(self) -> tuple[tuple[time, time], ...]:
        return tuple((_clock_time(a), _clock_time(b)) for a, b in self.working_hours)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["working_hours"] = [list(pair) for pair in self.working_hours]
        for name in ("before_days", "support_before_days", "checkin_before_days"):
            data[name] = list(data[name])
        return data

    def with_settings(self, settings: Mapping[str, Any]) -> ReminderPolicy:
        """This policy with a plan's choices applied; unknown names are refused, not ignored."""
        known = {f.name for f in fields(self)}
        changes: dict[str, Any] = {}
        for name, value in settings.items():
            if name not in known:
                raise PolicyError(name)
            changes[name] = _coerce(name, value)
        return replace(self, **changes)


def _coerce(name: str, value: Any) -> Any:
    try:
        if name in ("before_days", "support_before_days", "checkin_before_days"):
            if isinstance(value, str):
                value = [v for v in value.replace(";", ",").split(",") if v.strip()]
            return tuple(sorted({int(v) for v in value}, reverse=True))
        if name == "support_overdue":
            if isinstance(value, str):
                return value.strip().lower() in ("1", "true", "yes", "co", "có")
            return bool(value)
        if name == "working_hours":
            if isinstance(value, str):  # "08:00-11:30,13:30-17:00"
                value = [part.split("-") for part in value.split(",")]
            return tuple((str(a).strip(), str(b).strip()) for a, b in value)
        if name == "send_at":
            return str(value).strip()
        return int(value)
    except (TypeError, ValueError) as exc:
        raise PolicyError(name) from exc


DEFAULT_POLICY = ReminderPolicy()


def policy_for(plan_settings: Mapping[str, Any] | None) -> ReminderPolicy:
    """The policy a plan runs under."""
    chosen = (plan_settings or {}).get(SETTINGS_KEY) or {}
    return DEFAULT_POLICY.with_settings(chosen)
