"""The report's status labels and the plan's outline of headings, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from plans.progress import Standing
from plans.schedule import UNKNOWN
from reports.consolidated import Heading, header_of, outline
from reports.data import PlanData, TaskRecord
from reports.wording import status_label

DUE = date(2026, 6, 30)


@pytest.mark.parametrize(
    ("standing", "label"),
    [
        (Standing("done", "done_on_time", DUE, None, DUE), "Hoàn thành đúng hạn"),
        (Standing("done", "done_late", DUE, None, DUE), "Hoàn thành trễ hạn"),
        (Standing("done_pending", "done_late", DUE, None, DUE),
         "Đã báo hoàn thành, chờ xác nhận (trễ hạn)"),
        (Standing("not_reported", "overdue", DUE, None, DUE, overdue_days=12),
         "Quá hạn 12 ngày, chưa báo cáo"),
        (Standing("in_progress", "overdue", DUE, None, DUE, 40, overdue_days=3), "Quá hạn 3 ngày"),
        (Standing("blocked", "in_time", DUE, None, DUE, working_days_left=9),
         "Có vướng mắc, trong hạn"),
        (Standing("in_progress", "due_soon", DUE, None, DUE, 70, working_days_left=2),
         "Đang thực hiện (70%), trong hạn"),
        (Standing("not_reported", "due_soon", DUE, None, DUE, working_days_left=0),
         "Đến hạn, chưa báo cáo"),
        (Standing("not_reported", "in_time", DUE, None, DUE, working_days_left=20),
         "Chưa đến hạn"),
        (Standing("not_reported", "no_deadline", None, None, None), "Chưa xác định thời hạn"),
    ],
)  # fmt: skip
def test_status_labels(standing: Standing, label: str) -> None:
    assert status_label(standing) == label


def _task(code: str, section: str | None, parent: str | None, position: int) -> TaskRecord:
    return TaskRecord(position, code, f"Nhiệm vụ {code}", section, parent, position, None,
                      UNKNOWN, None, (), (), ())  # fmt: skip


def test_outline_nests_headings_once_each() -> None:
    tasks = [
        _task("1", None, None, 0),
        _task("5.1", "5. Các hoạt động cụ thể", "5", 1),
        _task("5.2.1", "5.2. Tuyên truyền biển, đảo", "5.2", 2),
        _task("5.2.2", "5.2. Tuyên truyền biển, đảo", "5.2", 3),
        _task("5.3", "5. Các hoạt động cụ thể", "5", 4),
        _task("6", None, None, 5),
    ]
    shown = [
        f"# {item.text} ({item.level})" if isinstance(item, Heading) else item.code
        for item in outline(tasks)
    ]
    assert shown == [
        "1",
        "# 5. Các hoạt động cụ thể (0)",
        "5.1",
        "# 5.2. Tuyên truyền biển, đảo (1)",
        "5.2.1",
        "5.2.2",
        "5.3",
        "6",
    ]


def _plan(issuer: str | None, coordinator: str | None, settings: dict | None = None) -> PlanData:
    return PlanData(1, "Kế hoạch X", None, None, 2026, issuer, settings or {}, (), (),
                    coordinator, frozenset())  # fmt: skip


def test_header_from_the_plan_and_its_coordinator() -> None:
    h = header_of(_plan("Ủy ban nhân dân tỉnh Hà Tĩnh", "Sở Văn hóa, Thể thao và Du lịch"))
    assert (h.parent_body, h.body, h.abbreviation, h.place, h.signer) == (
        "UBND TỈNH HÀ TĨNH",
        "SỞ VĂN HÓA, THỂ THAO VÀ DU LỊCH",
        "SVHTTDL",
        "Hà Tĩnh",
        ("GIÁM ĐỐC",),
    )
    assert h.addressee == "UBND tỉnh Hà Tĩnh"
    alone = header_of(_plan("UBND tỉnh Quảng Trị", None))
    assert (alone.parent_body, alone.body, alone.abbreviation, alone.addressee) == (
        None,
        "UBND TỈNH QUẢNG TRỊ",
        "UBND",
        None,
    )
    assert alone.signer == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    chosen = header_of(
        _plan("UBND tỉnh Quảng Trị", "Sở Nội vụ", {"report": {"abbreviation": "SNV-CCHC",
              "signer_title": "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "signer_name": "Nguyễn Văn A"}})
    )  # fmt: skip
    assert (chosen.abbreviation, chosen.signer, chosen.signer_name) == (
        "SNV-CCHC",
        ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"),
        "Nguyễn Văn A",
    )
