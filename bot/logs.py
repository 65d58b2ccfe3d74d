"""Logging for the service: text or one JSON object per line, with tokens and phone numbers out."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import IO, Any

from bot.redact import RedactingFilter, install_redaction

PHONE_REPLACEMENT = "<phone>"
# Vietnamese numbers as people type them: 0912345678, 0912 345 678, 091.234.5678, +84912345678,
# (+84) 912…, 0084…, landlines 024 3825 1234. Only what starts like a phone number: chat and
# update ids never start with 0 or +84, and a longer run of digits (an id) is left alone.
PHONE_RE = re.compile(r"(?<![\w+(])(?:\(\+84\)|\+84|0084|0)(?:[ .\-]?\d){8,10}(?![\w])")
FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# LogRecord's own attributes; anything else on a record came from `extra=` and is kept.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def redact_phones(text: str) -> str:
    return PHONE_RE.sub(PHONE_REPLACEMENT, text)


class PhoneFilter(logging.Filter):
    """Replaces phone numbers in a record's message, traceback and stack before any output."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for logging to report
            return True
        clean = redact_phones(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_phones(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_phones(record.stack_info)
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, redact_phones(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in entry:
                entry[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


class _ServiceHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so configuring again replaces it."""


def configure_logging(
    fmt: str = "text",
    level: str | int = "INFO",
    secrets: Iterable[str | None] = (),
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send the service's logs to `stream` (stderr) as text or JSON, scrubbed of secrets."""
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be one of {', '.join(FORMATS)}, not {fmt!r}")
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _ServiceHandler)]:
        root.removeHandler(old)
    handler = _ServiceHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    known = [s for s in secrets if s]
    # Tokens first (they contain digits a phone pattern could cut into), then phone numbers.
    handler.addFilter(RedactingFilter(known))
    handler.addFilter(PhoneFilter())
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else level.upper())
    install_redaction(known)  # the noisy libraries' own loggers, as the channels do
    return handler
