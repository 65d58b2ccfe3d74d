"""The reporting-round job: opens rounds before each reporting deadline, invites and nudges the
focal points who still owe answers, and at the cut-off sends the coordinators the draft report.

Every step is decided from the database: a round is unique per plan and deadline, invitations
and nudges carry idempotency keys, and closing is a conditional update, so a restart or a
second instance neither repeats nor forgets a step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Attachment
from bot.outbox import OutboxSender, store_attachment
from handlers.consolidated import DOCX, XLSX
from handlers.format import ddmmyyyy
from handlers.policy import Policy
from handlers.rounds import AgencyRound, agencies_in, period_label, round_period, start_button
from reports.build import ReportFiles, plan_data, report_files
from reports.period import Period
from scheduler.calendar import WorkingCalendar
from scheduler.clock import Clock, local_now
from scheduler.report_policy import round_policy
from scheduler.rounds import is_nudge_day, to_open
from storage.models import ChannelIdentity, ReportRound
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork
from texts import t

log = logging.getLogger(__name__)
LIST_LIMIT = 10


@dataclass(frozen=True)
class Opened:
    round_id: int
    invited: int  # messages written
    not_linked: int  # focal points with no chat account


async def _focal_chats(uow: UnitOfWork, agency_id: int) -> tuple[list[ChannelIdentity], int]:
    """Where to reach the agency's focal points (deputies only when there is no one else)."""
    people = [c for c in await uow.contacts.list_for_agency(agency_id) if c.role == "focal"]
    main = [c for c in people if not c.is_deputy] or people
    identities = await uow.identities.for_contacts([c.id for c in main])
    return identities, len(main) - len(identities)


async def _write(
    uow: UnitOfWork, identity: ChannelIdentity, text: str, key: str, now: datetime, **extra: Any
) -> bool:
    payload = {"text": text, "buttons": [], "task_ids": [], **extra}
    added = await uow.outbox.add(
        {
            "channel": identity.channel,
            "chat_id": identity.chat_id,
            "contact_id": identity.contact_id,
            "kind": "round",
            "idempotency_key": key,
            "payload": payload,
            "not_before": now,
            "created_at": now,
        }
    )
    return added is not None


def _buttons(round_id: int) -> list[list[dict[str, str]]]:
    return [[{"label": b.label, "data": b.data} for b in row] for row in start_button(round_id)]


async def open_round(
    sessions: async_sessionmaker[AsyncSession],
    *,
    plan_id: int,
    period: Period,
    due: date,
    cutoff: date,
    opened_by: str,
    now: datetime,
    calendar: WorkingCalendar,
    policy: Policy,
) -> Opened | None:
    """Open a round and invite every focal point whose agency has tasks to answer; None when
    the plan already has a round for this deadline."""
    today = now.astimezone(LOCAL_TZ).date()
    async with UnitOfWork(sessions) as uow:
        round_id = await uow.rounds.open(
            {
                "plan_id": plan_id,
                "period_code": period.code,
                "period_start": period.start,
                "period_end": period.end,
                "due": due,
                "cutoff": cutoff,
                "opened_by": opened_by,
                "opened_at": now,
            }
        )
        if round_id is None:
            return None
        rnd = await uow.rounds.get(round_id)
        assert rnd is not None
        entries = await agencies_in(uow, rnd, today, calendar, policy.confirm_done)
        invited = not_linked = 0
        for entry in entries.values():
            if not entry.pending:
                continue
            identities, missing = await _focal_chats(uow, entry.agency.id)
            not_linked += missing
            text = t(
                "round.invite",
                agency=entry.agency.name,
                period=period.label,
                count=len(entry.pending),
                cutoff=ddmmyyyy(cutoff),
            )
            for identity in identities:
                key = f"round:{round_id}:invite:{identity.contact_id}"
                invited += await _write(uow, identity, text, key, now, buttons=_buttons(round_id))
        await uow.commit()
    log.info("round %s of plan %s opened: %d invitations", round_id, plan_id, invited)
    return Opened(round_id, invited, not_linked)


