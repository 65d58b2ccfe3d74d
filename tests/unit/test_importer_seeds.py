"""Both seed plans import with every numbered task, the right agencies and the right schedule."""

from __future__ import annotations

from datetime import date

import pytest

from plans.importer import import_plan
from plans.model import ImportedPlan, ImportedTask
from tests.fixtures.documents import HA_TINH, QUANG_TRI

TTTT = "Sở Thông tin và Truyền thông"
ALL_DEPTS = "Các sở, ban, ngành"
DISTRICTS_QT = "UBND các huyện, thị xã, thành phố"
DISTRICTS_HT = "UBND các huyện, thành phố, thị xã"
BAO_QT = "Báo Quảng Trị"
DAI_QT = "Đài Phát thanh - Truyền hình tỉnh"
DAI_HT = "Đài Phát thanh và Truyền hình tỉnh"
VHTTDL = "Sở Văn hóa, Thể thao và Du lịch"
BDBP = "Bộ Chỉ huy Bộ đội Biên phòng tỉnh"
YEAR_QT = (date(2022, 12, 31),)


@pytest.fixture(scope="module")
def qt() -> ImportedPlan:
    return import_plan(QUANG_TRI)


@pytest.fixture(scope="module")
def ht() -> ImportedPlan:
    return import_plan(HA_TINH)


def _task(plan: ImportedPlan, code: str) -> ImportedTask:
    return next(t for t in plan.tasks if t.code == code)


def test_quang_tri_plan_metadata(qt: ImportedPlan) -> None:
    assert qt.title == "Kế hoạch Công tác thông tin đối ngoại của tỉnh Quảng Trị năm 2022"
    assert qt.year == 2022
    assert qt.number is None  # "Số: /KH-UBND" is left blank for the clerk
    assert qt.issued_on is None  # "ngày tháng 02 năm 2022": the day is blank
    assert qt.issuer == "UBND tỉnh Quảng Trị"
    assert "Số ký hiệu để trống trong văn bản" in qt.review
    regular = [r for r in qt.reporting if r.schedule.kind == "recurring"]
    assert [r.schedule.due for r in regular] == [(date(2022, 5, 25), date(2022, 11, 25))]
    assert "25/5 và 25/11" in regular[0].text
    assert any(r.schedule.kind == "event" and "đột xuất" in (r.schedule.event or "")
               for r in qt.reporting)  # fmt: skip


def test_quang_tri_has_all_fourteen_tasks(qt: ImportedPlan) -> None:
    assert [t.code for t in qt.tasks] == [str(n) for n in range(1, 15)]


QT_EXPECTED = {
    # code: (lead, support must include, kind, start, due)
    "1": ([TTTT], [ALL_DEPTS, DISTRICTS_QT], "ongoing", date(2022, 1, 1), YEAR_QT),
    "2": ([BAO_QT, DAI_QT, TTTT], [ALL_DEPTS], "ongoing", date(2022, 1, 1), YEAR_QT),
    "3": ([TTTT], [BDBP, ALL_DEPTS, DISTRICTS_QT], "range", date(2022, 1, 1),
          (date(2022, 3, 31),)),
    "4": ([BAO_QT, DAI_QT, TTTT], [ALL_DEPTS], "ongoing", date(2022, 1, 1), YEAR_QT),
    "5": ([TTTT, VHTTDL, "UBND huyện Cam Lộ"], [ALL_DEPTS], "range", date(2022, 1, 1),
          (date(2022, 3, 31),)),
    "6": (["UBND tỉnh"], [TTTT, ALL_DEPTS], "range", date(2022, 4, 1),
          (date(2022, 6, 30), date(2022, 12, 31))),
    "7": ([VHTTDL, "Sở Kế hoạch và Đầu tư", "Sở Công Thương",
           "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh", ALL_DEPTS, DISTRICTS_QT],
          [], "ongoing", date(2022, 1, 1), YEAR_QT),
    "8": (["Sở Kế hoạch và Đầu tư", "Ban Quản lý Khu kinh tế tỉnh",
           "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh", "Các khu công nghiệp tỉnh",
           "Sở Công Thương"], [ALL_DEPTS], "ongoing", date(2022, 1, 1), YEAR_QT),
    "9": ([VHTTDL], [ALL_DEPTS], "ongoing", date(2022, 1, 1), YEAR_QT),
    "10": (["Sở Ngoại vụ"], ["Các cơ quan, đơn vị có liên quan"], "ongoing", date(2022, 1, 1),
           YEAR_QT),
    "11": ([TTTT], [ALL_DEPTS], "range", date(2022, 7, 1), (date(2022, 9, 30),)),
    "12": ([TTTT], [BAO_QT, DAI_QT, "Ban Quản lý Khu kinh tế tỉnh", ALL_DEPTS], "ongoing",
           date(2022, 1, 1), YEAR_QT),
    "13": ([BAO_QT, DAI_QT, TTTT], ["Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Sở Công Thương"],
           "unknown", None, ()),
    "14": ([TTTT], ["Công an tỉnh", BDBP, ALL_DEPTS], "ongoing", date(2022, 1, 1), YEAR_QT),
}  # fmt: skip


