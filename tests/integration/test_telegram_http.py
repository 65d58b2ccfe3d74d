"""The aiohttp transport under python-telegram-bot: calls, uploads, downloads and every failure."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.channels.telegram_http import AiohttpRequest
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_helpers import BOT_USERNAME, TELEGRAM_TOKEN

USER = 424242
SECRET_HALF = TELEGRAM_TOKEN.partition(":")[2]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI(TELEGRAM_TOKEN, bot_username=BOT_USERNAME) as api:
        yield api


@pytest.fixture
async def bot(fake: FakeTelegramAPI) -> AsyncIterator[Bot]:
    request = AiohttpRequest(secrets=[TELEGRAM_TOKEN, SECRET_HALF])
    async with Bot(
        TELEGRAM_TOKEN,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        request=request,
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    ) as started:
        yield started


class Stalling:
    """A local server whose answers never come until released: timeouts without sleeping."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.arrived = 0

    async def __aenter__(self) -> str:
        async def hold(request: web.Request) -> web.Response:
            self.arrived += 1
            await self.release.wait()
            return web.json_response({"ok": True, "result": True})

        app = web.Application()
        app.router.add_post("/{tail:.*}", hold)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def __aexit__(self, *exc: object) -> None:
        self.release.set()
        await self._runner.cleanup()


async def test_a_message_with_buttons_arrives_as_sent(fake: FakeTelegramAPI, bot: Bot) -> None:
    fake.user_sends(USER, "/start")  # the fake only writes to chats that wrote first
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Đúng", callback_data="ok:3.5")]])
    sent = await bot.send_message(
        USER, "Nhiệm vụ 3.5: hoàn thành. Đúng không ạ?", reply_markup=markup
    )

    [record] = fake.sent(USER)
    assert record["text"] == "Nhiệm vụ 3.5: hoàn thành. Đúng không ạ?"
    assert record["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ok:3.5"
    assert sent.message_id == record["message_id"]
    assert (await bot.get_me()).username == BOT_USERNAME


async def test_a_document_goes_up_as_multipart_and_comes_back_whole(
    fake: FakeTelegramAPI, bot: Bot
) -> None:
    fake.user_sends(USER, "/start")
    content = "Báo cáo kết quả thực hiện Kế hoạch".encode() * 500
    upload = InputFile(content, filename="Báo cáo quý II.docx")
    sent = await bot.send_document(USER, upload, caption="Dự thảo báo cáo tổng hợp")

    [record] = fake.sent(USER)
    assert record["caption"] == "Dự thảo báo cáo tổng hợp"
    assert record["document"]["file_name"] == "Báo cáo quý II.docx"
    assert sent.document is not None
    file = await bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_the_api_refusing_a_call_is_ptb_s_error_as_before(
    fake: FakeTelegramAPI, bot: Bot
) -> None:
    fake.user_sends(USER, "/start")
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(USER, "")


async def test_no_answer_within_the_read_timeout_is_timed_out() -> None:
    async with Stalling() as url:
        request = AiohttpRequest(read_timeout=0.05)
        await request.initialize()
        try:
            with pytest.raises(TimedOut):
                await request.post(f"{url}/bot{TELEGRAM_TOKEN}/getMe")
        finally:
            await request.shutdown()


async def test_waiting_for_a_free_connection_is_bounded_by_the_pool_timeout() -> None:
    stalling = Stalling()
    async with stalling as url:
        request = AiohttpRequest(
            connection_pool_size=1, pool_timeout=0.05, connect_timeout=0.05, read_timeout=None
        )
        await request.initialize()
        try:
            first = asyncio.create_task(request.post(f"{url}/bot{TELEGRAM_TOKEN}/getMe"))
            while stalling.arrived == 0:  # the only connection is now taken
                await asyncio.sleep(0)
            with pytest.raises(TimedOut, match="Pool timeout"):
                await request.post(f"{url}/bot{TELEGRAM_TOKEN}/getMe")
            stalling.release.set()
            assert await first is True
        finally:
            await request.shutdown()


async def test_a_refused_connection_is_a_network_error_without_the_token() -> None:
    # A port that was just free: nothing listens on it.
    probe = web.AppRunner(web.Application(), access_log=None)
    await probe.setup()
    site = web.TCPSite(probe, "127.0.0.1", 0)
    await site.start()
    port = probe.addresses[0][1]
    await probe.cleanup()

    request = AiohttpRequest(secrets=[TELEGRAM_TOKEN, SECRET_HALF])
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"http://127.0.0.1:{port}/bot{TELEGRAM_TOKEN}/sendMessage")
    finally:
        await request.shutdown()
    told = f"{caught.value.message} {caught.value.__cause__!r}"
    assert "aiohttp.ClientConnectorError" in told
    assert SECRET_HALF not in told


async def test_it_must_be_initialized_and_can_be_again_after_shutdown(
    fake: FakeTelegramAPI,
) -> None:
    request = AiohttpRequest()
    with pytest.raises(NetworkError, match="not initialized"):  # PTB wraps the RuntimeError
        await request.post(f"{fake.base_url}{TELEGRAM_TOKEN}/getMe")
    for _ in range(2):  # PTB initializes again after a shutdown (stop, then start)
        await request.initialize()
        me = await request.post(f"{fake.base_url}{TELEGRAM_TOKEN}/getMe")
        assert isinstance(me, dict) and me["username"] == BOT_USERNAME
        await request.shutdown()
    with pytest.raises(ValueError, match="at least 1"):
        AiohttpRequest(connection_pool_size=0)


async def test_a_call_without_files_goes_as_json_with_objects_as_json_text() -> None:
    """What the Bot API reads from a JSON body: the text as sent, the keyboard as JSON text."""
    seen: list[tuple[str, bytes]] = []

    async def capture(request: web.Request) -> web.Response:
        seen.append((request.content_type, await request.read()))
        message = {"message_id": 1, "date": 0, "chat": {"id": USER, "type": "private"}}
        return web.json_response({"ok": True, "result": message})

    app = web.Application()
    app.router.add_post("/{tail:.*}", capture)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    request = AiohttpRequest()
    await request.initialize()
    try:
        bot = Bot(
            TELEGRAM_TOKEN,
            base_url=f"http://127.0.0.1:{runner.addresses[0][1]}/bot",
            request=request,
            get_updates_request=AiohttpRequest(connection_pool_size=1),
        )
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Xác nhận", callback_data="c:7")]])
        await bot.send_message(USER, "Đã nhận ạ", reply_markup=markup)
    finally:
        await request.shutdown()
        await runner.cleanup()
    [(content_type, body)] = seen
    sent = json.loads(body)
    assert content_type == "application/json"
    assert sent["chat_id"] == str(USER) and sent["text"] == "Đã nhận ạ"
    assert json.loads(sent["reply_markup"])["inline_keyboard"][0][0]["text"] == "Xác nhận"