class RoundJob:
    """Run `tick()` every few minutes (APScheduler in the service, by hand in tests)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        sender: OutboxSender,
        clock: Clock,
        calendar: WorkingCalendar,
        policy: Policy | None = None,
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._clock = clock
        self._calendar = calendar
        self._policy = policy or Policy()

    async def tick(self) -> None:
        now = local_now(self._clock)
        today = now.date()
        async with UnitOfWork(self._sessions) as uow:
            self._calendar.set_extra_holidays(await uow.calendar_days.days())
            plans = {
                s.plan.id: (s.plan.reporting or [], s.plan.settings)
                for s in await uow.plans.list_all()
            }
            # Woken every minute: deadlines that have their round already are not tried again.
            known = {(r.plan_id, r.due) for p in plans for r in await uow.rounds.for_plan(p)}
        for plan_id, (reporting, settings) in plans.items():
            policy = round_policy(settings)
            if not policy.enabled or now.time() < policy.send_time:
                continue
            for dates in to_open(reporting, today, policy, self._calendar):
                if (plan_id, dates.due) in known:
                    continue
                await open_round(
                    self._sessions,
                    plan_id=plan_id,
                    period=dates.period,
                    due=dates.due,
                    cutoff=dates.cutoff,
                    opened_by="schedule",
                    now=self._clock.now(),
                    calendar=self._calendar,
                    policy=self._policy,
                )
        async with UnitOfWork(self._sessions) as uow:
            rounds = await uow.rounds.open_rounds()
        for rnd in rounds:
            policy = round_policy(plans.get(rnd.plan_id, ([], {}))[1])
            if now.time() < policy.send_time:
                continue
            if today >= rnd.cutoff:
                await self.close(rnd)
            elif is_nudge_day(_opened_on(rnd), rnd.cutoff, today, policy, self._calendar):
                await self._nudge(rnd)
        await self._sender.send_due()

    async def _nudge(self, rnd: ReportRound) -> None:
        now = self._clock.now()
        today = local_now(self._clock).date()
        async with UnitOfWork(self._sessions) as uow:
            if await uow.rounds.nudged_on(rnd.id, today):
                return  # the day's nudges are written (the keys would stop repeats anyway)
            entries = await agencies_in(uow, rnd, today, self._calendar, self._policy.confirm_done)
            for entry in entries.values():
                if not entry.pending:
                    continue
                identities, _ = await _focal_chats(uow, entry.agency.id)
                text = t(
                    "round.nudge",
                    period=period_label(rnd),
                    count=len(entry.pending),
                    total=len(entry.tasks),
                    cutoff=ddmmyyyy(rnd.cutoff),
                )
                for identity in identities:
                    key = f"round:{rnd.id}:nudge:{identity.contact_id}:{today.isoformat()}"
                    await _write(uow, identity, text, key, now, buttons=_buttons(rnd.id))
            await uow.commit()

    async def close(self, rnd: ReportRound) -> bool:
        """At the cut-off: the round closes and the coordinators get the draft report."""
        now = self._clock.now()
        today = local_now(self._clock).date()
        async with UnitOfWork(self._sessions) as uow:
            entries = await agencies_in(uow, rnd, today, self._calendar, self._policy.confirm_done)
            data = await plan_data(uow, rnd.plan_id)
        files = await report_files(
            data, round_period(rnd), today, confirm_done=self._policy.confirm_done
        )
        text = _draft_text(rnd, entries, data.title, files.report.as_of)
        async with UnitOfWork(self._sessions) as uow:
            if not await uow.rounds.close(rnd.id, now):
                return False  # another instance closed it
            coordinators = await uow.contacts.with_role("coordinator")
            identities = await uow.identities.for_contacts([c.id for c in coordinators])
            if identities:
                docx = await store_attachment(uow, _document(files, "docx"), now)
                xlsx = await store_attachment(uow, _document(files, "xlsx"), now)
                for identity in identities:
                    key = f"round:{rnd.id}:draft:{identity.contact_id}"
                    await _write(uow, identity, text, key, now, attachment=docx)
                    caption = t("chat.report.xlsx")
                    await _write(uow, identity, caption, f"{key}:xlsx", now, attachment=xlsx)
            await uow.commit()
        log.info("round %s closed; draft to %d coordinators", rnd.id, len(identities))
        return True


def _opened_on(rnd: ReportRound) -> date:
    return rnd.opened_at.astimezone(LOCAL_TZ).date()


def _document(files: ReportFiles, ext: str) -> Attachment:
    content = files.docx if ext == "docx" else files.xlsx
    assert content is not None
    mime = DOCX if ext == "docx" else XLSX
    return Attachment("document", name=files.file_name(ext), content=content, mime_type=mime)


def _draft_text(rnd: ReportRound, entries: dict[int, AgencyRound], title: str, as_of: date) -> str:
    behind = sorted((e for e in entries.values() if e.pending), key=lambda e: -len(e.pending))
    complete = sum(1 for e in entries.values() if not e.pending)
    text = t(
        "round.draft",
        title=title,
        period=period_label(rnd),
        as_of=ddmmyyyy(as_of),
        due=ddmmyyyy(rnd.due),
        complete=complete,
        total=len(entries),
    )
    if behind:
        names = [
            t("round.draft_missing_line", agency=e.agency.name, count=len(e.pending))
            for e in behind[:LIST_LIMIT]
        ]
        text += "\n" + t("round.draft_missing") + "\n" + "\n".join(names)
    return text