@pytest.mark.parametrize("code", list(QT_EXPECTED))
def test_quang_tri_task(qt: ImportedPlan, code: str) -> None:
    lead, support, kind, start, due = QT_EXPECTED[code]
    task = _task(qt, code)
    assert task.lead == lead
    assert set(support) <= set(task.support), task.support
    assert not set(task.lead) & set(task.support)
    assert task.schedule.kind == kind
    assert task.schedule.start == start
    assert task.schedule.due == due


def test_quang_tri_flags_only_what_it_cannot_read(qt: ImportedPlan) -> None:
    assert _task(qt, "13").review == ["Không ghi thời gian thực hiện"]
    assert _task(qt, "1").review == []
    # The title broken across two lines by the source is joined back.
    assert _task(qt, "3").title.endswith("biển, hải đảo giai đoạn 2021-2030")
    assert "Bộ đội Biên phòng trong công tác" in _task(qt, "3").title
    # A date cited in the title (Chỉ thị số 28/CT-TTg … ngày 26/10/2021) is not a deadline.
    assert _task(qt, "13").schedule.due == ()


def test_quang_tri_agency_variants_are_one_agency(qt: ImportedPlan) -> None:
    by_name = {a.name: a for a in qt.agencies}
    assert "Đài Phát thanh-Truyền hình tỉnh" in by_name[DAI_QT].aliases
    assert "Sở Công thương" in by_name["Sở Công Thương"].aliases
    assert by_name[ALL_DEPTS].kind == "group" and by_name[ALL_DEPTS].group_of == "department"
    assert by_name[DISTRICTS_QT].group_of == "district"
    assert by_name["UBND huyện Cam Lộ"].kind == "district"
    assert by_name[BAO_QT].kind == "press"
    assert by_name["UBND tỉnh"].kind == "provincial"


def test_ha_tinh_metadata_and_reporting(ht: ImportedPlan) -> None:
    assert ht.title == "Kế hoạch Công tác thông tin đối ngoại tỉnh Hà Tĩnh năm 2018"
    assert ht.number == "44/KH-UBND"
    assert ht.issued_on == date(2018, 2, 7)
    assert ht.year == 2018
    assert ht.issuer == "UBND tỉnh Hà Tĩnh"
    assert [r.schedule.due for r in ht.reporting] == [(date(2018, 6, 30), date(2018, 12, 31))]
    assert ht.reporting[0].schedule.rrule == "FREQ=MONTHLY;INTERVAL=6"


HT_CODES = ["1.1", "1.2", "1.3", "2", "3.1", "3.2", "4.1", "4.2", "5.1", "5.2.1", "5.2.2",
            "5.2.3", "5.2.4", "5.3", "5.4", "5.5", "5.6", "6"]  # fmt: skip


def test_ha_tinh_has_every_numbered_task_and_no_group_heading(ht: ImportedPlan) -> None:
    assert [t.code for t in ht.tasks] == HT_CODES
    assert (
        _task(ht, "5.2.1").section == "5.2. Đẩy mạnh tuyên truyền về chủ quyền biển, đảo, "
        "phân giới cắm mốc và khu vực biên giới"
    )
    assert _task(ht, "5.2.1").parent_code == "5.2"
    assert _task(ht, "1.1").section.startswith("1. Xây dựng văn bản chỉ đạo")


