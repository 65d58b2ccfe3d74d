"""Reading a focal point's free-text progress reply: status, percent, date, reason, task code."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from plans.text import fold, nfc, squash
from plans.timegrammar import context_for, find_time_expressions, mask_citations, parse_with

log = logging.getLogger(__name__)

CONFIDENT = 0.7  # at or above: the bot repeats it back for a yes/fix; below: it asks with buttons
MAX_CHARS = 1000  # replies are a few words; a pasted document must not cost more than this
STATUSES = ("done", "in_progress", "blocked", "extension_request", "question", "other")


@dataclass(frozen=True)
class ReplyReading:
    """What a reply says about a task, and how sure the rules are."""

    status: str
    percent: int | None = None
    date: date | None = None
    date_role: str | None = None  # new_deadline | expected_done | done_on
    reason: str | None = None
    confidence: float = 0.0
    task_code: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "percent": self.percent,
            "date": self.date.isoformat() if self.date else None,
            "date_role": self.date_role,
            "reason": self.reason,
            "confidence": self.confidence,
            "task_code": self.task_code,
        }


# ---------------------------------------------------------------- the text, folded


@dataclass(frozen=True)
class _Text:
    original: str  # NFC, single-spaced, capped: reasons are cut from it, so marks are kept
    folded: str  # the same length: tone-free, lower-case, ambiguous words neutralised

    def before(self, at: int, words: int = 3) -> str:
        """The last few words before `at` inside the same clause."""
        head = re.split(r"[.,;!?\n]|\bnhung\b", self.folded[max(0, at - 40) : at])[-1]
        return " ".join(head.split()[-words:])

    def after(self, at: int, chars: int = 24) -> str:
        return re.split(r"[.,;!?\n]", self.folded[at : at + chars])[0]


# Words whose tone marks change the meaning. When the writer used marks, only the listed
# spellings count; unmarked text is taken at its word, since most replies come without marks.
_GUARDED: dict[str, tuple[str, ...]] = {
    "da": ("đã", "da", "dã"),  # "dạ" (polite yes) and "đã" (already) fold to the same letters
    "dang": ("đang", "dang"),  # "đăng" (publish) is not "đang" (in the middle of)
    "vuong": ("vướng", "vuong", "vuớng"),  # "Vương" is a name
    "do": ("do", "độ"),  # "đó" (that), "đô"; "độ" stays for "tiến độ", which rules look behind
    "vi": ("vì", "vi", "vị"),  # "ví", "vĩ"; "vị" stays for "đơn vị", which rules look behind
    "tac": ("tắc", "tac"),  # "tác" in "công tác"
    "han": ("hạn", "han"),  # "hàn", "hán"
    "roi": ("rồi", "roi", "rùi", "ròi", "rôi"),  # "rơi", "rời"
}
_SPECIAL = {"dạ": "dz", "đăng": "dqng"}  # kept distinct: "dạ" is an acknowledgement


def _lower(text: str) -> str:
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters (İ) lengthen when lowered; keep positions aligned with the original.
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _prepare(text: object) -> _Text:
    raw = text if isinstance(text, str) else ""
    original = squash(nfc(raw[: MAX_CHARS * 2]))[:MAX_CHARS]
    chars = list(_lower(fold(original)))
    for m in re.finditer(r"\w+", original):
        written = m.group(0).lower()
        bare = "".join(chars[m.start() : m.end()])
        if written in _SPECIAL:
            replacement = _SPECIAL[written]
        elif bare in _GUARDED and written not in _GUARDED[bare]:
            replacement = "X" * len(bare)
        else:
            continue
        chars[m.start() : m.end()] = replacement
    return _Text(original, "".join(chars))


# ---------------------------------------------------------------- numbers: code, percent, counts

_CODE_AT_START = re.compile(
    r"^\W*(?:(?:nv|nvu|nhiem vu|muc)\s*(?:so\s*)?[:.]?\s*)?"
    r"(?P<code>\d{1,2}(?:\.\d{1,2}){1,3})\.?(?![\d%/,]|\.\d)"
    r"(?!\s*(?:%|phan tram|ty|trieu|nghin|dong|km|nguoi)\b)"
)
_CODE_NAMED = re.compile(
    r"\b(?:nv|nvu|nhiem vu|muc|nd|noi dung)\s*(?:so\s*)?[:.]?\s*"
    r"(?P<code>\d{1,2}(?:\.\d{1,2}){0,3})(?![\d%/]|\.\d|\s*(?:%|phan tram))"
)


def _task_code(t: _Text) -> re.Match[str] | None:
    """A plan task number the person named: "3.5 xong", "nv 1.2 …", "nhiệm vụ 5.2.1 …"."""
    return _CODE_AT_START.match(t.folded) or _CODE_NAMED.search(t.folded)


_PERCENT = re.compile(r"(?<![\d/.,])(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:%|phan tram\b|ptram\b)")


def _percents(t: _Text) -> list[tuple[int, tuple[int, int]]]:
    """Every percent written, in range or not (-1 marks one over 100: "150%" is no progress)."""
    found = []
    for m in _PERCENT.finditer(t.folded):
        value = round(float(m.group(1).replace(",", ".")))
        found.append((value if value <= 100 else -1, m.span()))
    return found


_COUNT_NOUN = (
    r"(?:huyen|xa|phuong|thi tran|thi xa|tp|don vi|dv|co quan|so|nganh|truong|nguoi|hoc vien|"
    r"lop|bai|tin|cuon|ban|hang muc|noi dung|nd|nhiem vu|nv|chi tieu|ho|thon|to|phong|ky|buoi|"
    r"hoi nghi|dot|san pham|dia phuong|cum|diem|chuyen de|video|clip|cong trinh|du an|ho so|"
    r"tieu chi|muc|van ban|vb|dau viec|viec|phan|khoi luong|cong viec|ke hoach|kh)\b"
)
# "đã được 3/5 huyện", "xong 2/4 nội dung": done out of total, never a date.
_FRACTION = re.compile(
    rf"(?<![\d/.,])(?P<n>\d{{1,3}})\s*/\s*(?P<of>\d{{1,3}})(?![\d/])(?=\s*{_COUNT_NOUN})"
    r"|(?:(?<=\bduoc )|(?<=\bdat )|(?<=\bdc ))(?P<n2>\d{1,3})\s*/\s*(?P<of2>\d{1,3})(?![\d/])"
)


def _fractions(t: _Text) -> list[tuple[int, int, tuple[int, int]]]:
    out = []
    for m in _FRACTION.finditer(t.folded):
        n = int(m["n"] or m["n2"])
        of = int(m["of"] or m["of2"])
        if of > 0 and n <= of:
            out.append((n, of, m.span()))
    return out


# A report's period names the report, not a date: "báo cáo 6 tháng", "bc quý III", "KH năm 2026".
_REPORT_PERIOD = re.compile(
    r"\b(?:bao cao|bc|so ket|tong ket|ke hoach|kh|chuong trinh)\s+(?:so ket\s+|tong ket\s+)?"
    r"(?:\d{1,2}\s*thang(?:\s*(?:dau|cuoi)\s*nam)?|quy\s*(?:iv|iii|ii|i|[1-4])\b|"
    r"thang\s*\d{1,2}\b|nam(?:\s*\d{4})?|tuan)"
)

# "một nửa" without marks reads "mot nua", and the grammar takes "mot" for "mốt" (in two days).
_HALF = re.compile(r"\bmot\s+(?:nua|phan)\b")

# ---------------------------------------------------------------- cues

# What an agency lacks when it is blocked: "thiếu kinh phí", "chưa có hướng dẫn", "hết kp".
_LACKING = (
    r"(?:kinh phi|kp|nguoi|nhan luc|nhan su|can bo|huong dan|chi dao|von|ngan sach|thiet bi|"
    r"may moc|tai lieu|so lieu|du lieu|quyet dinh|dia diem|phuong tien|du toan|hop dong|"
    r"mat bang|chu truong|y kien chi dao)\b"
)

_NEGATOR = re.compile(
    r"\b(?:chua|khong|ko|k|kg|khg|hok|hong|khum|chang|chx|ch|kho|khong the|chua the|"
    r"chua kip|khong kip|ko kip|k kip)\b"
)
_SOON = re.compile(
    r"\b(?:sap|gan|se|du kien|dk|phan dau|co gang|chuan bi|hy vong|hi vong|chac|dinh|mai)\b"
)
# Intent, not a report: "để hoàn thành", "cần xong", "làm thế nào để xong".
_NEUTRAL = re.compile(
    r"\b(?:de|can|phai|muon|cho|khi nao|bao gio|lam sao|the nao|truoc khi|nao|neu|ve)\s*$"
)
_PAST = re.compile(r"\b(?:da|vua|moi)\b")
_PAST_AFTER = re.compile(r"^\s*(?:roi|r|het|ca roi|xuoi|tron ven|day du|100|tot|ca)\b")
_NOT_AFTER = re.compile(r"^\s*(?:chua|ko|khong|k|kg|duoc chua|dc chua)\b")

_DONE_VERB = re.compile(
    r"\b(?:xong|xog|xonh|xomg|xg|hoan thanh|hoang thanh|hoan tat|hthanh|h\.\s?thanh|"
    r"hoan thah|hoan than|hoan thnah|done)\b"
)
_HT = re.compile(r"\bht\b")
_DONE_ACT = re.compile(
    r"\b(?:da|vua|moi)\s+(?:(?!chu\b|nhan\b|ro\b|biet\b)\w+\s+)?"
    r"(?P<verb>gui|nop|chuyen|bao cao|bc|ban hanh|to chuc|phat hanh|ky|dqng|dang tai|cap nhat|"
    r"xu ly|khac phuc|tra loi|phe duyet|thong qua|phat song|in|lam|thuc hien)\b"
)
_ACT_ROI = re.compile(
    r"\b(?:gui|nop|bao cao|bc|lam|lm|to chuc|ban hanh|ky|xu ly|thuc hien|in|phat)\s+"
    r"(?:[^\s.,;!?]+\s+){0,3}?(?:roi|r)\b"
)
# "đã in ấn rồi"; not "đã nhận rồi" (received), and not "Da em biet roi" (dạ, unmarked).
_DA_ROI = re.compile(r"\bda\s+(?!(?:em|anh|chi|toi|minh)\b)(?:\w+\s+){1,4}?(?:roi|r)\b")
_NOT_DONE_WORD = re.compile(
    r"\b(?:nhan|ro|biet|doc|xem|hieu|nam|tiep nhan|dz|dang|dg|chua|ko|khong|k)\b"
)

_DANG = re.compile(r"\b(?:dang|dag|dg|van dang)\b(?P<rest>[^.,;!?\n]{0,24})")
_PROGRESS_VERB = re.compile(
    r"^\s*(?:tiep tuc\s+|khan truong\s+|gap rut\s+|tich cuc\s+)?"
    r"(?:lam|lm|thuc hien|th|trien khai|tk|tien hanh|xay dung|soan|du thao|hoan thien|"
    r"tong hop|ra soat|xu ly|chuan bi|tham muu|trinh|cho ky|cho duyet|cho phe duyet|"
    r"lay y kien|xin y kien|gop y|phoi hop|to chuc|in|thiet ke|cap nhat|nhap|kiem tra|dieu tra|"
    r"khao sat|thu thap|viet|bien tap|dich|lap|chay|giai quyet|xac minh|van hanh|nang cap|sua|"
    r"chinh sua|lien he|trong qua trinh|thuc thi|dieu chinh|bo sung|hoan chinh|tap huan|"
    r"tuyen truyen|dat hang|mua sam|lam viec|ky|hoc tap|quay|dung|bien soan|tong ket|danh gia|"
    r"ra|tinh|thong ke|hop dong|dau thau|lam thu tuc|hoan tat)\b"
)
_BUSY = re.compile(
    r"^\s*(?:ban|hop|di|cong tac|nghi|om|o|tren duong|lai xe|hoc|an|ngu|tiep khach|du hop|"
    r"trong cuoc hop|dao tao)\b|^\s*$"
)
_PROGRESS = [
    (re.compile(r"\btiep tuc\s+(?:thuc hien|trien khai|lam|hoan thien|tong hop)\b"), 0.85),
    (re.compile(r"\b(?:da|moi|vua)\s+bat dau\b|\bbat dau\s+(?:lam|trien khai|thuc hien)"), 0.85),
    (
        re.compile(
            r"\b(?:dang\s+)?cho\s+(?:lanh dao\s+|ld\s+|sep\s+|ubnd\s+\w+\s+)?"
            r"(?:ky|duyet|phe duyet|trinh ky)\b|\btrinh ky\b"
        ),
        0.85,
    ),
    (re.compile(r"\bda\s+(?:giao|phan cong|chi dao)\b"), 0.75),
    (re.compile(r"\b(?:dung|kip|dam bao|theo)\s+tien do\b"), 0.8),
    (re.compile(r"\bda\s+(?:trien khai|tien hanh|trinh)\b(?!\s+xong)"), 0.6),
    (re.compile(r"\bchua\s+(?:bat dau|trien khai|lam|thuc hien)\b"), 0.55),
]

_BLOCKED = [
    (re.compile(r"\bvuong\b"), 0.9),
    (re.compile(r"\bkho khan\b"), 0.85),
    (
        re.compile(
            r"\b(?:bi|dang bi|van bi)\s+(?:tac|ket|dung|treo|chan|vuong|ach tac)\b|"
            r"\btac nghen\b|\bach tac\b|\bket\s+(?:kinh phi|kp|von|ngan sach)\b"
        ),
        0.9,
    ),
    (
        re.compile(
            r"\b(?:thieu|chua co|khong co|ko co|k co|kg co|kh co|het|chua nhan duoc|"
            r"chua duoc(?:\s+(?:cap|bo tri|phan bo|phe duyet|giao|ho tro|duyet))?)\s+"
            rf"(?:\w+\s+){{0,2}}?{_LACKING}"
        ),
        0.85,
    ),
    (
        # "chưa làm được gì anh ạ, vì cán bộ nghỉ": something not done, and why.
        re.compile(
            r"\b(?:chua|khong|ko|k|kg|khong the|chua the)\s+[^.;!?\n]{0,50}?"
            r"\b(?:(?<!don )vi|(?<!tien )do|boi vi|tai vi)\b(?!\s+(?:da|dz)\b)"
        ),
        0.9,
    ),
    (
        re.compile(
            r"\b(?:dang\s+|van\s+|con\s+|phai\s+)?cho\s+(?:\w+\s+){0,2}?"
            r"(?:huong dan|chi dao|kinh phi|kp|phan bo|von)\b"
            # a directive awaited, not colleagues' comments ("chờ ý kiến góp ý của các phòng")
            r"|\b(?:dang|van|con|phai)\s+cho\s+(?:\w+\s+){0,2}?y kien\b(?!\s+gop y)"
        ),
        0.8,
    ),
    (re.compile(r"\b(?:cham|tre)\s+(?:tien do\s+)?(?:vi|do|boi vi)\b"), 0.85),
    # "Máy chủ hỏng nên chưa cập nhật được": a cause, then what could not be done.
    (re.compile(r"\w\s+nen\s+(?:van\s+)?(?:chua|khong|ko|k|kg)\s+(?:the\s+)?\w"), 0.8),
    # "do ảnh hưởng của bão lũ nên chưa tổ chức được": the cause first, then what did not happen.
    (re.compile(r"\b(?:vi|(?<!tien )do)\s+[^.;!?\n]{3,60}?\s+nen\s+(?:chua|khong|ko|k)\b"), 0.85),
    (re.compile(r"\bkhong the\s+(?:thuc hien|trien khai|hoan thanh|to chuc|lam)\b"), 0.8),
    (re.compile(r"\b(?:gap|co)\s+van de\b|\b(?:he thong|ht)\s+(?:bi\s+)?loi\b"), 0.8),
    (re.compile(r"\bcham tien do\b|\bbi cham\b"), 0.6),
]
_NOT_BLOCKED = re.compile(
    r"\b(?:khong|ko|k|chua|het|khong con|ko con|khong gap|ko gap|khong co|ko co)\s*"
    r"(?:gi\s+)?(?:vuong|kho khan|van de)"
)

_EXTENSION = [
    (re.compile(r"\bgia\s?han\b|\bja han\b|\bxin\s+gh\b|\bgh\s+(?:den|toi|sang|them)\b"), 0.9),
    (
        re.compile(
            r"\b(?:lui|hoan|doi|dich|day|keo dai)\s+(?:thoi\s+)?"
            r"(?:han|thoi gian|thoi han|tien do|lai|sang|den|toi|ngay)\b|\bxin\s+lui\b"
            r"|\b(?:co the|cho|xin|de nghi)\s+(?:\w+\s+)?lui\b|\blui\s+(?:duoc|dc)\b"
        ),
        0.9,
    ),
    (
        re.compile(
            r"\b(?:xin|cho|de nghi|mong|cho phep|kinh mong)\s+(?:\w+\s+){0,3}?them\s+"
            r"(?:thoi gian|\d{1,3}|mot|hai|ba|bon|nam|vai|it|chut|ti)\b"
        ),
        0.9,
    ),
    (re.compile(r"\bthem\s+(?:\d{1,3}|mot|hai|ba|bon|nam|vai)\s+(?:ngay|tuan|thang)\b"), 0.8),
    (
        re.compile(
            r"\bxin\s+(?:phep\s+)?(?:\w+\s+){0,4}?(?:nop|gui|bao cao|bc|hoan thanh|xong|tra|lam)"
            r"\s+(?:\w+\s+){0,2}?(?:cham|muon|tre)\b"
        ),
        0.9,
    ),
    (re.compile(r"\bxin\s+khat\b|\bkhat\s+(?:den|toi|sang)\b"), 0.9),
    (re.compile(r"\bdieu chinh\s+(?:lai\s+)?(?:thoi gian|thoi han|han|tien do|moc)\b"), 0.85),
]
# "em xin nộp vào thứ 2 tuần sau": asking for a later date only when one is written.
_ASK_LATER = re.compile(r"\bxin\s+(?:phep\s+)?(?:nop|gui|bao cao|bc|hoan thanh|xong)\b")
_NOT_KIP = re.compile(r"\b(?:khong|ko|k|kg)\s+kip\b")
_NOT_EXTENSION = re.compile(
    r"\b(?:khong|ko|k|chua)\s+(?:can\s+|phai\s+)?(?:xin\s+)?(?:gia\s?han|lui)\b"
)

_QUESTION = re.compile(
    r"\b(?:(?:la|lam|cai|nhung|noi dung|viec|can|phai)\s+(?:\w+\s+)?gi|dau (?:a|vay|nhi)|"
    r"the nao|nhu the nao|ntn|nhu nao|khi nao|"
    r"bao gio|luc nao|ngay nao|hom nao|bao nhieu|o dau|cho ai|gui ai|nop ai|la ai|ai phu trach|"
    r"tai sao|vi sao|sao a|la sao|lam sao|co phai|phai khong|phai ko|phai k|dung khong|dung ko|"
    r"duoc khong|duoc ko|dc khong|dc ko|dc k|duoc k|nua khong|nua ko|hay khong|hay ko|nao a|"
    r"nao vay|nao nhi|sao vay|nhiem vu nao|viec nao|cai nao|han nao)\b"
    r"|\b(?:cho (?:em |toi |minh |chau )?hoi|xin hoi|em hoi|hoi chut|hoi ti|hoi xiu|muon hoi)\b"
    r"|\b(?:xin|gui)\s+(?:lai\s+|giup\s+|em\s+|cho em\s+)*(?:file|mau|bieu mau|de cuong|"
    r"huong dan|van ban|cong van|link|tai lieu)\b"
    r"|\b(?:huong dan|giai thich|noi ro)\s+(?:giup|em|voi|cho|lai)\b"
    r"|\b(?:chua ro|khong ro|ko ro|chua hieu|khong hieu|ko hieu|k hieu)\b"
    r"|\bhay\s+(?:\w+\s+){0,3}?(?:a|ah|vay|nhi)\s*\W*$"
    r"|\bco\s+(?:\w+\s+){0,6}?(?:khong|ko|k|kg|hong|hok)\s*(?:a|ah|ak|vay|nhi|anh|chi)?\s*\W*$"
    r"|(?<!\bdz )(?<!\bvang )(?<!\bem )\b(?:nhan|duoc|dc|xem|thay|gui|nop)\s+chua\s*"
    r"(?:a|ah|ak|vay|nhi|anh|chi)?\s*\W*$"
)

_PARTICLES = frozenset((
    "a", "ah", "ak", "nhe", "nha", "anh", "chi", "em", "ban", "oi", "vay", "day", "sep",
    "thay", "bac", "chu", "toi", "minh", "chau", "ad", "admin", "nhieu", "lam", "ha", "hi",
    "hihi", "hehe",
))  # fmt: skip
_ACK_WORDS = frozenset((
    "ok", "oke", "okie", "okay", "okey", "oki", "okela", "dz", "vang", "uh", "uhm", "um", "u",
    "ro", "nhan", "duoc", "dc", "cam", "on", "camon", "thanks", "thank", "tks", "thx", "you",
    "chao", "xin", "alo", "hi", "hello", "good", "tot", "roger", "noted", "like", "da",
))  # fmt: skip
_OK_WORDS = frozenset(("ok", "oke", "okie", "okay", "okey", "oki", "okela"))
_LATER = re.compile(
    r"\b(?:se|de)\s+(?:em\s+|toi\s+|minh\s+)?"
    r"(?:trien khai|thuc hien|lam|bao cao|gui|nop|kiem tra|xem)\b"
    r"|\b(?:bao cao|gui|nop)\s+sau\b|\b(?:lam|gui|trien khai|thuc hien)\s+ngay\b"
    r"|\bde em xem\b|\b(?:da|em)\s+nhan\b|\bda ro\b"
)


@dataclass
class _Cues:
    """What the rules found, before they are weighed against each other."""

    done: float = 0.0
    done_explicit: bool = False  # "đã", "rồi", "vừa": a report of the past
    not_done: float = 0.0  # "chưa xong": work is still going on
    soon: float = 0.0  # "sắp xong", "dự kiến hoàn thành"
    progress: float = 0.0
    partial: bool = False  # "xong phần khảo sát, còn lại…"
    busy: bool = False
    blocked: float = 0.0
    extension: float = 0.0
    extension_at: int = -1
    ask_later: bool = False
    question: float = 0.0
    question_mark: bool = False
    ack: float = 0.0


def _done_verbs(t: _Text, cues: _Cues) -> None:
    """Done verbs, read with the words around them: negated, still to come, or past."""
    for m in _DONE_VERB.finditer(t.folded):
        before, after = t.before(m.start()), t.after(m.end())
        if _NEGATOR.search(before) or _NOT_AFTER.match(after):
            cues.not_done = max(cues.not_done, 0.75)
        elif _NEUTRAL.search(before):
            continue
        elif _SOON.search(before) and not _PAST.search(before):
            cues.soon = max(cues.soon, 0.8)
        else:
            explicit = bool(_PAST.search(before) or _PAST_AFTER.match(after))
            _mark_done(cues, 0.9 if explicit else 0.8, explicit)
            if re.match(r"^\s*(?:phan|buoc|giai doan|khau|du thao|ban nhap)\b", after):
                cues.partial = True
    for m in _HT.finditer(t.folded):
        before, after = t.before(m.start()), t.after(m.end())
        if re.search(r"\b(?:da|vua|moi)$", before) or re.match(r"^\s*(?:roi|r|het|100)\b", after):
            if _NEGATOR.search(before):
                cues.not_done = max(cues.not_done, 0.7)
            else:
                _mark_done(cues, 0.8, True)
        elif _words(t) <= {"ht"}:
            # "ht" alone: hoàn thành or hệ thống; ask rather than guess.
            _mark_done(cues, 0.5, False)


def _mark_done(cues: _Cues, weight: float, explicit: bool) -> None:
    cues.done = max(cues.done, weight)
    cues.done_explicit = cues.done_explicit or explicit


def _done_acts(t: _Text, cues: _Cues) -> None:
    """Past actions that finish a task: "đã gửi", "nộp rồi", "đã tổ chức … rồi"."""
    for m in _DONE_ACT.finditer(t.folded):
        if _NEGATOR.search(t.before(m.start(), 1)):
            continue
        weight = 0.75 if m["verb"] in ("lam", "thuc hien") else 0.9
        _mark_done(cues, weight, True)
    for m in _ACT_ROI.finditer(t.folded):
        before = t.before(m.start(), 2)
        if re.search(r"\b(?:dang|dg|dag)$", before):
            cues.progress = max(cues.progress, 0.85)  # "đang làm rồi": already working on it
        elif not _NEGATOR.search(before):
            _mark_done(cues, 0.85, True)
    for m in _DA_ROI.finditer(t.folded):
        if not _NOT_DONE_WORD.search(m.group(0)):
            _mark_done(cues, 0.7, True)
    if _words(t) and _words(t) <= {"roi", "dz", "xong", "r"} and "roi" in _words(t):
        _mark_done(cues, 0.5, False)  # "rồi ạ": most likely done, but ask


def _words(t: _Text) -> set[str]:
    """The words of a short message, particles and pronouns left out."""
    return {w for w in re.findall(r"[a-z0-9]+", t.folded) if w not in _PARTICLES}


def _progress(t: _Text, cues: _Cues) -> None:
    for m in _DANG.finditer(t.folded):
        rest = m["rest"]
        if _PROGRESS_VERB.match(rest):
            cues.progress = max(cues.progress, 0.9)
        elif _BUSY.match(rest):
            cues.busy = True  # "đang họp", "đang" alone: busy now, not progress
        else:
            cues.progress = max(cues.progress, 0.65)
    for pattern, weight in _PROGRESS:
        if pattern.search(t.folded):
            cues.progress = max(cues.progress, weight)
    if re.search(r"\bcon\s+(?:lai|\d|mot so|vai|thieu|dang|phai|nhieu)\b", t.folded):
        cues.partial = True
    if re.search(r"\b(?:mot nua|mot phan|phan nao|mot it|1 nua|1 phan)\b", t.folded):
        cues.partial = True  # "mới làm được một nửa"
    if _words(t) and _words(t) <= {"chua", "dau", "dz"} and "chua" in _words(t):
        cues.not_done = max(cues.not_done, 0.5)  # "chưa ạ": not yet


def _blocked(t: _Text, cues: _Cues) -> None:
    for pattern, weight in _BLOCKED:
        for m in pattern.finditer(t.folded):
            if _NOT_BLOCKED.search(t.folded, max(0, m.start() - 16), m.end()):
                continue
            cues.blocked = max(cues.blocked, weight)


def _extension(t: _Text, cues: _Cues) -> None:
    for pattern, weight in _EXTENSION:
        for m in pattern.finditer(t.folded):
            if _NOT_EXTENSION.search(t.folded, max(0, m.start() - 16), m.end() + 1):
                continue
            if weight > cues.extension:
                cues.extension, cues.extension_at = weight, m.start()
    if not cues.extension:
        m = _ASK_LATER.search(t.folded) or _NOT_KIP.search(t.folded)
        if m:
            cues.ask_later, cues.extension_at = True, m.start()


_VIETNAMESE_WORD = re.compile(
    r"\b(?:em|anh|chi|a|ah|ak|nay|vay|sao|gi|nao|khong|ko|k|duoc|dc|cua|la|co|cho|nhiem vu|"
    r"nv|bc|han|viec|nhe|roi|chua|dz|so|don vi|bao cao)\b"
)


def _question(t: _Text, cues: _Cues) -> None:
    cues.question_mark = "?" in t.original
    if _QUESTION.search(t.folded):
        cues.question = 0.85
    elif cues.question_mark and (
        _lower(t.original) != t.folded  # tone marks: Vietnamese
        or _VIETNAMESE_WORD.search(t.folded)
        or t.folded.strip(" ?") == ""
    ):
        cues.question = 0.7  # a bare "?" in English or another language is not a question to us


def _ack(t: _Text, cues: _Cues) -> None:
    words = _words(t)
    if words and words <= _ACK_WORDS:
        cues.ack = 0.45 if words & _OK_WORDS else 0.6  # "ok" alone may mean done: ask
    elif _LATER.search(t.folded):
        cues.ack = 0.55


_WILL_SEND = re.compile(r"\b(?:gui|nop|bao cao|bc|xong|hoan thanh|ht)\b")


def _cues(t: _Text) -> _Cues:
    cues = _Cues()
    _done_verbs(t, cues)
    _done_acts(t, cues)
    _progress(t, cues)
    _blocked(t, cues)
    _extension(t, cues)
    _question(t, cues)
    _ack(t, cues)
    return cues


# ---------------------------------------------------------------- deciding


def _decide(
    cues: _Cues, percent: int | None, fractions: list[tuple[int, int]]
) -> tuple[str, float]:
    """The status the cues add up to, and how sure that is."""
    partial_count = any(n < of for n, of in fractions)
    all_counted = bool(fractions) and all(n == of for n, of in fractions)
    if cues.extension:
        conf = cues.extension if not (cues.done_explicit and cues.done >= 0.85) else 0.6
        return "extension_request", conf
    if cues.blocked:
        conflict = cues.done >= 0.85 and cues.done_explicit and not cues.not_done
        return "blocked", 0.55 if conflict else cues.blocked
    if percent is not None:
        if percent == 100 and not cues.not_done:
            return "done", 0.9
        sure = cues.progress or cues.done or cues.not_done or cues.soon
        return "in_progress", 0.9 if sure else 0.75
    if partial_count or (cues.partial and not cues.done):
        return "in_progress", 0.85
    if cues.done and not cues.not_done:
        if cues.partial or cues.progress >= 0.75 or cues.soon:
            return "in_progress", 0.75
        if cues.question >= 0.85 and not cues.done_explicit:
            return "question", 0.6
        return "done", cues.done
    if all_counted:
        return "done", 0.8
    if cues.not_done or cues.soon or cues.progress:
        return "in_progress", max(cues.not_done, cues.soon, cues.progress)
    if cues.question:
        return "question", cues.question
    if cues.ack:
        return "other", cues.ack
    if cues.busy:
        return "other", 0.4
    return "other", 0.2


# ---------------------------------------------------------------- dates


@dataclass(frozen=True)
class _Dated:
    at: int
    day: date
    one_day: bool  # "18/11", "hôm qua"; not a week, a month, a quarter
    year_only: bool
    weekday_only: bool = False  # "thứ 2", "T6": the grammar reads it forward
    last_week: bool = False  # followed by "tuần trước", which the grammar does not read


def _grammar_text(t: _Text, spans: list[tuple[int, int]]) -> str:
    """The original with codes, percents and counts blanked so the grammar sees only times."""
    chars = list(t.original)
    for a, b in spans:
        chars[a:b] = "#" * (b - a)  # not a space: positions must not move
    # "ngày 18.11": a dotted day and month, written the way many phones do.
    for m in re.finditer(r"\bngay\s*\d{1,2}(\.)\d{1,2}(?![.\d])", t.folded):
        chars[m.start(1)] = "/"
    return "".join(chars)


_BARE_WEEKDAY = re.compile(
    r"(?:hom\s+|vao\s+|ngay\s+)?(?:thu\s*(?:[2-7]|hai|ba|tu|nam|sau|bay)|t[2-7]|chu nhat|cn)"
)


def _dates(text: str, today: date, prefer: str) -> list[_Dated]:
    ctx = context_for(today=today, prefer=prefer)
    out = []
    for found in find_time_expressions(text, ctx):
        s = found.schedule
        if s.kind not in ("one-off", "range") or not s.due:
            continue
        due = s.due[-1]
        year_only = s.start == date(due.year, 1, 1) and (due.month, due.day) == (12, 31)
        weekday_only = bool(_BARE_WEEKDAY.fullmatch(fold(found.text).lower()))
        last_week = bool(re.match(r"\s*tuan\s+truoc\b", fold(text[found.end_at :]).lower()))
        out.append(
            _Dated(found.start_at, due, s.kind == "one-off", year_only, weekday_only, last_week)
        )
    return out


_CITED_DAY = re.compile(
    r"\bngay\s*\d{1,2}\s*(?:[/.-]\s*\d{1,2}|thang\s*\d{1,2})(?:\s*(?:[/.-]|nam)\s*\d{2,4})?"
)


def _citation_dates(t: _Text, today: date) -> list[_Dated]:
    """The dates of documents cited ("số 245/BC-STTTT ngày 18/11"): a done report's date."""
    masked = mask_citations(t.folded)
    ctx = context_for(today=today, prefer="past")
    out = []
    for m in _CITED_DAY.finditer(t.folded):
        if masked[m.start() : m.end()].strip():
            continue  # not inside a citation
        span = t.original[m.start() : m.end()].replace(".", "/")
        s = parse_with(span, ctx)
        if s.due:
            out.append(_Dated(m.start(), s.due[-1], True, False))
    return out


