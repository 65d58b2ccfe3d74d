"""ZaloChannel over real HTTP against the strict fake: events in, parts and options out,
polling, the webhook, a refused token, and the token kept out of every log line."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import aiohttp
import pytest
from aiohttp import web

from bot.channels.base import (
    Attachment,
    Button,
    ChatRef,
    OutgoingMessage,
    PermanentFailure,
    RetryLater,
)
from bot.channels.choices import options_text, parse_choice
from bot.channels.text import utf16_len
from bot.channels.zalo import MAX_WEBHOOK_BODY, ZaloChannel, render_parts, webhook_url_for
from tests.fakes.telegram_helpers import Inbox
from tests.fakes.zalo_api import FakeZaloAPI
from tests.fakes.zalo_helpers import ZALO_TOKEN, ZALO_WEBHOOK_SECRET

pytest_plugins = ["tests.fakes.conftest_zalo"]

USER = "9f8e7d6c5b4a3921"
SECRET_HALF = ZALO_TOKEN.split(":", 1)[1]
CONFIRM = ((Button("Đúng", "cf:y"), Button("Sửa", "cf:n")),)
STATUSES = (
    (Button("Hoàn thành", "rp:7:d"), Button("Đang thực hiện", "rp:7:p")),
    (Button("Gặp vướng mắc", "rp:7:b"), Button("Xin gia hạn", "rp:7:e")),
)


def to(user: str = USER) -> ChatRef:
    return ChatRef("zalo", user, user)


def paragraphs(total: int) -> str:
    """Vietnamese-looking text of about `total` characters in several paragraphs."""
    sentence = "Sở Ngoại vụ báo cáo tiến độ thực hiện nhiệm vụ số {n} đúng hạn. "
    text, n = "", 0
    while len(text) < total:
        n += 1
        text += sentence.format(n=n)
        if n % 7 == 0:
            text += "\n\n"
    return text.strip()


def event(name: str = "message.text.received", **message: object) -> dict:
    base = {
        "message_id": "m-1",
        "date": 1766619597466,
        "from": {"id": USER, "display_name": "Nguyễn Văn A", "is_bot": False},
        "chat": {"id": USER, "chat_type": "PRIVATE"},
    }
    return {"event_name": name, "message": base | message}


async def eventually(predicate: object, timeout: float = 5.0) -> None:
    """Wait for something the channel does after the fake answered (no event to wait on)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.01)


