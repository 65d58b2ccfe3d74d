"""CLI for the data's safety: `nhacviec backup FILE` and `nhacviec restore FILE [--force]`."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from bot.app import database_url
from bot.config import Settings
from storage.backup import BackupError, Summary, TargetNotEmpty, backup, restore
from texts import t


class BackupCommandError(Exception):
    """A problem the user can fix; bot.cli prints it in Vietnamese with exit code 2."""


def add_parsers(sub: Any) -> None:
    dump = sub.add_parser("backup", help="sao lưu toàn bộ dữ liệu ra một tệp (backup)")
    dump.add_argument("path", metavar="FILE", help="tệp .zip sẽ ghi (ghi đè nếu đã có)")
    load = sub.add_parser("restore", help="khôi phục dữ liệu từ tệp sao lưu (restore)")
    load.add_argument("path", metavar="FILE")
    load.add_argument(
        "--force", action="store_true", help="xoá dữ liệu đang có trong cơ sở dữ liệu đích"
    )


class _Progress:
    """Per-table progress on stderr; only big tables get lines while they load."""

    def __init__(self) -> None:
        self._shown: dict[str, int] = {}

    def __call__(self, table: str, done: int, total: int) -> None:
        if total == 0:
            return  # an empty table is not worth a line
        last = self._shown.get(table, -1)
        finished = done >= total
        if finished or done - max(last, 0) >= 20_000:
            if not (finished and last == done):
                print(t("ops.progress", table=table, done=done, total=total), file=sys.stderr)
            self._shown[table] = done


def _summary(summary: Summary) -> dict[str, object]:
    return {"rows": summary.rows, "tables": len(summary.tables), "revision": summary.revision}


def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    try:
        summary = asyncio.run(backup(database_url(settings), args.path, progress=_Progress()))
    except (BackupError, OSError) as exc:
        raise BackupCommandError(t("ops.backup.failed", error=exc)) from exc
    print(t("ops.backup.done", path=args.path, **_summary(summary)))
    return 0


def cmd_restore(args: argparse.Namespace, settings: Settings) -> int:
    try:
        summary = asyncio.run(
            restore(database_url(settings), args.path, force=args.force, progress=_Progress())
        )
    except TargetNotEmpty as exc:
        raise BackupCommandError(t("ops.restore.not_empty", error=exc)) from exc
    except (BackupError, OSError) as exc:
        raise BackupCommandError(t("ops.restore.failed", error=exc)) from exc
    print(t("ops.restore.done", path=args.path, **_summary(summary)))
    return 0


COMMANDS = {
    ("backup", None): cmd_backup,
    ("restore", None): cmd_restore,
}