_DURATION = re.compile(
    r"\b(?:them|gia\s?han|gh|lui|khat|keo dai|cham|muon|tre)\s+(?:them\s+)?"
    r"(?:khoang\s+|tam\s+|it nhat\s+)?"
    r"(?P<n>\d{1,3}|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|vai)\s+"
    r"(?P<unit>ngay lam viec|ngay|tuan|thang)\b"
)


def _duration(t: _Text, today: date) -> date | None:
    """A duration asked for ("cho em thêm 2 tuần", "gia hạn 10 ngày"), counted from today."""
    m = _DURATION.search(t.folded)
    if not m:
        return None
    s = parse_with(f"{m['n']} {m['unit']} nua", context_for(today=today, prefer="future"))
    return s.due[-1] if s.due else None


@dataclass(frozen=True)
class _Dating:
    status: str
    day: date | None
    role: str | None
    penalty: float = 0.0


def _date_for(t: _Text, status: str, cues: _Cues, grammar_text: str, today: date) -> _Dating:
    if status == "done":
        return _done_date(t, cues, grammar_text, today)
    if status == "extension_request":
        found = _dates(grammar_text, today, "future")
        after = [d for d in found if d.at >= cues.extension_at]
        day = (after or found)[-1].day if found else _duration(t, today)
        return _Dating(status, day, "new_deadline" if day else None)
    if status in ("in_progress", "blocked"):
        found = [
            d for d in _dates(grammar_text, today, "future") if d.day >= today and not d.year_only
        ]
        if found:
            return _Dating(status, found[-1].day, "expected_done")
    return _Dating(status, None, None)


