"""Reading focal points' replies: the labelled corpus, bad input, confidence, yes/no answers."""

from __future__ import annotations

import csv
import time
from datetime import date
from pathlib import Path

import pytest

from plans.replies import CONFIDENT, STATUSES, ReplyReading, read_reply, read_yes_no
from plans.text import fold

CORPUS = Path(__file__).resolve().parents[1] / "data" / "replies.tsv"
TODAY = date(2026, 11, 20)  # a Friday


def _rows() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


ROWS = _rows()


def _param(row: dict[str, str]) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=row["note"])] if "xfail" in row["note"] else []
    return pytest.param(row, marks=marks, id=f"{row['status']}:{fold(row['text'])[:40]}")


def _check(row: dict[str, str], reading: ReplyReading) -> None:
    got = reading.to_json()
    assert got["status"] == row["status"], got
    assert got["percent"] == (int(row["percent"]) if row["percent"] else None), got
    assert got["date"] == (row["date"] or None), got
    assert got["date_role"] == (row["date_role"] or None), got
    assert got["task_code"] == (row["task_code"] or None), got
    if row["reason_contains"]:
        assert reading.reason is not None, got
        assert row["reason_contains"] in fold(reading.reason).lower(), got
    else:
        assert reading.reason is None, got


@pytest.mark.parametrize("row", [_param(r) for r in ROWS])
def test_corpus_row(row: dict[str, str]) -> None:
    _check(row, read_reply(row["text"], date.fromisoformat(row["today"])))


MARKED = [r for r in ROWS if fold(r["text"]) != r["text"] and "xfail" not in r["note"]]


@pytest.mark.parametrize("row", [_param(r) for r in MARKED])
def test_corpus_row_without_tone_marks(row: dict[str, str]) -> None:
    # Most replies are typed without marks: the same words must read the same way.
    today = date.fromisoformat(row["today"])
    marked, bare = read_reply(row["text"], today), read_reply(fold(row["text"]), today)
    assert (bare.status, bare.percent, bare.date, bare.date_role, bare.task_code) == (
        marked.status,
        marked.percent,
        marked.date,
        marked.date_role,
        marked.task_code,
    )


def test_corpus_size_and_spread() -> None:
    assert len(ROWS) >= 170
    counts = {s: sum(r["status"] == s for r in ROWS) for s in STATUSES}
    assert counts["done"] >= 40 and counts["in_progress"] >= 40
    assert counts["blocked"] >= 25 and counts["extension_request"] >= 25
    assert counts["question"] >= 15 and counts["other"] >= 20
    assert sum("xfail" in r["note"] for r in ROWS) <= len(ROWS) * 0.05


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "😀😀😀",
        "Hello, I will check it",
        "你好，我们已经收到",
        "'; DROP TABLE tasks; --",
        "15",
        "2026",
        "150%",
        "\x00\x01",
    ],
)
def test_bad_input_is_other_and_unsure(text: str) -> None:
    reading = read_reply(text, TODAY)
    assert reading.status == "other"
    assert reading.confidence < CONFIDENT
    assert reading.percent is None and reading.date is None


def test_a_lone_question_mark_is_an_unsure_question() -> None:
    reading = read_reply("?", TODAY)
    assert reading.status == "question" and reading.confidence < CONFIDENT


@pytest.mark.parametrize("value", [None, 42, b"xong"])
def test_not_a_string_is_other(value: object) -> None:
    reading = read_reply(value, TODAY)  # type: ignore[arg-type]
    assert reading.status == "other" and reading.confidence < CONFIDENT


@pytest.mark.parametrize(
    "text",
    [
        "xong roi " * 1250,
        "đang làm 70%, vướng kinh phí, xin gia hạn đến 15/12. " * 200,
        "a" * 10_000,
        "15/12 " * 2000,
    ],
    ids=["repeated-done", "repeated-mixed", "one-long-word", "many-dates"],
)
def test_ten_thousand_characters_return_quickly(text: str) -> None:
    read_reply("xin gia hạn đến ngày 30 tháng 12, sau Tết", TODAY)  # pay for lazy imports first
    assert len(text) >= 10_000
    start = time.perf_counter()
    reading = read_reply(text, TODAY)
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5, elapsed
    assert reading.confidence < CONFIDENT  # a long message is never repeated back unasked


@pytest.mark.parametrize("text", ["ok", "ht", "đang", "dang", "Ok ạ", "rồi ạ", "chưa ạ", "15/12"])
def test_ambiguous_replies_are_below_confident(text: str) -> None:
    assert read_reply(text, TODAY).confidence < CONFIDENT


@pytest.mark.parametrize(
    "text",
    [
        "xong rồi",
        "đã hoàn thành",
        "dang lam 70%",
        "vướng kinh phí",
        "xin gia han den 15/12",
        "nhiệm vụ này là gì ạ?",
        "chưa xong",
        "ht roi",
    ],
)
def test_clear_replies_are_confident(text: str) -> None:
    assert read_reply(text, TODAY).confidence >= CONFIDENT


def test_ok_alone_is_not_done() -> None:
    assert read_reply("ok", TODAY).status == "other"
    assert read_reply("ok xong", TODAY).status == "done"


def test_negation_is_not_done() -> None:
    for text in ("chưa xong", "chua hoan thanh", "ko xong kịp", "chưa thể hoàn thành"):
        assert read_reply(text, TODAY).status != "done", text


def test_a_citation_date_is_never_a_deadline() -> None:
    text = "xin gia hạn, theo công văn số 245/BC-STTTT ngày 18/11"
    reading = read_reply(text, TODAY)
    assert reading.status == "extension_request"
    assert reading.date is None


def test_dates_follow_the_intent() -> None:
    # The same day-and-month: already past for a done report, ahead for an extension.
    on_new_year = date(2027, 1, 5)
    assert read_reply("đã gửi ngày 28/12", on_new_year).date == date(2026, 12, 28)
    assert read_reply("xin gia hạn đến 28/12", on_new_year).date == date(2027, 12, 28)


def test_percent_out_of_range_is_rejected() -> None:
    reading = read_reply("đang làm 150%", TODAY)
    assert reading.percent is None
    assert reading.status == "in_progress" and reading.confidence < CONFIDENT


def test_to_json_keys() -> None:
    reading = read_reply("3.5 xin gia han den 15/12 vi thieu kp", TODAY)
    assert reading.to_json() == {
        "status": "extension_request",
        "percent": None,
        "date": "2026-12-15",
        "date_role": "new_deadline",
        "reason": "thieu kp",
        "confidence": reading.confidence,
        "task_code": "3.5",
    }


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("dung", True),
        ("đúng rồi", True),
        ("Đúng rồi ạ", True),
        ("ok", True),
        ("vâng", True),
        ("Dạ vâng", True),
        ("uh", True),
        ("chuẩn", True),
        ("co", True),
        ("có ạ", True),
        ("dạ", True),
        ("không sai", True),
        ("chính xác", True),
        ("sai", False),
        ("sai rồi", False),
        ("không", False),
        ("ko", False),
        ("k", False),
        ("sửa", False),
        ("chua dung", False),
        ("chưa đúng ạ", False),
        ("không phải", False),
        ("đúng nhưng sửa ngày", False),
        ("Dạ không ạ", False),
        ("", None),
        ("   ", None),
        ("dang lam 70%", None),
        ("xin gia hạn", None),
        ("😀", None),
        ("15/12", None),
    ],
)
def test_read_yes_no(text: str, answer: bool | None) -> None:
    assert read_yes_no(text) is answer
