"""`/metrics` in Prometheus text format, counted from the database so every instance agrees."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from scheduler.clock import Clock, local_today
from storage.models import InboundMessage, OutboxMessage, ReminderRun
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# How an outbox row's error begins (bot.outbox writes them) → the reason label.
FAILURE_REASONS = {
    "refused": "refused",  # the platform said no for good (bad request)
    "unreachable": "unreachable",  # blocked the bot, account gone
    "stale": "stale",  # a reminder of an earlier day, folded into the next day's
    "error": "error",  # an unexpected error, retried until the tries ran out
    "retry": "retry",  # network errors or 429s until the tries ran out
    "channel": "channel_not_running",  # no instance served the channel in time
}
WAITING = ("pending", "sending")


@dataclass
class Family:
    """One metric: its samples share a name, a type and a help line."""

    name: str
    kind: str  # "counter" or "gauge"
    help: str
    samples: list[tuple[dict[str, str], float]] = field(default_factory=list)

    def add(self, value: float, **labels: str) -> Family:
        self.samples.append((labels, value))
        return self


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def render(families: Iterable[Family]) -> str:
    """The text exposition format: HELP, TYPE, then one line per sample."""
    lines: list[str] = []
    for family in families:
        name = family.name + ("_total" if family.kind == "counter" else "")
        lines.append(f"# HELP {name} {family.help}")
        lines.append(f"# TYPE {name} {family.kind}")
        for labels, value in family.samples:
            shown = ",".join(f'{k}="{_escape(v)}"' for k, v in sorted(labels.items()))
            head = f"{name}{{{shown}}}" if shown else name
            lines.append(f"{head} {_number(value)}")
    return "\n".join(lines) + "\n"


def failure_reason(error: str | None) -> str:
    head = (error or "").split(":", 1)[0].split(" ", 1)[0].strip().lower()
    return FAILURE_REASONS.get(head, "other")


def _start_of_local_day(clock: Clock) -> datetime:
    return datetime.combine(local_today(clock), time(0), LOCAL_TZ)


async def database_families(
    sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> list[Family]:
    """Everything counted from the tables: the same numbers whichever instance is asked."""
    now = clock.now()
    since_midnight = _start_of_local_day(clock)
    received = Family(
        "nhacviec_messages_received",
        "counter",
        "Messages and button presses stored, by channel and handling state.",
    )
    sent = Family(
        "nhacviec_messages_sent", "counter", "Outbox messages delivered, by channel and kind."
    )
    by_state = Family("nhacviec_outbox_messages", "gauge", "Outbox rows by state.")
    due = Family(
        "nhacviec_outbox_due", "gauge", "Outbox rows due now and not sent yet (the backlog)."
    )
    age = Family(
        "nhacviec_outbox_oldest_due_age_seconds",
        "gauge",
        "How long the oldest due, unsent outbox row has been due (0 when none).",
    )
    failures = Family(
        "nhacviec_send_failures",
        "counter",
        "Outbox rows given up on, by channel and reason.",
    )
    retrying = Family(
        "nhacviec_outbox_retrying",
        "gauge",
        "Outbox rows waiting to be tried again after a failed try, by channel and reason.",
    )
    planned = Family(
        "nhacviec_reminders_planned", "counter", "Reminder messages planned, all days together."
    )
    planned_today = Family(
        "nhacviec_reminders_planned_today", "gauge", "Reminder messages planned for today."
    )
    sent_today = Family(
        "nhacviec_reminders_sent_today", "gauge", "Reminder messages delivered today."
    )
    last_run = Family(
        "nhacviec_reminder_last_run_timestamp_seconds",
        "gauge",
        "When the latest day's reminders were planned (Unix time; 0 when never).",
    )
    async with UnitOfWork(sessions) as uow:
        run = uow.session.execute
        inbound = InboundMessage
        for channel, state, count in await run(
            select(inbound.channel, inbound.state, func.count())
            .group_by(inbound.channel, inbound.state)
            .order_by(inbound.channel, inbound.state)
        ):
            received.add(count, channel=channel, state=state)
        out = OutboxMessage
        for channel, kind, count in await run(
            select(out.channel, out.kind, func.count())
            .where(out.state == "sent")
            .group_by(out.channel, out.kind)
            .order_by(out.channel, out.kind)
        ):
            sent.add(count, channel=channel, kind=kind)
        states = dict((await run(select(out.state, func.count()).group_by(out.state))).all())
        for state in ("pending", "sending", "sent", "failed"):
            by_state.add(states.get(state, 0), state=state)
        waiting, oldest = (
            await run(
                select(func.count(), func.min(out.not_before)).where(
                    out.state.in_(WAITING), out.not_before <= now
                )
            )
        ).one()
        due.add(waiting)
        age.add(max(0.0, (now - _aware(oldest)).total_seconds()) if oldest is not None else 0)
        # Errors carry chat ids and platform text: grouped on their first word only.
        head = func.substr(out.error, 1, 16)
        reasons: dict[tuple[str, str], int] = {}
        for channel, error, count in await run(
            select(out.channel, head, func.count())
            .where(out.state == "failed")
            .group_by(out.channel, head)
        ):
            key = (channel, failure_reason(error))
            reasons[key] = reasons.get(key, 0) + count
        for (channel, reason), count in sorted(reasons.items()):
            failures.add(count, channel=channel, reason=reason)
        again: dict[tuple[str, str], int] = {}
        for channel, error, count in await run(
            select(out.channel, head, func.count())
            .where(out.state == "pending", out.error.is_not(None))
            .group_by(out.channel, head)
        ):
            key = (channel, failure_reason(error))
            again[key] = again.get(key, 0) + count
        for (channel, reason), count in sorted(again.items()):
            retrying.add(count, channel=channel, reason=reason)
        messages = func.coalesce(func.sum(ReminderRun.messages), 0)
        total, latest = (await run(select(messages, func.max(ReminderRun.run_at)))).one()
        planned.add(total)
        today = await uow.session.scalar(
            select(ReminderRun.messages).where(ReminderRun.day == local_today(clock))
        )
        planned_today.add(today or 0)
        last_run.add(_aware(latest).timestamp() if latest is not None else 0)
        delivered = await uow.session.scalar(
            select(func.count()).where(
                out.kind == "reminder", out.state == "sent", out.sent_at >= since_midnight
            )
        )
        sent_today.add(delivered or 0)
    return [
        received,
        sent,
        by_state,
        due,
        age,
        failures,
        retrying,
        planned,
        planned_today,
        sent_today,
        last_run,
    ]


def _aware(moment: datetime | str) -> datetime:
    # Aggregates may skip the column type's processing: SQLite can give text or naive UTC.
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def instance_families(database_up: bool, channels: Mapping[str, str]) -> list[Family]:
    """What only this instance knows: whether it reaches the database, its channels' state."""
    up = Family("nhacviec_database_up", "gauge", "1 when this instance's database answers.")
    up.add(1 if database_up else 0)
    channel = Family(
        "nhacviec_channel_up",
        "gauge",
        "1 when the channel is running on this instance; status says why not.",
    )
    for name, status in sorted(channels.items()):
        channel.add(1 if status == "running" else 0, channel=name, status=status)
    return [up, channel]
