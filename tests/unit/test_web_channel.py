"""The web channel on its own: what the page posts becomes messages, sends reach open pages."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.channels.base import Attachment, Button, ChatRef, OutgoingMessage, PermanentFailure
from bot.channels.web import WebChannel
from bot.webchat.files import FileStore, safe_name
from scheduler.clock import LOCAL_TZ, ManualClock

BROWSER = "0123456789abcdef0123456789abcdef"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2018, 6, 25, 9, 0, tzinfo=LOCAL_TZ))


@pytest.fixture
def channel(clock: ManualClock, tmp_path: Path) -> WebChannel:
    return WebChannel(clock, FileStore(tmp_path / "files"))


def test_text_and_commands_are_read_like_telegram(channel: WebChannel, clock: ManualClock) -> None:
    [message] = channel.parse({"chat_id": BROWSER, "event_id": "e1", "text": "  dang lam 70%  "})
    assert message.ref == ChatRef("web", BROWSER, BROWSER)
    assert message.event_id == f"{BROWSER}:e1" and message.message_id == "e1"
    assert (message.text, message.command, message.sent_at) == ("dang lam 70%", None, clock.now())
    [command] = channel.parse({"chat_id": BROWSER, "event_id": "e2", "text": "/QuaHan Sở Ngoại vụ"})
    assert (command.command, command.args) == ("quahan", "Sở Ngoại vụ")
    [start] = channel.parse({"chat_id": BROWSER, "event_id": "e3", "text": "/start ABCD2345"})
    assert (start.command, start.args) == ("start", "ABCD2345")


def test_a_button_press_carries_its_data_and_label(channel: WebChannel) -> None:
    [press] = channel.parse(
        {"chat_id": BROWSER, "event_id": "p1", "data": "cf:y", "label": "Đúng", "reply_to": "m1"}
    )
    assert (press.callback_data, press.callback_id, press.reply_to) == ("cf:y", "p1", "m1")
    assert press.text == "" and press.raw["label"] == "Đúng"


@pytest.mark.parametrize(
    "payload",
    [
        {"chat_id": "demo-focal-1", "event_id": "e1", "text": "xin chào"},  # not the demo
        {"chat_id": "12345", "event_id": "e1", "text": "xin chào"},
        {"chat_id": BROWSER, "event_id": "bad id!", "text": "xin chào"},
        {"chat_id": BROWSER, "event_id": "e1", "text": "   "},
        {"chat_id": BROWSER, "event_id": "e1", "text": "x" * 4001},
        {"chat_id": BROWSER, "event_id": "e1", "data": "x" * 65},
        {"chat_id": BROWSER, "event_id": "e1", "text": 5},
        {"event_id": "e1", "text": "xin chào"},
    ],
)
def test_what_is_not_a_message_gives_nothing(channel: WebChannel, payload: dict) -> None:
    assert channel.parse(payload) == []


def test_demo_ids_only_in_demo_mode(clock: ManualClock, tmp_path: Path) -> None:
    demo = WebChannel(clock, FileStore(tmp_path), demo=True)
    payload = {"chat_id": "demo-focal-1", "event_id": "e1", "text": "xin chào"}
    assert [m.ref.chat_id for m in demo.parse(payload)] == ["demo-focal-1"]
    assert WebChannel(clock, FileStore(tmp_path)).parse(payload) == []


def test_only_pages_of_the_same_origin_may_post(channel: WebChannel) -> None:
    assert channel.verify({"Host": "127.0.0.1:8080", "Origin": "http://127.0.0.1:8080"}, b"")
    assert not channel.verify({"Host": "127.0.0.1:8080", "Origin": "https://evil.example"}, b"")
    assert channel.verify({"Host": "127.0.0.1:8080"}, b"")  # no Origin: not a browser's form


async def test_send_reaches_every_page_open_on_the_chat(channel: WebChannel) -> None:
    first, second = channel.hub.subscribe(BROWSER), channel.hub.subscribe(BROWSER)
    other = channel.hub.subscribe("f" * 32)
    buttons = ((Button("Đúng", "cf:y"), Button("Sửa", "cf:n")),)
    receipt = await channel.send(
        OutgoingMessage(ChatRef("web", BROWSER), "Nhiệm vụ 5.1: đang thực hiện 70%.", buttons)
    )
    [message_id] = receipt.message_ids
    for queue in (first, second):
        name, item = queue.get_nowait()
        assert name == "message"
        assert item["id"] == message_id and item["from"] == "bot"
        assert item["text"] == "Nhiệm vụ 5.1: đang thực hiện 70%."
        assert item["buttons"] == [
            [{"label": "Đúng", "data": "cf:y"}, {"label": "Sửa", "data": "cf:n"}]
        ]
        assert item["time"] == "25/06/2018 09:00"
    assert other.empty()


async def test_a_photo_sent_as_bytes_is_kept_and_linked(channel: WebChannel) -> None:
    queue = channel.hub.subscribe(BROWSER)
    chart = Attachment(kind="photo", content=PNG, mime_type="image/png")
    message = OutgoingMessage(ChatRef("web", BROWSER), "Biểu đồ", attachment=chart)
    receipt = await channel.send(message)
    [message_id] = receipt.message_ids
    _, item = queue.get_nowait()
    assert item["attachment"] == {
        "kind": "photo",
        "name": "",
        "url": f"/web/files/{message_id}/anh.png",
    }
    stored = channel.files.find(message_id)
    assert stored is not None and stored.path.read_bytes() == PNG
    assert stored.mime_type == "image/png"


async def test_a_document_keeps_its_name_and_a_foreign_link_is_dropped(
    channel: WebChannel,
) -> None:
    queue = channel.hub.subscribe(BROWSER)
    report = Attachment(kind="document", name="Báo cáo quý II.docx", content=b"PK\x03\x04")
    await channel.send(OutgoingMessage(ChatRef("web", BROWSER), "Báo cáo", attachment=report))
    _, item = queue.get_nowait()
    assert item["attachment"]["kind"] == "document"
    assert item["attachment"]["url"].endswith("/B%C3%A1o_c%C3%A1o_qu%C3%BD_II.docx")
    sneaky = Attachment(kind="document", name="x", url="javascript:alert(1)")
    await channel.send(OutgoingMessage(ChatRef("web", BROWSER), "Tệp", attachment=sneaky))
    _, item = queue.get_nowait()
    assert item["attachment"]["url"] is None


async def test_send_refuses_what_is_not_a_web_chat(channel: WebChannel) -> None:
    with pytest.raises(PermanentFailure):
        await channel.send(OutgoingMessage(ChatRef("web", "123456"), "xin chào"))
    with pytest.raises(PermanentFailure):
        await channel.send(OutgoingMessage(ChatRef("web", BROWSER), "   "))


async def test_edit_and_stop_reach_open_pages(channel: WebChannel) -> None:
    queue = channel.hub.subscribe(BROWSER)
    await channel.edit(ChatRef("web", BROWSER), "abc", "Đã xử lý")
    assert queue.get_nowait() == ("edit", {"id": "abc", "text": "Đã xử lý"})
    await channel.stop()
    assert queue.get_nowait() is None  # the stream ends


def test_file_names_are_safe_and_typed() -> None:
    assert safe_name(None, PNG, "photo", None) == "anh.png"
    assert safe_name("../../etc/passwd", b"x", "document", None) == "etc_passwd.bin"
    assert safe_name("Tổng hợp.xlsx", b"PK", "document", None) == "Tổng_hợp.xlsx"
    assert safe_name("bieu-do", b"\xff\xd8\xff\xe0", "photo", "image/jpeg") == "bieu-do.jpg"
