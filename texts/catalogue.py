"""Vietnamese texts by key, formatted with named parameters."""

from __future__ import annotations

VI: dict[str, str] = {
    # Reading a document
    "doc.not_found": "Không tìm thấy tệp «{path}».",
    "doc.unsupported": (
        "Chưa đọc được tệp «{name}»: chỉ hỗ trợ .docx, .xlsx, .txt và .md. "
        "Nếu là PDF hoặc .doc, anh/chị vui lòng lưu lại thành .docx rồi nhập lại ạ."
    ),
    "doc.damaged": (
        "Tệp «{name}» bị hỏng hoặc không phải là tài liệu {kind} hợp lệ, nên chưa đọc được. "
        "Chưa có dữ liệu nào được lưu."
    ),
    "doc.empty": "Tệp «{name}» không có nội dung chữ nào để đọc.",
    "doc.encoding": "Tệp «{name}» không phải văn bản UTF-8; anh/chị vui lòng lưu lại với mã UTF-8.",
    "import.no_tasks": (
        "Không tìm thấy nhiệm vụ nào trong «{name}». Kế hoạch cần có các mục đánh số "
        "(1., 1.1., …) kèm cơ quan chủ trì/thời gian, hoặc bảng phụ lục nhiệm vụ có dòng tiêu đề "
        "(STT, Nhiệm vụ, Cơ quan chủ trì, …). Chưa có dữ liệu nào được lưu."
    ),
    "import.no_year": (
        "Không xác định được năm của kế hoạch «{name}». Anh/chị vui lòng ghi rõ bằng --year."
    ),
    "import.saved": (
        "Đã lưu kế hoạch «{title}» ({tasks} nhiệm vụ: {added} mới, {updated} cập nhật, "
        "{deactivated} không còn trong văn bản)."
    ),
    "import.dry_run": "Chạy thử: chưa lưu gì vào cơ sở dữ liệu.",
    "import.review_count": "{count} nhiệm vụ cần kiểm tra lại (cột «Cần xem»).",
    # Review reasons, one per finding
    "review.no_lead": "Chưa xác định được cơ quan chủ trì",
    "review.no_time": "Không ghi thời gian thực hiện",
    "review.time_unread": "Không hiểu được thời gian «{text}»",
    "review.time_from_body": "Thời gian không ghi riêng; đọc từ nội dung «{text}», cần xác nhận",
    "review.time_conflict": (
        "Thời gian khác nhau: phần nội dung ghi «{body}», phụ lục ghi «{appendix}»"
    ),
    "review.time_from_appendix": "Thời gian lấy từ phụ lục: «{text}»",
    "review.lead_from_appendix": "Cơ quan chủ trì lấy từ phụ lục",
    "review.lead_conflict": (
        "Cơ quan chủ trì khác nhau: phần nội dung ghi {body}, phụ lục ghi {appendix}"
    ),
    "review.support_from_appendix": "Phụ lục ghi thêm cơ quan phối hợp: {names}",
    "review.wrong_column": "Phụ lục ghi «{text}» ở cột cơ quan chủ trì; đã hiểu là thời gian",
    "review.misaligned": (
        "Số dòng trong ô «{column}» không khớp với số nhiệm vụ trong hàng; "
        "đã áp dụng cả ô cho mọi nhiệm vụ"
    ),
    "review.outside_year": "Thời hạn {due} nằm ngoài năm kế hoạch {year}",
    "review.appendix_only": "Chỉ có trong phụ lục (hàng {row}), không thấy trong phần nội dung",
    "review.vague_group": "Giao cho nhóm chung «{name}», cần chỉ rõ cơ quan",
    "plan.no_issue_date": "Ngày ban hành để trống trong văn bản",
    "plan.no_number": "Số ký hiệu để trống trong văn bản",
    "plan.no_reporting": "Không tìm thấy chế độ báo cáo định kỳ trong kế hoạch",
    # Views
    "view.col.code": "Mã",
    "view.col.title": "Nhiệm vụ",
    "view.col.lead": "Chủ trì",
    "view.col.support": "Phối hợp",
    "view.col.timeframe": "Thời gian (văn bản → hiểu là)",
    "view.col.review": "Cần xem",
    "view.plan_header": "Kế hoạch: {title}",
    "view.plan_meta": (
        "Số: {number} · Ban hành: {issued} · Năm: {year} · Cơ quan ban hành: {issuer}"
    ),
    "view.reporting": "Chế độ báo cáo: {items}",
    "view.none": "—",
    "view.no_plans": "Chưa có kế hoạch nào. Nhập kế hoạch bằng: nhacviec plan import TỆP",
    "view.plan_not_found": "Không tìm thấy kế hoạch «{ref}».",
    "view.col.plan_id": "ID",
    "view.col.plan_title": "Kế hoạch",
    "view.col.plan_number": "Số",
    "view.col.plan_year": "Năm",
    "view.col.plan_tasks": "Nhiệm vụ",
    "view.col.agency": "Cơ quan",
    "view.col.aliases": "Cách viết khác",
    "view.col.kind": "Loại",
    "view.no_agencies": "Chưa có cơ quan nào.",
    "kind.department": "sở, ban, ngành",
    "kind.district": "huyện, thị xã, thành phố",
    "kind.press": "báo chí",
    "kind.provincial": "cấp tỉnh",
    "kind.group": "nhóm",
    "schedule.one-off": "hạn {due}",
    "schedule.range": "từ {start} đến {due}",
    "schedule.recurring": "định kỳ: {due}",
    "schedule.event": "theo sự kiện: {event}",
    "schedule.ongoing": "thường xuyên đến {due}",
    "schedule.unknown": "chưa rõ",
    "cli.error": "Lỗi: {message}",
    "cli.bad_date": "ngày không hợp lệ: {value} (cần dạng YYYY-MM-DD)",
    "cli.parse_time_empty": "Anh/chị vui lòng nhập biểu thức thời gian cần đọc.",
    "run.sample_intro": "Đang nhập kế hoạch mẫu «{name}» vào cơ sở dữ liệu {db} …",
    # --- Contacts and link codes (CLI)
    # --- Coordinator answers (/quahan, /tiendo, /chuabaocao, questions in plain Vietnamese)
    # --- Conversation
}


def t(key: str, **params: object) -> str:
    """The Vietnamese text for `key`, with `params` filled in."""
    return VI[key].format(**params)
