"""TelegramChannel over real HTTP against the strict fake Bot API: in, out, webhook, secrets."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import sys
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import aiohttp
import pytest
from aiohttp import web
from multidict import CIMultiDict

from bot.channels.base import (
    Attachment,
    Button,
    ChatRef,
    IncomingMessage,
    OutgoingMessage,
    PermanentFailure,
    RetryLater,
    Unreachable,
)
from bot.channels.telegram import MAX_WEBHOOK_BODY, TelegramChannel, split_text, utf16_len
from bot.redact import RedactingFilter, redact
from tests.fakes.telegram_api import FakeTelegramAPI
from tests.fakes.telegram_helpers import (
    BOT_USERNAME,
    TELEGRAM_TOKEN,
    WEBHOOK_SECRET,
    Inbox,
    make_channel,
)

pytest_plugins = ["tests.fakes.conftest_telegram"]

USER = 4242
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def to(user: int = USER) -> ChatRef:
    return ChatRef("telegram", str(user), str(user))


def paragraphs(total: int) -> str:
    """Vietnamese-looking text of about `total` characters in several paragraphs."""
    sentence = "Sở Ngoại vụ báo cáo tiến độ thực hiện nhiệm vụ số {n} đúng hạn. "
    text, n = "", 0
    while len(text) < total:
        n += 1
        text += sentence.format(n=n)
        if n % 12 == 0:
            text = text.rstrip() + "\n\n"
    return text.strip()


# --- receiving by long polling -----------------------------------------------------------------


async def test_polling_receives_text(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    message_id = fake_telegram.user_sends(
        USER, "Đã hoàn thành nhiệm vụ 3", first_name="Trần Thị", last_name="Bình"
    )
    update_id = fake_telegram.last_update_id

    got = await inbox.next()

    assert got.text == "Đã hoàn thành nhiệm vụ 3"
    assert got.ref == ChatRef("telegram", str(USER), str(USER))
    assert got.event_id == str(update_id)
    assert got.message_id == str(message_id)
    assert got.command is None and got.args == "" and got.callback_data is None
    assert got.sender_name == "Trần Thị Bình"
    assert got.sent_at is not None and got.sent_at.utcoffset() == timedelta(0)
    assert before <= got.sent_at <= datetime.now(UTC) + timedelta(seconds=1)
    # Stored verbatim: the update exactly as the Bot API sent it, not PTB's rebuilding of it.
    assert got.raw == {
        "update_id": update_id,
        "message": fake_telegram.user_message(USER, message_id),
    }
    # The next getUpdates carries an offset past it, so Telegram forgets it.
    await fake_telegram.wait_for(lambda: not fake_telegram.pending_updates)


async def test_polling_commands(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    fake_telegram.user_sends(USER, "/start abc-123_XYZ")
    fake_telegram.user_sends(USER, f"/quahan@{BOT_USERNAME} Sở Ngoại vụ")
    fake_telegram.user_sends(USER, "/BaoCao")
    fake_telegram.user_sends(USER, "/start@some_other_bot xyz")

    start, overdue, report, other = [await inbox.next() for _ in range(4)]

    assert (start.command, start.args) == ("start", "abc-123_XYZ")
    assert (overdue.command, overdue.args) == ("quahan", "Sở Ngoại vụ")
    assert (report.command, report.args) == ("baocao", "")
    # Addressed to another bot (in a group): plain text for us, not our command.
    assert (other.command, other.text) == (None, "/start@some_other_bot xyz")


async def test_polling_reply_to_a_bot_message(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    fake_telegram.user_sends(USER, "/start")
    await inbox.next()
    receipt = await telegram_channel.send(
        OutgoingMessage(to(), "Nhiệm vụ 5 đến hạn 31/03/2025. Tiến độ thế nào?")
    )

    fake_telegram.user_sends(USER, "xong rồi", reply_to=int(receipt.message_ids[0]))
    got = await inbox.next()

    assert got.text == "xong rồi"
    assert got.reply_to == receipt.message_ids[0]


async def test_polling_document_and_photo(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    content = b"PK\x03\x04 bao cao quy 1"
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    fake_telegram.user_sends(
        USER, document=("Báo cáo quý 1.docx", content, mime), caption="Báo cáo nhiệm vụ 7"
    )
    fake_telegram.user_sends(USER, photo=PNG)

    document, photo = await inbox.next(), await inbox.next()

    assert document.text == "Báo cáo nhiệm vụ 7"
    (attachment,) = document.attachments
    assert attachment.kind == "document"
    assert attachment.name == "Báo cáo quý 1.docx"
    assert attachment.size == len(content)
    assert attachment.mime_type == mime
    assert await telegram_channel.download(attachment.file_id) == content

    assert photo.text == ""
    (picture,) = photo.attachments
    assert picture.kind == "photo" and picture.mime_type == "image/jpeg"
    # The largest size, listed last, is the photo itself, not the thumbnail.
    assert picture.file_id == photo.raw["message"]["photo"][-1]["file_id"]
    assert picture.size == len(PNG)
    assert await telegram_channel.download(picture.file_id) == PNG


async def test_button_press_and_acknowledge(
    fake_telegram: FakeTelegramAPI,
    telegram_channel: TelegramChannel,
    inbox: Inbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake_telegram.user_sends(USER, "/start")
    await inbox.next()
    receipt = await telegram_channel.send(
        OutgoingMessage(to(), "Nhiệm vụ 7 xong chưa?", buttons=((Button("Xong", "done:7"),),))
    )

    query_id = fake_telegram.user_presses(USER, int(receipt.message_ids[0]), "done:7")
    press = await inbox.next()

    assert press.callback_data == "done:7"
    assert press.callback_id == query_id
    assert press.reply_to == receipt.message_ids[0]
    assert press.ref == to()
    assert press.text == "" and press.event_id == str(fake_telegram.last_update_id)

    await telegram_channel.acknowledge(press, "Đã ghi nhận nhiệm vụ 7")
    assert fake_telegram.answered_callbacks == [
        {
            "callback_query_id": query_id,
            "data": "done:7",
            "text": "Đã ghi nhận nhiệm vụ 7",
            "show_alert": False,
            "url": None,
            "cache_time": 0,
        }
    ]
    # A second answer is refused by Telegram ("query is too old"): logged, never raised.
    with caplog.at_level(logging.WARNING, logger="bot.channels.telegram"):
        await telegram_channel.acknowledge(press)
    assert f"answering button press {query_id}" in caplog.text
    assert "query is too old" in caplog.text.lower()


async def test_edited_and_unknown_updates_are_ignored(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    first = fake_telegram.user_sends(USER, "bản đầu")
    assert (await inbox.next()).text == "bản đầu"
    fake_telegram.user_edits(USER, first, "bản sửa")
    fake_telegram.queue_update(
        {
            "channel_post": {
                "message_id": 1,
                "date": 1_700_000_000,
                "chat": {"id": -1001234567890, "type": "channel", "title": "Kênh tỉnh"},
                "text": "tin kênh",
            }
        }
    )
    fake_telegram.queue_update({"update_kind_from_the_future": {"id": 1}})
    fake_telegram.user_sends(USER, "tin sau")

    # Updates arrive in order, so the next message proves the two before produced nothing.
    assert (await inbox.next()).text == "tin sau"
    assert [m.text for m in inbox.messages] == ["bản đầu", "tin sau"]


async def test_a_failing_sink_is_logged_and_polling_goes_on(
    fake_telegram: FakeTelegramAPI, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    async def picky(message: IncomingMessage) -> None:
        if message.text == "hỏng":
            raise RuntimeError("handler broke")
        await inbox(message)

    channel = make_channel(fake_telegram)
    await channel.start(picky)
    try:
        fake_telegram.user_sends(USER, "hỏng")
        broken = fake_telegram.last_update_id
        fake_telegram.user_sends(USER, "lành")
        assert (await inbox.next()).text == "lành"
    finally:
        await channel.stop()
    failures = [r for r in caplog.records if r.name == "bot.channels.telegram"]
    assert [r.getMessage() for r in failures] == [f"telegram: handling update {broken} failed"]
    assert "handler broke" in caplog.text


def test_parse_is_pure_and_total(fake_telegram: FakeTelegramAPI) -> None:
    channel = make_channel(fake_telegram)
    message = {
        "message_id": 9,
        "date": 1_700_000_000,
        "chat": {"id": 5, "type": "private", "first_name": "An"},
        "from": {"id": 5, "is_bot": False, "first_name": "An"},
        "text": "/Start  ma-lien-ket ",
    }
    (got,) = channel.parse({"update_id": 77, "message": message})
    assert (got.command, got.args, got.event_id) == ("start", "ma-lien-ket", "77")
    assert got.sent_at == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)

    sticker = {**message, "text": None, "sticker": None}
    del sticker["text"]
    assert channel.parse({"update_id": 78, "message": sticker}) == []
    assert channel.parse({"update_id": 79, "edited_message": {**message, "edit_date": 1}}) == []
    assert channel.parse({"update_id": 80, "my_chat_member": {}}) == []
    assert channel.parse({"message": message}) == []  # no update_id: not an update
    inline_press = {
        "id": "q1",
        "from": {"id": 5, "is_bot": False, "first_name": "An"},
        "chat_instance": "1",
        "inline_message_id": "abc",
        "data": "x",
    }
    assert channel.parse({"update_id": 81, "callback_query": inline_press}) == []


# --- sending -----------------------------------------------------------------------------------


async def test_send_with_buttons(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    fake_telegram.user_sends(USER, "/start")
    await inbox.next()
    buttons = (
        (Button("Đã xong", "done:12"), Button("Xin gia hạn", "ext:12")),
        (Button("Chưa thực hiện", "todo:12"),),
    )

    receipt = await telegram_channel.send(
        OutgoingMessage(to(), "Nhiệm vụ 12: hạn 15/04/2025", buttons=buttons)
    )

    (sent,) = fake_telegram.sent(USER)
    assert receipt.message_ids == (str(sent["message_id"]),)
    assert sent["text"] == "Nhiệm vụ 12: hạn 15/04/2025"
    assert sent["parse_mode"] is None  # plain text: nothing for Telegram to misparse
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "Đã xong", "callback_data": "done:12"},
                {"text": "Xin gia hạn", "callback_data": "ext:12"},
            ],
            [{"text": "Chưa thực hiện", "callback_data": "todo:12"}],
        ]
    }


async def test_long_text_is_split_with_buttons_on_the_last_part_only(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    asked = fake_telegram.user_sends(USER, "/baocao")
    await inbox.next()
    text = paragraphs(5000)
    assert len(text) >= 5000

    receipt = await telegram_channel.send(
        OutgoingMessage(to(), text, buttons=((Button("Xem tiếp", "more:1"),),), reply_to=str(asked))
    )

    first, second = fake_telegram.sent(USER)
    assert receipt.message_ids == (str(first["message_id"]), str(second["message_id"]))
    assert all(utf16_len(part["text"]) <= 4096 for part in (first, second))
    # Cut between words: the words read the same in order, none broken.
    assert (first["text"] + " " + second["text"]).split() == text.split()
    assert first["text"].endswith(".")
    assert first["reply_markup"] is None
    assert second["reply_markup"] == {
        "inline_keyboard": [[{"text": "Xem tiếp", "callback_data": "more:1"}]]
    }
    assert (first["reply_to"], second["reply_to"]) == (asked, None)


async def test_send_document_photo_and_long_caption(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    fake_telegram.user_sends(USER, "/baocao")
    await inbox.next()
    xlsx = b"PK\x03\x04 tong hop"

    await telegram_channel.send(
        OutgoingMessage(
            to(),
            "Báo cáo tổng hợp quý 1",
            attachment=Attachment("document", name="Tổng hợp Q1.xlsx", content=xlsx),
        )
    )
    await telegram_channel.send(
        OutgoingMessage(to(), "", attachment=Attachment("photo", name="bieu-do.png", content=PNG))
    )
    long_text = paragraphs(1500)
    receipt = await telegram_channel.send(
        OutgoingMessage(
            to(),
            long_text,
            buttons=((Button("Tải lại", "again"),),),
            attachment=Attachment("document", name="chi-tiet.txt", content=b"chi tiet"),
        )
    )

    document, photo, text_part, file_part = fake_telegram.sent(USER)
    assert document["method"] == "sendDocument"
    assert document["caption"] == "Báo cáo tổng hợp quý 1"
    assert document["document"]["file_name"] == "Tổng hợp Q1.xlsx"
    assert document["document"]["content"] == xlsx
    assert document["document"]["mime_type"].endswith("spreadsheetml.sheet")
    assert photo["method"] == "sendPhoto" and photo["caption"] is None
    assert photo["photo"]["content"] == PNG
    # Too long for a caption (1024): the text goes first, the file last, with the buttons.
    assert text_part["text"] == long_text and text_part["reply_markup"] is None
    assert file_part["document"]["content"] == b"chi tiet"
    assert file_part["reply_markup"] == {
        "inline_keyboard": [[{"text": "Tải lại", "callback_data": "again"}]]
    }
    assert receipt.message_ids == (str(text_part["message_id"]), str(file_part["message_id"]))


async def test_refusals_become_channel_errors(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    fake_telegram.user_sends(USER, "/start")
    await inbox.next()

    # 64 bytes is the limit: 32 "ý" (2 bytes each) pass, 33 do not.
    await telegram_channel.send(OutgoingMessage(to(), "vừa", buttons=((Button("A", "ý" * 32),),)))
    with pytest.raises(PermanentFailure) as too_long:
        await telegram_channel.send(
            OutgoingMessage(to(), "quá dài", buttons=((Button("A", "x" * 65),),))
        )
    assert "button_data_invalid" in str(too_long.value).lower()
    assert f"chat {USER}" in str(too_long.value)

    with pytest.raises(PermanentFailure, match=r"(?i)image_process_failed"):
        await telegram_channel.send(
            OutgoingMessage(to(), "", attachment=Attachment("photo", content=b"not an image"))
        )
    with pytest.raises(PermanentFailure, match="nothing to send"):
        await telegram_channel.send(OutgoingMessage(to(), "   "))

    assert [m["text"] for m in fake_telegram.sent(USER)] == ["vừa"]


async def test_flood_and_server_errors_become_retry_later(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    fake_telegram.user_sends(USER, "/start")
    await inbox.next()

    fake_telegram.fail_next("sendMessage", 429, retry_after=7)
    with pytest.raises(RetryLater) as flood:
        await telegram_channel.send(OutgoingMessage(to(), "nhắc việc"))
    assert flood.value.retry_after == 7.0
    assert "retry in" in str(flood.value).lower()

    fake_telegram.fail_next("sendMessage", 502)
    with pytest.raises(RetryLater) as gateway:
        await telegram_channel.send(OutgoingMessage(to(), "nhắc việc"))
    assert gateway.value.retry_after == 1.0 and "Bad Gateway" in str(gateway.value)

    fake_telegram.fail_next("sendMessage", 500)
    with pytest.raises(RetryLater):
        await telegram_channel.send(OutgoingMessage(to(), "nhắc việc"))

    receipt = await telegram_channel.send(OutgoingMessage(to(), "nhắc việc"))
    assert [m["text"] for m in fake_telegram.sent(USER)] == ["nhắc việc"]
    assert receipt.message_ids == (str(fake_telegram.sent(USER)[0]["message_id"]),)


async def test_split_message_failing_midway_reports_what_was_delivered(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    fake_telegram.user_sends(USER, "/start")
    await inbox.next()
    fake_telegram.fail_next("sendMessage", 429, retry_after=3, after=1)

    with pytest.raises(RetryLater) as failed:
        await telegram_channel.send(OutgoingMessage(to(), paragraphs(5000)))

    (first,) = fake_telegram.sent(USER)
    assert failed.value.delivered == (str(first["message_id"]),)
    assert failed.value.retry_after == 3.0


async def test_unreachable_people(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    fake_telegram.user_sends(USER, "/start")
    fake_telegram.user_sends(USER + 1, "/start")
    await inbox.next()
    await inbox.next()
    fake_telegram.block(USER)
    fake_telegram.deactivate(USER + 1)

    with pytest.raises(Unreachable, match="blocked by the user"):
        await telegram_channel.send(OutgoingMessage(to(), "nhắc việc"))
    with pytest.raises(Unreachable, match="deactivated"):
        await telegram_channel.send(OutgoingMessage(to(USER + 1), "nhắc việc"))
    # Never wrote to the bot: Telegram does not let the bot start the conversation.
    with pytest.raises(Unreachable, match=r"(?i)chat not found"):
        await telegram_channel.send(OutgoingMessage(to(999), "nhắc việc"))
    assert fake_telegram.sent() == []


async def test_edit_replaces_text_and_drops_buttons(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    fake_telegram.user_sends(USER, "/start")
    await inbox.next()
    receipt = await telegram_channel.send(
        OutgoingMessage(to(), "Nhiệm vụ 3 xong chưa?", buttons=((Button("Xong", "done:3"),),))
    )
    message_id = receipt.message_ids[0]

    await telegram_channel.edit(to(), message_id, "Nhiệm vụ 3: đã xong (12/03/2025)")
    # The same text again: Telegram says "not modified", which is no failure for us.
    await telegram_channel.edit(to(), message_id, "Nhiệm vụ 3: đã xong (12/03/2025)")

    (sent,) = fake_telegram.sent(USER)
    assert sent["text"] == "Nhiệm vụ 3: đã xong (12/03/2025)"
    assert sent["edits"] == ["Nhiệm vụ 3 xong chưa?"]
    assert sent["reply_markup"] is None
    edits = [m for m, _ in fake_telegram.requests if m == "editMessageText"]
    assert len(edits) == 2
    with pytest.raises(PermanentFailure, match=r"(?i)message to edit not found"):
        await telegram_channel.edit(to(), "999", "không có")


async def test_without_pacing_the_fake_enforces_flood_limits(
    fake_telegram: FakeTelegramAPI, telegram_channel: TelegramChannel, inbox: Inbox
) -> None:
    fake_telegram.user_sends(USER, "/start")
    await inbox.next()
    fake_telegram.enforce_rate(per_second_total=30, per_chat_per_second=1)

    await telegram_channel.send(OutgoingMessage(to(), "thứ nhất"))
    with pytest.raises(RetryLater) as flood:
        await telegram_channel.send(OutgoingMessage(to(), "thứ hai"))

    assert flood.value.retry_after == 1.0
    assert fake_telegram.throttled == [{"method": "sendmessage", "chat_id": USER, "retry_after": 1}]
    assert [m["text"] for m in fake_telegram.sent(USER)] == ["thứ nhất"]


async def test_rate_limiter_paces_sends_to_one_chat(
    fake_telegram: FakeTelegramAPI, inbox: Inbox
) -> None:
    channel = make_channel(fake_telegram, rate_limit=True)
    await channel.start(inbox)
    try:
        fake_telegram.user_sends(USER, "/start")
        await inbox.next()
        fake_telegram.enforce_rate(per_second_total=30, per_chat_per_second=1)

        # Two parts to one chat: the limiter spaces them a second apart, so no 429.
        receipt = await channel.send(OutgoingMessage(to(), paragraphs(5000)))

        assert len(receipt.message_ids) == 2
        assert fake_telegram.throttled == []
        assert len(fake_telegram.sent(USER)) == 2

        # The limiter does not retry a 429 itself (max_retries=0): the outbox decides.
        fake_telegram.user_sends(USER + 1, "/start")
        await inbox.next()
        fake_telegram.fail_next("sendMessage", 429, retry_after=30)
        with pytest.raises(RetryLater) as flood:
            await channel.send(OutgoingMessage(to(USER + 1), "sau"))
        assert flood.value.retry_after == 30.0
    finally:
        await channel.stop()


# --- polling and webhook setup -----------------------------------------------------------------


async def test_polling_start_removes_a_webhook_loudly(
    fake_telegram: FakeTelegramAPI, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{fake_telegram.base_url}{TELEGRAM_TOKEN}/setWebhook",
            json={"url": "https://bot.example.gov.vn/telegram"},
        ) as response,
    ):
        assert (await response.json())["result"] is True
    channel = make_channel(fake_telegram)
    try:
        with caplog.at_level(logging.WARNING, logger="bot.channels.telegram"):
            await channel.start(inbox)
        assert "a webhook is set (https://bot.example.gov.vn/telegram)" in caplog.text
        assert fake_telegram.webhook_url == ""
        fake_telegram.user_sends(USER, "sau webhook")
        assert (await inbox.next()).text == "sau webhook"
    finally:
        await channel.stop()


@asynccontextmanager
async def webhook_server(fake: FakeTelegramAPI) -> AsyncIterator[tuple[TelegramChannel, str]]:
    """A webhook-mode channel served by aiohttp on a free port: (channel, its webhook URL)."""
    # The socket is bound first so the channel can be told its URL before the route exists.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram/webhook"
    channel = make_channel(fake, webhook_url=url, webhook_secret=WEBHOOK_SECRET)
    app = web.Application()
    app.router.add_post("/telegram/webhook", channel.webhook_handler())
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.SockSite(runner, sock).start()  # the server owns and closes the socket
    except BaseException:
        sock.close()
        await runner.cleanup()
        raise
    try:
        yield channel, url
    finally:
        await runner.cleanup()
        await channel.stop()


def update_body(update_id: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 3,
            "date": 1_700_000_000,
            "chat": {"id": USER, "type": "private", "first_name": "An"},
            "from": {"id": USER, "is_bot": False, "first_name": "An"},
            "text": text,
        },
    }


async def test_webhook_end_to_end(
    fake_telegram: FakeTelegramAPI, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    async with webhook_server(fake_telegram) as (channel, url):
        with caplog.at_level(logging.WARNING, logger="bot.channels.telegram"):
            await channel.start(inbox)
        # start() only compares: setting the webhook is an explicit command.
        assert "run the set-webhook command" in caplog.text
        assert "setWebhook" not in [method for method, _ in fake_telegram.requests]

        await channel.set_webhook()
        assert fake_telegram.webhook_url == url
        message_id = fake_telegram.user_sends(USER, "báo cáo qua webhook")

        got = await inbox.next()
        assert (got.text, got.message_id) == ("báo cáo qua webhook", str(message_id))
        assert got.event_id == str(fake_telegram.last_update_id)
        await fake_telegram.wait_for(lambda: fake_telegram.webhook_deliveries)
        assert fake_telegram.webhook_deliveries == [
            {"update_id": int(got.event_id), "url": url, "status": 200, "error": None}
        ]
        assert [m.text for m in inbox.messages] == ["báo cáo qua webhook"]


async def test_webhook_route_checks_before_it_answers(
    fake_telegram: FakeTelegramAPI, inbox: Inbox
) -> None:
    async with webhook_server(fake_telegram) as (channel, url):
        await channel.start(inbox)
        good = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
        body = json.dumps(update_body(501, "qua webhook")).encode()
        async with aiohttp.ClientSession() as http:

            async def post(data: object, headers: dict[str, str]) -> tuple[int, str]:
                async with http.post(url, data=data, headers=headers) as response:
                    return response.status, await response.text()

            assert await post(body, {}) == (403, "forbidden")
            assert await post(body, {"X-Telegram-Bot-Api-Secret-Token": "sai"}) == (
                403,
                "forbidden",
            )
            oversized = b"x" * (MAX_WEBHOOK_BODY + 1)
            assert await post(io.BytesIO(oversized), good) == (413, "too large")

            async def chunks() -> AsyncIterator[bytes]:  # no Content-Length to go by
                for start in range(0, len(oversized), 256 * 1024):
                    yield oversized[start : start + 256 * 1024]

            assert await post(chunks(), good) == (413, "too large")
            assert await post(b"{not json", good) == (400, "not JSON")
            assert await post(b"[1, 2]", good) == (400, "not an update")
            assert inbox.messages == []

            assert await post(body, good) == (200, "")
        got = await inbox.next()
        assert (got.text, got.event_id, got.ref) == ("qua webhook", "501", to())


async def test_webhook_answers_before_the_update_is_processed(
    fake_telegram: FakeTelegramAPI,
) -> None:
    release = asyncio.Event()
    done: list[str] = []

    async def slow_sink(message: IncomingMessage) -> None:
        await release.wait()
        done.append(message.text)

    async with webhook_server(fake_telegram) as (channel, url):
        await channel.start(slow_sink)
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                url,
                json=update_body(600, "chậm"),
                headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET},
            ) as response,
        ):
            assert response.status == 200
        assert done == []  # answered while the sink is still busy
        release.set()
        # stop() (leaving the block) waits for the background task to finish.
    assert done == ["chậm"]


async def test_feed_hands_a_webhook_body_to_the_sink(
    fake_telegram: FakeTelegramAPI, inbox: Inbox
) -> None:
    async with webhook_server(fake_telegram) as (channel, _url):
        await channel.start(inbox)
        await channel.feed(update_body(700, "/quahan Sở Tài chính"))
    (got,) = inbox.messages
    assert (got.command, got.args, got.event_id) == ("quahan", "Sở Tài chính", "700")


def test_verify_compares_the_secret_header(fake_telegram: FakeTelegramAPI) -> None:
    channel = make_channel(fake_telegram, webhook_secret=WEBHOOK_SECRET)
    header = "X-Telegram-Bot-Api-Secret-Token"
    assert channel.verify({header: WEBHOOK_SECRET}, b"{}") is True
    assert channel.verify({header.lower(): WEBHOOK_SECRET}, b"{}") is True  # plain dict
    assert channel.verify(CIMultiDict({header.upper(): WEBHOOK_SECRET}), b"") is True
    assert channel.verify({header: WEBHOOK_SECRET + "x"}, b"{}") is False
    assert channel.verify({header: "khóa-sai"}, b"{}") is False  # non-ASCII must not raise
    assert channel.verify({}, b"{}") is False
    assert channel.verify({header: ""}, b"{}") is False
    unsecured = make_channel(fake_telegram)
    assert unsecured.verify({header: ""}, b"{}") is False
    assert unsecured.verify({header: WEBHOOK_SECRET}, b"{}") is False
    with pytest.raises(ValueError, match="needs a webhook_secret"):
        make_channel(fake_telegram, webhook_url="https://bot.example.gov.vn/tg")
    with pytest.raises(ValueError, match="1-256 characters"):
        make_channel(fake_telegram, webhook_secret="khóa bí mật")


# --- secrets -----------------------------------------------------------------------------------


async def test_token_never_reaches_errors_or_logs(
    fake_telegram: FakeTelegramAPI, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "7012345678:AAHwrongSecret-the_server_refuses_42"
    channel = TelegramChannel(
        wrong, api_url=fake_telegram.base_url, file_url=fake_telegram.base_file_url
    )
    with pytest.raises(PermanentFailure) as refused:
        await channel.start(inbox)
    await channel.stop()

    secret = wrong.partition(":")[2]
    error = refused.value
    shown = str(error) + repr(error) + "".join(traceback.format_exception(error))
    assert "was rejected by the server" in str(error)  # PTB's message, with the token …
    assert "<redacted>" in str(error)  # … taken out
    assert secret not in shown
    # The transport logs every request URL (at DEBUG), and the token is part of each: redacted.
    assert "/bot<redacted>/getMe" in caplog.text
    assert secret not in caplog.text


async def test_token_stays_out_of_logs_while_running(
    fake_telegram: FakeTelegramAPI, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    channel = make_channel(fake_telegram)
    await channel.start(inbox)
    try:
        fake_telegram.user_sends(USER, "/start")
        await inbox.next()
        await channel.send(OutgoingMessage(to(), "chào"))
        with pytest.raises(Unreachable) as gone:
            await channel.send(OutgoingMessage(to(31337), "không tới"))
    finally:
        await channel.stop()
    secret = TELEGRAM_TOKEN.partition(":")[2]
    assert "/bot<redacted>/sendMessage" in caplog.text
    assert secret not in caplog.text
    assert secret not in "".join(traceback.format_exception(gone.value))


def test_redaction_helpers() -> None:
    secret = "7012345678:AAHsecret/with?odd=chars"
    assert (
        redact(f"GET https://x/bot{secret}/getMe", [secret]) == "GET https://x/bot<redacted>/getMe"
    )
    assert secret not in redact(f"url={quote(secret, safe='')}", [secret])
    assert redact("nothing here", ["", secret]) == "nothing here"

    record_filter = RedactingFilter([secret])
    try:
        raise ValueError(f"bad token {secret}")
    except ValueError:
        record = logging.LogRecord(
            "httpx", logging.ERROR, __file__, 1, "calling %s", (secret,), sys.exc_info()
        )
    assert record_filter.filter(record) is True
    assert record.getMessage() == "calling <redacted>"
    assert secret not in logging.Formatter().format(record)
    assert "bad token <redacted>" in logging.Formatter().format(record)


def test_split_text_boundaries() -> None:
    assert split_text("  chào  ") == ["chào"]
    assert split_text("   ") == []
    words = "một hai ba bốn năm sáu bảy tám chín mười"
    parts = split_text(words, limit=12)
    assert all(len(p) <= 12 for p in parts)
    assert " ".join(parts).split() == words.split()
    # A paragraph break in the second half of the window wins over a later space.
    assert split_text("aaaa bbbb\n\ncc dd ee", limit=15) == ["aaaa bbbb", "cc dd ee"]
    # One word longer than the limit: nothing to do but cut it.
    assert split_text("x" * 25, limit=10) == ["x" * 10, "x" * 10, "x" * 5]
    # Emoji count two units, as Telegram counts them.
    assert split_text("😀" * 3, limit=4) == ["😀😀", "😀"]
