"""The demo in a real headless browser (Debian's chromium): the page a person sees and uses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.demo import build_demo
from plans.importer import import_plan
from plans.persist import save_plan
from plans.samples import DEFAULT_SAMPLE
from storage.db import session_factory
from storage.uow import UnitOfWork
from tests.conftest import DB_KIND
from tests.fakes.web_client import running

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PHONE = {"width": 360, "height": 740}
WAIT_MS = 20_000  # how long an expectation waits for the page (it polls, never sleeps blind)

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)",
)


async def _fonts_for(page, selector: str, index: int = -1) -> list[dict]:
    """The platform fonts Chromium used to draw the text in the matching element (via CDP)."""
    cdp = await page.context.new_cdp_session(page)
    await cdp.send("DOM.enable")
    await cdp.send("CSS.enable")
    root = await cdp.send("DOM.getDocument", {"depth": -1})
    found = await cdp.send(
        "DOM.querySelectorAll", {"nodeId": root["root"]["nodeId"], "selector": selector}
    )
    node = found["nodeIds"][index]
    fonts = await cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})
    await cdp.detach()
    return fonts["fonts"]


async def test_a_focal_point_and_the_coordinator_in_the_browser(
    db_engine: AsyncEngine, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    sessions = session_factory(db_engine)
    async with UnitOfWork(sessions) as uow:
        plan = import_plan(DEFAULT_SAMPLE)
        await save_plan(uow, plan, province=plan.province)
        await uow.commit()
    demo = await build_demo(sessions, port=0, web_files=tmp_path / "files")
    ARTIFACTS.mkdir(exist_ok=True)
    shots = {name: ARTIFACTS / f"webchat-{DB_KIND}-{name}.png" for name in ("focal", "coordinator")}

    async with running(demo.service) as service, async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM))
        try:
            context = await browser.new_context(viewport=PHONE, locale="vi-VN")
            page = await context.new_page()
            await page.goto(service.url)
            messages = page.locator("#messages")
            clock = page.locator("#clock-label")
            await expect(clock).to_contain_text("Thứ Sáu, 22/06/2018", timeout=WAIT_MS)

            # Pick a focal point: their chat opens with the welcome the linking gave them.
            await page.select_option("#person", "demo-focal-3")
            await expect(page.locator("body")).to_have_attribute(
                "data-ready", "demo-focal-3", timeout=WAIT_MS
            )
            await expect(messages).to_contain_text(
                "Xin chào anh/chị Hoàng Minh Đức", timeout=WAIT_MS
            )
            await expect(page.locator("#subtitle")).to_have_text("cán bộ đầu mối · Sở Ngoại vụ")

            # The clock jumps a working day: the reminder arrives without a reload.
            await page.get_by_role("button", name="Sang ngày làm việc tiếp theo").click()
            await expect(clock).to_contain_text("Thứ Hai, 25/06/2018", timeout=WAIT_MS)
            await expect(messages).to_contain_text(
                "Kính gửi anh/chị Hoàng Minh Đức (Sở Ngoại vụ), nhắc việc ngày 25/06/2018",
                timeout=WAIT_MS,
            )
            reminder = page.locator(".msg.bot", has_text="nhắc việc ngày 25/06/2018")
            await expect(reminder.get_by_role("button", name="Đang thực hiện")).to_be_visible()

            # A reply in a few words, repeated back for a yes, confirmed with the button.
            await page.locator("#text").fill("dang lam 70%")
            await page.locator("#text").press("Enter")
            await expect(messages).to_contain_text(
                "Nhiệm vụ 5.1: đang thực hiện 70%. Đúng không ạ?", timeout=WAIT_MS
            )
            question = page.locator(".msg.bot", has_text="Đúng không ạ?")
            await question.get_by_role("button", name="Đúng").click()
            await expect(messages).to_contain_text("Đã chọn: Đúng", timeout=WAIT_MS)
            await expect(messages).to_contain_text(
                "Đã ghi nhận tiến độ nhiệm vụ 5.1", timeout=WAIT_MS
            )
            await expect(question.get_by_role("button", name="Đúng")).to_be_disabled()
            # Every Vietnamese letter is drawn by one font of the page's stack (no fallback
            # font patched in for missing diacritics).
            fonts = await _fonts_for(page, ".msg.bot .text")
            assert len(fonts) == 1, fonts
            await page.screenshot(path=str(shots["focal"]))

            # The same conversation comes back from the database after a reload.
            await page.reload()
            await expect(page.locator("body")).to_have_attribute(
                "data-ready", "demo-focal-3", timeout=WAIT_MS
            )
            await expect(messages).to_contain_text("dang lam 70%")
            await expect(messages).to_contain_text("Đã ghi nhận tiến độ nhiệm vụ 5.1")

            # The coordinator asks who is late.
            await page.select_option("#person", "demo-coordinator")
            await expect(page.locator("body")).to_have_attribute(
                "data-ready", "demo-coordinator", timeout=WAIT_MS
            )
            await expect(messages).not_to_contain_text("dang lam 70%")
            # The escalation of the first day names the command as a link to tap.
            await expect(page.locator("a.cmd", has_text="/quahan").first).to_be_visible()
            await page.locator("#text").fill("/quahan")
            await page.get_by_role("button", name="Gửi").click()
            await expect(messages).to_contain_text("Tính đến 25/06/2018:", timeout=WAIT_MS)
            answer = page.locator(".msg.bot", has_text="Tính đến 25/06/2018:")
            await expect(answer).to_contain_text("nhiệm vụ quá hạn")
            await expect(answer).to_contain_text("Sở Thông tin và Truyền thông")
            await expect(answer).to_contain_text("• 1.1 — Xây dựng Kế hoạch Thông tin đối ngoại")
            fonts = await _fonts_for(page, ".msg.bot .text")
            assert len(fonts) == 1, fonts
            await page.screenshot(path=str(shots["coordinator"]))
        finally:
            await browser.close()
    for path in shots.values():
        assert path.stat().st_size > 10_000
        print(f"screenshot: {path}", file=os.sys.stderr)
