"""Rows that went out are marked sent and their platform ids kept, many rows in one write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.db import session_factory
from storage.messaging import SentRecord
from storage.models import OutboxMessage, SentMessage
from storage.uow import UnitOfWork

QUEUED = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


async def queue(uow: UnitOfWork, chat_id: str, text: str) -> int:
    row = OutboxMessage(
        channel="telegram",
        chat_id=chat_id,
        kind="reply",
        payload={"text": text},
        state="sending",
        attempts=0,
        not_before=QUEUED,
        created_at=QUEUED,
    )
    uow.session.add(row)
    await uow.session.flush()
    return row.id


async def test_many_rows_are_marked_sent_and_every_message_of_each_is_kept(
    db_engine: AsyncEngine,
) -> None:
    sessions = session_factory(db_engine)
    async with UnitOfWork(sessions) as uow:
        short = await queue(uow, "101", "Nhiệm vụ 3.5: đang thực hiện 70%. Đúng không ạ?")
        long = await queue(uow, "102", "Danh sách nhiệm vụ quá hạn (hai phần)")
        left = await queue(uow, "103", "Chưa gửi")
        await uow.commit()
    # A time given in Hà Nội's zone is kept as the same instant.
    sent_at = datetime(2026, 11, 23, 9, 0, 5, tzinfo=HANOI)
    records = [
        SentRecord(short, "telegram", "101", ["501"], [35], sent_at),
        SentRecord(long, "telegram", "102", ["601", "602"], [7, 9], sent_at + timedelta(seconds=1)),
    ]
    async with UnitOfWork(sessions, single_statement=True) as uow:
        await uow.outbox.mark_and_record_sent(records)
        await uow.commit()

    async with UnitOfWork(sessions) as uow:
        rows = {r.id: r for r in await uow.session.scalars(select(OutboxMessage))}
        kept = list(await uow.session.scalars(select(SentMessage).order_by(SentMessage.id)))
        found = await uow.outbox.find_sent("telegram", "102", "602")
    assert (rows[short].state, rows[short].sent_at) == ("sent", sent_at)
    assert (rows[long].state, rows[long].sent_at) == ("sent", sent_at + timedelta(seconds=1))
    assert (rows[left].state, rows[left].sent_at) == ("sending", None)
    assert [(k.outbox_id, k.chat_id, k.message_id, k.task_ids) for k in kept] == [
        (short, "101", "501", [35]),
        (long, "102", "601", [7, 9]),
        (long, "102", "602", [7, 9]),
    ]
    assert kept[0].sent_at == sent_at
    assert found is not None and found.outbox_id == long and found.task_ids == [7, 9]
