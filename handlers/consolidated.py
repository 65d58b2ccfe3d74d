"""/baocaotonghop [kỳ]: the coordinator gets the consolidated report's .docx and .xlsx in chat."""

from __future__ import annotations

from bot.channels.base import Attachment
from handlers.context import HandlerContext
from handlers.router import Router
from reports.build import ReportFiles, plan_data, report_files
from reports.period import PeriodError, default_period, parse_period
from texts import t

COORDINATOR = ("coordinator",)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_files(ctx: HandlerContext, files: ReportFiles, head: str) -> None:
    """The summary with the Word file, then the spreadsheet."""
    report = files.report
    n = report.tally
    rate = (
        t("chat.report.rate", percent=n.percent, done=n.on_time, due=n.due)
        if n.percent is not None
        else t("chat.report.no_rate")
    )
    text = t(
        "chat.report.summary",
        head=head,
        as_of=report.as_of.strftime("%d/%m/%Y"),
        total=n.total,
        rate=rate,
        overdue=n.cells["open_overdue"],
    )
    docx = Attachment("document", name=files.file_name("docx"), content=files.docx, mime_type=DOCX)
    ctx.reply(text, attachment=docx)
    if files.xlsx is not None:
        xlsx = Attachment(
            "document", name=files.file_name("xlsx"), content=files.xlsx, mime_type=XLSX
        )
        ctx.reply(t("chat.report.xlsx"), attachment=xlsx)


def register(router: Router) -> None:
    @router.command("baocaotonghop", roles=COORDINATOR)
    async def consolidated(ctx: HandlerContext) -> None:
        typed = ctx.message.args.strip()
        try:
            period = parse_period(typed) if typed else default_period(ctx.today())
        except PeriodError as exc:
            ctx.reply(str(exc))
            return
        plans = await ctx.uow.plans.list_all()
        if not plans:
            ctx.reply(t("chat.report.no_plan"))
            return
        plan = plans[0].plan  # the newest year's plan
        data = await plan_data(ctx.uow, plan.id)
        files = await report_files(data, period, ctx.today(), confirm_done=ctx.policy.confirm_done)
        head = t("chat.report.head", title=plan.title, period=period.label)
        send_files(ctx, files, head)
