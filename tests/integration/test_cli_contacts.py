"""Registering contacts from the command line: agency lookup, link codes, file import, listing."""

from __future__ import annotations

import asyncio
import csv
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from bot.cli import main
from bot.contacts import (
    AgencyAmbiguous,
    AgencyNotFound,
    ContactError,
    new_link_code,
    normalize_phone,
    register_contact,
    reissue_code,
    resolve_agency,
    telegram_link,
)
from handlers.link import CODE_ALPHABET, normalize_code
from plans.samples import DEFAULT_SAMPLE
from storage.models import Contact, LinkCode
from storage.types import LOCAL_TZ
from storage.uow import UnitOfWork

NOW = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)  # 08:30 in Hà Tĩnh
CODE_RE = re.compile(f"^[{CODE_ALPHABET}]{{8}}$")
JSON_KEYS = {
    "contact_id",
    "name",
    "agency",
    "role",
    "code",
    "telegram_link",
    "zalo_bot",
    "expires_at",
}


async def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    # main() runs its own event loop, so it goes to a worker thread here.
    code = await asyncio.to_thread(main, list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
async def env(database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys) -> str:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)
    for name in ("ZALO_BOT_TOKEN", "ZALO_BOT_TOKENS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the developer's tree
    code, _, _ = await _run(capsys, "plan", "import", str(DEFAULT_SAMPLE))
    assert code == 0
    return database_url


async def _add(capsys, *args: str) -> tuple[int, dict | None, str]:
    code, out, err = await _run(capsys, "contact", "add", *args, "--format", "json")
    return code, (json.loads(out) if code == 0 else None), err


# ------------------------------------------------------------------ contact add


async def test_add_by_exact_name_prints_code_and_instructions(env: str, capsys) -> None:
    code, out, err = await _run(
        capsys,
        "contact", "add", "--name", "Nguyễn Văn An", "--agency", "Sở Ngoại vụ",
        "--role", "focal", "--phone", "0912 345 678",
    )  # fmt: skip
    assert code == 0, err
    assert "Đã đăng ký Nguyễn Văn An (cán bộ đầu mối, Sở Ngoại vụ)" in out
    shown = re.search(r"Mã liên kết: (\w+) \(dùng một lần, hết hạn lúc (\S+ \S+)\)", out)
    assert shown is not None and CODE_RE.match(shown[1])
    local_expiry = datetime.strptime(shown[2], "%d/%m/%Y %H:%M")
    expected = (datetime.now(UTC) + timedelta(days=7)).astimezone(LOCAL_TZ)
    assert abs(local_expiry - expected.replace(tzinfo=None)) < timedelta(minutes=2)
    # No bot username configured: the person is told to send /start CODE themselves.
    assert "TELEGRAM_BOT_USERNAME" in out and f"/start {shown[1]}" in out
    assert f"Trên Zalo: mở bot và gửi mã {shown[1]}" in out
    assert "https://t.me/" not in out


async def test_add_json_with_bot_username(env: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@nhacviec_bot")
    code, data, err = await _add(
        capsys, "--name", "Trần Thị Bình", "--agency", "Sở Tài chính", "--role", "lãnh đạo"
    )
    assert code == 0, err
    assert data is not None and set(data) == JSON_KEYS
    assert data["name"] == "Trần Thị Bình"
    assert data["agency"] == "Sở Tài chính"
    assert data["role"] == "leader"
    assert CODE_RE.match(data["code"])
    assert data["telegram_link"] == f"https://t.me/nhacviec_bot?start={data['code']}"
    expires = datetime.fromisoformat(data["expires_at"])
    assert expires.utcoffset() == timedelta(hours=7)
    assert abs(expires - (datetime.now(UTC) + timedelta(days=7))) < timedelta(minutes=2)

    monkeypatch.delenv("TELEGRAM_BOT_USERNAME")
    code, data, _ = await _add(
        capsys, "--name", "Lê Văn Cường", "--agency", "Sở Tài chính", "--role", "focal"
    )
    assert code == 0 and data is not None and data["telegram_link"] is None


@pytest.mark.parametrize(
    ("typed", "agency"),
    [
        ("Sở TT&TT", "Sở Thông tin và Truyền thông"),
        ("Sở TTTT", "Sở Thông tin và Truyền thông"),
        ("So thong tin va truyen thong", "Sở Thông tin và Truyền thông"),
        ("Sở Văn hóa - TT&DL", "Sở Văn hóa, Thể thao và Du lịch"),  # an alias from the plan
        ("Đài PT-TH tỉnh", "Đài Phát thanh và Truyền hình tỉnh"),
        ("Sở Ngoại vụ tỉnh Hà Tĩnh", "Sở Ngoại vụ"),
        ("Sở Tài chánh", "Sở Tài chính"),  # a typo
        ("Sở Ngaoi vụ", "Sở Ngoại vụ"),
        ("Công an", "Công an tỉnh"),  # part of the name, only one agency has it
        ("UBND huyện Lộc Hà", "UBND huyện Lộc Hà"),
    ],
)
async def test_add_by_abbreviation_alias_and_typo(
    env: str, capsys, typed: str, agency: str
) -> None:
    code, data, err = await _add(capsys, "--name", "Phạm Thị Dung", "--agency", typed,
                                 "--role", "dau moi")  # fmt: skip
    assert code == 0, err
    assert data is not None and data["agency"] == agency and data["role"] == "focal"


async def test_ambiguous_and_unknown_agencies(env: str, capsys) -> None:
    code, data, err = await _add(capsys, "--name", "A", "--agency", "UBND huyện", "--role", "focal")
    assert code == 2 and data is None
    assert "Có nhiều cơ quan gần giống «UBND huyện»" in err
    assert "«UBND huyện Cẩm Xuyên»" in err and "«UBND huyện Lộc Hà»" in err
    assert "vui lòng ghi rõ tên" in err

    code, _, err = await _add(capsys, "--name", "A", "--agency", "Thông tin", "--role", "focal")
    assert code == 2
    assert "«Sở Thông tin và Truyền thông»" in err and "«Công Thông tin điện tử tỉnh»" in err

    # A district that is not in the plan is not taken for one that is.
    code, _, err = await _add(
        capsys, "--name", "A", "--agency", "UBND huyện Kỳ Anh", "--role", "focal"
    )
    assert code == 2
    assert "Không tìm thấy cơ quan «UBND huyện Kỳ Anh». Tên gần giống:" in err
    assert "«UBND huyện Lộc Hà»" in err and "«UBND huyện Cẩm Xuyên»" in err
    code, _, err = await _add(
        capsys, "--name", "A", "--agency", "Công an huyện Lộc Hà", "--role", "focal"
    )
    assert code == 2 and "Không tìm thấy cơ quan" in err

    code, _, err = await _add(capsys, "--name", "A", "--agency", "Qwerty", "--role", "focal")
    assert code == 2
    assert "Không tìm thấy cơ quan «Qwerty»" in err and "nhacviec agencies" in err

    code, out, _ = await _run(capsys, "contact", "list", "--format", "json")
    assert code == 0 and json.loads(out) == []


async def test_bad_role_name_and_phone(env: str, capsys) -> None:
    code, _, err = await _add(capsys, "--name", "A", "--agency", "Sở Ngoại vụ", "--role", "boss")
    assert code == 2 and "Vai trò «boss» không hợp lệ" in err and "focal" in err
    code, _, err = await _add(capsys, "--name", "  ", "--agency", "Sở Ngoại vụ", "--role", "focal")
    assert code == 2 and "họ tên" in err
    code, _, err = await _add(
        capsys, "--name", "A", "--agency", "Sở Ngoại vụ", "--role", "focal", "--phone", "12ab"
    )
    assert code == 2 and "Số điện thoại «12ab» không hợp lệ" in err


# ------------------------------------------------------------------ codes over the unit of work


async def test_same_person_twice_gets_a_new_code(
    env: str, make_uow: Callable[[], UnitOfWork]
) -> None:
    async with make_uow() as uow:
        first = await register_contact(
            uow, name="Hoàng Văn Em", agency_name="Sở TT&TT", role="điều phối",
            phone="+84 912 345 678", now=NOW,
        )  # fmt: skip
        await uow.commit()
    assert first.role == "coordinator" and first.phone == "0912345678" and not first.existing
    assert CODE_RE.match(first.code)
    assert first.expires_at == NOW + timedelta(days=7)

    later = NOW + timedelta(hours=3)
    async with make_uow() as uow:
        again = await register_contact(
            uow, name="hoàng  văn em", agency_name="Sở Thông tin và Truyền thông",
            role="coordinator", phone=None, now=later,
        )  # fmt: skip
        await uow.commit()
    assert again.contact_id == first.contact_id and again.existing
    assert again.code != first.code
    assert again.expires_at == later + timedelta(days=7)
    assert again.phone == "0912345678"  # kept when not given again

    async with make_uow() as uow:
        contacts = list(await uow.session.scalars(select(Contact)))
        old = await uow.link_codes.get(first.code)
        new = await uow.link_codes.get(again.code)
    assert len(contacts) == 1
    assert old is not None and old.expires_at == later and old.used_at is None
    assert new is not None and new.expires_at == later + timedelta(days=7)

    # Another role in the same agency is another contact.
    async with make_uow() as uow:
        leader = await register_contact(
            uow, name="Hoàng Văn Em", agency_name="Sở TT&TT", role="leader", phone=None, now=later
        )
        await uow.commit()
    assert leader.contact_id != first.contact_id


async def test_reissue_code_and_contact_code_command(
    env: str, make_uow: Callable[[], UnitOfWork], capsys
) -> None:
    async with make_uow() as uow:
        first = await register_contact(
            uow, name="Vũ Thị Giang", agency_name="Báo Hà Tĩnh", role="focal", phone=None, now=NOW
        )
        await uow.commit()
    expired_at = NOW + timedelta(days=8)
    async with make_uow() as uow:
        again = await reissue_code(uow, first.contact_id, expired_at, timedelta(days=3))
        await uow.commit()
    assert again.contact_id == first.contact_id and again.agency == "Báo Hà Tĩnh"
    assert again.code != first.code and again.expires_at == expired_at + timedelta(days=3)
    async with make_uow() as uow:
        old = await uow.link_codes.get(first.code)
    assert old is not None and old.expires_at == NOW + timedelta(days=7)  # had expired already

    code, out, _ = await _run(capsys, "contact", "code", str(first.contact_id), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == JSON_KEYS and data["contact_id"] == first.contact_id
    assert data["code"] not in (first.code, again.code) and CODE_RE.match(data["code"])
    code, out, _ = await _run(capsys, "contact", "code", str(first.contact_id))
    assert code == 0 and "Đã cấp mã liên kết mới cho Vũ Thị Giang" in out

    code, _, err = await _run(capsys, "contact", "code", "999")
    assert code == 2 and "Không tìm thấy người liên hệ có mã số 999" in err

    async with make_uow() as uow:
        with pytest.raises(ContactError):
            await reissue_code(uow, 999, NOW)


async def test_resolve_agency_exceptions(env: str, make_uow: Callable[[], UnitOfWork]) -> None:
    async with make_uow() as uow:
        with pytest.raises(AgencyAmbiguous) as ambiguous:
            await resolve_agency(uow, "UBND huyện")
        assert sorted(ambiguous.value.candidates) == ["UBND huyện Cẩm Xuyên", "UBND huyện Lộc Hà"]
        with pytest.raises(AgencyNotFound) as missing:
            await resolve_agency(uow, "Sở Giáo dục và Đào tạo")
        assert 0 < len(missing.value.suggestions) <= 5
        assert str(missing.value).startswith("Không tìm thấy cơ quan «Sở Giáo dục và Đào tạo»")
        # One letter apart yet two departments: Sở Nội vụ is not Sở Ngoại vụ.
        with pytest.raises(AgencyNotFound) as missing:
            await resolve_agency(uow, "Sở Nội vụ")
        assert "Sở Ngoại vụ" in missing.value.suggestions
        # A group stands for many agencies: only its exact name finds it.
        group = await resolve_agency(uow, "Các sở, ban, ngành")
        assert group.kind == "group"


# ------------------------------------------------------------------ contact import


async def test_import_xlsx_reports_bad_rows_and_keeps_good_ones(
    env: str, capsys, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "nhacviec_bot")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH CÁN BỘ ĐẦU MỐI"])  # a title above the header
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Cơ quan", "Vai trò", "Số điện thoại"])
    sheet.append([1, "Nguyễn Văn An", "Sở TT&TT", "đầu mối", 912345678])  # zero dropped by Excel
    sheet.append([2, "Trần Thị Bình", "Sở Ngoại vụ", "Lãnh đạo", "0239 3855 555"])
    sheet.append([3, "Lê Văn Cường", "Sở Giáo dục và Đào tạo", "focal", None])  # unknown agency
    sheet.append([4, None, None, None, None])  # only its STT: skipped
    sheet.append([5, "Phạm Thị Dung", "Báo Hà Tĩnh", "", "không có"])  # bad phone
    sheet.append([6, "Hoàng Văn Em", "Đài PT-TH tỉnh", None, None])  # no role: focal
    sheet.append([7, "Nguyễn Văn An", "Sở Thông tin và Truyền thông", "focal", None])  # again
    path = tmp_path / "dau-moi.xlsx"
    book.save(path)

    code, out, err = await _run(capsys, "contact", "import", str(path), "--format", "json")
    assert code == 2, err
    data = json.loads(out)
    assert set(data) == {"created", "errors"}
    created = {c["row"]: c for c in data["created"]}
    assert sorted(created) == [4, 5, 9]
    assert created[4]["name"] == "Nguyễn Văn An"
    assert created[4]["agency"] == "Sở Thông tin và Truyền thông"
    assert created[5]["role"] == "leader"
    assert created[9]["role"] == "focal"
    assert created[9]["agency"] == "Đài Phát thanh và Truyền hình tỉnh"
    for c in data["created"]:
        assert set(c) == JSON_KEYS | {"row"}
        assert c["telegram_link"] == f"https://t.me/nhacviec_bot?start={c['code']}"
    errors = {e["row"]: e["error"] for e in data["errors"]}
    assert sorted(errors) == [6, 8, 10]
    assert errors[6].startswith("Không tìm thấy cơ quan «Sở Giáo dục và Đào tạo»")
    assert "Số điện thoại «không có» không hợp lệ" in errors[8]
    assert "Trùng người với dòng 4" in errors[10]

    code, out, _ = await _run(capsys, "contact", "list", "--format", "json")
    listed = {c["name"]: c for c in json.loads(out)}
    assert sorted(listed) == ["Hoàng Văn Em", "Nguyễn Văn An", "Trần Thị Bình"]
    assert listed["Nguyễn Văn An"]["phone"] == "0912345678"
    assert listed["Trần Thị Bình"]["phone"] == "02393855555"
    assert all(c["code_state"] == "unused" and c["channels"] == [] for c in listed.values())


async def test_import_csv_semicolon_bom_without_tone_marks(
    env: str, capsys, tmp_path: Path
) -> None:
    path = tmp_path / "lanh-dao.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["HO TEN", "don vi", "VAI TRO", "SĐT"])
        writer.writerow(["Đặng Văn Hùng", "Sở KH&ĐT", "lanh dao", "+84 983 111 222"])
        writer.writerow(["", "", "", ""])
        writer.writerow(["Ngô Thị Lan", "Công an tỉnh", "dieu phoi", "0983.222.333"])
    code, out, err = await _run(capsys, "contact", "import", str(path))
    assert code == 0, err
    assert "Đặng Văn Hùng" in out and "Sở Kế hoạch và Đầu tư" in out and "lãnh đạo" in out
    assert "Ngô Thị Lan" in out and "điều phối" in out
    assert "Đã đăng ký 2 người; 0 dòng lỗi" in out
    assert "TELEGRAM_BOT_USERNAME" in out and "Trên Zalo" in out
    assert err == ""

    code, out, _ = await _run(capsys, "contact", "list")
    assert code == 0
    assert "Đặng Văn Hùng" in out and "0983111222" in out and "Ngô Thị Lan" in out
    assert out.count("chưa liên kết") == 2 and out.count("chưa dùng") == 2


async def test_import_csv_comma_table_reports_errors_on_stderr(
    env: str, capsys, tmp_path: Path
) -> None:
    path = tmp_path / "dau-moi.csv"
    path.write_text(
        "Tên,Cơ quan / Đơn vị,Điện thoại\n"
        "Bùi Văn Khoa,Sở Công Thương,0912 000 111\n"
        "Mai Thị Hoa,Sở Nội vụ,\n",
        encoding="utf-8",
    )
    code, out, err = await _run(capsys, "contact", "import", str(path))
    assert code == 2
    assert "Bùi Văn Khoa" in out and "Đã đăng ký 1 người; 1 dòng lỗi" in out
    assert "Dòng 3: Không tìm thấy cơ quan «Sở Nội vụ»" in err


async def test_import_file_problems(env: str, capsys, tmp_path: Path) -> None:
    path = tmp_path / "sai-cot.csv"
    path.write_text("Người,Chức vụ,Email\nA,B,c@d.vn\n", encoding="utf-8")
    code, out, err = await _run(capsys, "contact", "import", str(path))
    assert code == 2
    assert "thiếu cột bắt buộc «Họ tên» và «Cơ quan»" in err
    assert "«Người», «Chức vụ», «Email»" in err

    odd = tmp_path / "danh-sach.docx"
    odd.write_bytes(b"PK")
    code, _, err = await _run(capsys, "contact", "import", str(odd))
    assert code == 2 and ".xlsx hoặc .csv" in err

    code, _, err = await _run(capsys, "contact", "import", str(tmp_path / "khong-co.csv"))
    assert code == 2 and "Không tìm thấy tệp" in err

    latin = tmp_path / "latin.csv"
    latin.write_bytes("Họ tên,Cơ quan\n".encode("utf-16"))
    code, _, err = await _run(capsys, "contact", "import", str(latin))
    assert code == 2 and "UTF-8" in err

    code, out, _ = await _run(capsys, "contact", "list")
    assert "Chưa có người liên hệ nào" in out


# ------------------------------------------------------------------ contact list


async def test_list_shows_channels_and_code_states(
    env: str, capsys, make_uow: Callable[[], UnitOfWork]
) -> None:
    now = datetime.now(UTC)
    async with make_uow() as uow:
        linked = await register_contact(
            uow, name="Đỗ Văn Linked", agency_name="Sở Ngoại vụ", role="focal", phone=None, now=now
        )
        stale = await register_contact(
            uow, name="Đỗ Văn Stale", agency_name="Sở Tài chính", role="focal", phone=None,
            now=now - timedelta(days=10),
        )  # fmt: skip
        row = await uow.link_codes.get(linked.code)
        assert row is not None
        assert await uow.link_codes.use(row, now, "telegram:42")
        await uow.identities.link(linked.contact_id, "telegram", "42", "42", now)
        await uow.identities.link(linked.contact_id, "zalo", "z-9", "z-9", now)
        await uow.commit()

    code, out, _ = await _run(capsys, "contact", "list", "--format", "json")
    assert code == 0
    listed = {c["name"]: c for c in json.loads(out)}
    assert listed["Đỗ Văn Linked"]["channels"] == ["telegram", "zalo"]
    assert listed["Đỗ Văn Linked"]["code_state"] == "used"
    assert listed["Đỗ Văn Stale"]["channels"] == []
    assert listed["Đỗ Văn Stale"]["code_state"] == "expired"
    assert listed["Đỗ Văn Stale"]["contact_id"] == stale.contact_id

    code, out, _ = await _run(capsys, "contact", "list")
    lines = {line.split("│")[2].strip(): line for line in out.splitlines() if "Đỗ Văn" in line}
    assert "telegram, zalo" in lines["Đỗ Văn Linked"] and "đã dùng" in lines["Đỗ Văn Linked"]
    assert "chưa liên kết" in lines["Đỗ Văn Stale"] and "hết hạn" in lines["Đỗ Văn Stale"]
    assert "cán bộ đầu mối" in lines["Đỗ Văn Stale"]

    async with make_uow() as uow:
        codes = list(await uow.session.scalars(select(LinkCode)))
    assert len(codes) == 2


# ------------------------------------------------------------------ pure helpers


def test_codes_and_links() -> None:
    codes = {new_link_code() for _ in range(200)}
    assert len(codes) == 200 and all(CODE_RE.match(c) for c in codes)
    assert not set("01IO").intersection("".join(codes))

    assert normalize_code("abcd efgh") == "ABCDEFGH"
    assert normalize_code("  ABCD-EFGH ") == "ABCDEFGH"
    assert normalize_code("k7m2-p9qr") == "K7M2P9QR"
    assert normalize_code("xong roi") is None  # 7 letters, and O is not in the alphabet
    assert normalize_code("ABCDEFG") is None
    assert normalize_code("ABCDEFGHJ") is None
    assert normalize_code("ABCDEFG1") is None  # 1 looks like I: never in a code
    assert normalize_code("ABCDEFGO") is None
    assert normalize_code("đã xong") is None
    assert normalize_code("") is None

    assert telegram_link("nhacviec_bot", "ABCDEFGH") == "https://t.me/nhacviec_bot?start=ABCDEFGH"
    assert telegram_link("@nhacviec_bot", "ABCDEFGH") == "https://t.me/nhacviec_bot?start=ABCDEFGH"
    assert telegram_link(None, "ABCDEFGH") is None
    assert telegram_link("  ", "ABCDEFGH") is None


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("+84 912-345-678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(0239) 3855.555", "02393855555"),
        ("912345678", "0912345678"),
        ("", None),
        (None, None),
    ],
)
def test_phone_numbers(typed: str | None, number: str | None) -> None:
    assert normalize_phone(typed) == number


@pytest.mark.parametrize("junk", ["12345", "0912abc678", "091234567890", "không có", "+1 555 0100"])
def test_bad_phone_numbers(junk: str) -> None:
    with pytest.raises(ContactError, match="không hợp lệ"):
        normalize_phone(junk)
