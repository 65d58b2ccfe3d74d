"""When the weekly digest goes out and how reporting rounds run: defaults and a plan's choices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import time
from typing import Any, TypeVar

from scheduler.policy import PolicyError

DIGEST_KEY = "digest"  # where a plan keeps its choices in Plan.settings
ROUNDS_KEY = "rounds"
_TRUE = ("1", "true", "yes", "co", "có", "bat", "bật")


def _clock(text: str) -> time:
    hours, _, minutes = text.partition(":")
    return time(int(hours), int(minutes or 0))


@dataclass(frozen=True)
class DigestPolicy:
    enabled: bool = True
    # Vietnamese weekday numbering: thứ 2 (Monday) … thứ 7 (Saturday), 8 for Chủ nhật.
    weekday: int = 2
    send_at: str = "08:00"

    def __post_init__(self) -> None:
        if not 2 <= self.weekday <= 8:
            raise PolicyError("weekday")
        _checked_time(self.send_at)

    @property
    def send_time(self) -> time:
        return _clock(self.send_at)

    @property
    def day_offset(self) -> int:
        """Days after Monday."""
        return self.weekday - 2


@dataclass(frozen=True)
class RoundPolicy:
    enabled: bool = True
    open_before: int = 10  # working days before the reporting deadline the round opens
    cutoff_before: int = 2  # working days before it the coordinator gets the draft
    nudge_every: int = 3  # working days between reminders to those who have not answered
    send_at: str = "08:00"

    def __post_init__(self) -> None:
        if self.open_before < 1 or self.cutoff_before < 0 or self.nudge_every < 1:
            raise PolicyError("open_before" if self.open_before < 1 else "nudge_every")
        if self.cutoff_before >= self.open_before:
            raise PolicyError("cutoff_before")
        _checked_time(self.send_at)

    @property
    def send_time(self) -> time:
        return _clock(self.send_at)


def _checked_time(text: str) -> None:
    try:
        _clock(text)
    except (TypeError, ValueError) as exc:
        raise PolicyError("send_at") from exc


P = TypeVar("P", DigestPolicy, RoundPolicy)


def _coerce(default: object, value: Any) -> Any:
    if isinstance(default, bool):
        return value if isinstance(value, bool) else str(value).strip().lower() in _TRUE
    if isinstance(default, int):
        return int(value)
    return str(value).strip()


def with_settings(policy: P, settings: Mapping[str, Any]) -> P:
    """The policy with a plan's choices; unknown names and bad values are refused."""
    known = {f.name: getattr(policy, f.name) for f in fields(policy)}
    changes = {}
    for name, value in settings.items():
        if name not in known:
            raise PolicyError(name)
        try:
            changes[name] = _coerce(known[name], value)
        except (TypeError, ValueError) as exc:
            raise PolicyError(name) from exc
    return replace(policy, **changes)


def digest_policy(plan_settings: Mapping[str, Any] | None) -> DigestPolicy:
    return with_settings(DigestPolicy(), (plan_settings or {}).get(DIGEST_KEY) or {})


def round_policy(plan_settings: Mapping[str, Any] | None) -> RoundPolicy:
    return with_settings(RoundPolicy(), (plan_settings or {}).get(ROUNDS_KEY) or {})


def to_json(policy: DigestPolicy | RoundPolicy) -> dict[str, Any]:
    return asdict(policy)
