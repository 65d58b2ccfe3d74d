"""The fake Zalo Bot API refuses what Zalo refuses, spoken to with plain HTTP."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from tests.fakes.zalo_api import FakeZaloAPI
from tests.fakes.zalo_helpers import ZALO_TOKEN, ZALO_WEBHOOK_SECRET

pytest_plugins = ["tests.fakes.conftest_zalo"]

USER = "e4ea0c1d9b3f4a7f"


class Api:
    def __init__(self, http: aiohttp.ClientSession, fake: FakeZaloAPI) -> None:
        self.http = http
        self.fake = fake

    async def call(
        self,
        method: str,
        body: Any = None,
        *,
        token: str = ZALO_TOKEN,
        verb: str = "POST",
        data: Any = None,
    ) -> tuple[int, dict[str, Any]]:
        url = f"{self.fake.api_url}/bot{token}/{method}"
        if data is not None:
            request = self.http.request(verb, url, data=data)
        else:
            request = self.http.request(verb, url, json={} if body is None else body)
        async with request as response:
            return response.status, await response.json(content_type=None)

    async def ok(self, method: str, body: Any = None) -> Any:
        status, answer = await self.call(method, body)
        assert (status, answer["ok"]) == (200, True), answer
        return answer["result"]

    async def refused(self, method: str, body: Any = None, **kw: Any) -> tuple[int, int, str]:
        status, answer = await self.call(method, body, **kw)
        assert answer["ok"] is False, answer
        return status, answer["error_code"], answer["description"]


@pytest.fixture
async def api(fake_zalo: FakeZaloAPI) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as http:
        yield Api(http, fake_zalo)


async def test_token_verb_body_and_method_are_checked(api: Api) -> None:
    assert await api.refused("getMe", token="3120001234567890:wrong") == (401, 401, "Unauthorized")
    assert (await api.refused("getUpdatez"))[:2] == (404, 404)
    assert (await api.refused("getMe", verb="GET"))[:2] == (405, 405)
    # Form bodies are not what Zalo documents: JSON only.
    status, code, text = await api.refused("sendMessage", data={"chat_id": USER, "text": "x"})
    assert (status, code) == (400, 400) and "application/json" in text
    me = await api.ok("getMe")
    assert me == {
        "id": "3120001234567890",
        "account_name": "bot_nhacviec_thu",
        "account_type": "BASIC",
        "can_join_groups": False,
        "display_name": "Bot Nhắc việc (thử nghiệm)",
    }
    # Every call is in the log, the token only in the path.
    assert [r.method for r in api.fake.requests][-1] == "getMe"
    assert all(ZALO_TOKEN not in r.raw.decode() for r in api.fake.requests)


async def test_get_updates_one_at_a_time_then_408(api: Api) -> None:
    api.fake.user_sends(USER, "xin chào")
    api.fake.user_sends(USER, "5.1 xong")
    first = await api.ok("getUpdates", {"timeout": "1"})
    assert first["event_name"] == "message.text.received"
    assert first["message"]["text"] == "xin chào"
    assert first["message"]["chat"] == {"id": USER, "chat_type": "PRIVATE"}
    assert first["message"]["date"] > 10**12  # milliseconds
    second = await api.ok("getUpdates", {"timeout": "1"})
    assert second["message"]["text"] == "5.1 xong"
    assert await api.refused("getUpdates", {"timeout": "1"}) == (408, 408, "Request timeout")
    # The timeout is a string of seconds in the documentation; a number is refused here.
    assert (await api.refused("getUpdates", {"timeout": 1}))[:2] == (400, 400)


async def test_a_waiting_poll_gets_the_update_that_arrives(api: Api) -> None:
    poll = asyncio.create_task(api.ok("getUpdates", {"timeout": "5"}))
    await asyncio.sleep(0.05)
    api.fake.user_sends(USER, "đến rồi")
    assert (await poll)["message"]["text"] == "đến rồi"


async def test_send_message_limits_and_unknown_parameters(api: Api) -> None:
    assert (await api.refused("sendMessage", {"chat_id": USER, "text": "x"}))[2].endswith(
        "chat not found"
    )
    api.fake.user_sends(USER, "xin chào")
    sent = await api.ok("sendMessage", {"chat_id": USER, "text": "a" * 2000})
    assert set(sent) == {"message_id", "date"}
    too_long = await api.refused("sendMessage", {"chat_id": USER, "text": "a" * 2001})
    assert too_long[:2] == (400, 400) and "2000" in too_long[2]
    assert (await api.refused("sendMessage", {"chat_id": USER, "text": "  "}))[:2] == (400, 400)
    buttons = {"chat_id": USER, "text": "x", "reply_markup": {"inline_keyboard": []}}
    assert "reply_markup" in (await api.refused("sendMessage", buttons))[2]
    assert (await api.refused("sendMessage", {"chat_id": int("1"), "text": "x"}))[:2] == (400, 400)
    assert [m["text"] for m in api.fake.sent(USER)] == ["a" * 2000]


async def test_photos_by_url_only_and_chat_actions(api: Api) -> None:
    api.fake.user_sends(USER, "xin chào")
    assert (await api.refused("sendPhoto", {"chat_id": USER, "photo": "AgACfileid"}))[:2] == (
        400,
        400,
    )
    await api.ok("sendPhoto", {"chat_id": USER, "photo": "https://x.example/a.png", "caption": "c"})
    assert api.fake.sent(USER)[-1]["photo"] == "https://x.example/a.png"
    assert await api.ok("sendChatAction", {"chat_id": USER, "action": "typing"}) is True
    assert (await api.refused("sendChatAction", {"chat_id": USER, "action": "upload_photo"}))[
        :2
    ] == (400, 400)
    assert api.fake.chat_actions == [(USER, "typing")]


async def test_injected_errors_in_both_shapes_quota_and_revoked_token(api: Api) -> None:
    api.fake.user_sends(USER, "xin chào")
    api.fake.fail_next("sendMessage", 429)
    assert await api.refused("sendMessage", {"chat_id": USER, "text": "x"}) == (
        429,
        429,
        "Quota exceeded",
    )
    api.fake.fail_next("sendMessage", 400, http_status=200, description="Bad Request: nope")
    assert await api.refused("sendMessage", {"chat_id": USER, "text": "x"}) == (
        200,
        400,
        "Bad Request: nope",
    )
    api.fake.set_quota(1)
    await api.ok("sendMessage", {"chat_id": USER, "text": "một"})
    assert (await api.refused("sendMessage", {"chat_id": USER, "text": "hai"}))[:2] == (429, 429)
    api.fake.set_quota(None)
    api.fake.block(USER)
    assert "blocked" in (await api.refused("sendMessage", {"chat_id": USER, "text": "x"}))[2]
    api.fake.revoke_token()
    assert (await api.refused("getMe"))[:2] == (401, 401)


async def test_webhook_rules_and_polling_exclusion(api: Api) -> None:
    assert await api.refused("getWebhookInfo") == (404, 404, "Not Found")
    short = {"url": "https://bot.example.vn/zalo", "secret_token": "short"}
    assert (await api.refused("setWebhook", short))[:2] == (400, 400)
    plain = {"url": "http://bot.example.vn/zalo", "secret_token": ZALO_WEBHOOK_SECRET}
    assert "HTTPS" in (await api.refused("setWebhook", plain))[2]
    good = {"url": "https://bot.example.vn/zalo", "secret_token": ZALO_WEBHOOK_SECRET}
    result = await api.ok("setWebhook", good)
    assert result["url"] == good["url"] and result["updated_at"] > 0
    assert (await api.ok("getWebhookInfo"))["url"] == good["url"]
    assert (await api.refused("getUpdates", {"timeout": "1"}))[:2] == (409, 409)
    assert (await api.ok("deleteWebhook"))["url"] == ""
    assert (await api.refused("getUpdates", {"timeout": "1"}))[:2] == (408, 408)


@pytest.mark.parametrize("envelope", ["bare", "wrapped"])
async def test_events_are_posted_to_the_webhook_with_the_secret(envelope: str) -> None:
    received: list[tuple[str | None, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with (
            FakeZaloAPI(ZALO_TOKEN, envelope=envelope) as fake,
            aiohttp.ClientSession() as http,
        ):
            api = Api(http, fake)
            url = f"http://127.0.0.1:{port}/hook"
            await api.ok("setWebhook", {"url": url, "secret_token": ZALO_WEBHOOK_SECRET})
            message_id = fake.user_sends(USER, "qua webhook")
            await fake.wait_for(lambda: fake.webhook_deliveries)
    finally:
        await runner.cleanup()
    [(secret, body)] = received
    assert secret == ZALO_WEBHOOK_SECRET
    event = body if envelope == "bare" else body["result"]
    if envelope == "wrapped":
        assert body["ok"] is True
    assert event["message"]["message_id"] == message_id
    assert fake.webhook_deliveries == [{"message_id": message_id, "status": 200, "error": None}]


async def test_the_bots_own_messages_come_back_when_echo_is_on() -> None:
    async with (
        FakeZaloAPI(ZALO_TOKEN, echo_bot_messages=True) as fake,
        aiohttp.ClientSession() as http,
    ):
        api = Api(http, fake)
        fake.user_sends(USER, "xin chào")
        await api.ok("getUpdates", {"timeout": "1"})
        await api.ok("sendMessage", {"chat_id": USER, "text": "chào anh"})
        echo = await api.ok("getUpdates", {"timeout": "1"})
    assert echo["message"]["from"]["is_bot"] is True
    assert echo["message"]["from"]["id"] == fake.bot_id


async def test_several_bots_on_one_server(api: Api) -> None:
    from tests.fakes.zalo_helpers import ZALO_TOKEN_2

    second = await api.fake.add_bot(ZALO_TOKEN_2, display_name="Bot Nhắc việc 2")
    assert second.api_url == api.fake.api_url
    status, answer = await api.call("getMe", token=ZALO_TOKEN_2)
    assert (status, answer["result"]["display_name"]) == (200, "Bot Nhắc việc 2")
    second.user_sends(USER, "chào bot 2")
    status, answer = await api.call("getUpdates", {"timeout": "1"}, token=ZALO_TOKEN_2)
    assert answer["result"]["message"]["text"] == "chào bot 2"
    assert (await api.refused("getUpdates", {"timeout": "1"}))[:2] == (408, 408)  # not bot 1's
    assert [r.method for r in second.requests] == ["getMe", "getUpdates"]