class Pauses:
    """An injected pause: records the waits between parts instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def make(fake: FakeZaloAPI, **options: object) -> ZaloChannel:
    options.setdefault("poll_timeout", 1)
    options.setdefault("pause", Pauses())
    return ZaloChannel(ZALO_TOKEN, api_url=fake.api_url, **options)  # type: ignore[arg-type]


@pytest.fixture
async def channel(fake_zalo: FakeZaloAPI) -> AsyncIterator[ZaloChannel]:
    channel = make(fake_zalo)
    yield channel
    await channel.stop()


# --- parsing ----------------------------------------------------------------------------------


def test_text_and_commands_in_both_envelopes(channel: ZaloChannel) -> None:
    [plain] = channel.parse(event(text="dang lam 70%"))
    assert plain.ref == ChatRef("zalo", USER, USER)
    assert (plain.text, plain.command, plain.event_id, plain.message_id) == (
        "dang lam 70%",
        None,
        "m-1",
        "m-1",
    )
    assert plain.sent_at == datetime.fromtimestamp(1766619597.466, UTC)
    assert plain.sender_name == "Nguyễn Văn A"
    [wrapped] = channel.parse({"ok": True, "result": event(text="/start abcd-2345")})
    assert (wrapped.command, wrapped.args) == ("start", "abcd-2345")
    [typed] = channel.parse(event(text="/NhiemVu"))
    assert typed.command == "nhiemvu"


def test_images_stickers_unsupported_and_unknown_events(channel: ZaloChannel) -> None:
    url = "https://photo.zdn.vn/anh.jpg"
    [photo] = channel.parse(event("message.image.received", photo_url=url, caption="5.1 xong"))
    assert photo.text == "5.1 xong"
    assert photo.attachments == (Attachment("photo", file_id=url, url=url),)
    long_url = "https://photo.zdn.vn/" + "a" * 400
    [long] = channel.parse(event("message.image.received", photo_url=long_url))
    assert long.attachments[0].file_id is None and long.attachments[0].url == long_url
    assert channel.parse(event("message.sticker.received", sticker="abc")) == []
    [odd] = channel.parse(event("message.unsupported.received"))
    assert (odd.text, odd.attachments, odd.unsupported) == ("", (), "unsupported")
    assert channel.parse(event("message.reaction.received", text="x")) == []
    assert channel.parse({"event_name": "message.text.received"}) == []
    assert channel.parse({"unrelated": True}) == []


def test_echoes_groups_and_broken_events_give_nothing(channel: ZaloChannel) -> None:
    bot = {"id": channel.bot_id, "display_name": "Bot", "is_bot": False}
    assert channel.parse(event(text="x", **{"from": bot})) == []
    flagged = {"id": "someone", "is_bot": True}
    assert channel.parse(event(text="x", **{"from": flagged})) == []
    group = {"id": "g-1", "chat_type": "GROUP"}
    assert channel.parse(event(text="x", chat=group)) == []
    assert channel.parse(event(text="x", message_id="")) == []
    assert channel.parse(event(text="   ")) == []


# --- the text of what goes out ----------------------------------------------------------------


def test_long_text_is_cut_at_boundaries_with_the_options_at_the_end() -> None:
    text = paragraphs(5000)
    parts = render_parts(text, STATUSES)
    assert len(parts) == 3
    assert all(utf16_len(p) <= 2000 for p in parts)
    assert all(p[-1] in ".\n" or p.endswith(options_text(STATUSES)) for p in parts)
    assert parts[-1].endswith(
        "Trả lời 1 = Hoàn thành, 2 = Đang thực hiện, 3 = Gặp vướng mắc, 4 = Xin gia hạn"
    )
    # Nothing lost: the parts are the text, cut only where there was white space.
    joined = " ".join(" ".join(parts).split())
    assert joined.startswith(" ".join(text.split()))
    # Options that no longer fit go on a part of their own.
    full = "x" * 1995
    assert render_parts(full, CONFIRM) == [full, "Trả lời 1 = Đúng, 2 = Sửa"]
    assert render_parts("", CONFIRM) == ["Trả lời 1 = Đúng, 2 = Sửa"]


def test_numbers_read_back_and_labels_keep_no_double_number() -> None:
    rows = ((Button("1. 5.1", "pick:1"),), (Button("2. 5.3", "pick:2"),))
    assert options_text(rows) == "Trả lời 1 = nhiệm vụ 5.1, 2 = nhiệm vụ 5.3"
    assert [parse_choice(x) for x in ("1", " 2 ", "3.", "số 4", "15/12", "2 xong", "70%")] == [
        1,
        2,
        3,
        4,
        None,
        None,
        None,
    ]


# --- sending ----------------------------------------------------------------------------------


async def test_a_long_answer_goes_in_parts_with_a_pause_between(fake_zalo: FakeZaloAPI) -> None:
    pauses = Pauses()
    channel = make(fake_zalo, pause=pauses, part_pause=0.5)
    fake_zalo.user_sends(USER, "xin chào")
    try:
        receipt = await channel.send(OutgoingMessage(to(), paragraphs(5000), buttons=CONFIRM))
    finally:
        await channel.stop()
    sent = fake_zalo.sent(USER)
    assert [m["method"] for m in sent] == ["sendMessage"] * 3
    assert receipt.message_ids == tuple(m["message_id"] for m in sent)
    assert all(len(m["text"]) <= 2000 for m in sent)
    assert sent[-1]["text"].endswith("Trả lời 1 = Đúng, 2 = Sửa")
    assert pauses.waits == [0.5, 0.5]
    # No buttons, parse mode or reply parameters reach Zalo (the fake refuses them anyway).
    assert {tuple(sorted(c.body)) for c in fake_zalo.calls("sendMessage")} == {("chat_id", "text")}


async def test_a_failure_half_way_says_which_parts_went_out(fake_zalo: FakeZaloAPI) -> None:
    channel = make(fake_zalo)
    fake_zalo.user_sends(USER, "xin chào")
    fake_zalo.fail_next("sendMessage", 502, after=1)
    try:
        with pytest.raises(RetryLater) as caught:
            await channel.send(OutgoingMessage(to(), paragraphs(3000)))
    finally:
        await channel.stop()
    assert caught.value.delivered == (fake_zalo.sent(USER)[0]["message_id"],)


async def test_photos_by_url_with_the_text_as_caption(fake_zalo: FakeZaloAPI) -> None:
    channel = make(fake_zalo)
    fake_zalo.user_sends(USER, "xin chào")
    chart = Attachment("photo", url="https://bot.example.vn/media/tok", content=b"\x89PNG")
    try:
        await channel.send(OutgoingMessage(to(), "Biểu đồ tiến độ", attachment=chart))
        await channel.send(OutgoingMessage(to(), paragraphs(2500), attachment=chart))
        report = Attachment("document", name="bao-cao.docx", url="https://bot.example.vn/media/d")
        await channel.send(OutgoingMessage(to(), "Báo cáo tháng", attachment=report))
        with pytest.raises(PermanentFailure, match="PUBLIC_BASE_URL"):
            await channel.send(
                OutgoingMessage(to(), "x", attachment=Attachment("photo", content=b"x"))
            )
    finally:
        await channel.stop()
    sent = fake_zalo.sent(USER)
    assert (sent[0]["photo"], sent[0]["caption"]) == (chart.url, "Biểu đồ tiến độ")
    assert [m["method"] for m in sent[1:4]] == ["sendMessage", "sendMessage", "sendPhoto"]
    assert sent[3]["caption"] is None
    assert sent[4]["text"] == "Báo cáo tháng\n\nTệp bao-cao.docx: https://bot.example.vn/media/d"


# --- polling ----------------------------------------------------------------------------------


async def test_polling_hands_each_message_over_and_drops_echoes(fake_zalo: FakeZaloAPI) -> None:
    fake_zalo.echo_bot_messages = True
    inbox = Inbox()
    channel = make(fake_zalo)
    await channel.start(inbox)
    try:
        assert channel.display_name == "Bot Nhắc việc (thử nghiệm)"
        fake_zalo.user_sends(USER, "5.1 xong")
        first = await inbox.next()
        assert first.text == "5.1 xong" and first.ref.chat_id == USER
        await channel.send(OutgoingMessage(to(), "Đã ghi nhận"))  # comes back as an echo
        fake_zalo.user_sends(USER, "cảm ơn")
        second = await inbox.next()
        assert second.text == "cảm ơn"
        assert [m.text for m in inbox.messages] == ["5.1 xong", "cảm ơn"]
    finally:
        await channel.stop()


async def test_a_webhook_left_set_is_deleted_to_poll(
    fake_zalo: FakeZaloAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_zalo._set_webhook({"url": "https://old.example.vn/hook", "secret_token": "x" * 8})
    inbox = Inbox()
    channel = make(fake_zalo)
    await channel.start(inbox)
    try:
        fake_zalo.user_sends(USER, "xin chào")
        assert (await inbox.next()).text == "xin chào"
    finally:
        await channel.stop()
    assert fake_zalo.webhook_url == ""
    assert "deleting it to poll instead" in caplog.text


async def test_a_refused_token_stops_the_channel_with_one_log_line(
    fake_zalo: FakeZaloAPI, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox()
    channel = make(fake_zalo)
    await channel.start(inbox)
    try:
        fake_zalo.revoke_token()
        await eventually(lambda: channel.halted)
        calls = len(fake_zalo.requests)
        with pytest.raises(RetryLater):
            await channel.send(OutgoingMessage(to(), "x"))
        with pytest.raises(RetryLater):
            await channel.send(OutgoingMessage(to(), "y"))
        assert len(fake_zalo.requests) == calls  # nothing more is tried
    finally:
        await channel.stop()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert "refused the bot token (401); the channel is stopped" in errors[0].getMessage()
    assert SECRET_HALF not in caplog.text


async def test_refused_at_start_the_rest_of_the_service_carries_on(
    fake_zalo: FakeZaloAPI, caplog: pytest.LogCaptureFixture
) -> None:
    fake_zalo.revoke_token()
    channel = make(fake_zalo)
    await channel.start(Inbox())  # no exception: Telegram and the rest keep running
    await channel.stop()
    assert channel.halted
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


async def test_polling_trouble_is_logged_once_and_tried_again(
    fake_zalo: FakeZaloAPI, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox()
    channel = make(fake_zalo)
    fake_zalo.fail_next("getUpdates", 502, times=1)
    await channel.start(inbox)
    try:
        fake_zalo.user_sends(USER, "vẫn nhận được")
        assert (await inbox.next(timeout=10)).text == "vẫn nhận được"
    finally:
        await channel.stop()
    assert caplog.text.count("polling failed, retrying") == 1
    assert SECRET_HALF not in caplog.text


# --- webhook ----------------------------------------------------------------------------------


@asynccontextmanager
async def serving(channel: ZaloChannel) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/zalo/{bot}", channel.webhook_handler())
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/zalo/{channel.bot_id}"
    finally:
        await runner.cleanup()


async def post(url: str, body: object, secret: str | None = ZALO_WEBHOOK_SECRET) -> int:
    headers = {"X-Bot-Api-Secret-Token": secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as http,
        http.post(url, json=body, headers=headers) as response,
    ):
        return response.status


async def test_the_webhook_checks_the_secret_and_takes_both_shapes(fake_zalo: FakeZaloAPI) -> None:
    inbox = Inbox()
    url = webhook_url_for("https://bot.example.vn/zalo/", "3120001234567890")
    assert url == "https://bot.example.vn/zalo/3120001234567890"
    channel = make(fake_zalo, webhook_url=url, webhook_secret=ZALO_WEBHOOK_SECRET)
    await channel.start(inbox)
    try:
        async with serving(channel) as hook:
            assert await post(hook, event(text="x"), secret=None) == 403
            assert await post(hook, event(text="x"), secret="") == 403
            assert await post(hook, event(text="x"), secret="wrong-secret-123") == 403
            assert await post(hook, event(text="bare", message_id="a")) == 200
            wrapped = {"ok": True, "result": event(text="wrapped", message_id="b")}
            assert await post(hook, wrapped) == 200
            assert await post(hook, event(text="again", message_id="a")) == 200  # a retry
            assert await post(hook, event(text="big", pad="x" * MAX_WEBHOOK_BODY)) == 413
            assert await post(hook, [1, 2]) == 400
            await inbox.next()
            await inbox.next()
    finally:
        await channel.stop()
    assert sorted(m.text for m in inbox.messages) == ["bare", "wrapped"]


async def test_the_webhook_answers_before_the_message_is_handled(fake_zalo: FakeZaloAPI) -> None:
    release = asyncio.Event()
    handled: list[str] = []

    async def slow_sink(message: object) -> None:
        await release.wait()
        handled.append("done")

    channel = make(
        fake_zalo, webhook_url="https://bot.example.vn/zalo", webhook_secret=ZALO_WEBHOOK_SECRET
    )
    await channel.start(slow_sink)  # type: ignore[arg-type]
    try:
        async with serving(channel) as hook:
            assert await asyncio.wait_for(post(hook, event(text="x")), 2) == 200
            assert handled == []
            release.set()
    finally:
        await channel.stop()  # waits for the message in hand
    assert handled == ["done"]


def test_the_secret_is_compared_in_constant_time(
    fake_zalo: FakeZaloAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel = make(fake_zalo, webhook_url="https://x.vn/z", webhook_secret=ZALO_WEBHOOK_SECRET)
    compared: list[tuple[bytes, bytes]] = []
    real = __import__("hmac").compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr("bot.channels.webhook.hmac.compare_digest", spy)
    assert channel.verify({"x-bot-api-secret-token": ZALO_WEBHOOK_SECRET}, b"")
    assert compared == [(ZALO_WEBHOOK_SECRET.encode(), ZALO_WEBHOOK_SECRET.encode())]
    with pytest.raises(ValueError):
        ZaloChannel(ZALO_TOKEN, webhook_url="https://x.vn/z")  # a webhook needs a secret
    with pytest.raises(ValueError):
        ZaloChannel(ZALO_TOKEN, webhook_url="https://x.vn/z", webhook_secret="short")


async def test_zalo_unreachable_at_start_is_logged_and_polling_keeps_trying(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    channel = ZaloChannel(ZALO_TOKEN, api_url=f"http://127.0.0.1:{port}", poll_timeout=1)
    await channel.start(Inbox())
    await asyncio.sleep(0.1)
    await channel.stop()
    assert not channel.halted
    assert "getMe failed, carrying on" in caplog.text
    assert SECRET_HALF not in caplog.text
