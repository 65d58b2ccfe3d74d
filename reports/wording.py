"""The sentences of the consolidated report: deadlines, statuses, each agency's result."""

from __future__ import annotations

from datetime import date

from plans.progress import PROGRESS_STATUSES, VOID_STATES, Standing, WorkingDays, checkpoints
from plans.text import fold
from reports.assess import AgencyPart, TaskState
from reports.data import ReportRecord
from texts import t

# An agency's own words go into the report only when they say something: "xong roi" does not,
# "Đã tổ chức 02 lớp tập huấn cho 120 cán bộ…" does.
SUBSTANTIVE_WORDS = 8
SHORT_TITLE = 120


def dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def short(title: str, limit: int = SHORT_TITLE) -> str:
    title = " ".join(title.split()).rstrip(" .;:")
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def sentence(text: str) -> str:
    """Capitalised, one line, ending in a full stop."""
    text = " ".join(text.split()).strip()
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" else text + "."


def deadline_text(state: TaskState) -> str:
    """ "30/06/2026", "30/06/2026, gia hạn đến 15/07/2026", "Hàng tháng (kỳ 31/05/2026)"."""
    task, s = state.task, state.standing
    dues = checkpoints(task.schedule, task.deadline_override)
    written = " ".join((task.timeframe or "").split()).rstrip(".")
    if s.due is None:
        return written or t("report.deadline.none")
    if len(dues) > 1:
        return t("report.deadline.recurring", written=written, due=dmy(s.due))
    if s.original_due is not None:
        return t("report.deadline.extended", original=dmy(s.original_due), due=dmy(s.due))
    if task.schedule.kind == "ongoing" and written:
        return written
    return dmy(s.due)


def status_label(s: Standing) -> str:
    """The "Tình trạng" column: done on time/late, overdue by how long, in progress, not due."""
    if s.status == "done":
        return t(f"report.status.{s.timing}")
    if s.status == "done_pending":
        late = t("report.status.late_suffix") if s.timing == "done_late" else ""
        return t("report.status.pending") + late
    if s.timing == "overdue":
        label = t("report.status.overdue", days=s.overdue_days)
        if s.status in ("not_reported", "blocked"):
            label += t(f"report.status.overdue_{s.status}")
        return label
    if s.status == "in_progress":
        if s.percent is not None:
            return t("report.status.in_progress_pct", percent=s.percent)
        return t("report.status.in_progress")
    if s.status == "blocked":
        return t("report.status.blocked")
    if s.timing == "no_deadline":
        return t("report.status.no_deadline")
    if s.working_days_left == 0:  # the deadline is today (or falls before the next working day)
        return t("report.status.due_now")
    return t("report.status.not_due")


def _live(reports: tuple[ReportRecord, ...]) -> list[ReportRecord]:
    return [r for r in reports if r.status in PROGRESS_STATUSES and r.state not in VOID_STATES]


def _words(r: ReportRecord) -> str:
    """The agency's own paragraph, when it says more than a status."""
    text = " ".join(r.text.split())
    return sentence(text) if len(text.split()) >= SUBSTANTIVE_WORDS else ""


def _repeats(r: ReportRecord) -> bool:
    """Words that only restate the reason already given ("vướng kinh phí, <reason>")."""
    return bool(r.reason) and fold(r.reason or "") in fold(r.text)


def _status_bits(part: AgencyPart, recurring: int, calendar: WorkingDays) -> list[str]:
    s, lead = part.standing, part.role == "lead"
    if s.status in ("done", "done_pending") and s.done_on is not None:
        timing = ""
        if lead and s.due is not None:
            # Counted from the deadline's last working day, as `standing` judges lateness.
            late = (s.done_on - calendar.next_working_day(s.due)).days
            timing = t("report.result.late", days=late) if late > 0 else t("report.result.on_time")
        key = "report.result.done" if s.status == "done" else "report.result.done_pending"
        return [t(key, day=dmy(s.done_on), timing=timing) + "."]
    if s.status in ("done", "done_pending"):  # every occurrence of a recurring task
        return [t("report.result.all_done") + "."]
    bits = []
    if recurring:
        bits.append(t("report.result.occurrences_done", count=recurring) + ".")
    if s.status == "in_progress":
        if s.percent is not None:
            bits.append(t("report.result.in_progress_pct", percent=s.percent) + ".")
        else:
            bits.append(t("report.result.in_progress") + ".")
    elif s.status == "blocked":
        bits.append(t("report.result.blocked", reason=s.reason or "").rstrip(": ") + ".")
    elif lead and not recurring:
        bits.append(t("report.result.none") + ".")
    return bits


def _review_bits(part: AgencyPart) -> list[str]:
    """What the coordinator decided: a "done" sent back, an extension granted or refused."""
    bits = []
    reports = part.reports
    dones = [r for r in reports if r.status == "done"]
    if dones and dones[-1].state == "returned" and not part.standing.is_done:
        note = dones[-1].review_note
        key = "report.result.returned_note" if note else "report.result.returned"
        bits.append(t(key, day=dmy(dones[-1].created_on), note=note or "") + ".")
    asks = [r for r in reports if r.status == "extension_request"]
    if asks:
        last = asks[-1]
        key = {
            "approved": "report.result.extension_approved",
            "rejected": "report.result.extension_rejected",
        }.get(last.state, "report.result.extension_pending")
        bits.append(t(key, day=dmy(last.said_date)) + ".")
    return bits


def occurrences_done(part: AgencyPart, state: TaskState) -> int:
    """For a recurring task: how many occurrences this agency reported done."""
    dues = checkpoints(state.task.schedule, state.task.deadline_override)
    if len(dues) <= 1:
        return 0
    done = {
        r.checkpoint
        for r in part.reports
        if r.status == "done" and r.state not in VOID_STATES and r.checkpoint in dues
    }
    return len(done)


def part_result(part: AgencyPart, state: TaskState, calendar: WorkingDays) -> str | None:
    """One agency's paragraph in the task's compiled result; None when it has said nothing."""
    if not part.reports and part.role == "support":
        return None
    bits = _status_bits(part, occurrences_done(part, state), calendar) + _review_bits(part)
    live = _live(part.reports)
    words = _words(live[-1]) if live else ""
    if words and not _repeats(live[-1]):
        bits.append(words)
    if not bits:
        return None
    role = t(f"report.role.{part.role}")
    return t("report.result.line", agency=part.agency.name, role=role, text=" ".join(bits))


def task_results(state: TaskState, calendar: WorkingDays) -> list[str]:
    """The compiled result: lead agencies first, then coordinating agencies that reported."""
    lines = [line for part in state.parts if (line := part_result(part, state, calendar))]
    return lines or [t("report.result.nobody")]
