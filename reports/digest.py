"""The weekly leadership digest: on-time rate and its change, what moved, who is behind."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from plans.progress import WorkingDays
from plans.tally import tally
from plans.text import key as text_key
from reports.assess import TaskState, status_key, task_states
from reports.data import PlanData
from reports.wording import dmy, short
from texts import t

WEEK = timedelta(days=7)
LIST_LIMIT = 10  # lines per list: the digest stays one phone message
TITLE_LIMIT = 60


@dataclass(frozen=True)
class Digest:
    plan_id: int
    today: date
    text: str
    chart_title: str
    # (agency, {status key: count of its lead tasks}), the agencies most behind first
    chart_rows: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    percent: int | None = None
    last_percent: int | None = None


def _line(state: TaskState, tail: str) -> str:
    leads = ", ".join(a.name for a in state.task.leads) or t("report.none")
    return t(
        "digest.task_line",
        code=state.task.code,
        title=short(state.task.title, TITLE_LIMIT),
        leads=leads,
        tail=tail,
    )


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= LIST_LIMIT:
        return lines
    return [*lines[:LIST_LIMIT], t("digest.more", count=len(lines) - LIST_LIMIT)]


def _rate(percent: int | None, last: int | None, done: int, due: int) -> str:
    if percent is None:
        return t("digest.no_rate")
    head = t("digest.rate", percent=percent, done=done, due=due)
    if last is None:
        return head + t("digest.change.none")
    if percent > last:
        return head + t("digest.change.up", points=percent - last, last=last)
    if percent < last:
        return head + t("digest.change.down", points=last - percent, last=last)
    return head + t("digest.change.same", last=last)


def _newly_done(now: list[TaskState], before: dict[int, TaskState]) -> list[str]:
    lines = []
    for state in now:
        s, was = state.standing, before[state.task.id].standing
        if s.is_done and not was.is_done:
            pending = t("digest.done.pending") if s.status == "done_pending" else ""
            tail = t("digest.done.tail", timing=t(f"digest.done.{s.timing}"), pending=pending)
            lines.append(_line(state, tail))
    return lines


def _newly_overdue(now: list[TaskState], before: dict[int, TaskState]) -> list[str]:
    return [
        _line(state, t("digest.overdue_tail", due=dmy(state.standing.due)))
        for state in now
        if state.key == "overdue" and before[state.task.id].key != "overdue"
    ]


def _overdue_agencies(now: list[TaskState]) -> list[str]:
    """Per lead agency, as /quahan counts: its overdue tasks, the longest first."""
    grouped: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for state in now:
        for part in state.lead_parts:
            if part.standing.timing == "overdue":
                grouped[part.agency.name].append((part.standing.overdue_days, state.task.code))
    ordered = sorted(grouped.items(), key=lambda kv: (-max(kv[1])[0], text_key(kv[0])))
    lines = []
    for name, items in ordered:
        items.sort(key=lambda x: -x[0])
        codes = ", ".join(code for _, code in items[:5]) + ("…" if len(items) > 5 else "")
        lines.append(
            t("digest.agency_overdue", agency=name, count=len(items), days=items[0][0], codes=codes)
        )
    return lines


def _silent_agencies(now: list[TaskState]) -> list[str]:
    """Per lead agency, as /chuabaocao counts: tasks overdue or due soon with no report."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for state in now:
        for part in state.lead_parts:
            s = part.standing
            if s.status == "not_reported" and s.timing in ("overdue", "due_soon"):
                grouped[part.agency.name].append(state.task.code)
    ordered = sorted(grouped.items(), key=lambda kv: (-len(kv[1]), text_key(kv[0])))
    return [
        t("digest.agency_silent", agency=name, count=len(codes), codes=", ".join(codes[:5]))
        for name, codes in ordered
    ]


def chart_rows(now: list[TaskState]) -> list[tuple[str, dict[str, int]]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for state in now:
        for part in state.lead_parts:
            counts[part.agency.name][status_key(part.standing)] += 1
    ordered = sorted(
        counts.items(),
        key=lambda kv: (-kv[1]["overdue"], -sum(kv[1].values()), text_key(kv[0])),
    )
    return [(name, dict(c)) for name, c in ordered]


def _block(key: str, lines: list[str]) -> str:
    """ "<head> (n):" and the lines, or the sentence saying there is nothing."""
    if not lines:
        return t(f"{key}_none")
    return t(f"{key}_head", count=len(lines)) + "\n" + "\n".join(_capped(lines))


def build_digest(
    data: PlanData, today: date, calendar: WorkingDays, *, confirm_done: bool = True
) -> Digest:
    """The digest as of the end of yesterday's work, compared with a week earlier."""
    now = task_states(data, today, calendar, confirm_done=confirm_done)
    before = {
        s.task.id: s for s in task_states(data, today - WEEK, calendar, confirm_done=confirm_done)
    }
    n, last = tally(now, today), tally(list(before.values()), today - WEEK)
    parts = [
        t("digest.header", plan=data.title, today=dmy(today)),
        _rate(n.percent, last.percent, n.on_time, n.due),
        _block("digest.done", _newly_done(now, before)),
        _block("digest.overdue", _newly_overdue(now, before)),
        _block("digest.agencies", _overdue_agencies(now)),
        _block("digest.silent", _silent_agencies(now)),
    ]
    return Digest(
        plan_id=data.id,
        today=today,
        text="\n\n".join(parts),
        chart_title=t("digest.chart_title", today=dmy(today)),
        chart_rows=chart_rows(now),
        percent=n.percent,
        last_percent=last.percent,
    )
