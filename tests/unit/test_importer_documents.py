"""Importing real Word tables, spreadsheets, the one-sentence form, and documents that fail."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from plans.documents import DocumentError
from plans.importer import PlanImportError, import_plan
from tests.fixtures.documents import HA_TINH, QUANG_TRI, docx_from_seed, xlsx_task_list

TTTT = "Sở Thông tin và Truyền thông"


def _task(plan, code):  # type: ignore[no-untyped-def]
    return next(t for t in plan.tasks if t.code == code)


def test_docx_with_a_real_appendix_table(tmp_path: Path) -> None:
    rows = [
        [
            ["1"],
            ["Xây dựng hệ thống cơ sở dữ liệu về thông tin đối ngoại"],
            ["Sở TT&TT"],
            ["Các Sở: Ngoại vụ, Kế hoạch và Đầu tư, Tài chính"],
            ["Báo cáo tỉnh phương án thực hiện trước tháng 4/2018"],
        ],
        [
            ["2"],
            ["Xuất bản Sổ tay công tác thông tin đối ngoại"],
            ["Sở TT-TT"],
            ["Văn phòng UBND tỉnh"],
            ["Quý III/2018"],
        ],
        # One row, three bullet tasks; coordinators and times aligned bullet by bullet.
        [
            ["3"],
            [
                "- Tổ chức đoàn phóng viên nước ngoài thăm tỉnh",
                "- Tổ chức họp báo quốc tế về đầu tư",
                "- Phát hành bản tin đối ngoại bằng tiếng Anh",
            ],
            ["Sở Ngoại vụ"],
            ["- Sở Thông tin và Truyền thông", "- Sở Kế hoạch và Đầu tư", "- Báo Hà Tĩnh"],
            ["- Quý II/2018", "- Quý III/2018", "- Hàng quý"],
        ],
        # One row, two bullet tasks, one value for the whole row.
        [
            ["4"],
            [
                "- Khảo sát nhu cầu thông tin của nhà đầu tư Nhật Bản",
                "- Biên dịch tài liệu giới thiệu tỉnh sang tiếng Lào",
            ],
            ["Sở Thông tin và Truyền thông"],
            ["Văn phòng UBND tỉnh"],
            ["Cả năm 2018"],
        ],
    ]
    path = docx_from_seed(HA_TINH, tmp_path / "ha-tinh.docx", rows)
    plan = import_plan(path)
    assert plan.number == "44/KH-UBND" and plan.year == 2018
    codes = [t.code for t in plan.tasks]
    assert codes[:18] == ["1.1", "1.2", "1.3", "2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2.1",
                          "5.2.2", "5.2.3", "5.2.4", "5.3", "5.4", "5.5", "5.6", "6"]  # fmt: skip
    # Row 1 and 2 match body tasks 4.1 and 5.4; abbreviations meet the full name.
    assert _task(plan, "4.1").lead == [TTTT]
    assert any("trước tháng 4/2018" in r for r in _task(plan, "4.1").review)
    assert any("Quý III/2018" in r for r in _task(plan, "5.4").review)
    tttt = next(a for a in plan.agencies if a.name == TTTT)
    assert {"Sở TT&TT", "Sở TT-TT"} <= set(tttt.aliases)
    # Rows 3 and 4 are only in the appendix: one task per bullet, flagged for a person.
    assert codes[18:] == ["PL3.1", "PL3.2", "PL3.3", "PL4.1", "PL4.2"]
    t31, t32, t33 = (_task(plan, c) for c in ("PL3.1", "PL3.2", "PL3.3"))
    assert t31.title == "Tổ chức đoàn phóng viên nước ngoài thăm tỉnh"
    assert t31.lead == ["Sở Ngoại vụ"] and t31.support == [TTTT]
    assert t32.support == ["Sở Kế hoạch và Đầu tư"]
    assert t33.support == ["Báo Hà Tĩnh"]
    assert t31.schedule.due == (date(2018, 6, 30),)
    assert t32.schedule.due == (date(2018, 9, 30),)
    assert t33.schedule.kind == "recurring" and len(t33.schedule.due) == 4
    assert all("Chỉ có trong phụ lục" in " ".join(t.review) for t in (t31, t32, t33))
    t41, t42 = _task(plan, "PL4.1"), _task(plan, "PL4.2")
    assert t41.schedule == t42.schedule and t41.schedule.kind == "ongoing"
    assert t41.support == t42.support == ["Văn phòng UBND tỉnh"]


def test_docx_body_paragraphs_read_like_the_text(tmp_path: Path) -> None:
    path = docx_from_seed(QUANG_TRI, tmp_path / "quang-tri.docx", [])
    plan = import_plan(path)
    assert [t.code for t in plan.tasks] == [str(n) for n in range(1, 15)]
    assert _task(plan, "6").schedule.due == (date(2022, 6, 30), date(2022, 12, 31))


def test_xlsx_task_list(tmp_path: Path) -> None:
    path = xlsx_task_list(
        tmp_path / "nhiem-vu.xlsx",
        [
            [
                "1",
                "Rà soát quy chế thông tin đối ngoại",
                "Sở TT&TT",
                "Sở Ngoại vụ, Sở Tư pháp",
                "Quý I/2026",
            ],
            [
                "2",
                "Tổ chức hội nghị đối thoại doanh nghiệp FDI",
                "Sở Kế hoạch và Đầu tư",
                "Sở Thông tin và Truyền thông; Công an tỉnh",
                "trước ngày 30/9/2026",
            ],
            ["3", "Báo cáo kết quả", "Sở Thông tin và Truyền thông", None, "Hàng quý"],
            ["4", "Cập nhật cổng thông tin", None, "Các sở, ban, ngành", "Thường xuyên"],
        ],
        title="KẾ HOẠCH chuyển đổi số tỉnh Hà Giang năm 2026",
    )
    plan = import_plan(path)
    assert plan.year == 2026
    assert [t.code for t in plan.tasks] == ["1", "2", "3", "4"]
    t1, t2, t3, t4 = plan.tasks
    assert t1.lead == [TTTT] and t1.support == ["Sở Ngoại vụ", "Sở Tư pháp"]
    assert t1.schedule.due == (date(2026, 3, 31),)
    assert t2.support == [TTTT, "Công an tỉnh"] and t2.schedule.due == (date(2026, 9, 30),)
    assert t3.schedule.kind == "recurring" and t3.schedule.due[-1] == date(2026, 12, 31)
    assert t4.lead == [] and "Chưa xác định được cơ quan chủ trì" in t4.review


def test_sentence_form_and_name_variants(tmp_path: Path) -> None:
    text = """KẾ HOẠCH