def _weekday_back(d: _Dated, today: date) -> _Dated:
    """A weekday in a done report: the last one ("hôm thứ 2"), or "thứ 2 tuần trước"."""
    if not d.weekday_only:
        return d
    if d.last_week:
        monday = today - timedelta(days=today.weekday() + 7)
        return replace(d, day=monday + timedelta(days=d.day.weekday()))
    return replace(d, day=d.day - timedelta(days=7)) if d.day > today else d


def _done_date(t: _Text, cues: _Cues, grammar_text: str, today: date) -> _Dating:
    # A report of the past reads its dates into the past; a bare "xong 15/12" is read nearest
    # to today, and when that is still ahead it is a promise, not a completion.
    prefer = "past" if cues.done_explicit else "nearest"
    found = [d for d in _dates(grammar_text, today, prefer) if not d.year_only]
    if cues.done_explicit:
        # "đã gửi hôm thứ 2": the grammar reads a bare weekday forward; a done report means
        # the last one.
        found = [_weekday_back(d, today) for d in found]
    ahead = [d for d in found if d.day > today]
    if ahead and not cues.done_explicit:
        return _Dating("in_progress", ahead[-1].day, "expected_done")  # "tuần sau xong"
    # A month or a quarter ("đợt tuyên truyền tháng 11") names the work, not the day it was done.
    past = [d for d in found if d.one_day and d.day <= today] or _citation_dates(t, today)
    if past:
        return _Dating("done", past[-1].day, "done_on")
    if ahead:
        return _Dating("done", None, None, penalty=0.2)  # "đã xong, mai gửi": which is it?
    return _Dating("done", None, None)


