"""Service logs: text or one JSON object per line, and never a token or a phone number in them."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logs import configure_logging, redact_phones

TOKEN = "7012345678:AAHfakeSecretPart-for_tests_0123456789"
WEBHOOK_SECRET = "webhook-Secret_0123456789"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """The root logger as `configure_logging` leaves it, restored after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    yield stream
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.parametrize(
    "text",
    [
        "gọi 0912345678 nhé",
        "0912 345 678",
        "091.234.5678",
        "+84912345678",
        "(+84) 912 345 678",
        "0084 912 345 678",
        "máy bàn 024 3825 1234",
        "0912-345-678.",
    ],
)
def test_phone_numbers_are_found(text: str) -> None:
    cleaned = redact_phones(text)
    assert "<phone>" in cleaned
    assert not any(ch.isdigit() for ch in cleaned.replace("(+84)", "")), cleaned


@pytest.mark.parametrize(
    "text",
    [
        "chat 5012345678 update 100023",  # Telegram ids never start with 0
        "inbound 123456789012",
        "2018-06-20T09:00:00.000000+07:00",
        "took 0.123456 s",
        "zalo id 0a1b2c3d4e5f67890",
        "task 3.5 xong 70%",
        "số 245/BC-STTTT",
    ],
)
def test_ids_dates_and_numbers_stay(text: str) -> None:
    assert redact_phones(text) == text


def test_json_lines_without_tokens_or_phone_numbers(captured: io.StringIO) -> None:
    configure_logging("json", "DEBUG", [TOKEN, WEBHOOK_SECRET, None], stream=captured)
    log = logging.getLogger("nhacviec.test")
    log.info("registered %s with phone %s", "Nguyễn Văn An", "0912 345 678", extra={"chat": "42"})
    logging.getLogger("httpx").info("HTTP Request: POST https://api/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"insert failed: ('Lê Thu Hà', '+84912345678', '{WEBHOOK_SECRET}')")
    except RuntimeError:
        log.exception("saving contact failed")
    lines = captured.getvalue().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert [e["level"] for e in entries] == ["INFO", "INFO", "ERROR"]
    first = entries[0]
    assert first["message"] == "registered Nguyễn Văn An with phone <phone>"
    assert (first["logger"], first["chat"]) == ("nhacviec.test", "42")
    assert first["time"].endswith("+00:00")
    assert entries[1]["message"] == "HTTP Request: POST https://api/bot<redacted>/getMe"
    assert "RuntimeError: insert failed: ('Lê Thu Hà', '<phone>', '<redacted>')" in (
        entries[2]["exception"]
    )
    everything = captured.getvalue()
    for secret in (TOKEN, TOKEN.partition(":")[2], WEBHOOK_SECRET, "912345678", "345 678"):
        assert secret not in everything


def test_text_format_is_scrubbed_too(captured: io.StringIO) -> None:
    configure_logging("text", "INFO", [TOKEN], stream=captured)
    logging.getLogger("bot.contacts").warning("token %s phone 0987.654.321", TOKEN)
    logging.getLogger("bot.contacts").debug("not shown at INFO")
    [line] = captured.getvalue().splitlines()
    assert line.endswith("WARNING bot.contacts: token <redacted> phone <phone>")


def test_configuring_again_replaces_the_handler(captured: io.StringIO) -> None:
    configure_logging("text", "INFO", [], stream=io.StringIO())
    configure_logging("json", "INFO", [], stream=captured)
    logging.getLogger("x").info("once")
    assert len(captured.getvalue().splitlines()) == 1
    with pytest.raises(ValueError, match="LOG_FORMAT must be one of text, json"):
        configure_logging("yaml")
