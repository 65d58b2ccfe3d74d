"""Counting standings: by status and done/not done × on time/late, and the on-time rate."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from plans.progress import Standing

CELL_ORDER = ("done_on_time", "done_late", "open_in_time", "open_overdue", "no_deadline")
STATUS_ORDER = ("not_reported", "in_progress", "blocked", "done_pending", "done")


class HasStanding(Protocol):
    @property
    def standing(self) -> Standing: ...


@dataclass(frozen=True)
class Tally:
    """The counts behind /tiendo and the report: by status, and done/not done × on time/late."""

    total: int
    by_status: Counter[str]
    cells: Counter[str]  # done_on_time done_late open_in_time open_overdue no_deadline pending
    due_soon: int
    due: int  # the rate's denominator: deadline passed or reached, or confirmed done

    @property
    def on_time(self) -> int:
        return self.cells["done_on_time"]

    @property
    def percent(self) -> int | None:
        """On-time completion rate, rounded half up; None when nothing is due yet."""
        return (200 * self.on_time + self.due) // (2 * self.due) if self.due else None


def cell(s: Standing) -> str:
    """Which box of the done/not done × on time/late table a standing falls in."""
    if s.status == "done_pending":
        return "pending"  # not done until the coordinator confirms; counted apart
    if s.status == "done":
        return s.timing
    if s.timing == "overdue":
        return "open_overdue"
    return "no_deadline" if s.timing == "no_deadline" else "open_in_time"


def is_due(s: Standing, today: date) -> bool:
    return s.status == "done" or (s.due is not None and s.due <= today)


def tally(items: Sequence[HasStanding], today: date) -> Tally:
    standings = [i.standing for i in items]
    cells = Counter(cell(s) for s in standings)
    return Tally(
        total=len(standings),
        by_status=Counter(s.status for s in standings),
        cells=cells,
        due_soon=sum(1 for s in standings if cell(s) == "open_in_time" and s.timing == "due_soon"),
        due=sum(1 for s in standings if is_due(s, today)),
    )