# ---------------------------------------------------------------- reasons

_REASON_INTRO = re.compile(
    r"\b(?:boi vi|tai vi|(?<!don )vi|"
    r"(?<!tien )(?<!muc )(?<!che )(?<!trinh )(?<!thai )(?<!nhiet )do|"
    r"ly do|li do|nguyen nhan|vuong mac|vuong|gap kho khan|kho khan|bi tac|bi ket|ket|tac)\b"
    r"(?:\s+(?:la|ve|o|tai|do|vi|mot so|van de|chu yeu|chinh|phan)\b)*\s*[:,-]?\s*"
)
_LACK = re.compile(
    r"\b(?:thieu|chua co|chua duoc|chua nhan duoc|(?:dang|van|con|phai)\s+cho)\s+\w"
    rf"|\b(?:khong co|ko co|k co|kg co|het)\s+{_LACKING}"
    r"|\bcho\s+(?:huong dan|y kien|chi dao|kinh phi|kp|phan bo|von)\b"
    r"|\b(?:he thong|ht|phan mem|may)\s+(?:bi\s+)?loi\b|\b(?:mat dien|mat mang)\b"
)
_REASON_END = re.compile(
    r"[;!?\n]|(?<!\d)\.|\.(?!\d)"  # not the point in "1.5 tỷ"
    r"|(?:(?<!\d),|,(?!\d))(?!\s*(?:thieu|chua|khong|ko|k|het|cho|nhan luc|nhan su|kinh phi|"
    r"kp|thiet bi|nguoi|can bo|von|mat bang|thoi tiet|mua|bao|lu|dich)\b)"  # lists go on
    r"|\s(?=(?:nen|xin|de nghi|kinh de nghi|mong|vi vay|vay nen|nhung|tuy nhien|du kien|dk|ma|"
    r"hien|hien tai|moi dat|moi duoc|dat|gia han)\b)"
)
_TRAILING = re.compile(r"(?:\s+(?:a|ah|ak|nhe|nha|oi|vay|anh a|chi a|anh oi|chi oi))+\s*$")