HT_EXPECTED = {
    "1.1": ([TTTT], ["Văn phòng UBND tỉnh", "Sở Ngoại vụ"], "range", date(2018, 2, 1),
            (date(2018, 2, 28),)),
    "1.2": ([TTTT], ["Sở Ngoại vụ"], "range", date(2018, 1, 1), (date(2018, 3, 31),)),
    "1.3": ([TTTT], ["Sở Ngoại vụ"], "ongoing", date(2018, 1, 1), (date(2018, 12, 31),)),
    "2": ([ALL_DEPTS, "Tổ chức chính trị - xã hội cấp tỉnh", DISTRICTS_HT], [TTTT], "one-off",
          date(2018, 2, 1), (date(2018, 2, 28),)),
    "3.1": ([TTTT], ["Văn phòng UBND tỉnh", "Sở Ngoại vụ"], "range", date(2018, 4, 1),
            (date(2018, 6, 30),)),
    "3.2": ([TTTT], ["Văn phòng UBND tỉnh", "Sở Ngoại vụ"], "range", date(2018, 7, 1),
            (date(2018, 9, 30),)),
    "4.1": ([TTTT], ["Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Báo Hà Tĩnh", DAI_HT, VHTTDL,
                     DISTRICTS_HT], "range", date(2018, 1, 1), (date(2018, 12, 31),)),
    "4.2": ([TTTT], ["Sở Kế hoạch và Đầu tư", "Sở Tài chính", "UBND huyện Lộc Hà",
                     "UBND huyện Cẩm Xuyên"], "range", date(2018, 1, 1), (date(2018, 12, 31),)),
    "5.1": ([TTTT, "Sở Ngoại vụ"], ["Hội Nhà báo tỉnh", "Công an tỉnh"], "ongoing",
            date(2018, 1, 1), (date(2018, 12, 31),)),
    "5.2.1": (["Báo Hà Tĩnh", DAI_HT, DISTRICTS_HT], ["Sở Ngoại vụ", TTTT, BDBP], "ongoing",
              date(2018, 1, 1), (date(2018, 12, 31),)),
    "5.2.2": ([TTTT], [], "event", None, ()),
    "5.2.3": ([TTTT, BDBP], ["Sở Ngoại vụ"], "ongoing", date(2018, 1, 1), (date(2018, 12, 31),)),
    "5.2.4": ([TTTT], [DAI_HT, "Sở Ngoại vụ"], "ongoing", date(2018, 1, 1),
              (date(2018, 12, 31),)),
    "5.3": (["Báo Hà Tĩnh", DAI_HT], ["Văn phòng UBND tỉnh", "Sở Ngoại vụ", TTTT], "unknown",
            None, ()),
    "5.4": ([TTTT], ["Văn phòng UBND tỉnh"], "range", date(2018, 4, 1), (date(2018, 6, 30),)),
    "5.5": (["Báo Hà Tĩnh", DAI_HT], ["Sở Kế hoạch và Đầu tư", "Sở Công Thương"], "event",
            None, ()),
    "5.6": ([], [], "event", date(2018, 2, 7), ()),
    "6": ([TTTT, "Báo Hà Tĩnh", DAI_HT], ["Sở Ngoại vụ", "Văn phòng UBND tỉnh"], "ongoing",
          date(2018, 1, 1), (date(2018, 12, 31),)),
}  # fmt: skip


@pytest.mark.parametrize("code", HT_CODES)
def test_ha_tinh_task(ht: ImportedPlan, code: str) -> None:
    lead, support, kind, start, due = HT_EXPECTED[code]
    task = _task(ht, code)
    assert task.lead == lead
    assert set(support) <= set(task.support), task.support
    assert task.schedule.kind == kind
    assert task.schedule.start == start
    assert task.schedule.due == due


def test_ha_tinh_review_flags(ht: ImportedPlan) -> None:
    conflict = _task(ht, "5.4").review
    assert any("Quý II/2018" in r and "Quý III/2018" in r for r in conflict), conflict
    assert "Chưa xác định được cơ quan chủ trì" in _task(ht, "5.6").review
    assert "Không ghi thời gian thực hiện" in _task(ht, "5.3").review
    assert any("phụ lục" in r for r in _task(ht, "5.2.3").review)  # time taken from appendix
    assert any("Theo kế hoạch hàng năm" in r for r in _task(ht, "5.2.2").review)
    assert any("cột cơ quan chủ trì" in r for r in _task(ht, "5.5").review)
    assert any("Quý II/2018" in r for r in _task(ht, "6").review)  # body says Thường xuyên
    assert any("trước tháng 4/2018" in r for r in _task(ht, "4.1").review)
    assert _task(ht, "1.2").review == []


def test_ha_tinh_event_triggers_are_kept_as_written(ht: ImportedPlan) -> None:
    assert _task(ht, "5.5").schedule.event == "Sau khi Kế hoạch xúc tiến đầu tư của tỉnh ban hành"
    assert _task(ht, "5.2.2").schedule.event == "Theo kế hoạch hàng năm"


def test_json_view_shape(ht: ImportedPlan) -> None:
    data = ht.to_json()
    assert set(data) == {"plan", "tasks", "agencies"}
    assert set(data["plan"]) == {"title", "number", "issued_on", "year", "issuer", "reporting"}
    task = data["tasks"][0]
    assert set(task) == {"code", "title", "lead", "support", "timeframe", "schedule", "review"}
    assert set(task["schedule"]) == {"kind", "start", "due", "rrule", "event", "text"}
    assert task["timeframe"] == "Tháng 02/2018"
    assert set(data["agencies"][0]) == {"name", "aliases", "kind"}