Tuyên truyền đối ngoại tỉnh Quảng Bình năm 2025

II. NỘI DUNG

1. Tổ chức đón tiếp đoàn phóng viên quốc tế
Đơn vị thực hiện: Sở Ngoại vụ chủ trì, phối hợp với Bộ Chỉ huy Bộ đội Biên phòng tỉnh, Công an tỉnh và các ngành liên quan.
Thời gian: Quý III/2025.

2. Cập nhật cơ sở dữ liệu thông tin đối ngoại
- Cơ quan chủ trì: Sở TT-TT.
- Cơ quan phối hợp: Sở TT&TT; Sở Văn hóa - TT&DL.
- Thời gian thực hiện: trước ngày 15/10/2025.

3. Báo cáo kết quả thực hiện
- Cơ quan chủ trì: Sở Thông tin và Truyền thông.
- Thời gian thực hiện: Hàng tháng, quý.

III. TỔ CHỨC THỰC HIỆN
Các sở, ngành báo cáo kết quả thực hiện về Sở Thông tin và Truyền thông trước ngày 05 tháng 11 hàng năm.
"""  # noqa: E501
    path = tmp_path / "plan.md"
    path.write_text(text, encoding="utf-8")
    plan = import_plan(path)
    t1, t2, t3 = plan.tasks
    assert t1.lead == ["Sở Ngoại vụ"]
    assert t1.support == ["Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Công an tỉnh",
                          "Các ngành liên quan"]  # fmt: skip
    assert t1.schedule.due == (date(2025, 9, 30),)
    assert t2.lead == [TTTT] and t2.support == ["Sở Văn hóa, Thể thao và Du lịch"]
    assert t2.schedule.due == (date(2025, 10, 15),)
    assert t3.schedule.kind == "recurring" and len(t3.schedule.due) == 12
    tttt = next(a for a in plan.agencies if a.name == TTTT)
    assert {"Sở TT-TT", "Sở TT&TT"} <= set(tttt.aliases)
    assert [r.schedule.due for r in plan.reporting] == [(date(2025, 11, 5),)]


def test_document_with_no_tasks(tmp_path: Path) -> None:
    path = tmp_path / "thu-moi.txt"
    path.write_text("GIẤY MỜI\nKính mời anh/chị dự họp năm 2026.\n", encoding="utf-8")
    with pytest.raises(PlanImportError, match="Không tìm thấy nhiệm vụ nào"):
        import_plan(path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("hong.docx", b"PK\x03\x04 this is not really a zip", "bị hỏng"),
        ("hong.xlsx", b"\x00\x01\x02 garbage", "bị hỏng"),
        ("anh.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "bị hỏng"),
        ("ke-hoach.pdf", b"%PDF-1.4", "chỉ hỗ trợ .docx, .xlsx, .txt"),
        ("latin1.txt", "Kế hoạch".encode("cp1258", errors="replace") + b"\xff\xfe", "UTF-8"),
        ("rong.txt", b"   \n\n", "không có nội dung"),
    ],
)
def test_damaged_or_foreign_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DocumentError, match=message):
        import_plan(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="Không tìm thấy tệp"):
        import_plan(tmp_path / "khong-co.docx")


def test_year_can_be_given(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(
        "KẾ HOẠCH\nThông tin đối ngoại\n\n1. Họp báo\n- Cơ quan chủ trì: Sở Ngoại vụ.\n"
        "- Thời gian thực hiện: Quý II.\n",
        encoding="utf-8",
    )
    with pytest.raises(PlanImportError, match="--year"):
        import_plan(path)
    plan = import_plan(path, year=2027)
    assert plan.tasks[0].schedule.due == (date(2027, 6, 30),)
