"""What Zalo keeps in the database: bot channel names, options per chat, media, routing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import aiohttp
from aiohttp import web

from bot.media import media_handler, store_media
from scheduler.clock import ManualClock
from storage.db import session_factory
from storage.uow import UnitOfWork

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MakeUow = Callable[[], UnitOfWork]


async def _contact(uow: UnitOfWork, name: str) -> int:
    agency = await uow.agencies.add("Sở Ngoại vụ", "so ngoai vu", "department")
    return (await uow.contacts.add(name, agency.id, "focal")).id


async def test_bot_names_are_given_once_and_survive_reordering(make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        assert await uow.zalo_bots.register(["111", "222"]) == {"111": "zalo", "222": "zalo2"}
        await uow.commit()
    async with make_uow() as uow:
        names = await uow.zalo_bots.register(["333", "222", "111"])
        await uow.commit()
    assert names == {"333": "zalo3", "222": "zalo2", "111": "zalo"}


async def test_bots_are_counted_by_the_people_linked_through_them(make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        await uow.zalo_bots.register(["111", "222"])
        await uow.zalo_bots.set_name("222", "Bot Nhắc việc 2")
        contact = await _contact(uow, "An")
        await uow.identities.link(contact, "zalo2", "u1", "u1", NOW)
        await uow.commit()
    async with make_uow() as uow:
        loads = await uow.zalo_bots.load(["222", "111", "999"])
    assert [(b.bot_id, b.channel, b.name, b.linked) for b in loads] == [
        ("222", "zalo2", "Bot Nhắc việc 2", 1),
        ("111", "zalo", None, 0),
    ]


async def test_options_are_one_set_per_chat(make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        await uow.choices.offer("zalo", "c1", [{"label": "Đúng", "data": "cf:y"}], "m1", NOW)
        await uow.choices.offer("zalo", "c1", [{"label": "Xác nhận", "data": "rv:1:a"}], "m2", NOW)
        await uow.choices.offer("zalo", "c2", [{"label": "Sửa", "data": "cf:n"}], "m3", NOW)
        await uow.commit()
    async with make_uow() as uow:
        c1 = await uow.choices.get("zalo", "c1")
        await uow.choices.clear("zalo", "c2")
        await uow.commit()
    assert c1 is not None and (c1.message_id, c1.options[0]["data"]) == ("m2", "rv:1:a")
    async with make_uow() as uow:
        assert await uow.choices.get("zalo", "c2") is None


async def test_reminders_go_where_the_person_chose_or_last_wrote(make_uow: MakeUow) -> None:
    async with make_uow() as uow:
        contact = await _contact(uow, "An")
        await uow.identities.link(contact, "zalo", "z1", "z1", NOW)
        await uow.identities.link(contact, "telegram", "t1", "t1", NOW + timedelta(days=1))
        await uow.commit()

    async def first() -> str:
        async with make_uow() as uow:
            rows = await uow.reminder_inputs.reachable()
            [identity] = await uow.identities.for_contacts([contact])
        assert rows[0].channel == identity.channel  # the planner and notices agree
        return rows[0].channel

    assert await first() == "telegram"  # linked last
    async with make_uow() as uow:
        await uow.contacts.note_channel(contact, "zalo")
        await uow.commit()
    assert await first() == "zalo"  # wrote there last
    async with make_uow() as uow:
        await uow.contacts.set_preferred_channel(contact, "telegram")
        await uow.commit()
    assert await first() == "telegram"  # the coordinator's choice wins
    async with make_uow() as uow:
        [avoiding] = await uow.identities.for_contacts([contact], avoid_channel="telegram")
    assert avoiding.channel == "zalo"


async def test_media_are_served_until_they_expire(db_engine, make_uow: MakeUow) -> None:  # type: ignore[no-untyped-def]
    clock = ManualClock(NOW)
    async with make_uow() as uow:
        token = await store_media(uow, b"\x89PNG", "image/png", now=NOW, ttl=timedelta(days=1))
        await uow.commit()
    app = web.Application()
    app.router.add_get("/media/{token}", media_handler(session_factory(db_engine), clock))
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/media"
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/{token}") as found:
                assert (found.status, await found.read()) == (200, b"\x89PNG")
                assert found.headers["Content-Type"] == "image/png"
                assert found.headers["X-Content-Type-Options"] == "nosniff"
            async with http.get(f"{base}/short") as malformed:
                assert malformed.status == 404
            clock.advance(timedelta(days=1, seconds=1))
            async with http.get(f"{base}/{token}") as expired:
                assert expired.status == 404
    finally:
        await runner.cleanup()
    async with make_uow() as uow:
        assert await uow.media.prune(clock.now()) == 1
        await uow.commit()