# "Kinh phí chưa được phân bổ nên chưa làm được": the clause before "nên" is the cause.
_CAUSE_THEN = re.compile(
    r"(?:^|[.;!?\n,]\s*)(?:(?:dz|vang|bao cao|anh oi|chi oi)\s+)*"
    r"(?P<cause>(?:[^.;!?\n,]|(?<=\d)[.,](?=\d))+?)"
    r"\s+nen\s+(?:van\s+)?(?:chua|khong|ko|k|kg|xin|de nghi)\b"
)


def _reason(t: _Text) -> str | None:
    """Why it is blocked or late, cut from the original so the person's words are kept."""
    start = None
    intro = _REASON_INTRO.search(t.folded)
    while intro and not _text_follows(t, intro.end()):
        intro = _REASON_INTRO.search(t.folded, intro.end())
    because = _CAUSE_THEN.search(t.folded)
    if intro:
        start = intro.end()
    elif because:
        start = because.start("cause")
    else:
        lack = _LACK.search(t.folded)
        if lack:
            start = lack.start()
    if start is None:
        return None
    end_match = _REASON_END.search(t.folded, start)
    end = end_match.start() if end_match else len(t.folded)
    trail = _TRAILING.search(t.folded[start:end])
    if trail:
        end = start + trail.start()
    reason = t.original[start:end].strip(" ,.:;-–()\"'")
    return reason[:150] or None


