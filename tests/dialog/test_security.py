"""What a stranger, a focal point or a forged button can get out of the bot (docs/security.md)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.channels.base import Attachment
from bot.cli import main
from handlers.registry import build_router
from storage.models import Assignment, ChannelIdentity, Conversation, InboundMessage, Report, Task
from tests.fakes.harness import CHANNEL, BotHarness, Person, Sent
from texts import t

TTTT = "Sở Thông tin và Truyền thông"
NGOAI_VU = "Sở Ngoại vụ"
OVERSEERS = {"coordinator", "leader"}
# Routes about the asker alone: linking, help, their own agency's tasks and leave, and the
# steps of their own report. Anything else the router serves must name the roles it is for,
# so a coordinator command added later without roles fails the audit below.
# /kybaocao: a focal point's own round walk; the plan-wide round status inside it is given
# only to coordinators and leaders (tested in test_rounds); "rd", "rs", "rk": starting, stepping
# through and keeping an answer in one's own walk.
PERSONAL_COMMANDS = {"start", "huongdan", "help", "nhiemvu", "nghiphep", "kybaocao"}
PERSONAL_CALLBACKS = {"cf", "pick", "st", "rp", "tk", "rd", "rs", "rk"}
# Text routes whose answer covers the whole plan: each must be role-gated.
PLAN_WIDE_TEXT_ROUTES = {"question"}
STRANGER_ANSWERS = {t("help.stranger"), t("link.how_to"), t("link.wrong_code")}


@pytest.fixture
async def bot(make_bot) -> BotHarness:
    bot = make_bot()
    await bot.import_plan()
    return bot


async def _handled_by(bot: BotHarness, chat_id: str) -> list[str | None]:
    async with bot.uow() as uow:
        rows = await uow.session.scalars(
            select(InboundMessage.handled_by)
            .where(InboundMessage.chat_id == chat_id)
            .order_by(InboundMessage.id)
        )
        return list(rows)


async def _count(bot: BotHarness, model: type) -> int:
    async with bot.uow() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(model)) or 0)


# --- 1. a stranger gets help and linking, nothing else -------------------------------------


@pytest.mark.telegram_only("presses buttons no message offers and sends files (Zalo: typing only)")
async def test_a_stranger_gets_only_help_and_linking_whatever_they_send(bot: BotHarness) -> None:
    await bot.person("Trần Thị Bình", TTTT, "coordinator")
    router = build_router()
    attempts = [f"/{name}" for name in router.commands()]
    attempts += [f"/{name} {NGOAI_VU}" for name in router.commands() if name != "start"]
    attempts += [
        "xin chào",
        "việc nào quá hạn",
        "tiến độ thế nào",
        f"{NGOAI_VU} còn việc gì quá hạn?",
        "cơ quan nào chưa báo cáo",
        "5.1 xong",
        "đang làm 70%",
        "xin gia hạn đến 15/12",
        "Đúng",
        "1",
        "'; DROP TABLE tasks; --",
    ]
    seen: list[str] = []
    for text in attempts:
        answer = await bot.say(text, as_="666")
        assert len(answer) == 1, text
        seen.append(answer[0].text)
    for data in ("cf:y", "rv:1:a", "ex:1:a", "tk:1", "rp:1:d", "pick:1", "st:d", "zz:1"):
        [answer] = await bot.press(data, as_="666")
        seen.append(answer.text)
    [answer] = await bot.say("", as_="666", attachments=[Attachment("document", "F-9", "x.pdf")])
    seen.append(answer.text)
    assert set(seen) <= STRANGER_ANSWERS, set(seen) - STRANGER_ANSWERS
    assert all(not b for sent in bot.inbox("666") for b in sent.buttons)  # no buttons either
    # Nothing was recorded on their behalf and no dialog was opened for them.
    assert await _count(bot, Report) == 0
    async with bot.uow() as uow:
        assert (await uow.conversations.get(CHANNEL, "666")) is None
        assert not list(
            await uow.session.scalars(
                select(ChannelIdentity).where(ChannelIdentity.chat_id == "666")
            )
        )
    handled = set(await _handled_by(bot, "666"))
    assert handled <= {"start", "help_command", "not_linked", "link_code_text"}, handled


# --- 2. link codes cannot be guessed ----------------------------------------------------------


async def test_guessing_link_codes_is_throttled_even_for_the_right_code(bot: BotHarness) -> None:
    contact_id = await bot.new_contact("Hồ Thị Em", NGOAI_VU)
    await bot.issue_code(contact_id, "RJGHTCD2")
    for guess in ("AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE"):
        [answer] = await bot.say(guess, as_="701")
        assert answer.text == t("link.wrong_code")
    [refused] = await bot.say("RJGHTCD2", as_="701")
    assert refused.text == t("link.throttled", minutes=15)
    assert "Hồ Thị Em" not in refused.text
    [still] = await bot.say("/start RJGHTCD2", as_="701")  # the command is the same door
    assert still.text == t("link.throttled", minutes=15)
    bot.advance(minutes=14)
    assert (await bot.say("RJGHTCD2", as_="701"))[0].text == t("link.throttled", minutes=15)
    bot.advance(minutes=2)  # the window slides past the fifth failure
    [linked] = await bot.say("RJGHTCD2", as_="701")
    assert "Xin chào anh/chị Hồ Thị Em" in linked.text


async def test_a_used_code_is_a_failed_guess_too(bot: BotHarness) -> None:
    person = await bot.person("Nguyễn Văn An", NGOAI_VU)  # links with its code: now used
    code = "".join("ABCDEFGHJKLMNPQRSTUVWXYZ23456789"[(person.contact_id * 7 + i * 5) % 32]
                   for i in range(8))  # fmt: skip
    for _ in range(5):
        [answer] = await bot.say(code, as_="702")
        assert answer.text == t("link.used_code")
    assert (await bot.say(code, as_="702"))[0].text == t("link.throttled", minutes=15)


# --- 3. webhook mode needs its secret ---------------------------------------------------------


async def test_webhook_mode_refuses_to_start_without_a_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "never.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "7012345678:AAHfakeSecretPart-for_tests_0123456789")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://nhacviec.example.gov.vn/telegram")
    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET", raising=False)
    code = await asyncio.to_thread(main, ["run"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "Chế độ webhook cần TELEGRAM_WEBHOOK_SECRET" in err  # Vietnamese first …
    assert "Webhook mode needs TELEGRAM_WEBHOOK_SECRET; the service did not start." in err
    assert not database.exists()  # refused before anything was touched


# --- 4. plan-wide answers: the router checks the role ------------------------------------------


def test_every_plan_wide_route_names_its_roles() -> None:
    for kind, key, route in build_router().routes():
        if kind == "command" and key not in PERSONAL_COMMANDS:
            assert route.roles and set(route.roles) <= OVERSEERS, (kind, key)
        if kind == "callback" and key not in PERSONAL_CALLBACKS:
            assert route.roles and set(route.roles) <= OVERSEERS, (kind, key)
        if kind == "text" and key in PLAN_WIDE_TEXT_ROUTES:
            assert set(route.roles) == OVERSEERS, (kind, key)
    commands = {key: r for kind, key, r in build_router().routes() if kind == "command"}
    for plan_wide in ("quahan", "tiendo", "chuabaocao"):
        assert set(commands[plan_wide].roles) == OVERSEERS


async def _people(bot: BotHarness) -> dict[str, Person]:
    return {
        "focal": await bot.person("Nguyễn Văn An", NGOAI_VU),
        "coordinator": await bot.person("Trần Thị Bình", TTTT, "coordinator"),
        "leader": await bot.person("Lê Thu Hà", TTTT, "leader"),
    }


@pytest.mark.telegram_only("presses every gated button directly, not one offered as a number")
async def test_the_router_refuses_each_gated_route_to_every_other_role(bot: BotHarness) -> None:
    people = await _people(bot)
    gated = [(kind, key, route) for kind, key, route in build_router().routes() if route.roles]
    assert {key for kind, key, _ in gated if kind == "command"} >= {"quahan", "chuabaocao"}
    checked = 0
    for kind, key, route in gated:
        for role, person in people.items():
            if role in route.roles or kind == "text":
                continue  # text routes are passed over, not refused: checked below
            if kind == "command":
                answer = await bot.say(f"/{key}", as_=person)
            elif kind == "callback":
                answer = await bot.press(f"{key}:1:a", as_=person)
            else:  # a dialog state only the bot sets; forged here straight in the database
                async with bot.uow() as uow:
                    dialogs = uow.conversations
                    dialog = dialogs.stage(
                        CHANNEL,
                        person.chat_id,
                        key,
                        {"report_id": 1},
                        bot.clock.now(),
                        row=await dialogs.get(CHANNEL, person.chat_id),
                    )
                    await uow.session.execute(*dialogs.write(dialog))
                    await uow.commit()
                answer = await bot.say("ghi chú", as_=person)
            assert [a.text for a in answer] == [t("chat.coordinator_only")], (kind, key, role)
            assert (await _handled_by(bot, person.chat_id))[-1] == "forbidden"
            checked += 1
    assert checked >= 8


async def test_plain_questions_go_by_role(bot: BotHarness) -> None:
    people = await _people(bot)
    for text in ("việc nào quá hạn", "tiến độ thế nào", "cơ quan nào chưa báo cáo"):
        for role, person in people.items():
            answer = await bot.say(text, as_=person)
            assert answer, (text, role)
            last = (await _handled_by(bot, person.chat_id))[-1]
            assert last == ("question" if role in OVERSEERS else "own_agency_question"), role
    # The focal point's answer is about their own agency, whatever they name.
    own = (await bot.say("việc nào quá hạn", as_=people["focal"]))[-1].text
    assert TTTT not in own
    other = (await bot.say(f"{TTTT} còn việc gì quá hạn?", as_=people["focal"]))[-1].text
    assert other == t("chat.coordinator_only")
    plan = (await bot.say("tiến độ thế nào", as_=people["coordinator"]))[-1].text
    assert plan.startswith("Tiến độ")


# --- 5. forged button data ---------------------------------------------------------------------


@pytest.mark.telegram_only("forged button data cannot be typed as a number")
async def test_forged_button_data_changes_nothing(bot: BotHarness) -> None:
    people = await _people(bot)
    focal, coordinator = people["focal"], people["coordinator"]
    ngoai_vu, _ = await bot.agency_named(NGOAI_VU)
    theirs = select(Assignment.task_id).where(Assignment.agency_id == ngoai_vu)
    async with bot.uow() as uow:  # a task Ngoại vụ neither leads nor supports
        other = await uow.session.scalar(
            select(Task.id).where(Task.id.not_in(theirs)).order_by(Task.id).limit(1)
        )
    assert other is not None
    stale = t("chat.stale_button")
    forged: list[tuple[Person, str, str]] = [
        (focal, f"tk:{other}", stale),  # another agency's task under a reminder button
        (focal, f"rp:{other}:d", stale),  # reporting it done
        (focal, "rp:abc:d", stale),
        (focal, "rp:1:zz", stale),
        (focal, "tk:", stale),
        (focal, f"pick:{other}", stale),  # no task choice was asked
        (focal, "st:d", stale),  # no status was asked
        (focal, "cf:y", stale),  # nothing to confirm
        (focal, "zz:1", stale),  # a prefix nobody registered
        (focal, "rp:💣:d" + "x" * 200, stale),
        (focal, "rv:1:a", t("chat.coordinator_only")),  # a coordinator's decision
        (focal, "ex:1:a", t("chat.coordinator_only")),
        (coordinator, "rv:999999:a", stale),  # no such report
        (coordinator, "ex:abc:a", stale),
        (coordinator, "rv", stale),
    ]
    for person, data, expected in forged:
        answer: list[Sent] = await bot.press(data, as_=person)
        assert [a.text for a in answer] == [expected], data
    assert await _count(bot, Report) == 0
    async with bot.uow() as uow:
        overrides = await uow.session.scalars(select(Task.deadline_override))
        assert set(overrides) == {None}
        states = await uow.session.scalars(select(Conversation.state))
        assert set(states) <= {None}


async def test_production_never_falls_back_to_the_demo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys
) -> None:
    # No token in production: an error, not the demo with its made-up people in the database.
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "real.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_URL", "ZALO_BOT_TOKEN", "ZALO_BOT_TOKENS"):
        monkeypatch.delenv(name, raising=False)
    code = await asyncio.to_thread(main, ["run", "--no-sample"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "Chưa cấu hình kênh chat nào" in err and "production never runs the demo" in err
    assert not database.exists()
