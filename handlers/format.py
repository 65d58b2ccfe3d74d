"""How tasks, deadlines and statuses read in a chat message on a phone screen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from handlers.standings import Assigned, TaskView
from plans.progress import Standing
from texts import t

SHORT_TITLE = 90


def ddmmyyyy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else t("view.none")


def short_title(title: str, limit: int = SHORT_TITLE) -> str:
    """The title cut at a word boundary, so a list stays one or two lines per task."""
    title = " ".join(title.split()).rstrip(" .;:")
    if len(title) <= limit:
        return title
    cut = title[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def deadline_phrase(s: Standing) -> str:
    """ "hạn 30/06/2026, còn 3 ngày làm việc" / "quá hạn 5 ngày (hạn 30/06/2026)"."""
    if s.due is None:
        return t("chat.deadline.none")
    extended = (
        t("chat.deadline.extended", original=ddmmyyyy(s.original_due)) if s.original_due else ""
    )
    if s.is_done:
        return t("chat.deadline.plain", due=ddmmyyyy(s.due)) + extended
    if s.timing == "overdue":
        return t("chat.deadline.overdue", days=s.overdue_days, due=ddmmyyyy(s.due)) + extended
    if s.working_days_left == 0:
        return t("chat.deadline.today", due=ddmmyyyy(s.due)) + extended
    return t("chat.deadline.left", due=ddmmyyyy(s.due), days=s.working_days_left) + extended


def status_phrase(s: Standing) -> str:
    if s.status == "in_progress" and s.percent is not None:
        return t("status.in_progress_pct", percent=s.percent)
    if s.status == "blocked" and s.reason:
        return t("status.blocked_reason", reason=s.reason)
    if s.status in ("done", "done_pending") and s.timing == "done_late":
        return t(f"status.{s.status}") + t("status.late_suffix")
    return t(f"status.{s.status}")


def task_line(view: TaskView, *, with_role: bool = False) -> str:
    role = t("chat.role_support") if with_role and view.role == "support" else ""
    return t(
        "chat.task_line",
        code=view.task.code,
        title=short_title(view.task.title),
        deadline=deadline_phrase(view.standing),
        status=status_phrase(view.standing),
        role=role,
    )


def numbered(views: Sequence[Assigned]) -> str:
    return "\n".join(
        t("chat.numbered_line", n=i, code=v.task.code, title=short_title(v.task.title, 70))
        for i, v in enumerate(views, 1)
    )