def _text_follows(t: _Text, at: int) -> bool:
    rest = t.folded[at : at + 12]
    return bool(re.match(r"\s*[a-z0-9]", rest)) and not _TRAILING.match(" " + rest.strip())


# ---------------------------------------------------------------- the entry points


def read_reply(text: str, today: date) -> ReplyReading:
    """Read one reply. Never raises: a reply must never be lost because the reader failed."""
    try:
        return _read(text, today)
    except Exception:  # the message is stored either way; the bot falls back to asking
        log.exception("could not read reply %.80r", text)
        return ReplyReading(status="other", confidence=0.0)


def _percent_of(found: list[tuple[int, tuple[int, int]]]) -> tuple[int | None, bool]:
    """The progress percent (the last one written), and whether one was out of range."""
    valid = [v for v, _ in found if v >= 0]
    return (valid[-1] if valid else None), len(valid) < len(found)


def _read(text: str, today: date) -> ReplyReading:
    t = _prepare(text)
    if not re.search(r"[a-z0-9?]", t.folded):
        return ReplyReading(status="other", confidence=0.1)  # empty, emoji, another script
    code = _task_code(t)
    percents = _percents(t)
    fractions = _fractions(t)
    percent, out_of_range = _percent_of(percents)
    cues = _cues(t)
    blanks = [span for _, span in percents] + [span for _, _, span in fractions]
    blanks += [m.span() for m in _REPORT_PERIOD.finditer(t.folded)]
    blanks += [m.span() for m in _HALF.finditer(t.folded)]
    if code:
        blanks.append(code.span("code"))
    grammar_text = _grammar_text(t, blanks)
    _dated_cues(t, cues, grammar_text, today)
    status, conf = _decide(cues, percent, [(n, of) for n, of, _ in fractions])
    dating = _date_for(t, status, cues, grammar_text, today)
    if status != dating.status:
        status, conf = dating.status, 0.75
    conf -= dating.penalty
    conf = _adjust(t, status, cues, conf, out_of_range)

    reason = _reason(t) if status in ("blocked", "extension_request") else None
    return ReplyReading(
        status=status,
        percent=percent if status not in ("question", "other") else None,
        date=dating.day,
        date_role=dating.role if dating.day else None,
        reason=reason,
        confidence=round(max(0.0, min(1.0, conf)), 2),
        task_code=code["code"] if code else None,
    )


