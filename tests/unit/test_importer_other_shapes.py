"""Plans shaped unlike the seeds: lettered sections, appendix-only tasks, merged Word cells."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from plans.importer import import_plan


def _appendix_plan(path: Path) -> Path:
    import docx

    document = docx.Document()
    for line in [
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG BÌNH",
        "Số: 120/KH-UBND",
        "Quảng Bình, ngày 15 tháng 01 năm 2026",
        "KẾ HOẠCH",
        "Chuyển đổi số tỉnh Quảng Bình năm 2026",
        "A. MỤC ĐÍCH, YÊU CẦU",
        "1. Mục đích",
        "Nâng cao hiệu quả quản lý.",
        "B. NHIỆM VỤ",
        "1. Nhiệm vụ chung",
        "Các cơ quan triển khai các nhiệm vụ tại Phụ lục kèm theo.",
        "C. TỔ CHỨC THỰC HIỆN",
        "Các sở, ngành báo cáo kết quả về Sở Khoa học và Công nghệ hằng quý.",
    ]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=6)
    header = ["STT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời gian hoàn thành", "Sản phẩm"]
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    merged = table.rows[1].cells[0].merge(table.rows[1].cells[5])
    merged.text = "I. HẠ TẦNG SỐ"
    for row in [
        [
            "1",
            "Nâng cấp trung tâm dữ liệu tỉnh",
            "Sở KH&CN",
            "Sở Tài chính",
            "Quý III/2026",
            "Trung tâm dữ liệu",
        ],
        [
            "2",
            "Phủ sóng 5G khu công nghiệp",
            "Sở Khoa học và Công nghệ",
            "UBND các huyện Bố Trạch, Quảng Ninh",
            "2026",
            "Báo cáo",
        ],
    ]:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    document.save(str(path))
    return path


def test_appendix_is_the_task_list(tmp_path: Path) -> None:
    plan = import_plan(_appendix_plan(tmp_path / "cds.docx"))
    assert plan.number == "120/KH-UBND" and plan.issued_on == date(2026, 1, 15)
    assert plan.year == 2026
    assert [t.code for t in plan.tasks] == ["1", "2"]
    t1, t2 = plan.tasks
    assert t1.section == "I. HẠ TẦNG SỐ"
    assert t1.lead == ["Sở Khoa học và Công nghệ"] and t1.support == ["Sở Tài chính"]
    assert t1.schedule.due == (date(2026, 9, 30),)
    assert t2.support == ["UBND huyện Bố Trạch", "UBND huyện Quảng Ninh"]
    assert t2.schedule.kind == "range" and t2.schedule.due == (date(2026, 12, 31),)
    assert [r.schedule.rrule for r in plan.reporting] == ["FREQ=MONTHLY;INTERVAL=3"]


def test_role_words_beat_the_generic_label(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(
        "KẾ HOẠCH\nCải cách hành chính năm 2026\n\nII. NHIỆM VỤ\n\n"
        "1. Rà soát thủ tục hành chính\n"
        "- Cơ quan chủ trì thực hiện: Sở Tư pháp.\n"
        "- Đơn vị phối hợp thực hiện: Sở Nội vụ, Văn phòng UBND tỉnh.\n"
        "- Thời gian thực hiện: Hằng năm, trước ngày 15/12.\n",
        encoding="utf-8",
    )
    (task,) = import_plan(path).tasks
    assert task.lead == ["Sở Tư pháp"]
    assert task.support == ["Sở Nội vụ", "Văn phòng UBND tỉnh"]
    assert task.schedule.kind == "recurring" and task.schedule.due == (date(2026, 12, 15),)


def test_lettered_items_are_tasks_only_with_their_own_assignment(tmp_path: Path) -> None:
    path = tmp_path / "plan.txt"
    path.write_text(
        "KẾ HOẠCH\nTuyên truyền năm 2026\n\nII. NỘI DUNG\n\n"
        "1. Tuyên truyền trên báo chí\n"
        "a) Mở chuyên mục đối ngoại\n- Cơ quan chủ trì: Báo Quảng Bình.\n"
        "- Thời gian thực hiện: Quý I/2026.\n"
        "b) Sản xuất phóng sự\n- Cơ quan chủ trì: Đài PT-TH tỉnh.\n"
        "- Thời gian thực hiện: Quý II/2026.\n"
        "2. Tập huấn người phát ngôn\n"
        "a) nội dung về kỹ năng trả lời phỏng vấn;\n"
        "b) nội dung về xử lý khủng hoảng.\n"
        "- Cơ quan chủ trì: Sở Nội vụ.\n"
        "- Thời gian thực hiện: tháng 9/2026.\n",
        encoding="utf-8",
    )
    plan = import_plan(path)
    assert [t.code for t in plan.tasks] == ["1.a", "1.b", "2"]
    a, b, two = plan.tasks
    assert a.lead == ["Báo Quảng Bình"] and a.schedule.due == (date(2026, 3, 31),)
    assert b.lead == ["Đài PT-TH tỉnh"] and b.schedule.due == (date(2026, 6, 30),)
    assert a.section == "1. Tuyên truyền trên báo chí"
    assert two.lead == ["Sở Nội vụ"] and two.schedule.due == (date(2026, 9, 30),)
    assert "xử lý khủng hoảng" in two.full_text
