"""ZaloBotClient over real HTTP against the strict fake: methods, errors, backoff, secrets."""

from __future__ import annotations

import asyncio
import logging
import socket
import traceback

import pytest

from bot.channels.base import (
    ChannelError,
    PermanentFailure,
    QuotaExceeded,
    RetryLater,
    Unreachable,
)
from bot.channels.zalo_client import (
    DEFAULT_API_URL,
    Backoff,
    ZaloApiError,
    ZaloBotClient,
    ZaloUnauthorized,
)
from bot.redact import RedactingFilter
from tests.fakes.zalo_api import FakeZaloAPI
from tests.fakes.zalo_helpers import ZALO_TOKEN, ZALO_WEBHOOK_SECRET

pytest_plugins = ["tests.fakes.conftest_zalo"]

USER = "7a0c2f91e4d3b5a6"
SECRET_HALF = ZALO_TOKEN.split(":", 1)[1]


def leaks(exc: BaseException) -> bool:
    """Whether the token, or its secret half, is anywhere in the exception as it would print."""
    printed = "".join(traceback.format_exception(exc)) + repr(exc) + str(exc)
    return SECRET_HALF in printed


def test_the_default_host_and_the_token_shape() -> None:
    assert DEFAULT_API_URL == "https://bot-api.zaloplatforms.com"
    client = ZaloBotClient(ZALO_TOKEN)
    assert client.api_url == DEFAULT_API_URL and client.bot_id == "3120001234567890"
    assert SECRET_HALF not in repr(client)
    with pytest.raises(ValueError):
        ZaloBotClient("no-colon-here")


async def test_methods_post_json_as_documented(
    fake_zalo: FakeZaloAPI, zalo_client: ZaloBotClient
) -> None:
    me = await zalo_client.get_me()
    assert me["id"] == "3120001234567890" and me["account_type"] == "BASIC"
    fake_zalo.user_sends(USER, "xin chào")
    [update] = await zalo_client.get_updates(timeout=1)
    assert update["message"]["text"] == "xin chào"
    assert await zalo_client.get_updates(timeout=1) == []  # 408: nothing yet, not an error
    sent = await zalo_client.send_message(USER, "Chào anh")
    assert set(sent) == {"message_id", "date"}
    await zalo_client.send_photo(USER, "https://bot.example.vn/media/abc", caption="Biểu đồ")
    await zalo_client.send_chat_action(USER)
    assert [m["method"] for m in fake_zalo.sent(USER)] == ["sendMessage", "sendPhoto"]
    assert fake_zalo.chat_actions == [(USER, "typing")]
    calls = fake_zalo.requests
    assert {(c.verb, c.headers["Content-Type"].split(";")[0]) for c in calls} == {
        ("POST", "application/json")
    }
    assert fake_zalo.calls("getUpdates")[0].body == {"timeout": "1"}


async def test_webhook_methods(fake_zalo: FakeZaloAPI, zalo_client: ZaloBotClient) -> None:
    assert await zalo_client.get_webhook_info() == {"url": ""}  # Zalo's 404 when none is set
    url = "https://bot.example.vn/zalo/webhook/3120001234567890"
    assert (await zalo_client.set_webhook(url, ZALO_WEBHOOK_SECRET))["url"] == url
    assert (await zalo_client.get_webhook_info())["url"] == url
    with pytest.raises(PermanentFailure) as refused:
        await zalo_client.get_updates(timeout=1)  # polling while a webhook is set
    assert refused.value.status == 409  # type: ignore[attr-defined]
    assert (await zalo_client.delete_webhook())["url"] == ""


async def test_ok_false_with_http_200_is_an_error(
    fake_zalo: FakeZaloAPI, zalo_client: ZaloBotClient
) -> None:
    fake_zalo.user_sends(USER, "xin chào")
    fake_zalo.fail_next("sendMessage", 400, http_status=200, description="Bad Request: text")
    with pytest.raises(PermanentFailure) as caught:
        await zalo_client.send_message(USER, "x")
    error = caught.value
    assert (error.status, error.error_code) == (200, 400)  # type: ignore[attr-defined]
    assert "Bad Request: text" in str(error)
    fake_zalo.fail_next("sendMessage", 500, http_status=200)
    with pytest.raises(RetryLater):
        await zalo_client.send_message(USER, "x")