def _dated_cues(t: _Text, cues: _Cues, grammar_text: str, today: date) -> None:
    """Cues that need a date: a later date asked for, or promised."""
    if cues.ask_later and any(
        d.at >= cues.extension_at and d.day > today for d in _dates(grammar_text, today, "future")
    ):
        cues.extension = 0.75  # "em xin nộp vào thứ 2 tuần sau"
    promised = _WILL_SEND.search(t.folded) and not (
        cues.done or cues.question or cues.ack or cues.busy
    )
    # "thứ 6 em gửi": a promise, when the date read nearest to today is still ahead.
    if promised and any(d.day >= today for d in _dates(grammar_text, today, "nearest")):
        cues.soon = max(cues.soon, 0.65)


def _adjust(t: _Text, status: str, cues: _Cues, conf: float, out_of_range: bool) -> float:
    """Lower the confidence where the reply mixes things the bot should ask about."""
    if cues.question_mark and status not in ("question", "extension_request"):
        conf = min(conf, 0.6)
    if status == "extension_request" and cues.question_mark:
        conf = min(conf, 0.8)
    if out_of_range:
        conf = min(conf, 0.5)  # "150%": a typo somewhere; ask
    codes = {m["code"] for m in _CODE_NAMED.finditer(t.folded)}
    if len(codes) > 1:
        conf = min(conf, 0.6)  # "nv 3.3 xong, nv 3.4 đang làm": which task is which?
    if len(t.original) > 400:
        conf = min(conf, 0.65)  # a long message says more than one status can hold
    if t.folded.strip() == "?":
        conf = 0.5
    return conf


