"""The `nhacviec` command line: importing and showing plans, parsing time, running the service."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bot import cli_backup, cli_report, cli_rounds, cli_schedule, views
from bot.app import database_url, open_database
from bot.config import Settings
from bot.contacts import (
    ZALO_USERS_PER_BOT,
    ContactError,
    ContactSummary,
    ImportResult,
    Registered,
    import_contacts,
    least_loaded,
    list_contacts,
    read_contact_rows,
    register_contact,
    reissue_code,
    set_channel,
    telegram_link,
    zalo_bots,
)
from plans.documents import DocumentError
from plans.importer import import_plan
from plans.model import ImportedPlan
from plans.persist import load_plan, save_plan
from plans.samples import DEFAULT_SAMPLE
from plans.timegrammar import parse_time
from storage.channels import ZaloBotLoad, channel_family
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork
from texts import t


class UserError(Exception):
    """A problem the user can fix; printed in Vietnamese, exit code 2."""


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(t("cli.bad_date", value=value)) from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nhacviec", description="Nhắc việc theo kế hoạch")
    sub = parser.add_subparsers(dest="command", required=True)

    plan = sub.add_parser("plan", help="kế hoạch").add_subparsers(dest="plan_command",
                                                                   required=True)  # fmt: skip
    imp = plan.add_parser("import", help="đọc và lưu một kế hoạch")
    imp.add_argument("path")
    imp.add_argument("--year", type=int)
    imp.add_argument("--dry-run", action="store_true")
    imp.add_argument("--format", choices=("table", "json"), default="table")
    plan.add_parser("list", help="các kế hoạch đã lưu")
    show = plan.add_parser("show", help="xem một kế hoạch đã lưu")
    show.add_argument("plan_id", nargs="?", type=int)
    show.add_argument("--format", choices=("table", "json"), default="table")

    agencies = sub.add_parser("agencies", help="các cơ quan đã lưu")
    agencies.add_argument("--format", choices=("table", "json"), default="table")

    parse = sub.add_parser("parse", help="đọc thử").add_subparsers(dest="parse_command",
                                                                   required=True)  # fmt: skip
    ptime = parse.add_parser("time", help="đọc một biểu thức thời gian")
    ptime.add_argument("text")
    ptime.add_argument("--plan-year", type=int)
    ptime.add_argument("--today", type=_date)
    ptime.add_argument("--issued-on", type=_date)
    ptime.add_argument("--prefer", choices=("nearest", "future", "past"), default="nearest")

    contact = sub.add_parser("contact", help="người liên hệ của các cơ quan").add_subparsers(
        dest="contact_command", required=True
    )
    cadd = contact.add_parser("add", help="đăng ký một người và cấp mã liên kết")
    cadd.add_argument("--name", required=True)
    cadd.add_argument("--agency", required=True)
    # No `choices`: the Vietnamese role words are accepted too, and checked with a Vietnamese
    # message.
    cadd.add_argument("--role", required=True, metavar="focal|coordinator|leader")
    cadd.add_argument("--phone")
    cadd.add_argument("--deputy", action="store_true", help="đầu mối dự phòng, nhận thay khi nghỉ")
    cadd.add_argument("--format", choices=("table", "json"), default="table")
    cimp = contact.add_parser("import", help="đăng ký theo danh sách .xlsx hoặc .csv")
    cimp.add_argument("path")
    cimp.add_argument("--format", choices=("table", "json"), default="table")
    clist = contact.add_parser("list", help="những người đã đăng ký")
    clist.add_argument("--format", choices=("table", "json"), default="table")
    ccode = contact.add_parser("code", help="cấp mã liên kết mới cho một người")
    ccode.add_argument("contact_id", type=int)
    ccode.add_argument("--format", choices=("table", "json"), default="table")
    cchan = contact.add_parser(
        "channel", help="kênh nhận tin của một người (auto: kênh người đó nhắn gần nhất)"
    )
    cchan.add_argument("contact_id", type=int)
    # No `choices`: checked with a Vietnamese message.
    cchan.add_argument("channel", metavar="telegram|zalo|auto")

    preply = parse.add_parser("reply", help="đọc thử một câu trả lời báo cáo")
    preply.add_argument("text")
    preply.add_argument("--today", type=_date)

    telegram = sub.add_parser("telegram", help="Telegram").add_subparsers(
        dest="telegram_command", required=True
    )
    hook = telegram.add_parser("set-webhook", help="đăng ký TELEGRAM_WEBHOOK_URL với Telegram")
    hook.add_argument("--drop-pending", action="store_true")

    zalo = sub.add_parser("zalo", help="Zalo").add_subparsers(dest="zalo_command", required=True)
    zalo.add_parser("set-webhook", help="đăng ký ZALO_WEBHOOK_URL với Zalo cho từng bot")
    zalo.add_parser("delete-webhook", help="bỏ webhook của từng bot Zalo (để chạy long polling)")
    zalo.add_parser("info", help="thông tin từng bot Zalo (tên, webhook) và số người đã liên kết")

    db = sub.add_parser("db", help="cơ sở dữ liệu").add_subparsers(dest="db_command",
                                                                   required=True)  # fmt: skip
    db.add_parser("upgrade", help="áp dụng các bản nâng cấp cấu trúc")

    cli_schedule.add_parsers(sub)
    cli_backup.add_parsers(sub)
    cli_report.add_parsers(sub)
    cli_rounds.add_parsers(sub)

    run = sub.add_parser("run", help="chạy dịch vụ")
    run.add_argument("--sample", default=str(DEFAULT_SAMPLE), help=argparse.SUPPRESS)
    run.add_argument(
        "--web-chat", action="store_true", help="phục vụ cả trang chat (như WEB_CHAT=1)"
    )
    run.add_argument(
        "--no-sample",
        action="store_true",
        help="chạy thật: không nạp kế hoạch mẫu, không chạy chế độ trình diễn",
    )
    return parser


# ------------------------------------------------------------------ commands


async def _store(settings: Settings, plan: ImportedPlan) -> str:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        result = await save_plan(uow, plan, province=plan.province)
        await uow.commit()
    return t(
        "import.saved",
        title=plan.title,
        tasks=len(plan.tasks),
        added=result.tasks_added,
        updated=result.tasks_updated,
        deactivated=result.tasks_deactivated,
    )


def cmd_plan_import(args: argparse.Namespace, settings: Settings) -> int:
    plan = _read(args.path, args.year)
    if args.format == "json":
        views.print_json(plan.to_json())
    else:
        views.plan_table(plan)
    message = t("import.dry_run") if args.dry_run else asyncio.run(_store(settings, plan))
    print(message, file=sys.stderr if args.format == "json" else sys.stdout)
    return 0


def _read(path: str, year: int | None) -> ImportedPlan:
    try:
        return import_plan(path, year)
    except DocumentError as exc:
        raise UserError(str(exc)) from exc


async def _plans(settings: Settings) -> list[list[str]]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        return [
            [
                str(s.plan.id),
                s.plan.title,
                s.plan.number or "—",
                str(s.plan.year),
                str(s.active_tasks),
            ]
            for s in await uow.plans.list_all()
        ]


def cmd_plan_list(args: argparse.Namespace, settings: Settings) -> int:
    rows = asyncio.run(_plans(settings))
    if not rows:
        print(t("view.no_plans"))
        return 0
    views.simple_table(
        [
            t(f"view.col.{c}")
            for c in ("plan_id", "plan_title", "plan_number", "plan_year", "plan_tasks")
        ],
        rows,
    )
    return 0


async def _load(settings: Settings, plan_id: int | None) -> ImportedPlan | None:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        if plan_id is None:
            summaries = await uow.plans.list_all()
            if not summaries:
                return None
            plan_id = max(s.plan.id for s in summaries)
        if await uow.plans.get(plan_id) is None:
            return None
        return await load_plan(uow, plan_id)


def cmd_plan_show(args: argparse.Namespace, settings: Settings) -> int:
    plan = asyncio.run(_load(settings, args.plan_id))
    if plan is None:
        if args.plan_id is None:
            print(t("view.no_plans"))
            return 0
        raise UserError(t("view.plan_not_found", ref=args.plan_id))
    if args.format == "json":
        views.print_json(plan.to_json())
    else:
        views.plan_table(plan)
    return 0


async def _agencies(settings: Settings) -> list[dict[str, object]]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        return [
            {"name": a.name, "aliases": sorted(x.alias for x in a.aliases), "kind": a.kind}
            for a in await uow.agencies.list_all()
        ]


def cmd_agencies(args: argparse.Namespace, settings: Settings) -> int:
    agencies = asyncio.run(_agencies(settings))
    if args.format == "json":
        views.print_json(agencies)
        return 0
    if not agencies:
        print(t("view.no_agencies"))
        return 0
    views.simple_table(
        [t("view.col.agency"), t("view.col.aliases"), t("view.col.kind")],
        [
            [str(a["name"]), "; ".join(a["aliases"]), t(f"kind.{a['kind']}")]  # type: ignore[arg-type]
            for a in agencies
        ],
    )
    return 0


def cmd_parse_time(args: argparse.Namespace, settings: Settings) -> int:
    if not args.text.strip():
        raise UserError(t("cli.parse_time_empty"))
    schedule = parse_time(
        args.text,
        plan_year=args.plan_year,
        today=args.today,
        issued_on=args.issued_on,
        prefer=args.prefer,
    )
    views.print_json(schedule.to_json())
    return 0


def _local(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")


def _zalo_json(bot: ZaloBotLoad | None) -> dict[str, Any] | None:
    if bot is None:
        return None
    return {"bot_id": bot.bot_id, "name": bot.name, "channel": bot.channel, "linked": bot.linked}


def _registered_json(
    r: Registered, settings: Settings, bot: ZaloBotLoad | None = None
) -> dict[str, Any]:
    return {
        "contact_id": r.contact_id,
        "name": r.name,
        "agency": r.agency,
        "role": r.role,
        "code": r.code,
        "telegram_link": telegram_link(settings.telegram_bot_username, r.code),
        "zalo_bot": _zalo_json(bot),
        "expires_at": r.expires_at.astimezone(LOCAL_TZ).isoformat(),
    }


def _zalo_bot_label(bot: ZaloBotLoad) -> str:
    return f"«{bot.name}»" if bot.name else t("contact.zalo_bot_unnamed", bot_id=bot.bot_id)


def _zalo_line(code: str, bot: ZaloBotLoad | None) -> str:
    """How to link on Zalo: the bot to open (the least loaded one) and the code to send."""
    if bot is None:
        return t("contact.zalo_hint", code=code)
    return t("contact.zalo_bot", bot=_zalo_bot_label(bot), code=code)


def _zalo_full(bots: list[ZaloBotLoad]) -> bool:
    return bool(bots) and all(b.linked >= ZALO_USERS_PER_BOT for b in bots)


def _print_registered(
    r: Registered,
    settings: Settings,
    headline: str,
    bots: list[ZaloBotLoad] | None = None,
) -> None:
    print(
        t(
            headline,
            name=r.name,
            agency=r.agency,
            role=t(f"contact.role.{r.role}"),
            id=r.contact_id,
        )
    )
    print(t("contact.code_line", code=r.code, expires=_local(r.expires_at)))
    link = telegram_link(settings.telegram_bot_username, r.code)
    if link:
        print(t("contact.telegram_link", link=link))
    else:
        print(t("contact.telegram_no_username", code=r.code))
    bots = bots or []
    print(_zalo_line(r.code, least_loaded(bots)))
    if _zalo_full(bots):
        print(t("contact.zalo_full", limit=ZALO_USERS_PER_BOT))


async def _register(
    args: argparse.Namespace, settings: Settings
) -> tuple[Registered, list[ZaloBotLoad]]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        try:
            registered = await register_contact(
                uow,
                name=args.name,
                agency_name=args.agency,
                role=args.role,
                phone=args.phone,
                now=datetime.now(UTC),
                deputy=args.deputy,
            )
        except ContactError as exc:
            raise UserError(str(exc)) from exc
        bots = await zalo_bots(uow, settings.zalo_bot_tokens)
        await uow.commit()
    return registered, bots


def cmd_contact_add(args: argparse.Namespace, settings: Settings) -> int:
    registered, bots = asyncio.run(_register(args, settings))
    if args.format == "json":
        views.print_json(_registered_json(registered, settings, least_loaded(bots)))
    else:
        headline = "contact.registered_again" if registered.existing else "contact.registered"
        _print_registered(registered, settings, headline, bots)
    return 0


async def _import_contacts(path: str, settings: Settings) -> tuple[ImportResult, list[ZaloBotLoad]]:
    try:
        rows = read_contact_rows(path)
    except ContactError as exc:
        raise UserError(str(exc)) from exc
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        result = await import_contacts(uow, rows, now=datetime.now(UTC))
        bots = await zalo_bots(uow, settings.zalo_bot_tokens)
        await uow.commit()  # the good rows are kept even when others failed
    return result, bots


def _spread(result: ImportResult, bots: list[ZaloBotLoad]) -> list[ZaloBotLoad | None]:
    """A Zalo bot for each person of the list, spreading them over the least loaded bots."""
    handed_out: dict[str, int] = {}
    chosen: list[ZaloBotLoad | None] = []
    for _ in result.created:
        bot = least_loaded(bots, handed_out)
        if bot is not None:
            handed_out[bot.bot_id] = handed_out.get(bot.bot_id, 0) + 1
        chosen.append(bot)
    return chosen


def cmd_contact_import(args: argparse.Namespace, settings: Settings) -> int:
    result, bots = asyncio.run(_import_contacts(args.path, settings))
    spread = _spread(result, bots)
    if args.format == "json":
        views.print_json(
            {
                "created": [
                    {"row": row, **_registered_json(r, settings, bot)}
                    for (row, r), bot in zip(result.created, spread, strict=True)
                ],
                "errors": [{"row": e.row, "error": e.error} for e in result.errors],
            }
        )
    else:
        if result.created:
            columns = ["row", "id", "name", "agency", "role", "code", "expires", "link"]
            if bots:
                columns.append("zalo_bot")
            views.simple_table(
                [t(f"contact.col.{c}") for c in columns],
                [
                    [
                        str(row),
                        str(r.contact_id),
                        r.name,
                        r.agency,
                        t(f"contact.role.{r.role}"),
                        r.code,
                        _local(r.expires_at),
                        telegram_link(settings.telegram_bot_username, r.code) or t("view.none"),
                    ]
                    + ([_zalo_bot_label(bot)] if bot is not None else [])
                    for (row, r), bot in zip(result.created, spread, strict=True)
                ],
            )
            if not settings.telegram_bot_username:
                print(t("contact.telegram_no_username_many"))
            print(t("contact.zalo_bot_many" if bots else "contact.zalo_hint_many"))
            if bots and any(
                b.linked + sum(1 for x in spread if x is b) > ZALO_USERS_PER_BOT for b in bots
            ):
                print(t("contact.zalo_full", limit=ZALO_USERS_PER_BOT))
        for error in result.errors:
            print(t("contact.row_error", row=error.row, error=error.error), file=sys.stderr)
        print(t("contact.import_summary", created=len(result.created), failed=len(result.errors)))
    return 2 if result.errors else 0


async def _contacts(settings: Settings) -> list[ContactSummary]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        return await list_contacts(uow, datetime.now(UTC))


def _code_state(c: ContactSummary) -> str:
    if c.code_state == "unused" and c.code_expires_at:
        return t("contact.code.unused_until", expires=_local(c.code_expires_at))
    return t(f"contact.code.{c.code_state}")


def cmd_contact_list(args: argparse.Namespace, settings: Settings) -> int:
    contacts = asyncio.run(_contacts(settings))
    if args.format == "json":
        views.print_json(
            [
                {
                    "contact_id": c.contact_id,
                    "name": c.name,
                    "agency": c.agency,
                    "role": c.role,
                    "phone": c.phone,
                    "channels": c.channels,
                    "preferred_channel": c.preferred_channel,
                    "code_state": c.code_state,
                    "code_expires_at": (
                        c.code_expires_at.astimezone(LOCAL_TZ).isoformat()
                        if c.code_expires_at
                        else None
                    ),
                }
                for c in contacts
            ]
        )
        return 0
    if not contacts:
        print(t("contact.none"))
        return 0
    views.simple_table(
        [
            t(f"contact.col.{c}")
            for c in ("id", "name", "agency", "role", "phone", "channels", "code_state")
        ],
        [
            [
                str(c.contact_id),
                c.name,
                c.agency,
                t(f"contact.role.{c.role}"),
                c.phone or t("view.none"),
                _channels_cell(c),
                _code_state(c),
            ]
            for c in contacts
        ],
    )
    return 0


def _channels_cell(c: ContactSummary) -> str:
    cell = ", ".join(c.channels) or t("contact.not_linked")
    if c.preferred_channel:
        cell += " " + t("contact.prefers", channel=t(f"channel.{c.preferred_channel}"))
    return cell


async def _reissue(contact_id: int, settings: Settings) -> tuple[Registered, list[ZaloBotLoad]]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        try:
            registered = await reissue_code(uow, contact_id, datetime.now(UTC))
        except ContactError as exc:
            raise UserError(str(exc)) from exc
        bots = await zalo_bots(uow, settings.zalo_bot_tokens)
        await uow.commit()
    return registered, bots


def cmd_contact_code(args: argparse.Namespace, settings: Settings) -> int:
    registered, bots = asyncio.run(_reissue(args.contact_id, settings))
    if args.format == "json":
        views.print_json(_registered_json(registered, settings, least_loaded(bots)))
    else:
        _print_registered(registered, settings, "contact.code_reissued", bots)
    return 0


async def _set_channel(args: argparse.Namespace, settings: Settings) -> tuple[str, set[str]]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        try:
            contact, linked = await set_channel(uow, args.contact_id, args.channel)
        except ContactError as exc:
            raise UserError(str(exc)) from exc
        await uow.commit()
    return contact.name, {channel_family(c) for c in linked}


def cmd_contact_channel(args: argparse.Namespace, settings: Settings) -> int:
    name, families = asyncio.run(_set_channel(args, settings))
    choice = args.channel.strip().lower()
    if choice == "auto":
        print(t("contact.channel_auto", name=name))
    else:
        print(t("contact.channel_set", name=name, channel=t(f"channel.{choice}")))
        if choice not in families:
            print(t("contact.channel_not_linked", name=name, channel=t(f"channel.{choice}")))
    return 0


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    async def go() -> None:
        async with open_database(settings):
            pass

    asyncio.run(go())
    return 0


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    # Settings that cannot work are refused before anything touches the database.
    if settings.telegram_webhook_url and not settings.telegram_webhook_secret:
        # Without a secret anyone who finds the URL could post updates as any person.
        raise UserError(t("run.webhook_needs_secret"))
    if settings.log_format not in ("text", "json"):
        raise UserError(t("ops.bad_log_format", value=settings.log_format))
    if args.no_sample and not settings.chat_channels:
        # In production a missing token must not start the demo: its people would be added
        # to the real database.
        raise UserError(t("ops.no_channel_production"))
    # A first run has no plan yet: read the bundled sample so there is something to work on
    # (not in production, where the real plan is imported: --no-sample).
    if not args.no_sample and not asyncio.run(_plans(settings)):
        sample = Path(args.sample)
        print(t("run.sample_intro", name=sample.name, db=_redacted(database_url(settings))))
        plan = _read(str(sample), None)
        views.plan_table(plan)
        print(asyncio.run(_store(settings, plan)))
    _check_zalo(settings)
    try:
        if not settings.chat_channels:
            # No platform to talk on: the demo, so the whole job can still be seen.
            asyncio.run(_serve_demo(settings))
            return 0
        asyncio.run(_serve(settings, web_chat=args.web_chat or settings.web_chat))
    except OSError as exc:
        if _port_busy(exc):
            raise UserError(
                t("run.port_busy", host=settings.web_host, port=settings.web_port)
            ) from exc
        raise
    return 0


def _port_busy(exc: OSError) -> bool:
    import errno

    return exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL)


def zalo_bot_ids_of(settings: Settings) -> list[str]:
    from bot.contacts import zalo_bot_ids

    return zalo_bot_ids(settings.zalo_bot_tokens)


def _check_zalo(settings: Settings) -> None:
    """Zalo settings that cannot work, said before anything starts."""
    from bot.channels.zalo import SECRET_RE

    if not settings.zalo_bot_tokens:
        return
    for token in settings.zalo_bot_tokens:
        bot_id, colon, secret = token.partition(":")
        if not (bot_id and colon and secret):
            raise UserError(t("run.zalo_bad_token"))
    if settings.zalo_webhook_url:
        secret = settings.zalo_webhook_secret
        if not secret or not SECRET_RE.fullmatch(secret):
            # Without a secret anyone who finds the URL could post messages as any person.
            raise UserError(t("run.zalo_webhook_needs_secret"))


async def _serve(settings: Settings, *, web_chat: bool) -> None:
    from bot.banner import live_banner
    from bot.logs import configure_logging
    from bot.service import build_service, run_until_stopped

    configure_logging(settings.log_format, settings.log_level, _secrets(settings))
    async with open_database(settings) as sessions:
        service = build_service(
            sessions,
            telegram_token=settings.telegram_bot_token,
            telegram_api_url=settings.telegram_api_url,
            telegram_webhook_url=settings.telegram_webhook_url,
            telegram_webhook_secret=settings.telegram_webhook_secret,
            zalo_tokens=settings.zalo_bot_tokens,
            zalo_api_url=settings.zalo_api_url,
            zalo_webhook_url=settings.zalo_webhook_url,
            zalo_webhook_secret=settings.zalo_webhook_secret,
            public_base_url=settings.public_base_url,
            host=settings.web_host,
            port=settings.web_port,
            reminders=True,
            web_chat=web_chat,
            web=True,  # /healthz and /metrics in polling mode too
        )

        async def started() -> None:
            telegram = None
            if settings.telegram_bot_token:
                mode = "webhook" if settings.telegram_webhook_url else "polling"
                print(t(f"run.telegram_{mode}", url=settings.telegram_webhook_url or ""))
                telegram = (
                    f"webhook {settings.telegram_webhook_url}"
                    if settings.telegram_webhook_url
                    else "long polling"
                )
            if settings.zalo_bot_tokens:
                mode = "webhook" if settings.zalo_webhook_url else "polling"
                count = len(zalo_bot_ids_of(settings))
                print(t(f"run.zalo_{mode}", count=count, url=settings.zalo_webhook_url or ""))
            print(live_banner(telegram=telegram, web_url=service.url if web_chat else None))
            sys.stdout.flush()

        await run_until_stopped(service, started)


async def _serve_demo(settings: Settings) -> None:
    """Demo mode: the web chat with demo people linked, on a clock the page can move."""
    from bot.banner import demo_banner
    from bot.demo import build_demo
    from bot.service import run_until_stopped
    from scheduler.clock import local_now

    async with open_database(settings) as sessions:
        demo = await build_demo(sessions, host=settings.web_host, port=settings.web_port)

        async def started() -> None:
            summaries = await _plans(settings)
            print(
                demo_banner(
                    url=demo.service.url,
                    plan=summaries[-1][1] if summaries else "",
                    db=_redacted(database_url(settings)),
                    names=[p.name for p in demo.people],
                    today=local_now(demo.clock).strftime("%d/%m/%Y %H:%M"),
                )
            )
            sys.stdout.flush()

        await run_until_stopped(demo.service, started)


def _secrets(settings: Settings) -> list[str | None]:
    """What must never reach a log line: tokens, the webhook secret, the database password."""
    from sqlalchemy.engine import make_url

    password = make_url(database_url(settings)).password
    return [settings.telegram_bot_token, settings.telegram_webhook_secret, password]


def cmd_telegram_set_webhook(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.telegram import TelegramChannel

    if not settings.telegram_bot_token or not settings.telegram_webhook_url:
        raise UserError(t("run.webhook_needs_settings"))

    async def go() -> None:
        channel = TelegramChannel(
            settings.telegram_bot_token or "",
            api_url=settings.telegram_api_url,
            webhook_url=settings.telegram_webhook_url,
            webhook_secret=settings.telegram_webhook_secret,
        )
        try:
            await channel.set_webhook(drop_pending_updates=args.drop_pending)
        finally:
            await channel.stop()

    asyncio.run(go())
    print(t("run.webhook_set", url=settings.telegram_webhook_url))
    return 0


def _zalo_channels(settings: Settings, *, webhook: bool) -> list[Any]:
    from bot.channels.zalo import ZaloChannel, webhook_url_for
    from bot.contacts import zalo_bot_ids

    if not settings.zalo_bot_tokens:
        raise UserError(t("run.zalo_needs_token"))
    _check_zalo(settings)
    if webhook and not settings.zalo_webhook_url:
        raise UserError(t("run.zalo_webhook_needs_settings"))
    channels = []
    for bot_id in zalo_bot_ids(settings.zalo_bot_tokens):
        token = next(tok for tok in settings.zalo_bot_tokens if tok.startswith(bot_id + ":"))
        url = webhook_url_for(settings.zalo_webhook_url, bot_id) if webhook else None
        secret = settings.zalo_webhook_secret if webhook else None
        channel = ZaloChannel(
            token, api_url=settings.zalo_api_url, webhook_url=url, webhook_secret=secret
        )
        channels.append(channel)
    return channels


async def _close_all(channels: list[Any]) -> None:
    for channel in channels:
        await channel.stop()


def _zalo_call(settings: Settings, action: str) -> list[tuple[Any, Any]]:
    """Run `action` ("set", "delete" or "describe") on every configured bot: (channel, result)."""
    from bot.channels.base import ChannelError

    channels = _zalo_channels(settings, webhook=action == "set")

    async def go() -> list[tuple[Any, Any]]:
        results = []
        try:
            for channel in channels:
                method = {
                    "set": channel.set_webhook,
                    "delete": channel.delete_webhook,
                    "describe": channel.describe,
                }[action]
                try:
                    results.append((channel, await method()))
                except ChannelError as exc:
                    results.append((channel, exc))
        finally:
            await _close_all(channels)
        return results

    return asyncio.run(go())


def cmd_zalo_set_webhook(args: argparse.Namespace, settings: Settings) -> int:
    failed = 0
    for channel, result in _zalo_call(settings, "set"):
        if isinstance(result, Exception):
            failed += 1
            print(t("run.zalo_bot_failed", bot_id=channel.bot_id, error=result), file=sys.stderr)
        else:
            print(t("run.zalo_webhook_set", bot_id=channel.bot_id, url=channel.webhook_url))
    return 2 if failed else 0


def cmd_zalo_delete_webhook(args: argparse.Namespace, settings: Settings) -> int:
    failed = 0
    for channel, result in _zalo_call(settings, "delete"):
        if isinstance(result, Exception):
            failed += 1
            print(t("run.zalo_bot_failed", bot_id=channel.bot_id, error=result), file=sys.stderr)
        else:
            print(t("run.zalo_webhook_deleted", bot_id=channel.bot_id))
    return 2 if failed else 0


async def _remember_zalo_names(settings: Settings, named: dict[str, str]) -> list[ZaloBotLoad]:
    async with open_database(settings) as sessions, UnitOfWork(sessions) as uow:
        bots = await zalo_bots(uow, settings.zalo_bot_tokens)
        for bot_id, name in named.items():
            await uow.zalo_bots.set_name(bot_id, name)
        await uow.commit()
    return bots


def cmd_zalo_info(args: argparse.Namespace, settings: Settings) -> int:
    results = _zalo_call(settings, "describe")
    named = {
        c.bot_id: c.display_name
        for c, r in results
        if not isinstance(r, Exception) and c.display_name
    }
    loads = {b.bot_id: b for b in asyncio.run(_remember_zalo_names(settings, named))}
    failed = 0
    for channel, result in results:
        load = loads.get(channel.bot_id)
        linked = load.linked if load else 0
        name = load.channel if load else "?"
        if isinstance(result, Exception):
            failed += 1
            print(t("run.zalo_bot_failed", bot_id=channel.bot_id, error=result), file=sys.stderr)
            continue
        me, hook = result["me"], result["webhook"]
        print(
            t(
                "run.zalo_info",
                bot_id=channel.bot_id,
                name=me.get("display_name") or me.get("account_name") or "?",
                account=me.get("account_type") or "?",
                channel=name,
                webhook=hook.get("url") or t("run.zalo_no_webhook"),
                linked=linked,
                limit=ZALO_USERS_PER_BOT,
            )
        )
    return 2 if failed else 0


def cmd_parse_reply(args: argparse.Namespace, settings: Settings) -> int:
    from plans.replies import read_reply

    reading = read_reply(args.text, args.today or date.today())
    data = reading.to_json()
    views.print_json(
        {k: data.get(k) for k in ("status", "percent", "date", "date_role", "reason", "confidence")}
        | {"task_code": data.get("task_code")}
    )
    return 0


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


COMMANDS = {
    ("plan", "import"): cmd_plan_import,
    ("plan", "list"): cmd_plan_list,
    ("plan", "show"): cmd_plan_show,
    ("agencies", None): cmd_agencies,
    ("contact", "add"): cmd_contact_add,
    ("contact", "import"): cmd_contact_import,
    ("contact", "list"): cmd_contact_list,
    ("contact", "code"): cmd_contact_code,
    ("contact", "channel"): cmd_contact_channel,
    ("parse", "time"): cmd_parse_time,
    ("db", "upgrade"): cmd_db_upgrade,
    ("run", None): cmd_run,
    ("parse", "reply"): cmd_parse_reply,
    ("telegram", "set-webhook"): cmd_telegram_set_webhook,
    ("zalo", "set-webhook"): cmd_zalo_set_webhook,
    ("zalo", "delete-webhook"): cmd_zalo_delete_webhook,
    ("zalo", "info"): cmd_zalo_info,
    **cli_schedule.COMMANDS,
    **cli_backup.COMMANDS,
    **cli_report.COMMANDS,
    **cli_rounds.COMMANDS,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sub = getattr(args, f"{args.command}_command", None)
    settings = Settings.load()
    try:
        return COMMANDS[(args.command, sub)](args, settings)
    except (
        UserError,
        cli_schedule.ScheduleCommandError,
        cli_backup.BackupCommandError,
        cli_report.ReportCommandError,
    ) as exc:
        print(t("cli.error", message=exc), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