async def test_429_is_quota_and_5xx_retry_with_a_growing_wait(
    fake_zalo: FakeZaloAPI, zalo_client: ZaloBotClient
) -> None:
    fake_zalo.user_sends(USER, "xin chào")
    fake_zalo.fail_next("sendMessage", 429, times=3)
    waits = []
    for _ in range(3):
        with pytest.raises(QuotaExceeded) as caught:
            await zalo_client.send_message(USER, "x")
        assert isinstance(caught.value, RetryLater)
        waits.append(caught.value.retry_after)
    assert waits == [60.0, 120.0, 240.0]
    await zalo_client.send_message(USER, "lại được")  # a success resets the backoff
    fake_zalo.fail_next("sendMessage", 502, times=4)
    waits = []
    for _ in range(4):
        with pytest.raises(RetryLater) as caught:
            await zalo_client.send_message(USER, "x")
        assert not isinstance(caught.value, QuotaExceeded)
        waits.append(caught.value.retry_after)
    assert waits == [0.5, 1.0, 2.0, 4.0]  # capped at 4 in this client


async def test_401_is_fatal_and_403_is_neither_final_nor_a_pause(
    fake_zalo: FakeZaloAPI, zalo_client: ZaloBotClient
) -> None:
    fake_zalo.user_sends(USER, "xin chào")
    fake_zalo.fail_next("sendMessage", 403)
    with pytest.raises(ZaloApiError) as caught:
        await zalo_client.send_message(USER, "x")
    assert type(caught.value).__mro__[1] is ChannelError
    fake_zalo.revoke_token()
    with pytest.raises(ZaloUnauthorized) as refused:
        await zalo_client.get_me()
    assert "refused the bot token" in str(refused.value) and not leaks(refused.value)


async def test_a_blocked_person_is_unreachable(
    fake_zalo: FakeZaloAPI, zalo_client: ZaloBotClient
) -> None:
    fake_zalo.user_sends(USER, "xin chào")
    fake_zalo.block(USER)
    with pytest.raises(Unreachable):
        await zalo_client.send_message(USER, "x")
    with pytest.raises(Unreachable):  # a chat the bot never heard from
        await zalo_client.send_message("nobody-here", "x")


async def test_nothing_goes_out_that_zalo_would_refuse(zalo_client: ZaloBotClient) -> None:
    with pytest.raises(PermanentFailure):
        await zalo_client.send_message(USER, "a" * 2001)
    with pytest.raises(PermanentFailure):
        await zalo_client.send_message(USER, "   ")
    with pytest.raises(PermanentFailure):
        await zalo_client.send_photo(USER, "file-id-not-a-url")


async def test_network_errors_retry_and_never_show_the_token(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket is closed
    client = ZaloBotClient(ZALO_TOKEN, api_url=f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(RetryLater) as caught:
            await client.get_me()
    finally:
        await client.close()
    error = caught.value
    assert error.__context__ is None and error.__cause__ is None  # the URL stays behind
    assert not leaks(error)
    logging.getLogger("test").error("sending failed", exc_info=error)
    assert SECRET_HALF not in caplog.text


async def test_a_timeout_is_a_retry(fake_zalo: FakeZaloAPI) -> None:
    client = ZaloBotClient(ZALO_TOKEN, api_url=fake_zalo.api_url, request_timeout=0.2)
    original = fake_zalo._methods["getme"]

    async def slow(params: dict) -> dict:
        await asyncio.sleep(1)
        return original(params)

    fake_zalo._methods["getme"] = slow
    try:
        with pytest.raises(RetryLater) as caught:
            await client.get_me()
    finally:
        await client.close()
    assert "TimeoutError" in str(caught.value)


async def test_one_session_for_the_clients_life(
    fake_zalo: FakeZaloAPI, zalo_client: ZaloBotClient
) -> None:
    await zalo_client.get_me()
    session = zalo_client._session
    await zalo_client.get_me()
    assert zalo_client._session is session and session is not None
    await zalo_client.close()
    assert session.closed
    with pytest.raises(RuntimeError):
        await zalo_client.get_me()


def test_backoff_doubles_up_to_its_cap() -> None:
    backoff = Backoff(base=2, cap=10)
    assert [backoff.wait(n) for n in range(1, 6)] == [2, 4, 8, 10, 10]


def test_the_redacting_filter_knows_both_halves() -> None:
    record = logging.LogRecord("x", logging.INFO, "", 0, f"url /bot{ZALO_TOKEN}/getMe", None, None)
    RedactingFilter([ZALO_TOKEN, SECRET_HALF]).filter(record)
    assert SECRET_HALF not in record.getMessage()
