"""Keep secrets (bot tokens, webhook secrets) out of log lines and error messages."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

REPLACEMENT = "<redacted>"

# Libraries whose log lines carry request URLs (a Telegram or Zalo bot token sits in every
# URL), and our own channels, whose records are cleaned where they are made, before any
# handler (one added after start-up included) sees them.
NOISY_LOGGERS = ("httpx", "httpcore", "telegram", "aiohttp", "bot.channels")


def _variants(secrets: Iterable[str]) -> list[str]:
    """Each secret as written and URL-encoded, longest first so a prefix never hides the rest."""
    found: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        found.add(secret)
        found.add(quote(secret, safe=""))
    return sorted(found, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every occurrence of every secret replaced."""
    for secret in _variants(secrets):
        if secret in text:
            text = text.replace(secret, REPLACEMENT)
    return text


def token_secrets(token: str | None) -> list[str]:
    """What of a bot token must never be shown: the whole token and its secret half.

    Telegram and Zalo tokens are both `{bot_id}:{secret}`, and the token sits in every API URL
    (`…/bot{token}/sendMessage`); a log line may carry it whole, URL-encoded or split at the
    colon. The bot id alone is not a secret (it names the bot in URLs and logs).
    """
    if not token:
        return []
    secret = token.partition(":")[2]
    return [s for s in (token, secret) if s]


def scrub_exception(exc: BaseException, secrets: Iterable[str]) -> None:
    """Remove the secrets from an exception's message and from every exception chained to it.

    Exceptions end up in tracebacks, `str(exc)` in stored error columns and `repr` in debug
    output; HTTP libraries put the request URL (and so the token) in theirs. Cleaned in place:
    the args (what str and repr show) of the exception and of its __cause__/__context__ chain.
    """
    secrets = list(secrets)
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(redact(a, secrets) if isinstance(a, str) else a for a in current.args)
        current = current.__cause__ or current.__context__


class RedactingFilter(logging.Filter):
    """Rewrites a record's message (and its formatted traceback) so no secret gets through.

    On a handler it sees every record the handler emits, including those propagated from
    child loggers; on a logger it only sees records created on exactly that logger.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets: set[str] = {s for s in secrets if s}

    def add(self, secrets: Iterable[str]) -> None:
        self.secrets.update(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for logging to report
            return True
        clean = redact(message, self.secrets)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is formatted once,
            # here, and redacted before any handler prints it.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def _attach(target: logging.Logger | logging.Handler, secrets: Iterable[str]) -> None:
    # One filter per target, grown with each call, so repeated installs do not stack filters.
    for existing in target.filters:
        if isinstance(existing, RedactingFilter):
            existing.add(secrets)
            return
    target.addFilter(RedactingFilter(secrets))


def install_redaction(secrets: Iterable[str], logger_names: Iterable[str] = NOISY_LOGGERS) -> None:
    """Attach a RedactingFilter to the root logger's handlers and to the noisy loggers.

    Handlers added to the root logger later are not covered: call this again after
    configuring logging (it is idempotent and only adds secrets).
    """
    secrets = [s for s in secrets if s]
    if not secrets:
        return
    names = tuple(logger_names)
    for handler in logging.getLogger().handlers:
        _attach(handler, secrets)
    # Child loggers (telegram.ext.Updater, …) do not run their parents' filters, so every
    # existing logger under the noisy names gets its own.
    existing = [
        name
        for name in list(logging.Logger.manager.loggerDict)
        if any(name == n or name.startswith(n + ".") for n in names)
    ]
    for name in {*names, *existing}:
        _attach(logging.getLogger(name), secrets)
