"""The fake Telegram Bot API refuses what Telegram refuses, spoken to with plain HTTP."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_helpers import TELEGRAM_TOKEN

pytest_plugins = ["tests.fakes.conftest_telegram"]

USER = 501


class Api:
    """Raw Bot API calls: (HTTP status, decoded JSON body)."""

    def __init__(self, http: aiohttp.ClientSession, fake: FakeTelegramAPI) -> None:
        self.http = http
        self.fake = fake

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        form: dict[str, Any] | aiohttp.FormData | None = None,
        token: str = TELEGRAM_TOKEN,
        verb: str = "POST",
    ) -> tuple[int, dict[str, Any]]:
        url = f"{self.fake.base_url}{token}/{method}"
        if verb == "GET":
            request = self.http.get(url, params=params)
        elif form is not None:
            request = self.http.post(url, data=form)
        else:
            request = self.http.post(url, json=params or {})
        async with request as response:
            return response.status, await response.json(content_type=None)

    async def ok(self, method: str, params: dict[str, Any] | None = None, **kw: Any) -> Any:
        status, body = await self.call(method, params, **kw)
        assert (status, body["ok"]) == (200, True), body
        return body["result"]

    async def refused(
        self, method: str, params: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[int, str]:
        status, body = await self.call(method, params, **kw)
        assert body["ok"] is False and body["error_code"] == status, body
        return status, body["description"]


@pytest.fixture
async def api(fake_telegram: FakeTelegramAPI) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as http:
        yield Api(http, fake_telegram)


def keyboard(*buttons: dict[str, Any]) -> dict[str, Any]:
    return {"inline_keyboard": [list(buttons)]}


async def test_token_and_method_are_checked(api: Api) -> None:
    assert await api.refused("getMe", token="7012345678:AAHwrong") == (401, "Unauthorized")
    assert await api.refused("sendSticker") == (404, "Not Found")
    me = await api.ok("getMe")
    assert me["is_bot"] is True and me["username"] == "nhacviec_bot"
    assert me["id"] == 7012345678
    # Method names are case-insensitive, and GET with a query string works as well.
    assert (await api.ok("GETME", verb="GET"))["id"] == me["id"]


async def test_send_message_limits(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    assert await api.refused("sendMessage", {"chat_id": USER, "text": "chào"}) == (
        400,
        "Bad Request: chat not found",
    )
    fake_telegram.user_sends(USER, "/start")

    exact = await api.ok("sendMessage", {"chat_id": USER, "text": "a" * 4096})
    assert exact["chat"]["id"] == USER and exact["from"]["is_bot"] is True
    assert isinstance(exact["date"], int) and exact["date"] < 10**11  # seconds, not ms
    assert await api.refused("sendMessage", {"chat_id": USER, "text": "a" * 4097}) == (
        400,
        "Bad Request: message is too long",
    )
    # Counted in UTF-16 units after trimming: 2048 emoji fit, 2049 do not, spaces do not count.
    await api.ok("sendMessage", {"chat_id": USER, "text": "  " + "😀" * 2048 + "\n"})
    assert (await api.refused("sendMessage", {"chat_id": USER, "text": "😀" * 2049}))[0] == 400
    assert await api.refused("sendMessage", {"chat_id": USER, "text": " \n "}) == (
        400,
        "Bad Request: message text is empty",
    )
    assert [m["text"][:3] for m in fake_telegram.sent(USER)] == ["aaa", "😀😀😀"]
    assert [m["message_id"] for m in fake_telegram.sent(USER)] == [2, 3]  # after the user's 1


async def test_inline_keyboard_is_validated(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    fake_telegram.user_sends(USER, "/start")
    send = {"chat_id": USER, "text": "chọn"}

    await api.ok(
        "sendMessage", {**send, "reply_markup": keyboard({"text": "A", "callback_data": "ê" * 32})}
    )
    await api.ok(
        "sendMessage", {**send, "reply_markup": keyboard({"text": "Web", "url": "https://t.me/x"})}
    )
    for bad, why in [
        ({"text": "A", "callback_data": "x" * 65}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "A", "callback_data": "ê" * 33}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "A", "callback_data": ""}, "Bad Request: BUTTON_DATA_INVALID"),
        ({"text": "A"}, "Text buttons are unallowed"),
        ({"text": "", "callback_data": "x"}, "Text must be non-empty"),
        ({"text": "A", "callback_data": "x", "url": "https://t.me/x"}, "exactly one of"),
        ({"text": "A", "url": "not a url"}, "is invalid"),
    ]:
        status, description = await api.refused(
            "sendMessage", {**send, "reply_markup": keyboard(bad)}
        )
        assert status == 400 and why in description, (bad, description)
    # PTB's way: urlencoded form with the markup as a JSON string.
    form = {**send, "reply_markup": json.dumps(keyboard({"text": "A", "callback_data": "x" * 65}))}
    assert await api.refused("sendMessage", form=form) == (400, "Bad Request: BUTTON_DATA_INVALID")
    assert len(fake_telegram.sent(USER)) == 2


async def test_replies_must_point_at_a_message(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    asked = fake_telegram.user_sends(USER, "câu hỏi")
    answer = await api.ok(
        "sendMessage",
        {"chat_id": USER, "text": "trả lời", "reply_parameters": {"message_id": asked}},
    )
    assert answer["reply_to_message"]["text"] == "câu hỏi"
    assert await api.refused(
        "sendMessage", {"chat_id": USER, "text": "x", "reply_to_message_id": 99}
    ) == (400, "Bad Request: message to be replied not found")
    lenient = {"message_id": 99, "allow_sending_without_reply": True}
    await api.ok("sendMessage", {"chat_id": USER, "text": "x", "reply_parameters": lenient})
    assert [m["reply_to"] for m in fake_telegram.sent(USER)] == [asked, None]


async def test_blocked_and_deactivated(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    fake_telegram.user_sends(USER, "/start")
    fake_telegram.block(USER)
    assert await api.refused("sendMessage", {"chat_id": USER, "text": "x"}) == (
        403,
        "Forbidden: bot was blocked by the user",
    )
    fake_telegram.user_sends(USER, "/start")  # writing again unblocks, as "Restart" does
    await api.ok("sendMessage", {"chat_id": USER, "text": "x"})
    fake_telegram.deactivate(USER)
    assert await api.refused("sendChatAction", {"chat_id": USER, "action": "typing"}) == (
        403,
        "Forbidden: user is deactivated",
    )


async def test_injected_failures(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    fake_telegram.user_sends(USER, "/start")
    fake_telegram.fail_next("sendMessage", 429, retry_after=12)
    status, body = await api.call("sendMessage", {"chat_id": USER, "text": "x"})
    assert (status, body) == (
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 12",
            "parameters": {"retry_after": 12},
        },
    )
    fake_telegram.fail_next("*", 500, after=1)
    await api.ok("getMe")
    assert await api.refused("getMe") == (500, "Internal Server Error")
    await api.ok("getMe")

    fake_telegram.fail_next("getMe", 502)
    async with api.http.post(f"{fake_telegram.base_url}{TELEGRAM_TOKEN}/getMe") as response:
        assert response.status == 502 and response.content_type == "text/html"
        assert "502 Bad Gateway" in await response.text()


async def test_flood_limits_over_a_sliding_window(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    for user in (1, 2, 3):
        fake_telegram.user_sends(user, "/start")
    fake_telegram.enforce_rate(per_second_total=2, per_chat_per_second=1)

    await api.ok("sendMessage", {"chat_id": 1, "text": "x"})
    status, body = await api.call("sendMessage", {"chat_id": 1, "text": "x"})
    assert (status, body["parameters"]) == (429, {"retry_after": 1})
    await api.ok("sendMessage", {"chat_id": 2, "text": "x"})
    assert (await api.refused("sendMessage", {"chat_id": 3, "text": "x"}))[0] == 429
    assert [(t["chat_id"], t["retry_after"]) for t in fake_telegram.throttled] == [(1, 1), (3, 1)]

    fake_telegram.enforce_rate(None, None)
    await api.ok("sendMessage", {"chat_id": 3, "text": "x"})


async def test_long_polling_offsets_and_conflicts(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    assert await api.ok("getUpdates", {"timeout": 0}) == []

    waiting = asyncio.create_task(api.call("getUpdates", {"timeout": 20}))
    await fake_telegram.wait_for(lambda: any(m == "getUpdates" for m, _ in api.fake.requests[1:]))
    message_id = fake_telegram.user_sends(USER, "dậy đi")
    status, body = await asyncio.wait_for(waiting, 5)  # long before the 20 s poll timeout
    assert status == 200
    (update,) = body["result"]
    assert update["message"]["text"] == "dậy đi"
    assert update["message"]["message_id"] == message_id
    assert update["message"]["from"]["is_bot"] is False

    # Not confirmed yet: returned again; an offset past it confirms it.
    again = await api.ok("getUpdates", {"offset": update["update_id"]})
    assert [u["update_id"] for u in again] == [update["update_id"]]
    assert await api.ok("getUpdates", {"offset": update["update_id"] + 1}) == []
    assert fake_telegram.pending_updates == []

    # A second poller ends the first, as when two bot instances run on one token.
    first = asyncio.create_task(api.call("getUpdates", {"timeout": 20}))
    await fake_telegram.wait_for(lambda: sum(m == "getUpdates" for m, _ in api.fake.requests) >= 5)
    assert await api.ok("getUpdates", {"timeout": 0}) == []
    status, body = await asyncio.wait_for(first, 5)
    assert status == 409 and body["description"].startswith("Conflict: terminated by other")


async def test_webhook_delivery_and_polling_conflict(
    api: Api, fake_telegram: FakeTelegramAPI
) -> None:
    received: list[tuple[dict[str, Any], str | None]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append(
            (await request.json(), request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        )
        return web.Response(status=200 if len(received) == 1 else 500)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    try:
        assert await api.refused("setWebhook", {"url": "http://bot.example.gov.vn/hook"}) == (
            400,
            "Bad Request: bad webhook: An HTTPS URL must be provided for webhook",
        )
        assert await api.refused("setWebhook", {"url": url, "secret_token": "có dấu"}) == (
            400,
            "Bad Request: secret token contains unallowed characters",
        )
        assert await api.ok("setWebhook", {"url": url, "secret_token": "s3cret_-X"}) is True
        status, description = await api.refused("getUpdates")
        assert (status, description) == (
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook "
            "to delete the webhook first",
        )

        fake_telegram.user_sends(USER, "một")
        fake_telegram.user_sends(USER, "hai")
        await fake_telegram.wait_for(lambda: len(fake_telegram.webhook_deliveries) == 2)
        assert [(body["message"]["text"], secret) for body, secret in received] == [
            ("một", "s3cret_-X"),
            ("hai", "s3cret_-X"),
        ]
        assert [d["status"] for d in fake_telegram.webhook_deliveries] == [200, 500]
        info = await api.ok("getWebhookInfo")
        assert info["url"] == url and info["pending_update_count"] == 0
        assert info["last_error_message"] == "Wrong response from the webhook: 500"

        assert await api.ok("deleteWebhook", {"drop_pending_updates": True}) is True
        assert (await api.ok("getWebhookInfo"))["url"] == ""
        assert await api.ok("getUpdates") == []
    finally:
        await runner.cleanup()


async def test_edit_and_callback_rules(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    said = fake_telegram.user_sends(USER, "/start")
    markup = keyboard({"text": "Xong", "callback_data": "done:1"})
    sent = await api.ok(
        "sendMessage", {"chat_id": USER, "text": "xong chưa?", "reply_markup": markup}
    )
    target = {"chat_id": USER, "message_id": sent["message_id"]}

    with pytest.raises(ValueError, match="offers no button"):
        fake_telegram.user_presses(USER, sent["message_id"], "other")
    query_id = fake_telegram.user_presses(USER, sent["message_id"], "done:1")
    update = fake_telegram.pending_updates[-1]
    assert update["callback_query"]["id"] == query_id
    assert update["callback_query"]["chat_instance"]
    assert update["callback_query"]["message"]["reply_markup"] == markup
    await api.ok("answerCallbackQuery", {"callback_query_id": query_id, "text": "ok"})
    status, description = await api.refused("answerCallbackQuery", {"callback_query_id": query_id})
    assert status == 400 and "query is too old" in description

    same = {**target, "text": "xong chưa?", "reply_markup": markup}
    status, description = await api.refused("editMessageText", same)
    assert status == 400 and description.startswith("Bad Request: message is not modified")
    edited = await api.ok("editMessageText", {**target, "text": "đã xong"})
    assert edited["text"] == "đã xong" and "reply_markup" not in edited
    assert fake_telegram.sent(USER)[0]["edits"] == ["xong chưa?"]
    assert await api.refused(
        "editMessageText", {"chat_id": USER, "message_id": said, "text": "x"}
    ) == (
        400,
        "Bad Request: message can't be edited",
    )
    assert await api.refused(
        "editMessageText", {"chat_id": USER, "message_id": 77, "text": "x"}
    ) == (
        400,
        "Bad Request: message to edit not found",
    )
    restored = await api.ok("editMessageReplyMarkup", {**target, "reply_markup": markup})
    assert restored["reply_markup"] == markup


async def test_files_upload_and_download(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    fake_telegram.user_sends(USER, "/start")
    form = aiohttp.FormData()
    form.add_field("chat_id", str(USER))
    form.add_field("caption", "Báo cáo")
    form.add_field("document", b"noi dung", filename="bao-cao.txt", content_type="text/plain")
    sent = await api.ok("sendDocument", form=form)
    document = sent["document"]
    assert (document["file_name"], document["mime_type"], document["file_size"]) == (
        "bao-cao.txt",
        "text/plain",
        8,
    )

    file = await api.ok("getFile", {"file_id": document["file_id"]})
    async with api.http.get(
        f"{fake_telegram.base_file_url}{TELEGRAM_TOKEN}/{file['file_path']}"
    ) as r:
        assert (r.status, await r.read()) == (200, b"noi dung")
    async with api.http.get(f"{fake_telegram.base_file_url}wrong/{file['file_path']}") as r:
        assert r.status == 404

    # The same file again by file_id, without uploading.
    resent = await api.ok("sendDocument", {"chat_id": USER, "document": document["file_id"]})
    assert resent["document"]["file_id"] == document["file_id"]
    assert await api.refused("sendDocument", {"chat_id": USER, "document": "nonsense"}) == (
        400,
        "Bad Request: wrong file identifier/HTTP URL specified",
    )
    assert await api.refused("sendDocument", {"chat_id": USER}) == (
        400,
        "Bad Request: there is no document in the request",
    )
    long_caption = aiohttp.FormData()
    long_caption.add_field("chat_id", str(USER))
    long_caption.add_field("caption", "c" * 1025)
    long_caption.add_field("document", b"x", filename="x.txt")
    assert await api.refused("sendDocument", form=long_caption) == (
        400,
        "Bad Request: message caption is too long",
    )
    junk_photo = aiohttp.FormData()
    junk_photo.add_field("chat_id", str(USER))
    junk_photo.add_field("photo", b"not an image", filename="a.jpg")
    assert await api.refused("sendPhoto", form=junk_photo) == (
        400,
        "Bad Request: IMAGE_PROCESS_FAILED",
    )
    assert await api.refused("getFile", {"file_id": "nope"}) == (
        400,
        "Bad Request: invalid file_id",
    )
    assert [m["method"] for m in fake_telegram.sent(USER)] == ["sendDocument", "sendDocument"]


async def test_commands_chat_and_actions(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    commands = [{"command": "quahan", "description": "Nhiệm vụ quá hạn"}]
    assert await api.ok("setMyCommands", {"commands": commands}) is True
    assert await api.ok("getMyCommands") == commands
    assert await api.refused(
        "setMyCommands", {"commands": [{"command": "Qua-Han", "description": "x"}]}
    ) == (
        400,
        "Bad Request: BOT_COMMAND_INVALID",
    )
    assert await api.ok("deleteMyCommands") is True
    assert await api.ok("getMyCommands") == []

    assert await api.refused("getChat", {"chat_id": USER}) == (400, "Bad Request: chat not found")
    fake_telegram.user_sends(USER, "/start", first_name="Lê Văn C")
    chat = await api.ok("getChat", {"chat_id": USER})
    assert (chat["type"], chat["first_name"]) == ("private", "Lê Văn C")
    assert await api.ok("sendChatAction", {"chat_id": USER, "action": "typing"}) is True
    assert (await api.refused("sendChatAction", {"chat_id": USER, "action": "dancing"}))[0] == 400
    assert fake_telegram.chat_actions == [(USER, "typing")]


async def test_wait_sent_cursor_and_since(api: Api, fake_telegram: FakeTelegramAPI) -> None:
    fake_telegram.user_sends(USER, "/start")

    async def bot_says(*texts: str) -> None:
        for text in texts:
            await api.ok("sendMessage", {"chat_id": USER, "text": text})

    sender = asyncio.create_task(bot_says("một", "hai"))
    first = await fake_telegram.wait_sent(USER, 2)
    await sender
    assert [m["text"] for m in first] == ["một", "hai"]
    await bot_says("ba")
    assert [m["text"] for m in await fake_telegram.wait_sent(USER)] == ["ba"]
    assert [m["text"] for m in await fake_telegram.wait_sent(USER, since=1)] == ["hai", "ba"]
    with pytest.raises(TimeoutError, match=r"expected 1 new message\(s\) within 0.05s, got \[\]"):
        await fake_telegram.wait_sent(USER, timeout=0.05)


async def test_user_side_api_is_strict(fake_telegram: FakeTelegramAPI) -> None:
    with pytest.raises(ValueError, match="either text or a file"):
        fake_telegram.user_sends(USER, "chữ", photo=b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match="4096"):
        fake_telegram.user_sends(USER, "a" * 4097)
    with pytest.raises(ValueError, match="no message 5"):
        fake_telegram.user_sends(USER, "trả lời", reply_to=5)
    with pytest.raises(ValueError, match="sent no message"):
        fake_telegram.user_presses(USER, 1, "x")
    command_id = fake_telegram.user_sends(USER, "/baocao@nhacviec_bot quý 1")
    (update,) = fake_telegram.pending_updates
    assert update["message"]["message_id"] == command_id
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 20}]
