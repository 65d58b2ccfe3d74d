"""The structured value a Vietnamese time expression is read into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

KINDS = ("one-off", "range", "recurring", "event", "ongoing", "unknown")


@dataclass(frozen=True)
class Schedule:
    """A timeframe as understood: kind, window start, every deadline, recurrence, trigger."""

    kind: str
    text: str
    start: date | None = None
    due: tuple[date, ...] = ()
    rrule: str | None = None
    event: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown schedule kind {self.kind!r}")

    @property
    def final_due(self) -> date | None:
        """The last deadline, or None when there is none."""
        return self.due[-1] if self.due else None

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": self.start.isoformat() if self.start else None,
            "due": [d.isoformat() for d in self.due],
            "rrule": self.rrule,
            "event": self.event,
            "text": self.text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Schedule:
        return cls(
            kind=data["kind"],
            text=data.get("text") or "",
            start=date.fromisoformat(data["start"]) if data.get("start") else None,
            due=tuple(date.fromisoformat(d) for d in data.get("due") or ()),
            rrule=data.get("rrule"),
            event=data.get("event"),
        )


UNKNOWN = Schedule(kind="unknown", text="")