# ---------------------------------------------------------------- yes / no

_YES_PHRASE = re.compile(
    r"\b(?:khong|ko|k|kg) (?:sai|can sua)\b|\bchuan (?:roi|a)\b|\bchinh xac\b|\bdong y\b"
)
_NO_PHRASE = re.compile(
    r"\b(?:sai|sua|nham|chua dung|chua chuan|chua chinh xac|(?:khong|ko|k|kg|khg) "
    r"(?:dung|phai|chuan|chinh xac))\b"
)
_YES_WORDS = frozenset((
    "dz", "da", "vang", "dung", "roi", "r", "ok", "oke", "okie", "okay", "okey", "oki", "uh",
    "uhm", "um", "u", "co", "phai", "chuan", "yes", "y", "duoc", "dc", "the", "vay", "luon",
))  # fmt: skip
_NO_WORDS = frozenset(("khong", "ko", "k", "kg", "khg", "hong", "hok", "khum", "chua", "no"))


def read_yes_no(text: str) -> bool | None:
    """The answer to "Đúng không ạ?": True, False, or None when it is neither."""
    t = _prepare(text)
    plain = " ".join(re.findall(r"[a-z0-9]+", t.folded))
    if not plain:
        return None
    if _YES_PHRASE.search(plain):
        return True
    if _NO_PHRASE.search(plain):
        return False
    words = {w for w in plain.split() if w not in _PARTICLES}
    if words and words <= _YES_WORDS:
        return True
    if words and words <= _NO_WORDS | {"dz", "vang"}:
        return False
    return None
