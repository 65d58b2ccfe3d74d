"""The consolidated report's content, built once and rendered to .docx and .xlsx alike."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from plans.progress import WorkingDays
from plans.tally import Tally, tally
from plans.text import key as text_key
from reports.assess import TaskState, task_states
from reports.data import PlanData, TaskRecord
from reports.period import Period
from reports.wording import deadline_text, dmy, sentence, short, status_label, task_results
from texts import t

SETTINGS_KEY = "report"  # the plan's choices for the document, in Plan.settings
LONGEST_OVERDUE = 10
_ISSUER_HEAD = re.compile(r"^(?:ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+", re.IGNORECASE)
_PLACE_HEAD = re.compile(
    r"^(?:ủy ban nhân dân|uỷ ban nhân dân|ubnd)\s+(?:tỉnh|thành phố|tp\.?)\s+", re.IGNORECASE
)


@dataclass(frozen=True)
class Header:
    """The top of the page and the signature: who issues the report and where."""

    parent_body: str | None  # "UBND TỈNH HÀ TĨNH" above the issuing body, when there is one
    body: str  # "SỞ THÔNG TIN VÀ TRUYỀN THÔNG"
    body_name: str  # "Sở Thông tin và Truyền thông", inside sentences
    abbreviation: str  # for "Số: …/BC-STTTT"
    place: str  # "Hà Tĩnh" in "Hà Tĩnh, ngày … tháng … năm 2026"
    addressee: str | None  # who the report goes to ("UBND tỉnh Hà Tĩnh")
    signer: tuple[str, ...]  # "GIÁM ĐỐC", or "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"
    signer_name: str
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 0 for a plan's part ("5. …"), 1 for a sub-part ("5.2. …")


@dataclass(frozen=True)
class TaskEntry:
    """One task in part I and one row of the appendix."""

    code: str
    title: str
    group: str | None
    leads: str
    supports: str
    deadline: str
    due: date | None
    original_due: date | None
    results: tuple[str, ...]
    status: str
    key: str  # the colour: done_on_time done_late overdue in_progress not_started
    overdue_days: int


@dataclass(frozen=True)
class ConsolidatedReport:
    plan_id: int
    period: Period
    as_of: date
    header: Header
    title_main: str  # after "BÁO CÁO": "Kết quả thực hiện Kế hoạch …"
    title_period: str  # "(6 tháng đầu năm 2026)"
    intro: str
    results: tuple[Heading | TaskEntry, ...]
    tally: Tally
    longest_overdue: tuple[str, ...]
    difficulties: tuple[str, ...]
    proposals: tuple[str, ...]
    closing: str

    @property
    def title(self) -> str:
        return f"{self.title_main} {self.title_period}"

    @property
    def entries(self) -> list[TaskEntry]:
        return [e for e in self.results if isinstance(e, TaskEntry)]


# ------------------------------------------------------------------ the header


def _initials(name: str) -> str:
    if _ISSUER_HEAD.match(name):
        return "UBND"
    words = [w for w in re.split(r"[\s,;&\-]+", name) if w and text_key(w) != "va"]
    return "".join(w[0] for w in words).upper()


def _place(issuer: str | None) -> str | None:
    if not issuer:
        return None
    place = _PLACE_HEAD.sub("", issuer.strip())
    return place if place != issuer.strip() else None


def _short_issuer(issuer: str) -> str:
    """ "Ủy ban nhân dân tỉnh Quảng Trị" → "UBND tỉnh Quảng Trị"."""
    return _ISSUER_HEAD.sub("UBND ", issuer.strip())


def _signer(body_name: str) -> tuple[str, ...]:
    head = text_key(body_name).split(" ", 1)[0]
    if _ISSUER_HEAD.match(body_name):
        return (t("report.signer.ubnd_for"), t("report.signer.ubnd"))
    return (t(f"report.signer.{head}"),) if head in ("so", "ban") else (t("report.signer.head"),)


def header_of(data: PlanData) -> Header:
    """From the plan's settings ("report": {...}) where set, else from the plan and who runs it."""
    chosen: dict[str, Any] = dict(data.settings.get(SETTINGS_KEY) or {})
    issuer = _short_issuer(data.issuer) if data.issuer else None
    body_name = chosen.get("body") or data.coordinator_agency or issuer or t("report.body_unknown")
    parent = chosen.get("parent_body")
    if parent is None and issuer and body_name != issuer:
        parent = issuer
    addressee = chosen.get("addressee") or (issuer if issuer and body_name != issuer else None)
    recipients = chosen.get("recipients") or [
        *([t("report.recipient.addressee", name=addressee)] if addressee else []),
        t("report.recipient.agencies"),
        t("report.recipient.archive"),
    ]
    signer = chosen.get("signer_title")
    return Header(
        parent_body=parent.upper() if parent else None,
        body=body_name.upper(),
        body_name=body_name,
        abbreviation=chosen.get("abbreviation") or _initials(body_name),
        place=chosen.get("place") or _place(data.issuer) or "……",
        addressee=addressee,
        signer=tuple(signer.split("\n")) if signer else _signer(body_name),
        signer_name=chosen.get("signer_name") or "",
        recipients=tuple(recipients),
    )


