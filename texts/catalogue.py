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
    "run.no_channel": (
        "Chưa cấu hình kênh chat nào nên bot chưa nhận tin nhắn. Để chạy bot Telegram, "
        "anh/chị đặt TELEGRAM_BOT_TOKEN (và TELEGRAM_BOT_USERNAME) trong tệp .env; để chạy bot "
        "Zalo, đặt ZALO_BOT_TOKEN (xem docs/zalo.md); rồi chạy lại «make run»."
    ),
    "run.zalo_polling": (
        "Đang phục vụ Zalo ({count} bot, long polling). Nhấn Ctrl+C để dừng."
    ),
    "run.zalo_webhook": (
        "Đang phục vụ Zalo ({count} bot) qua webhook {url}/<mã bot>. Nhấn Ctrl+C để dừng."
    ),
    "run.zalo_bad_token": (
        "Token bot Zalo không đúng dạng {{mã bot}}:{{khóa}} như Zalo Bot Manager đã gửi; "
        "anh/chị kiểm tra lại ZALO_BOT_TOKEN / ZALO_BOT_TOKENS."
    ),
    "run.zalo_webhook_needs_secret": (
        "Chế độ webhook Zalo cần ZALO_WEBHOOK_SECRET (8–256 ký tự A-Z, a-z, 0-9, _ hoặc -) "
        "để chỉ Zalo gửi được tin vào địa chỉ này."
    ),
    "run.zalo_needs_token": "Chưa đặt ZALO_BOT_TOKEN (hoặc ZALO_BOT_TOKENS).",
    "run.zalo_webhook_needs_settings": (
        "Cần đặt ZALO_WEBHOOK_URL (https://…) và ZALO_WEBHOOK_SECRET trước khi đăng ký webhook."
    ),
    "run.zalo_webhook_set": "Đã đăng ký webhook Zalo cho bot {bot_id}: {url}",
    "run.zalo_webhook_deleted": "Đã bỏ webhook Zalo của bot {bot_id} (bot sẽ dùng long polling).",
    "run.zalo_bot_failed": "Bot Zalo {bot_id}: {error}",
    "run.zalo_info": (
        "Bot Zalo {bot_id} «{name}» ({account}), kênh «{channel}»: webhook {webhook}; "
        "{linked}/{limit} người đã liên kết."
    ),
    "run.zalo_no_webhook": "chưa đặt (long polling)",
    "run.telegram_polling": "Đang phục vụ Telegram (long polling). Nhấn Ctrl+C để dừng.",
    "run.telegram_webhook": "Đang phục vụ Telegram qua webhook {url}. Nhấn Ctrl+C để dừng.",
    "run.webhook_needs_settings": (
        "Cần đặt TELEGRAM_BOT_TOKEN và TELEGRAM_WEBHOOK_URL (https://…) trước khi đăng ký webhook."
    ),
    "run.webhook_needs_secret": (
        "Chế độ webhook cần TELEGRAM_WEBHOOK_SECRET (1–256 ký tự A-Z, a-z, 0-9, _ hoặc -) "
        "để chỉ Telegram gửi được tin vào địa chỉ này. (Webhook mode needs "
        "TELEGRAM_WEBHOOK_SECRET; the service did not start.)"
    ),
    "run.webhook_set": "Đã đăng ký webhook với Telegram: {url}",
    "run.sample_intro": "Đang nhập kế hoạch mẫu «{name}» vào cơ sở dữ liệu {db} …",
    # --- Contacts and link codes (CLI)
    "contact.agency_empty": "Anh/chị vui lòng ghi tên cơ quan của người cần đăng ký.",
    "contact.agency_not_found": (
        "Không tìm thấy cơ quan «{name}». Tên gần giống: {names}. "
        "Anh/chị vui lòng ghi đúng một trong các tên trên."
    ),
    "contact.agency_not_found_none": (
        "Không tìm thấy cơ quan «{name}». Anh/chị xem danh sách cơ quan bằng lệnh: "
        "nhacviec agencies"
    ),
    "contact.agency_ambiguous": (
        "Có nhiều cơ quan gần giống «{name}»: {names}. Anh/chị vui lòng ghi rõ tên."
    ),
    "contact.name_empty": "Anh/chị vui lòng ghi họ tên người cần đăng ký.",
    "contact.bad_role": (
        "Vai trò «{role}» không hợp lệ. Anh/chị chọn một trong: focal (cán bộ đầu mối), "
        "coordinator (điều phối), leader (lãnh đạo)."
    ),
    "contact.bad_phone": (
        "Số điện thoại «{phone}» không hợp lệ. Anh/chị ghi dạng 0912 345 678 hoặc +84 912 345 678."
    ),
    "contact.not_found": (
        "Không tìm thấy người liên hệ có mã số {id}. Xem danh sách bằng: nhacviec contact list"
    ),
    "contact.role.focal": "cán bộ đầu mối",
    "contact.role.coordinator": "điều phối",
    "contact.role.leader": "lãnh đạo",
    "contact.registered": "Đã đăng ký {name} ({role}, {agency}), mã số người liên hệ {id}.",
    "contact.registered_again": (
        "{name} ({role}, {agency}) đã được đăng ký trước đây (mã số {id}); "
        "đã cấp mã liên kết mới, mã cũ chưa dùng không còn hiệu lực."
    ),
    "contact.code_reissued": (
        "Đã cấp mã liên kết mới cho {name} ({role}, {agency}), mã số {id}; "
        "mã cũ chưa dùng không còn hiệu lực."
    ),
    "contact.code_line": "Mã liên kết: {code} (dùng một lần, hết hạn lúc {expires}).",
    "contact.telegram_link": "Trên Telegram: mở đường dẫn {link}",
    "contact.telegram_no_username": (
        "Trên Telegram: chưa cấu hình TELEGRAM_BOT_USERNAME nên chưa có đường dẫn; "
        "người này mở bot và gửi /start {code}"
    ),
    "contact.zalo_hint": "Trên Zalo: mở bot và gửi mã {code}",
    "contact.zalo_bot": "Trên Zalo: tìm và mở bot {bot}, rồi gửi mã {code}",
    "contact.zalo_bot_unnamed": (
        "có mã {bot_id} (chạy «nhacviec zalo info» để biết tên bot hiện trên Zalo)"
    ),
    "contact.zalo_bot_many": (
        "Trên Zalo: mỗi người mở bot ghi ở cột «Bot Zalo» và gửi mã của mình."
    ),
    "contact.zalo_full": (
        "Lưu ý: các bot Zalo đã có từ {limit} người liên kết trở lên (giới hạn của gói miễn "
        "phí); anh/chị nên tạo thêm bot và thêm token vào ZALO_BOT_TOKENS."
    ),
    "contact.bad_channel": (
        "Kênh «{channel}» không hợp lệ. Anh/chị chọn một trong: telegram, zalo, auto (kênh "
        "người đó nhắn gần nhất)."
    ),
    "contact.channel_set": "Từ nay tin nhắn gửi {name} đi qua {channel}.",
    "contact.channel_auto": "Từ nay tin nhắn gửi {name} đi qua kênh người đó nhắn gần nhất.",
    "contact.channel_not_linked": (
        "Lưu ý: {name} chưa liên kết trên {channel}; cho tới khi liên kết, tin nhắn vẫn đi qua "
        "kênh đã liên kết."
    ),
    "contact.prefers": "(ưu tiên {channel})",
    "contact.telegram_no_username_many": (
        "Chưa cấu hình TELEGRAM_BOT_USERNAME nên chưa có đường dẫn Telegram; "
        "mỗi người mở bot và gửi /start kèm mã của mình."
    ),
    "contact.zalo_hint_many": "Trên Zalo: mỗi người mở bot và gửi mã của mình.",
    "contact.file_unsupported": (
        "Chưa đọc được tệp «{name}»: danh sách người liên hệ cần là tệp .xlsx hoặc .csv."
    ),
    "contact.file_columns": (
        "Tệp «{name}» thiếu cột bắt buộc «Họ tên» và «Cơ quan» (có thể thêm «Vai trò», "
        "«Điện thoại»). Các cột tìm thấy: {found}. Chưa có dữ liệu nào được lưu."
    ),
    "contact.row_duplicate": "Trùng người với dòng {row} của cùng tệp",
    "contact.row_error": "Dòng {row}: {error}",
    "contact.import_summary": "Đã đăng ký {created} người; {failed} dòng lỗi chưa được lưu.",
    "contact.col.row": "Dòng",
    "contact.col.id": "Mã số",
    "contact.col.name": "Họ tên",
    "contact.col.agency": "Cơ quan",
    "contact.col.role": "Vai trò",
    "contact.col.code": "Mã liên kết",
    "contact.col.expires": "Hết hạn",
    "contact.col.link": "Đường dẫn Telegram",
    "contact.col.zalo_bot": "Bot Zalo",
    "contact.col.phone": "Điện thoại",
    "contact.col.channels": "Đã liên kết",
    "contact.col.code_state": "Mã liên kết",
    "contact.not_linked": "chưa liên kết",
    "contact.code.none": "chưa có mã",
    "contact.code.unused": "chưa dùng",
    "contact.code.unused_until": "chưa dùng (hết hạn {expires})",
    "contact.code.expired": "hết hạn",
    "contact.code.used": "đã dùng",
    "contact.none": (
        "Chưa có người liên hệ nào. Đăng ký bằng: nhacviec contact add --name … --agency … "
        "--role focal"
    ),
    # --- Coordinator answers (/quahan, /tiendo, /chuabaocao, questions in plain Vietnamese)
    "query.overdue.header": "Tính đến {today}: {count} nhiệm vụ quá hạn ở {agencies} cơ quan.",
    "query.overdue.header_agency": (
        "Tính đến {today}, {agency} có {count} nhiệm vụ chủ trì quá hạn:"
    ),
    "query.overdue.none": (
        "Tính đến {today}, không có nhiệm vụ nào quá hạn. Các nhiệm vụ đều còn trong hạn "
        "hoặc đã hoàn thành ạ."
    ),
    "query.overdue.none_agency": (
        "Tính đến {today}, {agency} không có nhiệm vụ chủ trì nào quá hạn ạ."
    ),
    "query.agency_header": "{agency} ({count}):",
    "query.more": "… và {count} nhiệm vụ khác ({rest}).",
    "query.more_item": "{agency}: {count}",
    "query.more_plain": "… và {count} nhiệm vụ khác.",
    "query.filter_hint": "Để xem đủ, anh/chị gõ lệnh kèm tên cơ quan, ví dụ: {command} {example}",
    "query.unreported.header": (
        "Tính đến {today}, {agencies} cơ quan chưa báo cáo {count} nhiệm vụ đã quá hạn "
        "hoặc sắp đến hạn:"
    ),
    "query.unreported.header_agency": (
        "Tính đến {today}, {agency} chưa báo cáo {count} nhiệm vụ đã quá hạn hoặc sắp đến hạn:"
    ),
    "query.unreported.line": "• {code} — {deadline}",
    "query.unreported.none": (
        "Tính đến {today}, các cơ quan đều đã báo cáo các nhiệm vụ quá hạn và sắp đến hạn ạ."
    ),
    "query.unreported.none_agency": (
        "Tính đến {today}, {agency} đã báo cáo đủ các nhiệm vụ quá hạn và sắp đến hạn ạ."
    ),
    "query.progress.header": "Tiến độ thực hiện kế hoạch, tính đến {today}: {total} nhiệm vụ.",
    "query.progress.header_agency": (
        "Tiến độ các nhiệm vụ do {agency} chủ trì, tính đến {today}: {total} nhiệm vụ."
    ),
    "query.progress.per_lead": "(Nhiệm vụ có nhiều cơ quan chủ trì được tính cho từng cơ quan.)",
    "query.progress.rate": "Tỷ lệ hoàn thành đúng hạn: {percent}% ({done}/{due} nhiệm vụ đến hạn)",
    "query.progress.no_due": (
        "Tỷ lệ hoàn thành đúng hạn: chưa tính được vì chưa có nhiệm vụ nào đến hạn."
    ),
    "query.progress.by_timing": "Theo thời hạn:",
    "query.progress.by_status": "Theo tình trạng báo cáo:",
    "query.progress.no_tasks": "Chưa có nhiệm vụ nào đang theo dõi nên chưa có số liệu tiến độ ạ.",
    "query.progress.no_tasks_agency": (
        "{agency} không chủ trì nhiệm vụ nào đang theo dõi nên chưa có số liệu tiến độ ạ."
    ),
    "query.cell.done_on_time": "• Hoàn thành đúng hạn: {count}",
    "query.cell.done_late": "• Hoàn thành trễ hạn: {count}",
    "query.cell.open_in_time": "• Chưa hoàn thành, còn hạn: {count}",
    "query.cell.due_soon": " (sắp đến hạn: {count})",
    "query.cell.open_overdue": "• Chưa hoàn thành, quá hạn: {count}",
    "query.cell.no_deadline": "• Chưa có thời hạn: {count}",
    "query.cell.pending": "• Đã báo hoàn thành, chờ xác nhận: {count}",
    "query.status.not_reported": "• Chưa báo cáo: {count}",
    "query.status.in_progress": "• Đang thực hiện: {count}",
    "query.status.blocked": "• Vướng mắc: {count}",
    "query.status.done_pending": "• Chờ xác nhận hoàn thành: {count}",
    "query.status.done": "• Đã hoàn thành: {count}",
    "query.agency_unknown": (
        "Không tìm thấy cơ quan «{name}» trong kế hoạch. Tên gần giống: {names}. "
        "Anh/chị vui lòng gõ lại đúng tên cơ quan ạ."
    ),
    "query.agency_unknown_none": (
        "Không tìm thấy cơ quan «{name}» trong kế hoạch. Anh/chị vui lòng kiểm tra lại "
        "tên cơ quan ạ."
    ),
    "query.agency_ambiguous": (
        "Có nhiều cơ quan khớp với «{name}»: {names}. Anh/chị vui lòng ghi rõ tên cơ quan ạ."
    ),
    # --- Conversation
    "error.internal": (
        "Xin lỗi anh/chị, hệ thống gặp lỗi khi xử lý tin nhắn này. Tin nhắn đã được lưu lại; "
        "anh/chị vui lòng thử lại sau ít phút hoặc báo cán bộ điều phối ạ."
    ),
    "channel.telegram": "Telegram",
    "channel.zalo": "Zalo",
    "channel.web": "trang web",
    "channel.test": "kênh thử",
    # Numbered options where a platform has no buttons (Zalo)
    "choice.prompt": "Trả lời {options}",
    "choice.item": "{n} = {label}",
    "choice.task": "nhiệm vụ {code}",
    "zalo.file_link": "Tệp {name}: {url}",
    "role.focal": "cán bộ đầu mối",
    "role.coordinator": "cán bộ điều phối",
    "role.leader": "lãnh đạo",
    # Linking
    "link.how_to": (
        "Xin chào anh/chị! Đây là bot nhắc việc theo kế hoạch của tỉnh.\n"
        "Để bắt đầu, anh/chị vui lòng gửi mã liên kết gồm 8 ký tự do cán bộ điều phối cấp "
        "(hoặc bấm đường dẫn liên kết đã nhận)."
    ),
    "link.wrong_code": (
        "Mã liên kết không đúng. Anh/chị vui lòng kiểm tra lại mã (8 ký tự) do cán bộ "
        "điều phối cấp ạ."
    ),
    "link.used_code": (
        "Mã liên kết này đã được sử dụng. Nếu anh/chị chưa liên kết được tài khoản, "
        "vui lòng liên hệ cán bộ điều phối để nhận mã mới ạ."
    ),
    "link.expired_code": (
        "Mã liên kết đã hết hạn. Anh/chị vui lòng liên hệ cán bộ điều phối để nhận mã mới ạ."
    ),
    "link.throttled": (
        "Anh/chị đã nhập sai mã nhiều lần. Vì lý do an toàn, vui lòng thử lại sau {minutes} phút ạ."
    ),
    "link.welcome": (
        "Xin chào anh/chị {name}! Tài khoản đã được liên kết với {agency}, vai trò {role}."
    ),
    "link.welcome_back": "Xin chào anh/chị {name} ({agency}, {role}).",
    # Help
    "help.stranger": (
        "Bot nhắc việc chỉ phục vụ cán bộ đã được đăng ký. Anh/chị vui lòng gửi mã liên kết "
        "(8 ký tự) do cán bộ điều phối cấp, hoặc liên hệ cán bộ điều phối để được đăng ký ạ.\n"
        "Lệnh: /huongdan — hướng dẫn."
    ),
    "help.short.focal": (
        "Để báo cáo, anh/chị chỉ cần trả lời bằng vài chữ, ví dụ: «3.5 xong», "
        "«đang làm 70%», «vướng kinh phí», «xin gia hạn đến 15/12». /huongdan để xem thêm."
    ),
    "help.short.coordinator": (
        "Lệnh: /quahan (quá hạn), /tiendo (tiến độ), /chuabaocao (chưa báo cáo), "
        "/baocaotonghop (báo cáo tổng hợp), /nhiemvu, /huongdan."
    ),
    "help.short.leader": "Lệnh: /quahan, /tiendo, /chuabaocao, /huongdan.",
    "help.focal": (
        "Hướng dẫn cho cán bộ đầu mối:\n"
        "• /nhiemvu — nhiệm vụ của cơ quan anh/chị, tình trạng và thời hạn.\n"
        "• Báo cáo: trả lời tin nhắc việc, bấm nút dưới nhiệm vụ, hoặc nhắn ngắn gọn, "
        "có dấu hay không dấu đều được:\n"
        "  – «3.5 xong», «đã hoàn thành, gửi báo cáo số 245/BC-STTTT»\n"
        "  – «đang làm 70%, dự kiến xong 15/12»\n"
        "  – «vướng kinh phí»\n"
        "  – «xin gia hạn đến 15/12 vì chưa có hướng dẫn»\n"
        "• Gửi kèm tệp, ảnh làm minh chứng: cứ gửi vào cuộc trò chuyện.\n"
        "• /nghiphep đến 15/12 — tạm dừng nhắc việc khi nghỉ phép (/nghiphep huỷ khi đi làm "
        "lại).\n"
        "Bot sẽ nhắc lại nội dung đã hiểu để anh/chị xác nhận trước khi ghi nhận."
    ),
    "help.coordinator": (
        "Hướng dẫn cho cán bộ điều phối:\n"
        "• /quahan [cơ quan] — nhiệm vụ quá hạn, lâu nhất trước, theo cơ quan.\n"
        "• /tiendo [cơ quan] — số nhiệm vụ theo tình trạng và tỷ lệ hoàn thành đúng hạn.\n"
        "• /chuabaocao — cơ quan chưa báo cáo nhiệm vụ đến hạn.\n"
        "• /baocaotonghop [kỳ] — dự thảo báo cáo tổng hợp (Word, Excel), ví dụ "
        "«/baocaotonghop 2026H1».\n"
        "• /nhiemvu — nhiệm vụ của cơ quan anh/chị.\n"
        "• Có thể hỏi bằng lời, ví dụ: «Sở Ngoại vụ còn việc gì quá hạn?».\n"
        "• Báo cáo hoàn thành và đề nghị gia hạn được gửi tới anh/chị kèm nút "
        "[Xác nhận]/[Trả lại], [Đồng ý]/[Không đồng ý]."
    ),
    "help.leader": (
        "Hướng dẫn cho lãnh đạo:\n"
        "• /quahan [cơ quan] — nhiệm vụ quá hạn.\n"
        "• /tiendo [cơ quan] — tiến độ và tỷ lệ hoàn thành đúng hạn.\n"
        "• /chuabaocao — cơ quan chưa báo cáo.\n"
        "Mỗi sáng thứ Hai, anh/chị sẽ nhận bản tóm tắt tình hình thực hiện kế hoạch."
    ),
    # Lists of tasks
    "chat.coordinator_only": (
        "Nội dung này chỉ dành cho cán bộ điều phối và lãnh đạo. Anh/chị có thể xem nhiệm vụ "
        "của cơ quan mình bằng lệnh /nhiemvu ạ."
    ),
    "chat.stale_button": (
        "Nút này không còn hiệu lực (yêu cầu đã được xử lý hoặc đã quá lâu). "
        "Anh/chị vui lòng gõ /nhiemvu để xem lại danh sách ạ."
    ),
    "chat.no_tasks": "{agency} hiện không có nhiệm vụ nào đang theo dõi.",
    "chat.no_open_tasks": "{agency} hiện không còn nhiệm vụ nào cần báo cáo.",
    "chat.open_tasks_header": "Nhiệm vụ đang thực hiện của {agency} ({count}):",
    "chat.more_tasks": "… và {count} nhiệm vụ khác (/nhiemvu để xem đủ).",
    "chat.my_tasks_header": "Nhiệm vụ của {agency} (tính đến {today}):",
    "chat.lead_header": "Chủ trì ({count}):",
    "chat.support_header": "Phối hợp ({count}):",
    "chat.how_to_report": (
        "Báo cáo bằng cách nhắn mã nhiệm vụ kèm tình trạng, ví dụ «3.5 xong» hoặc "
        "«3.5 đang làm 70%»."
    ),
    "chat.task_line": "• {code}{role} — {title}\n   {deadline} · {status}",
    "chat.role_support": " (phối hợp)",
    "chat.numbered_line": "{n}. {code} — {title}",
    "chat.deadline.none": "chưa có thời hạn",
    "chat.deadline.plain": "hạn {due}",
    "chat.deadline.left": "hạn {due}, còn {days} ngày làm việc",
    "chat.deadline.today": "hạn hôm nay {due}",
    "chat.deadline.overdue": "quá hạn {days} ngày (hạn {due})",
    "chat.deadline.extended": " (đã gia hạn, hạn cũ {original})",
    "status.not_reported": "chưa báo cáo",
    "status.in_progress": "đang thực hiện",
    "status.in_progress_pct": "đang thực hiện {percent}%",
    "status.blocked": "gặp vướng mắc",
    "status.blocked_reason": "vướng mắc: {reason}",
    "status.done_pending": "đã báo hoàn thành, chờ xác nhận",
    "status.done": "đã hoàn thành",
    "status.late_suffix": " (trễ hạn)",
    # Reports
    "button.yes": "Đúng",
    "button.fix": "Sửa",
    "button.done": "Hoàn thành",
    "button.in_progress": "Đang thực hiện",
    "button.blocked": "Gặp vướng mắc",
    "button.extension": "Xin gia hạn",
    "button.extension_request": "Xin gia hạn",
    "button.confirm": "Xác nhận",
    "button.return": "Trả lại",
    "button.approve": "Đồng ý",
    "button.refuse": "Không đồng ý",
    "report.summary": "Nhiệm vụ {code}: {said}. Đúng không ạ?",
    "report.said.done": "đã hoàn thành",
    "report.said.on_date": " ngày {date}",
    "report.said.in_progress": "đang thực hiện",
    "report.said.expected": ", dự kiến xong {date}",
    "report.said.blocked": "gặp vướng mắc",
    "report.said.reason": ": {reason}",
    "report.said.extension": "xin gia hạn đến {date}",
    "report.said.because": " (lý do: {reason})",
    "report.which_task": "Anh/chị báo cáo cho nhiệm vụ nào ạ? Vui lòng bấm nút hoặc gõ số thứ tự:",
    "report.unknown_code": (
        "Không thấy nhiệm vụ {code} trong danh sách của cơ quan anh/chị. Các nhiệm vụ hiện có:"
    ),
    "report.unsure": (
        "Bot chưa hiểu rõ nội dung báo cáo. Anh/chị vui lòng chọn tình trạng nhiệm vụ ạ:"
    ),
    "report.unsupported": (
        "Bot chỉ đọc được tin nhắn chữ và ảnh; tệp, ghi âm, vị trí… chưa nhận được qua kênh "
        "này. Anh/chị vui lòng nhắn nội dung báo cáo bằng chữ, ví dụ «5.1 đang làm 70%», và gửi "
        "tệp minh chứng cho cán bộ điều phối theo cách khác ạ."
    ),
    "report.empty": (
        "Bot chỉ đọc được tin nhắn chữ và tệp đính kèm. Anh/chị vui lòng nhắn nội dung báo cáo, "
        "ví dụ «5.1 đang làm 70%» ạ."
    ),
    "report.acknowledged": "Dạ, bot đã nhận tin nhắn. Cảm ơn anh/chị ạ.",
    "report.rewrite": (
        "Anh/chị vui lòng gõ lại nội dung báo cáo, ví dụ «đang làm 70%», «xong», "
        "«xin gia hạn đến 15/12» ạ."
    ),
    "report.ask_date": "Anh/chị xin gia hạn nhiệm vụ {code} đến ngày nào ạ? (ví dụ: 15/12)",
    "report.ask_date_again": (
        "Bot chưa đọc được ngày. Anh/chị vui lòng ghi ngày theo dạng ngày/tháng, ví dụ 15/12 ạ."
    ),
    "report.ask_reason": (
        "Anh/chị vui lòng cho biết vướng mắc ở nhiệm vụ {code} là gì ạ (ví dụ: chưa có kinh phí)?"
    ),
    "report.add_detail": (
        "Nếu muốn, anh/chị có thể nhắn thêm tỷ lệ hoàn thành hoặc ngày dự kiến xong "
        "của nhiệm vụ {code} (ví dụ: «70%, dự kiến xong 15/12»)."
    ),
    "report.recorded_done": "Đã ghi nhận: nhiệm vụ {code} đã hoàn thành. Cảm ơn anh/chị ạ.",
    "report.recorded_done_review": (
        "Đã ghi nhận nhiệm vụ {code} hoàn thành và chuyển cán bộ điều phối xác nhận. "
        "Cảm ơn anh/chị ạ."
    ),
    "report.recorded_progress": "Đã ghi nhận tiến độ nhiệm vụ {code}. Cảm ơn anh/chị ạ.",
    "report.recorded_blocked": (
        "Đã ghi nhận vướng mắc ở nhiệm vụ {code} và báo cán bộ điều phối. Cảm ơn anh/chị ạ."
    ),
    "report.recorded_extension": (
        "Đã chuyển đề nghị gia hạn nhiệm vụ {code} tới cán bộ điều phối. Bot sẽ báo lại "
        "khi có ý kiến ạ."
    ),
    "report.files_attached": "Đã gắn {count} tệp minh chứng vào báo cáo.",
    "report.unnamed_file": "tệp không tên",
    "report.file_kept_for": "Đã lưu {names} làm minh chứng cho nhiệm vụ {code}.",
    "report.file_kept_loose": (
        "Đã lưu {names}. Tệp sẽ được gắn vào báo cáo tiếp theo của anh/chị (ví dụ nhắn «3.5 xong»)."
    ),
    "report.question_forwarded": (
        "Câu hỏi của anh/chị đã được chuyển tới cán bộ điều phối. Anh/chị cũng có thể gõ "
        "/nhiemvu để xem nhiệm vụ và thời hạn ạ."
    ),
    "report.question_noted": (
        "Bot đã ghi lại câu hỏi. Anh/chị có thể gõ /nhiemvu để xem nhiệm vụ và thời hạn, "
        "hoặc /huongdan để xem cách báo cáo ạ."
    ),
    # What the coordinator is told, and the answers
    "notice.question": "{name} ({agency}) hỏi: «{text}»",
    "notice.done_for_review": (
        "{agency} ({name}) báo cáo hoàn thành nhiệm vụ {code} — {title}:\n«{text}»\n"
        "Anh/chị vui lòng xác nhận hoặc trả lại."
    ),
    "notice.extension_request": (
        "{agency} ({name}) đề nghị gia hạn nhiệm vụ {code} — {title}: từ {due} đến {new}.\n"
        "Lý do: {reason}"
    ),
    "notice.blocked": "{agency} ({name}) báo vướng mắc ở nhiệm vụ {code} — {title}: {reason}",
    "notice.quota": (
        "Bot {channel} «{bot}» đã hết hạn mức tin nhắn của gói đang dùng ({error}). Các tin "
        "nhắn tới những người dùng bot này đang chờ và sẽ được gửi khi hạn mức được cấp lại. "
        "Anh/chị có thể nâng cấp gói hoặc thêm bot Zalo mới (ZALO_BOT_TOKENS) ạ."
    ),
    "notice.unreachable": (
        "Không gửi được tin nhắn tới {name} ({agency}) trên {channel}: người dùng đã chặn bot "
        "hoặc không còn cuộc trò chuyện. Anh/chị vui lòng liên hệ trực tiếp và cấp mã liên kết "
        "mới nếu cần."
    ),
    "notice.done_confirmed": (
        "Cán bộ điều phối đã xác nhận nhiệm vụ {code} hoàn thành. Cảm ơn anh/chị ạ."
    ),
    "notice.returned": (
        "Báo cáo hoàn thành nhiệm vụ {code} đã được trả lại. Ý kiến của cán bộ điều phối: "
        "«{note}». Anh/chị vui lòng bổ sung và báo cáo lại ạ."
    ),
    "notice.extension_approved": "Đề nghị gia hạn nhiệm vụ {code} đã được đồng ý: hạn mới {new}.",
    "notice.refused": (
        "Đề nghị gia hạn nhiệm vụ {code} chưa được đồng ý. Ý kiến của cán bộ điều phối: «{note}»."
    ),
    "review.confirmed": "Đã xác nhận nhiệm vụ {code} hoàn thành.",
    "review.ask_return_note": (
        "Anh/chị vui lòng nhập lý do trả lại báo cáo nhiệm vụ {code} (bot sẽ gửi cho cơ quan "
        "báo cáo):"
    ),
    "review.returned": "Đã trả lại báo cáo nhiệm vụ {code} kèm ý kiến của anh/chị.",
    "review.ask_refuse_note": "Anh/chị vui lòng nhập lý do không đồng ý gia hạn nhiệm vụ {code}:",
    "review.refused": "Đã báo cơ quan: không đồng ý gia hạn nhiệm vụ {code}.",
    "review.extension_approved": "Đã đồng ý gia hạn nhiệm vụ {code} đến {new}.",
    "review.already_decided": "Báo cáo này đã được xử lý trước đó ({state}).",
    "report_state.recorded": "đã ghi nhận",
    "report_state.awaiting_review": "đang chờ xác nhận",
    "report_state.confirmed": "đã xác nhận",
    "report_state.returned": "đã trả lại",
    "report_state.approved": "đã đồng ý",
    "report_state.rejected": "không đồng ý",
    # --- Reminders (chat)
    "remind.header.focal": "Kính gửi anh/chị {name} ({agency}), nhắc việc ngày {day}:",
    "remind.header.deputy": (
        "Kính gửi anh/chị {name} ({agency}), nhắc việc ngày {day} (anh/chị nhận thay đầu mối "
        "đang nghỉ phép):"
    ),
    "remind.header.leader": (
        "Kính gửi anh/chị {name}, các nhiệm vụ của {agency} đã quá hạn từ {days} ngày làm việc "
        "trở lên:"
    ),
    "remind.header.coordinator": (
        "Kính gửi anh/chị {name}, các nhiệm vụ quá hạn từ {days} ngày làm việc trở lên "
        "(đã báo lãnh đạo cơ quan):"
    ),
    "remind.agency": "{agency}:",
    "remind.line": "• {code} — {title}\n   {phrase}",
    "remind.line.support": "• {code} (phối hợp với {leads}) — {title}\n   {phrase}",
    "remind.phrase.before": "hạn {due}, còn {days} ngày làm việc",
    "remind.phrase.due": "hạn hôm nay ({due})",
    "remind.phrase.due_moved": "hạn {due} rơi vào ngày nghỉ nên tính đến hết hôm nay",
    "remind.phrase.overdue": "quá hạn {days} ngày (hạn {due})",
    "remind.phrase.checkin": "báo cáo tình hình trước {due}",
    "remind.phrase.extended": " (đã gia hạn, hạn cũ {original})",
    "remind.footer.focal": (
        "Anh/chị trả lời tin nhắn này bằng vài chữ, ví dụ «{code} xong», «{code} đang làm 70%», "
        "«{code} vướng kinh phí» hoặc «{code} xin gia hạn đến 15/12» ạ."
    ),
    "remind.footer.support": (
        "Với nhiệm vụ phối hợp, đề nghị anh/chị gửi nội dung phối hợp cho cơ quan chủ trì "
        "đúng hạn."
    ),
    "remind.footer.leader": "Đề nghị anh/chị chỉ đạo hoàn thành hoặc đề nghị gia hạn ạ.",
    "remind.footer.coordinator": "Xem chi tiết: /quahan.",
    "remind.pick_status": "Nhiệm vụ {code} — {title}\nAnh/chị chọn tình trạng hiện nay:",
    # --- Leave (chat)
    "leave.usage": (
        "Để tạm dừng nhắc việc khi nghỉ phép, anh/chị nhắn ví dụ «/nghiphep đến 15/12» "
        "(hoặc «/nghiphep 10/12 đến 15/12»). Đi làm lại sớm: «/nghiphep huỷ»."
    ),
    "leave.current": "Anh/chị đang đăng ký nghỉ phép từ {start} đến hết {end}.",
    "leave.none": "Anh/chị hiện không có lịch nghỉ phép nào.",
    "leave.bad_date": (
        "Chưa đọc được ngày kết thúc nghỉ phép. Anh/chị nhắn ví dụ «/nghiphep đến 15/12» ạ."
    ),
    "leave.past": "Ngày {end} đã qua. Anh/chị vui lòng nhắn ngày kết thúc nghỉ phép sắp tới ạ.",
    "leave.too_long": "Thời gian nghỉ phép tối đa {days} ngày; anh/chị vui lòng kiểm tra lại ạ.",
    "leave.saved": "Đã ghi nhận anh/chị nghỉ phép từ {start} đến hết {end}. {who}",
    "leave.saved.deputy": "Trong thời gian này, nhắc việc của {agency} được gửi cho {deputy}.",
    "leave.saved.colleague": (
        "Trong thời gian này, nhắc việc vẫn được gửi cho đầu mối khác của {agency}."
    ),
    "leave.saved.nobody": (
        "{agency} chưa có người nhận thay; các nhắc việc sẽ tạm dừng và cán bộ điều phối vẫn "
        "theo dõi nhiệm vụ quá hạn."
    ),
    "leave.ended": "Chào mừng anh/chị trở lại. Nhắc việc đã được gửi lại cho anh/chị từ hôm nay.",
    "notice.leave": "{name} ({agency}) nghỉ phép từ {start} đến hết {end}. {who}",
    # --- Operations: backup, restore, service health (CLI)
    "ops.progress": "  {table}: {done}/{total}",
    "ops.backup.done": (
        "Đã sao lưu {rows} dòng của {tables} bảng (cấu trúc phiên bản {revision}) vào {path}.\n"
        "Tệp có họ tên và số điện thoại của cán bộ: anh/chị vui lòng cất giữ cẩn thận, "
        "không gửi qua kênh công khai."
    ),
    "ops.backup.failed": "Không sao lưu được (backup failed): {error}",
    "ops.restore.done": (
        "Đã khôi phục {rows} dòng của {tables} bảng từ {path} (cấu trúc phiên bản {revision}) "
        "và nâng cấp cấu trúc lên phiên bản mới nhất."
    ),
    "ops.restore.failed": "Không khôi phục được (restore failed): {error}",
    "ops.no_channel_production": (
        "Chưa cấu hình kênh chat nào (TELEGRAM_BOT_TOKEN hoặc ZALO_BOT_TOKEN) nên dịch vụ không "
        "chạy; khi chạy thật (--no-sample) không dùng chế độ trình diễn. (No chat channel is "
        "configured: set TELEGRAM_BOT_TOKEN or ZALO_BOT_TOKEN; production never runs the demo.)"
    ),
    "ops.bad_log_format": (
        "LOG_FORMAT=«{value}» không hợp lệ: dùng «text» (dễ đọc) hoặc «json» (mỗi dòng một đối "
        "tượng JSON, cho hệ thống thu thập nhật ký)."
    ),
    "ops.restore.not_empty": (
        "Cơ sở dữ liệu đích đã có dữ liệu nên chưa khôi phục ({error}). Để xoá dữ liệu đó và "
        "thay bằng bản sao lưu, anh/chị chạy lại lệnh với --force."
    ),
    # --- Consolidated report
    "period.h1": "6 tháng đầu năm {year}",
    "period.h2": "6 tháng cuối năm {year}",
    "period.quarter": "quý {roman} năm {year}",
    "period.year": "năm {year}",
    "period.range": "từ ngày {start} đến ngày {end}",
    "period.bad": (
        "Kỳ báo cáo «{text}» không hợp lệ. Anh/chị vui lòng ghi một trong các dạng: 2026H1 "
        "(6 tháng đầu năm), 2026H2, 2026Q3 (quý III), 2026 (cả năm) hoặc TỪ:ĐẾN, ví dụ "
        "01/01/2026:30/06/2026."
    ),
    "period.reversed": "Kỳ báo cáo không hợp lệ: ngày bắt đầu {start} sau ngày kết thúc {end}.",
    "report.motto_country": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "report.motto_words": "Độc lập - Tự do - Hạnh phúc",
    "report.number": "Số:          /BC-{abbreviation}",
    "report.place_date": "{place}, ngày      tháng      năm {year}",
    "report.kind": "BÁO CÁO",
    "report.title": "Kết quả thực hiện {plan}",
    "report.title_period": "({period})",
    "report.body_unknown": "Cơ quan điều phối",
    "report.plan_ref.number": "Kế hoạch số {number}",
    "report.plan_ref.date": " ngày {day}",
    "report.plan_ref.issuer": " của {issuer}",
    "report.plan_ref.subject": " về {subject}",
    "report.intro": (
        "Thực hiện {plan}, {body} tổng hợp kết quả thực hiện {period} (số liệu tính đến ngày "
        "{as_of}) như sau:"
    ),
    "report.section.results": "I. KẾT QUẢ THỰC HIỆN",
    "report.section.assessment": "II. ĐÁNH GIÁ CHUNG",
    "report.section.difficulties": "III. KHÓ KHĂN, VƯỚNG MẮC",
    "report.section.proposals": "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    "report.none": "—",
    "report.task.leads": "Cơ quan chủ trì: {leads}.",
    "report.task.supports": "Cơ quan phối hợp: {supports}.",
    "report.task.deadline": "Thời hạn: {deadline}. Tình trạng: {status}.",
    "report.role.lead": "chủ trì",
    "report.role.support": "phối hợp",
    "report.result.line": "{agency} ({role}): {text}",
    "report.result.nobody": "Chưa có cơ quan nào báo cáo kết quả thực hiện.",
    "report.result.none": "Chưa báo cáo kết quả thực hiện",
    "report.result.done": "Đã hoàn thành ngày {day}{timing}",
    "report.result.done_pending": (
        "Đã báo cáo hoàn thành ngày {day}{timing}, đang chờ cơ quan điều phối xác nhận"
    ),
    "report.result.on_time": " (đúng hạn)",
    "report.result.late": " (trễ hạn {days} ngày)",
    "report.result.all_done": "Đã hoàn thành tất cả các kỳ",
    "report.result.occurrences_done": "Đã hoàn thành {count} kỳ báo cáo",
    "report.result.in_progress": "Đang triển khai thực hiện",
    "report.result.in_progress_pct": "Đang triển khai thực hiện, ước đạt {percent}%",
    "report.result.blocked": "Đang gặp khó khăn, vướng mắc: {reason}",
    "report.result.returned": (
        "Báo cáo hoàn thành ngày {day} đã được trả lại để bổ sung, hoàn thiện"
    ),
    "report.result.returned_note": (
        "Báo cáo hoàn thành ngày {day} đã được trả lại để bổ sung, hoàn thiện ({note})"
    ),
    "report.result.extension_approved": "Đã được gia hạn đến ngày {day}",
    "report.result.extension_pending": "Đề nghị gia hạn đến ngày {day}, đang chờ xem xét",
    "report.result.extension_rejected": "Đề nghị gia hạn đến ngày {day} không được chấp thuận",
    "report.deadline.none": "Chưa xác định",
    "report.deadline.recurring": "{written} (kỳ hiện tại: {due})",
    "report.deadline.extended": "{original} (gia hạn đến {due})",
    "report.status.done_on_time": "Hoàn thành đúng hạn",
    "report.status.done_late": "Hoàn thành trễ hạn",
    "report.status.pending": "Đã báo hoàn thành, chờ xác nhận",
    "report.status.late_suffix": " (trễ hạn)",
    "report.status.overdue": "Quá hạn {days} ngày",
    "report.status.overdue_not_reported": ", chưa báo cáo",
    "report.status.overdue_blocked": ", có vướng mắc",
    "report.status.in_progress": "Đang thực hiện, trong hạn",
    "report.status.in_progress_pct": "Đang thực hiện ({percent}%), trong hạn",
    "report.status.blocked": "Có vướng mắc, trong hạn",
    "report.status.no_deadline": "Chưa xác định thời hạn",
    "report.status.not_due": "Chưa đến hạn",
    "report.status.due_now": "Đến hạn, chưa báo cáo",
    "report.assessment.total": (
        "Kế hoạch có {total} nhiệm vụ; tính đến ngày {as_of} có {due} nhiệm vụ đã đến hạn "
        "hoặc đã hoàn thành."
    ),
    "report.assessment.table_caption": "Kết quả thực hiện theo thời hạn:",
    "report.assessment.col.kind": "Nhiệm vụ",
    "report.assessment.col.on_time": "Đúng hạn",
    "report.assessment.col.late": "Trễ hạn",
    "report.assessment.col.total": "Tổng số",
    "report.assessment.row.done": "Đã hoàn thành",
    "report.assessment.row.open": "Chưa hoàn thành",
    "report.assessment.row.total": "Tổng số",
    "report.assessment.open_note": (
        "Ô «Chưa hoàn thành – Đúng hạn» là các nhiệm vụ chưa đến hạn; «Chưa hoàn thành – Trễ hạn» "
        "là các nhiệm vụ đã quá hạn."
    ),
    "report.assessment.pending": (
        "Ngoài ra có {count} nhiệm vụ đã được báo cáo hoàn thành, đang chờ xác nhận."
    ),
    "report.assessment.no_deadline": "Có {count} nhiệm vụ chưa xác định thời hạn.",
    "report.assessment.rate": (
        "Tỷ lệ hoàn thành đúng hạn: {percent}% ({done}/{due} nhiệm vụ đã đến hạn)."
    ),
    "report.assessment.no_rate": (
        "Chưa có nhiệm vụ nào đến hạn, chưa tính tỷ lệ hoàn thành đúng hạn."
    ),
    "report.assessment.overdue_head": "Các nhiệm vụ quá hạn lâu nhất:",
    "report.assessment.no_overdue": "Không có nhiệm vụ quá hạn.",
    "report.assessment.overdue_line": (
        "Nhiệm vụ {code} «{title}» ({leads} chủ trì): quá hạn {days} ngày (hạn {due})."
    ),
    "report.difficulty.line": "Nhiệm vụ {code} «{title}» ({agency}): {reason}",
    "report.difficulty.resolved": " (đến nay đã khắc phục)",
    "report.difficulty.none": (
        "Trong kỳ báo cáo, các cơ quan, đơn vị chưa phản ánh khó khăn, vướng mắc."
    ),
    "report.proposal.extension": (
        "Đề nghị xem xét gia hạn nhiệm vụ {code} «{title}» đến ngày {day} theo đề nghị của "
        "{agency}{reason}."
    ),
    "report.proposal.because": " (lý do: {reason})",
    "report.proposal.blocked": (
        "Đề nghị các cơ quan liên quan phối hợp tháo gỡ vướng mắc của nhiệm vụ {code} "
        "({agency}): {reason}."
    ),
    "report.proposal.overdue": (
        "Đề nghị các cơ quan chủ trì {count} nhiệm vụ quá hạn khẩn trương hoàn thành và báo cáo "
        "kết quả về {body}."
    ),
    "report.proposal.unreported": (
        "Đề nghị các cơ quan chưa báo cáo kết quả các nhiệm vụ đã quá hạn ({agencies}) báo cáo "
        "đầy đủ, đúng thời hạn."
    ),
    "report.proposal.none": "Chưa có đề xuất, kiến nghị.",
    "report.closing_to": (
        "Trên đây là báo cáo kết quả thực hiện {plan} ({period}), {body} kính báo cáo "
        "{addressee} xem xét, chỉ đạo./."
    ),
    "report.closing": "Trên đây là báo cáo kết quả thực hiện {plan} ({period})./.",
    "report.recipients": "Nơi nhận:",
    "report.recipient.addressee": "{name} (để báo cáo);",
    "report.recipient.agencies": "Các cơ quan, đơn vị thực hiện Kế hoạch;",
    "report.recipient.archive": "Lưu: VT.",
    "report.signer.so": "GIÁM ĐỐC",
    "report.signer.ban": "TRƯỞNG BAN",
    "report.signer.head": "THỦ TRƯỞNG CƠ QUAN",
    "report.signer.ubnd_for": "TM. ỦY BAN NHÂN DÂN",
    "report.signer.ubnd": "CHỦ TỊCH",
    "report.appendix.label": "Phụ lục",
    "report.appendix.title": "TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH",
    "report.appendix.subtitle": (
        "(Kèm theo Báo cáo số       /BC-{abbreviation} ngày     tháng     năm {year} của {body})"
    ),
    "report.col.number": "STT",
    "report.col.task": "Nhiệm vụ",
    "report.col.group": "Nhóm nhiệm vụ",
    "report.col.leads": "Cơ quan chủ trì",
    "report.col.supports": "Cơ quan phối hợp",
    "report.col.deadline": "Thời hạn",
    "report.col.due": "Hạn hiện hành",
    "report.col.original_due": "Hạn ban đầu (trước gia hạn)",
    "report.col.result": "Kết quả",
    "report.col.status": "Tình trạng",
    "report.col.overdue_days": "Số ngày quá hạn",
    "report.sheet.tasks": "Nhiệm vụ",
    "report.sheet.legend": "Chú giải",
    "report.legend.done_on_time": "Hoàn thành đúng hạn",
    "report.legend.done_late": "Hoàn thành trễ hạn",
    "report.legend.overdue": "Quá hạn",
    "report.legend.in_progress": "Đang thực hiện, trong hạn",
    "report.legend.not_started": "Chưa bắt đầu / chưa báo cáo",
    # --- Digest
    "digest.header": "BẢN TIN TUẦN: {plan}\nSố liệu đến ngày {today}.",
    "digest.rate": "Tỷ lệ hoàn thành đúng hạn: {percent}% ({done}/{due} nhiệm vụ đã đến hạn)",
    "digest.no_rate": "Chưa có nhiệm vụ nào đến hạn, chưa tính tỷ lệ hoàn thành đúng hạn.",
    "digest.change.up": ", tăng {points} điểm phần trăm so với tuần trước ({last}%).",
    "digest.change.down": ", giảm {points} điểm phần trăm so với tuần trước ({last}%).",
    "digest.change.same": ", không đổi so với tuần trước ({last}%).",
    "digest.change.none": " (tuần trước chưa có nhiệm vụ đến hạn).",
    "digest.task_line": "• {code} {title} — {leads}{tail}",
    "digest.more": "… và {count} mục khác.",
    "digest.done_head": "Hoàn thành trong tuần ({count}):",
    "digest.done_none": "Trong tuần không có nhiệm vụ nào được báo hoàn thành.",
    "digest.done.tail": " ({timing}{pending})",
    "digest.done.done_on_time": "đúng hạn",
    "digest.done.done_late": "trễ hạn",
    "digest.done.pending": ", chờ xác nhận",
    "digest.overdue_head": "Mới quá hạn trong tuần ({count}):",
    "digest.overdue_none": "Trong tuần không có nhiệm vụ nào mới quá hạn.",
    "digest.overdue_tail": ", hạn {due}",
    "digest.agencies_head": "Quá hạn theo cơ quan chủ trì, lâu nhất trước ({count} cơ quan):",
    "digest.agencies_none": "Không có nhiệm vụ nào quá hạn.",
    "digest.agency_overdue": "• {agency}: {count} nhiệm vụ, lâu nhất {days} ngày ({codes})",
    "digest.silent_head": (
        "Cơ quan chưa báo cáo nhiệm vụ quá hạn hoặc sắp đến hạn ({count} cơ quan):"
    ),
    "digest.silent_none": "Các nhiệm vụ quá hạn và sắp đến hạn đều đã có báo cáo.",
    "digest.agency_silent": "• {agency}: {count} nhiệm vụ ({codes})",
    "digest.chart_title": "Tình trạng nhiệm vụ theo cơ quan chủ trì, đến {today}",
    "chart.axis": "Số nhiệm vụ",
    "chart.empty": "Chưa có nhiệm vụ",
    "chart.others": "Các cơ quan khác ({count})",
    "chart.key.done_on_time": "Hoàn thành đúng hạn",
    "chart.key.done_late": "Hoàn thành trễ hạn",
    "chart.key.in_progress": "Đang thực hiện",
    "chart.key.not_started": "Chưa báo cáo",
    "chart.key.overdue": "Quá hạn",
    # --- Consolidated report and digest (CLI)
    "cli.report.written": (
        "Đã lập báo cáo tổng hợp {period} (số liệu đến ngày {as_of}): {tasks} nhiệm vụ{rate}."
    ),
    "cli.report.rate": ", tỷ lệ hoàn thành đúng hạn {percent}%",
    "cli.report.file": "  {path}",
    "cli.report.chart": "Biểu đồ: {path}",
    "cli.report.cannot_write": "Không ghi được tệp «{path}»: {error}.",
    "cli.round.opened": (
        "Đã mở kỳ báo cáo #{id} ({period}), hạn báo cáo {due}, tổng hợp dự thảo ngày {cutoff}: "
        "{invited} lời mời đã đưa vào hộp thư đi (dịch vụ đang chạy sẽ gửi)."
    ),
    "cli.round.not_linked": "{count} cán bộ đầu mối chưa liên kết kênh chat nên chưa nhận được.",
    "cli.round.exists": "Kế hoạch {plan} đã có kỳ báo cáo với hạn {due}.",
    "cli.round.cutoff_past": "Ngày tổng hợp {cutoff} đã qua; hãy chọn --cutoff hoặc --due khác.",
    "cli.settings.saved": "Đã lưu thiết lập của kế hoạch {plan}.",
    "cli.settings.header_digest": (
        "Thiết lập bản tin tuần của kế hoạch {plan} (weekday: 2 = thứ Hai … 8 = Chủ nhật):"
    ),
    "cli.settings.header_rounds": "Thiết lập kỳ báo cáo của kế hoạch {plan} (số ngày làm việc):",
    # --- Consolidated report (chat)
    "chat.report.head": "Dự thảo báo cáo kết quả thực hiện {title} ({period})",
    "chat.report.summary": (
        "{head}, số liệu đến ngày {as_of}: {total} nhiệm vụ; {rate}; {overdue} nhiệm vụ quá hạn.\n"
        "Tệp Word để anh/chị chỉnh sửa, trình ký; tệp Excel là bảng tổng hợp các nhiệm vụ."
    ),
    "chat.report.rate": "tỷ lệ hoàn thành đúng hạn {percent}% ({done}/{due} nhiệm vụ đã đến hạn)",
    "chat.report.no_rate": "chưa có nhiệm vụ nào đến hạn",
    "chat.report.xlsx": "Bảng tổng hợp các nhiệm vụ (Excel).",
    "chat.report.no_plan": "Chưa có kế hoạch nào được nhập, nên chưa lập được báo cáo ạ.",
    # --- Reporting rounds
    "round.invite": (
        "Kính gửi anh/chị, đã đến kỳ báo cáo {period}. Đề nghị {agency} báo cáo kết quả thực "
        "hiện {count} nhiệm vụ trước ngày {cutoff}. Anh/chị bấm «Bắt đầu báo cáo» (hoặc gõ "
        "/kybaocao), bot sẽ hỏi lần lượt từng nhiệm vụ ạ."
    ),
    "round.nudge": (
        "Nhắc kỳ báo cáo {period}: cơ quan anh/chị còn {count}/{total} nhiệm vụ chưa báo cáo, "
        "hạn tổng hợp ngày {cutoff}. Anh/chị bấm «Bắt đầu báo cáo» để tiếp tục ạ."
    ),
    "round.button.start": "Bắt đầu báo cáo",
    "round.button.skip": "Bỏ qua",
    "round.button.same": "Như lần trước",
    "round.button.keep_text": "Giữ nội dung cũ",
    "round.intro": (
        "Kỳ báo cáo {period}: {agency} có {count} nhiệm vụ cần báo cáo (hạn ngày {cutoff}). "
        "Với mỗi nhiệm vụ, anh/chị chọn tình trạng rồi nhập kết quả thực hiện; có thể bỏ qua "
        "và quay lại sau."
    ),
    "round.task": (
        "Nhiệm vụ {n}/{total} — {code}. {title}\n{deadline}.\n{last}\nTình trạng hiện nay?"
    ),
    "round.last": "Báo cáo gần nhất ({day}): {status} — «{text}»",
    "round.no_last": "Chưa có báo cáo nào.",
    "round.said.done": "đã hoàn thành",
    "round.said.in_progress": "đang thực hiện",
    "round.said.blocked": "gặp vướng mắc",
    "round.ask_result": (
        "Anh/chị nhập kết quả thực hiện (một đoạn ngắn: đã làm được gì, văn bản, số liệu; "
        "nếu vướng mắc thì nêu lý do)."
    ),
    "round.keep_hint": "\nNội dung lần trước: «{text}». Bấm «Giữ nội dung cũ» nếu không đổi.",
    "round.pick_status": (
        "Anh/chị vui lòng chọn tình trạng bằng các nút dưới nhiệm vụ, hoặc nhắn ngắn gọn như "
        "«đã hoàn thành …», «đang thực hiện 70% …», «vướng …» ạ."
    ),
    "round.recorded": "Đã ghi nhận nhiệm vụ {code}: {status}.",
    "round.kept": "Đã giữ nguyên báo cáo lần trước ({status}).",
    "round.finished": "Cảm ơn anh/chị. Đã ghi nhận {answered} nhiệm vụ trong kỳ báo cáo này.",
    "round.finished_skipped": (
        "Còn các nhiệm vụ đã bỏ qua: {codes}. Anh/chị bấm «Bắt đầu báo cáo» khi sẵn sàng ạ."
    ),
    "round.nothing_left": (
        "{agency} đã báo cáo đủ các nhiệm vụ của kỳ báo cáo {period}. Cảm ơn anh/chị ạ."
    ),
    "round.closed": "Kỳ báo cáo {period} đã kết thúc, không nhận thêm báo cáo theo kỳ này.",
    "round.none_open": "Hiện không có kỳ báo cáo nào đang mở.",
    "round.stale": "Nút này thuộc một bước đã qua. Gõ /kybaocao để tiếp tục kỳ báo cáo ạ.",
    "round.focal_only": "Kỳ báo cáo dành cho cán bộ đầu mối của các cơ quan chủ trì.",
    "round.status.header": (
        "Kỳ báo cáo {period} (hạn báo cáo {due}, tổng hợp ngày {cutoff}) — các cơ quan:"
    ),
    "round.status.line": "• {agency}: đã báo cáo {answered}/{total} nhiệm vụ",
    "round.status.line_done": "• {agency}: đã báo cáo đủ {total} nhiệm vụ",
    "round.status.nobody": "Không có cơ quan nào phải báo cáo.",
    "round.draft": (
        "Kỳ báo cáo {period} đã hết hạn tổng hợp. Gửi anh/chị dự thảo báo cáo kết quả thực hiện "
        "{title} (số liệu đến ngày {as_of}, hạn gửi báo cáo {due}). {complete}/{total} cơ quan "
        "đã báo cáo đủ."
    ),
    "round.draft_missing": "Chưa báo cáo đủ:",
    "round.draft_missing_line": "• {agency}: còn {count} nhiệm vụ",
    # --- Web chat and demo mode (page)
    "web.title": "Nhắc việc",
    "web.subtitle.demo": "Bản chạy thử trên máy này",
    "web.subtitle.live": "Trò chuyện với bot nhắc việc",
    "web.picker": "Anh/chị đang xem với vai trò",
    "web.picker.none": "Chưa có người dùng thử",
    "web.clock.title": "Hôm nay (giả lập)",
    "web.clock.label": "{weekday}, {date} {time}",
    "web.clock.next_day": "Sang ngày làm việc tiếp theo",
    "web.clock.week": "+1 tuần",
    "web.clock.deadline": "Đến hạn tiếp theo",
    "web.clock.moving": "Đang chuyển ngày và chạy nhắc việc…",
    "web.clock.no_deadline": "Không còn hạn nào sau hôm nay trong kế hoạch.",
    "web.clock.day_off": "ngày nghỉ",
    "web.weekday.0": "Thứ Hai",
    "web.weekday.1": "Thứ Ba",
    "web.weekday.2": "Thứ Tư",
    "web.weekday.3": "Thứ Năm",
    "web.weekday.4": "Thứ Sáu",
    "web.weekday.5": "Thứ Bảy",
    "web.weekday.6": "Chủ nhật",
    "web.placeholder": "Nhập tin nhắn…",
    "web.send": "Gửi",
    "web.empty": "Chưa có tin nhắn nào.",
    "web.empty.live": (
        "Anh/chị nhập mã liên kết 8 ký tự do cán bộ điều phối cấp (ví dụ «/start ABCD2345») "
        "để bắt đầu."
    ),
    "web.pressed": "Đã chọn: {label}",
    "web.download": "Tải tệp",
    "web.image": "Hình ảnh",
    "web.offline": "Mất kết nối với máy chủ, đang kết nối lại…",
    "web.send_failed": "Chưa gửi được tin nhắn, anh/chị vui lòng thử lại.",
    "web.bot": "Bot nhắc việc",
    "web.me": "Anh/chị",
    # --- Start-up printout (CLI): each line in Vietnamese, then in English
    "run.banner.demo": "nhacviec: CHẾ ĐỘ CHẠY THỬ (chưa cấu hình Telegram hoặc Zalo)",
    "run.banner.demo.en": "nhacviec: DEMO MODE (no Telegram or Zalo configured)",
    "run.banner.live": "nhacviec: đang phục vụ",
    "run.banner.live.en": "nhacviec: serving",
    "run.banner.demo_what": (
        "Đang chạy: kế hoạch «{plan}» trên cơ sở dữ liệu {db}; {people} người dùng thử "
        "({names}); nhắc việc theo đồng hồ giả lập, hôm nay là {today}."
    ),
    "run.banner.demo_what.en": (
        "Running: the plan «{plan}» on the database {db}; {people} demo people; reminders on "
        "a simulated clock, today is {today}."
    ),
    "run.banner.open": "Mở trang chat trên trình duyệt: {url}",
    "run.banner.open.en": "Open the web chat in a browser: {url}",
    "run.banner.try": (
        "Chọn một người, bấm «Sang ngày làm việc tiếp theo» để nhận nhắc việc, trả lời "
        "«dang lam 70%»; chọn cán bộ điều phối và hỏi «/quahan»."
    ),
    "run.banner.try.en": (
        "Pick a person, press «Sang ngày làm việc tiếp theo» (next working day) to get "
        "reminders, answer «dang lam 70%»; switch to the coordinator and ask «/quahan»."
    ),
    "run.banner.connect": (
        "Để dùng Telegram hoặc Zalo thay cho chế độ chạy thử, ghi vào tệp .env rồi chạy lại "
        "«make run»:"
    ),
    "run.banner.connect.en": (
        "To use Telegram or Zalo instead of the demo, put these in .env and run «make run» "
        "again:"
    ),
    "run.banner.env_telegram": (
        "  TELEGRAM_BOT_TOKEN=…   (mã bot từ @BotFather / the token from @BotFather)"
    ),
    "run.banner.env_username": "  TELEGRAM_BOT_USERNAME=…   (tên @bot / the bot's @name)",
    "run.banner.env_zalo": "  ZALO_BOT_TOKEN=…   (mã Zalo Bot / the Zalo Bot token)",
    "run.banner.env_web": (
        "  WEB_CHAT=1   (giữ cả trang chat này / keep this web chat too; "
        "WEB_HOST, WEB_PORT: địa chỉ / address)"
    ),
    "run.banner.telegram": "Telegram: {mode}",
    "run.banner.telegram.en": "Telegram: {mode}",
    "run.banner.web": "Trang chat (liên kết bằng mã như trên Telegram): {url}",
    "run.banner.web.en": "Web chat (people link with their code, as on Telegram): {url}",
    "run.banner.no_web": (
        "Trang chat không bật; đặt WEB_CHAT=1 hoặc chạy «nhacviec run --web-chat»."
    ),
    "run.banner.no_web.en": "The web chat is off; set WEB_CHAT=1 or run «nhacviec run --web-chat».",
    "run.banner.stop": "Nhấn Ctrl+C để dừng.",
    "run.banner.stop.en": "Press Ctrl+C to stop.",
    "run.port_busy": (
        "Không mở được {host}:{port} (cổng đang được dùng?). Anh/chị đặt WEB_PORT khác trong "
        "tệp .env, ví dụ WEB_PORT=8081."
    ),
    # --- Reminders, calendar and deadlines (CLI)
    "cli.remind.none": "Không có nhắc việc nào từ {start} đến {end}.",
    "cli.remind.col.send_at": "Gửi lúc",
    "cli.remind.col.contact": "Người nhận",
    "cli.remind.col.agency": "Cơ quan",
    "cli.remind.col.channel": "Kênh",
    "cli.remind.col.kind": "Loại",
    "cli.remind.col.tasks": "Nhiệm vụ",
    "cli.remind.not_linked": "(chưa liên kết)",
    "cli.remind.title": "Nhắc việc dự kiến từ {start} đến {end}: {count} tin nhắn",
    "cli.remind.kind.before": "sắp đến hạn",
    "cli.remind.kind.due": "đến hạn",
    "cli.remind.kind.overdue": "quá hạn",
    "cli.remind.kind.escalation": "báo lãnh đạo",
    "cli.remind.kind.checkin": "hỏi định kỳ",
    "cli.remind.bad_range": "Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.",
    "cli.remind.range_too_long": "Khoảng xem trước tối đa {days} ngày.",
    "cli.status.outbox": "Hộp thư đi:",
    "cli.status.state_line": "  {state}: {count}",
    "cli.status.oldest_pending": "Tin chờ gửi lâu nhất từ: {at}",
    "cli.status.failed_header": "Tin gửi không thành công gần đây:",
    "cli.status.failed_line": "  #{id} {channel} {kind}: {error}",
    "cli.status.unreachable_header": "Không còn liên lạc được:",
    "cli.status.unreachable_line": "  {name} ({agency}) trên {channel}",
    "cli.status.runs_header": "Các ngày đã lập nhắc việc gần đây:",
    "cli.status.run_line": "  {day}: {messages} tin nhắn (lập lúc {at})",
    "cli.status.not_linked_header": "Chưa liên kết kênh chat (không nhận được nhắc việc):",
    "cli.status.not_linked_line": "  {name} ({agency}, {role})",
    "cli.state.pending": "chờ gửi",
    "cli.state.sending": "đang gửi",
    "cli.state.sent": "đã gửi",
    "cli.state.failed": "không gửi được",
    "cli.calendar.added": "Đã thêm ngày nghỉ {day}{note}.",
    "cli.calendar.exists": "Ngày {day} đã có trong danh sách ngày nghỉ.",
    "cli.calendar.removed": "Đã bỏ ngày nghỉ {day}.",
    "cli.calendar.not_found": (
        "Ngày {day} không có trong danh sách ngày nghỉ do cán bộ điều phối thêm."
    ),
    "cli.calendar.already_off": "Lưu ý: {day} vốn đã là ngày nghỉ ({why}).",
    "cli.calendar.weekend": "cuối tuần",
    "cli.calendar.list_header": "Ngày nghỉ do cán bộ điều phối thêm:",
    "cli.calendar.list_empty": "Chưa có ngày nghỉ nào được thêm.",
    "cli.calendar.public_header": "Ngày nghỉ lễ năm {year} (theo quy định):",
    "cli.task.not_found": "Không tìm thấy nhiệm vụ {code} trong kế hoạch {plan}.",
    "cli.task.deadline_set": "Đã đặt hạn nhiệm vụ {code} — {title}: {due}.",
    "cli.task.deadline_cleared": "Đã bỏ hạn do người đặt của nhiệm vụ {code}.",
    "cli.task.deadline_recurring": (
        "Nhiệm vụ {code} có nhiều kỳ hạn ({count}); hạn đặt tay chỉ dùng cho nhiệm vụ một kỳ hạn."
    ),
    "cli.task.no_plan": "Chưa có kế hoạch nào. Hãy nhập kế hoạch trước: nhacviec plan import FILE.",
    "cli.task.which_plan": "Có nhiều kế hoạch; hãy chọn bằng --plan ID ({ids}).",
    "cli.bad_day": "Ngày không hợp lệ: «{text}» (dùng dd/mm/yyyy hoặc yyyy-mm-dd).",
    "cli.policy.unknown": "Không có thiết lập «{name}». Các thiết lập: {known}.",
    "cli.policy.saved": "Đã lưu thiết lập nhắc việc của kế hoạch {plan}.",
    "cli.policy.header": "Thiết lập nhắc việc của kế hoạch {plan}:",
    "cli.policy.bad_pair": "Thiết lập phải có dạng TÊN=GIÁ_TRỊ: «{text}».",
}


def t(key: str, **params: object) -> str:
    """The Vietnamese text for `key`, with `params` filled in."""
    return VI[key].format(**params)
