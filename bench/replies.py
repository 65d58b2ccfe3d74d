"""Benchmark: the reply reader against the labelled corpus. Prints numbers; not a test."""

from __future__ import annotations

import csv
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plans.replies import STATUSES, ReplyReading, read_reply  # noqa: E402
from plans.text import fold  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "replies.tsv"
FIELDS = ("status", "percent", "date", "date_role", "reason", "task_code")
TIMING_ROUNDS = 20


def load() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def field_results(row: dict[str, str], got: ReplyReading) -> dict[str, bool]:
    """Which labelled fields the reading got right (same checks as tests/unit/test_replies.py)."""
    data = got.to_json()
    if row["reason_contains"]:
        reason_ok = got.reason is not None and row["reason_contains"] in fold(got.reason).lower()
    else:
        reason_ok = got.reason is None
    return {
        "status": data["status"] == row["status"],
        "percent": data["percent"] == (int(row["percent"]) if row["percent"] else None),
        "date": data["date"] == (row["date"] or None),
        "date_role": data["date_role"] == (row["date_role"] or None),
        "reason": reason_ok,
        "task_code": data["task_code"] == (row["task_code"] or None),
    }


def mean_microseconds(rows: list[dict[str, str]]) -> float:
    inputs = [(r["text"], date.fromisoformat(r["today"])) for r in rows]
    for text, today in inputs:  # warm-up: lazy imports and compiled patterns
        read_reply(text, today)
    start = time.perf_counter()
    for _ in range(TIMING_ROUNDS):
        for text, today in inputs:
            read_reply(text, today)
    return (time.perf_counter() - start) / (TIMING_ROUNDS * len(inputs)) * 1e6


def print_status_table(pairs: list[tuple[str, str]]) -> None:
    print(f"\n{'status':18s} {'precision':>9s} {'recall':>7s} {'labelled':>8s}")
    for status in STATUSES:
        predicted = sum(got == status for _, got in pairs)
        labelled = sum(want == status for want, _ in pairs)
        right = sum(want == got == status for want, got in pairs)
        precision = right / predicted if predicted else float("nan")
        recall = right / labelled if labelled else float("nan")
        print(f"{status:18s} {precision:9.1%} {recall:7.1%} {labelled:8d}")


def main() -> None:
    rows = load()
    per_field = dict.fromkeys(FIELDS, 0)
    all_right = 0
    pairs: list[tuple[str, str]] = []
    misses: list[tuple[dict[str, str], ReplyReading, list[str]]] = []
    for row in rows:
        got = read_reply(row["text"], date.fromisoformat(row["today"]))
        results = field_results(row, got)
        for name, ok in results.items():
            per_field[name] += ok
        wrong = [name for name, ok in results.items() if not ok]
        all_right += not wrong
        pairs.append((row["status"], got.status))
        if wrong:
            misses.append((row, got, wrong))

    n = len(rows)
    print(f"corpus: {n} replies ({CORPUS.relative_to(ROOT)})")
    print(f"overall (every labelled field right): {all_right}/{n} = {all_right / n:.1%}")
    for name in FIELDS:
        print(f"  {name:10s} {per_field[name]}/{n} = {per_field[name] / n:.1%}")
    print_status_table(pairs)
    print(f"\nmean time per reply: {mean_microseconds(rows):.0f} µs")
    print(f"\nmisses ({len(misses)}):")
    for row, got, wrong in misses:
        note = f"  [{row['note']}]" if row["note"] else ""
        print(f"  {row['text']!r} (today {row['today']}){note}")
        for name in wrong:
            want = row["reason_contains"] if name == "reason" else row[name]
            have = got.to_json()[name]
            print(f"      {name}: want {want or None!r}, got {have!r}")


if __name__ == "__main__":
    main()