# ------------------------------------------------------------------ part I, the plan's outline


def _prefixes(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def outline(tasks: list[TaskRecord]) -> list[Heading | TaskRecord]:
    """The tasks under the plan's own headings, each heading once, nested as the plan nests."""
    headings: dict[str, str] = {}
    for task in tasks:
        if task.parent_code and task.section:
            headings.setdefault(task.parent_code, task.section)
    codes = {task.code for task in tasks}
    shown: set[str] = set()
    out: list[Heading | TaskRecord] = []
    for task in tasks:
        if task.parent_code:
            chain = [c for c in _prefixes(task.code) if c in headings]
            if task.parent_code in headings and task.parent_code not in chain:
                chain.append(task.parent_code)
            for level, code in enumerate(chain):
                if code not in shown and code not in codes:  # a task "1" is its own heading
                    out.append(Heading(headings[code], level))
                shown.add(code)
        elif task.section and task.section not in shown:
            out.append(Heading(task.section, 0))
            shown.add(task.section)
        out.append(task)
    return out


def _entry(state: TaskState, calendar: WorkingDays) -> TaskEntry:
    task, s = state.task, state.standing
    return TaskEntry(
        code=task.code,
        title=" ".join(task.title.split()),
        group=task.section,
        leads=", ".join(a.name for a in task.leads) or t("report.none"),
        supports=", ".join(a.name for a in task.supports) or t("report.none"),
        deadline=deadline_text(state),
        due=s.due,
        original_due=s.original_due,
        results=tuple(task_results(state, calendar)),
        status=status_label(s),
        key=state.key,
        overdue_days=s.overdue_days,
    )


# ------------------------------------------------------------------ parts II to IV


def _longest_overdue(states: list[TaskState]) -> list[str]:
    late = [s for s in states if s.key == "overdue"]
    late.sort(key=lambda s: (-s.standing.overdue_days, s.task.position))
    return [
        t(
            "report.assessment.overdue_line",
            code=s.task.code,
            title=short(s.task.title),
            leads=", ".join(a.name for a in s.task.leads) or t("report.none"),
            days=s.standing.overdue_days,
            due=dmy(s.standing.due),
        )
        for s in late[:LONGEST_OVERDUE]
    ]


def _difficulties(states: list[TaskState], period: Period, as_of: date) -> list[str]:
    """Every agency's latest "blocked" report of the period, and whether it is behind them."""
    lines = []
    for state in states:
        for part in state.parts:
            blocked = [
                r
                for r in part.reports
                if r.status == "blocked"
                and r.state not in ("returned", "rejected")
                and period.start <= r.created_on <= as_of
            ]
            if not blocked:
                continue
            last = blocked[-1]
            line = t(
                "report.difficulty.line",
                code=state.task.code,
                title=short(state.task.title),
                agency=part.agency.name,
                reason=sentence(last.reason or last.text).rstrip("."),
            )
            if part.standing.status != "blocked":
                line += t("report.difficulty.resolved")
            lines.append(line + ".")
    return lines


def _proposals(states: list[TaskState], header: Header, as_of: date) -> list[str]:
    out = []
    for state in states:
        for part in state.parts:
            asks = [r for r in part.reports if r.status == "extension_request"]
            if asks and asks[-1].state == "awaiting_review":
                ask = asks[-1]
                reason = t("report.proposal.because", reason=ask.reason) if ask.reason else ""
                out.append(
                    t(
                        "report.proposal.extension",
                        code=state.task.code,
                        title=short(state.task.title),
                        agency=part.agency.name,
                        day=dmy(ask.said_date),
                        reason=reason,
                    )
                )
    for state in states:
        for part in state.parts:
            if part.standing.status == "blocked":
                out.append(
                    t(
                        "report.proposal.blocked",
                        code=state.task.code,
                        agency=part.agency.name,
                        reason=sentence(part.standing.reason or "").rstrip(".") or t("report.none"),
                    )
                )
    overdue = sum(1 for s in states if s.key == "overdue")
    if overdue:
        out.append(t("report.proposal.overdue", count=overdue, body=header.body_name))
    silent = sorted(
        {
            p.agency.name
            for s in states
            for p in s.lead_parts
            if p.standing.status == "not_reported" and p.standing.timing == "overdue"
        },
        key=text_key,
    )
    if silent:
        out.append(t("report.proposal.unreported", agencies=", ".join(silent)))
    return out or [t("report.proposal.none")]


# ------------------------------------------------------------------ the whole


def _plan_ref(data: PlanData) -> str:
    issuer = _short_issuer(data.issuer) if data.issuer else None
    if data.number:
        ref = t("report.plan_ref.number", number=data.number)
        if data.issued_on:
            ref += t("report.plan_ref.date", day=dmy(data.issued_on))
        if issuer:
            ref += t("report.plan_ref.issuer", issuer=issuer)
        subject = re.sub(r"^kế hoạch\s+", "", data.title.strip(), flags=re.IGNORECASE)
        return ref + t("report.plan_ref.subject", subject=subject)
    return data.title.strip()


def build_report(
    data: PlanData,
    period: Period,
    today: date,
    calendar: WorkingDays,
    *,
    confirm_done: bool = True,
) -> ConsolidatedReport:
    """The report for `period`, as things stood at its end (or today, if it has not ended)."""
    as_of = min(period.end, today)
    states = task_states(data, as_of, calendar, confirm_done=confirm_done)
    by_id = {s.task.id: s for s in states}
    header = header_of(data)
    results: list[Heading | TaskEntry] = [
        item if isinstance(item, Heading) else _entry(by_id[item.id], calendar)
        for item in outline(list(data.tasks))
    ]
    plan_ref = _plan_ref(data)
    title = re.sub(r"\s+", " ", data.title.strip())
    closing_key = "report.closing_to" if header.addressee else "report.closing"
    return ConsolidatedReport(
        plan_id=data.id,
        period=period,
        as_of=as_of,
        header=header,
        title_main=t("report.title", plan=title),
        title_period=t("report.title_period", period=period.label),
        intro=t(
            "report.intro",
            plan=plan_ref,
            body=header.body_name,
            period=period.label,
            as_of=dmy(as_of),
        ),
        results=tuple(results),
        tally=tally(states, as_of),
        longest_overdue=tuple(_longest_overdue(states)),
        difficulties=tuple(_difficulties(states, period, as_of)),
        proposals=tuple(_proposals(states, header, as_of)),
        closing=t(
            closing_key,
            plan=plan_ref,
            period=period.label,
            body=header.body_name,
            addressee=header.addressee or "",
        ),
    )
