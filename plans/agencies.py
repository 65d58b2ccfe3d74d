"""Agency names: the comparison key that makes spelling variants of one agency equal."""

from __future__ import annotations

import re

from plans.text import key as text_key

# Abbreviations seen in plans, on the tone-free lower-case form with separators turned to spaces.
_EXPANSIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), r)
    for p, r in [
        (r"\bubnd\b", "uy ban nhan dan"),
        (r"\bhdnd\b", "hoi dong nhan dan"),
        (r"\bmttq\b", "mat tran to quoc"),
        (r"\bvn\b", "viet nam"),
        (r"\bbch\b", "bo chi huy"),
        (r"\bbdbp\b", "bo doi bien phong"),
        (r"\bbql\b", "ban quan ly"),
        (r"\bkkt\b", "khu kinh te"),
        (r"\bvp\b", "van phong"),
        (r"\bpt ?th\b", "phat thanh truyen hinh"),
        (r"\bthong tin truyen thong\b", "thong tin truyen thong"),
        (r"\btt ?tt\b", "thong tin truyen thong"),
        (r"\bkh ?dt\b", "ke hoach dau tu"),
        (r"\bvh\b", "van hoa"),
        (r"\btt ?dl\b", "the thao du lich"),
        (r"\bld ?tb ?xh\b", "lao dong thuong binh xa hoi"),
        (r"\bnn ?ptnt\b", "nong nghiep phat trien nong thon"),
        (r"\bnn ?mt\b", "nong nghiep moi truong"),
        (r"\btn ?mt\b", "tai nguyen moi truong"),
        (r"\bgd ?dt\b", "giao duc dao tao"),
        (r"\bkh ?cn\b", "khoa hoc cong nghe"),
        (r"\bgt ?vt\b", "giao thong van tai"),
        (r"\bcong thong tin dien tu\b", "cong thong tin dien tu"),
    ]
]
_SEPARATORS = re.compile(r"[-–—&,.;:()/]+")
_AND = re.compile(r"\bva\b")
_SPACES = re.compile(r"\s+")
_TRAILING_PROVINCE = re.compile(r"\s+tinh(\s+[a-z ]+)?$")
# Names that mean something else without their "tỉnh" (UBND tỉnh is not UBND huyện).
_NEEDS_PROVINCE_WORD = {"uy ban nhan dan", "hoi dong nhan dan", "uy ban mat tran to quoc viet nam"}


def agency_key(name: str, province: str | None = None) -> str:
    """The form two spellings of one agency share (`Sở TT&TT` and `Sở Thông tin và Truyền thông`).

    The trailing "tỉnh" or the province's own name is dropped when enough is left to name the
    agency, so "Sở Ngoại vụ tỉnh" and "Sở Ngoại vụ" meet, but "Công an tỉnh" keeps its word.
    """
    k = text_key(name)
    k = _SEPARATORS.sub(" ", k)
    k = _AND.sub(" ", k)
    k = _SPACES.sub(" ", k).strip()
    for pattern, replacement in _EXPANSIONS:
        k = pattern.sub(replacement, k)
    k = _SPACES.sub(" ", k).strip()
    if province:
        pk = text_key(province)
        if k.endswith(" " + pk) and _enough_left(k[: -len(pk) - 1]):
            k = k[: -len(pk) - 1].strip()
    m = _TRAILING_PROVINCE.search(k)
    if m and not m.group(1) and _enough_left(k[: m.start()]):
        k = k[: m.start()]
    return k


def _enough_left(rest: str) -> bool:
    rest = rest.strip()
    return len(rest.split()) >= 3 and rest not in _NEEDS_PROVINCE_WORD


# ------------------------------------------------------------------ splitting assignee lists

# Words that begin an agency's name; a comma-separated chunk that does not start with one
# continues the previous name ("Sở Văn hóa, Thể thao và Du lịch").
_HEADS = (
    "so", "ban", "uy ban", "ubnd", "hdnd", "hoi dong", "bao", "dai", "cong an", "bo chi huy", "bo",
    "van phong", "trung tam", "hoi", "lien hiep", "lien doan", "tinh doan", "tinh uy", "thanh tra",
    "kho bac", "cuc", "chi cuc", "vien", "truong", "benh vien", "bao hiem", "ngan hang",
    "tap chi", "cong thong tin", "mat tran", "quy", "cac", "nhung", "to chuc chinh tri",
    "cong ty", "tong cong ty", "toa an", "dang uy", "khoi", "vp", "bch", "bql", "ttxvn",
    "ubmttq", "huyen uy", "thanh uy", "thi uy", "doan", "kho",
)  # fmt: skip
_HEAD_RE = re.compile(r"^(?:" + "|".join(sorted(_HEADS, key=len, reverse=True)) + r")\b")
# Groups whose own commas must not split them.
_PROTECTED_GROUPS = re.compile(
    r"c[aá]c\s+s[ởo]\s*,\s*ban\s*,\s*ng[àa]nh(?:\s*,\s*(?:đoàn thể|đoan the|doan the|địa phương"
    r"|dia phuong))*",
    re.IGNORECASE,
)
_DISTRIBUTE = re.compile(r"^(?P<head>c[aá]c\s+s[ởo])\s*:\s*", re.IGNORECASE)
_AND_SPLIT = re.compile(r"\s+(?:và|va|cùng|cung)\s+", re.IGNORECASE)
_LEADING_NOISE = re.compile(
    r"^(?:[-+•*–]\s*)?(?:(?:phối hợp|phoi hop)\s+(?:với|voi|cùng|cung)\s+|với\s+|voi\s+|giao\s+)",
    re.IGNORECASE,
)
_PLACEHOLDER = "\u2063"  # invisible separator standing in for a protected comma


def _fold_lower(text: str) -> str:
    return text_key(text)


def _is_head(chunk: str) -> bool:
    return bool(_HEAD_RE.match(_fold_lower(chunk)))


def split_agencies(value: str) -> list[str]:
    """The agency names in an assignee list, as written (groups kept whole)."""
    value = value.strip().rstrip(".;")
    value = _LEADING_NOISE.sub("", value)
    value = _PROTECTED_GROUPS.sub(lambda m: m.group(0).replace(",", _PLACEHOLDER), value)
    names: list[str] = []
    for part in re.split(r";", value):
        names.extend(_split_part(part))
    out = []
    for name in names:
        name = name.replace(_PLACEHOLDER, ",").strip(" ,.;:-+")
        name = re.sub(r"\s+", " ", name)
        if name and _fold_lower(name) not in ("lien quan", "co lien quan"):
            out.extend(_expand_named_districts(name))
    return out


def _split_part(part: str) -> list[str]:
    part = part.strip()
    distribute = None
    m = _DISTRIBUTE.match(part)
    if m:
        distribute = "Sở"
        part = part[m.end() :]
    chunks = [c.strip() for c in part.split(",") if c.strip()]
    names: list[str] = []
    distributing = distribute is not None
    for chunk in chunks:
        for i, piece in enumerate(_split_on_and(chunk)):
            head = _is_head(piece)
            joined_by_and = i > 0
            if distributing and not head:
                if names and _known_joined(names[-1], piece, joined_by_and):
                    names[-1] = f"{names[-1]}{' và ' if joined_by_and else ', '}{piece}"
                else:
                    names.append(f"{distribute} {piece}")
                continue
            distributing = False
            if head or not names:
                names.append(piece)
            else:
                names[-1] = f"{names[-1]}{' và ' if joined_by_and else ', '}{piece}"
    return names


def _split_on_and(chunk: str) -> list[str]:
    """Split at "và" only where an agency name begins after it."""
    pieces: list[str] = []
    last = 0
    for m in _AND_SPLIT.finditer(chunk):
        if _is_head(chunk[m.end() :]):
            pieces.append(chunk[last : m.start()])
            last = m.end()
    pieces.append(chunk[last:])
    # Keep "X và Y" where Y does not start a new agency: that "và" belongs to the name.
    return [p.strip() for p in pieces if p.strip()]


def _known_joined(previous: str, piece: str, by_and: bool) -> bool:
    candidate = f"{previous}{' và ' if by_and else ', '}{piece}"
    return agency_key(candidate) in _STANDARD_KEYS


_NAMED_DISTRICTS = re.compile(
    r"^(?P<head>UBND|Ủy ban nhân dân|Uỷ ban nhân dân)\s+các\s+(?P<unit>huyện|thị xã|thành phố)\s+"
    r"(?P<names>[A-ZĐÀ-Ỹ].*)$"
)


def _expand_named_districts(name: str) -> list[str]:
    """ "UBND các huyện Lộc Hà, Cẩm Xuyên" names two district committees, not a group."""
    m = _NAMED_DISTRICTS.match(name)
    if not m:
        return [name]
    parts = [p.strip() for p in re.split(r",|\s+và\s+", m["names"]) if p.strip()]
    if not parts or not all(p[:1].isupper() for p in parts):
        return [name]
    return [f"UBND {m['unit']} {p}" for p in parts]


# ------------------------------------------------------------------ kinds and canonical names

# Standard provincial departments and bodies: their full names win over abbreviations.
STANDARD_NAMES = (
    "Sở Thông tin và Truyền thông", "Sở Kế hoạch và Đầu tư", "Sở Tài chính", "Sở Nội vụ",
    "Sở Tư pháp", "Sở Công Thương", "Sở Xây dựng", "Sở Giao thông vận tải", "Sở Y tế",
    "Sở Giáo dục và Đào tạo", "Sở Khoa học và Công nghệ", "Sở Tài nguyên và Môi trường",
    "Sở Nông nghiệp và Phát triển nông thôn", "Sở Nông nghiệp và Môi trường",
    "Sở Lao động - Thương binh và Xã hội", "Sở Văn hóa, Thể thao và Du lịch", "Sở Ngoại vụ",
    "Sở Dân tộc và Tôn giáo", "Sở Văn hóa và Thể thao", "Sở Du lịch", "Thanh tra tỉnh",
    "Văn phòng UBND tỉnh", "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh",
    "Bộ Chỉ huy Bộ đội Biên phòng tỉnh", "Ban Dân tộc tỉnh", "Ban Quản lý Khu kinh tế tỉnh",
    "UBND tỉnh", "HĐND tỉnh",
)  # fmt: skip
_STANDARD_KEYS = {agency_key(n): n for n in STANDARD_NAMES}

_GROUP_RE = re.compile(
    r"^(?:cac|nhung)\b|^to chuc chinh tri\b|^uy ban nhan dan cac\b|\blien quan\b|^dia phuong"
)


def classify(name: str) -> tuple[str, str | None]:
    """The agency kind (see plans.model.AGENCY_KINDS) and, for a group, whom it stands for."""
    k = agency_key(name)
    if _GROUP_RE.search(k):
        if re.search(r"\bbao chi\b|\bco quan bao\b", k):
            return "group", "press"
        if re.search(r"\bhuyen\b|\bthi xa\b|\bthanh pho\b|\bdia phuong\b", k) and not re.search(
            r"\bso\b|\bnganh\b", k
        ):
            return "group", "district"
        if re.search(r"\bso\b|\bnganh\b|\bban\b", k):
            return "group", "department"
        return "group", None
    if re.match(r"uy ban nhan dan (huyen|thi xa|thanh pho)\b", k):
        return "district", None
    if re.match(r"(bao|dai phat thanh|dai truyen hinh|tap chi|cong thong tin)\b", k):
        return "press", None
    if k in ("uy ban nhan dan tinh", "hoi dong nhan dan tinh", "tinh uy") or k.startswith(
        "thuong truc"
    ):
        return "provincial", None
    return "department", None


def _display(name: str) -> str:
    name = name.strip()
    return name[:1].upper() + name[1:] if name else name


class AgencyBook:
    """The agencies of one document: spelling variants gathered under one canonical name."""

    def __init__(self, province: str | None = None) -> None:
        self.province = province
        self._variants: dict[str, list[str]] = {}

    def key(self, name: str) -> str:
        return agency_key(name, self.province)

    def add(self, name: str) -> str:
        """Record a name as written; returns its key."""
        k = self.key(name)
        variants = self._variants.setdefault(k, [])
        shown = _display(name)
        if shown not in variants:
            variants.append(shown)
        return k

    def canonical(self, k: str) -> str:
        """The standard name when there is one, else the fullest spelling seen."""
        if k in _STANDARD_KEYS:
            return _STANDARD_KEYS[k]
        variants = self._variants[k]
        # The longest spelling has the fewest abbreviations; first seen breaks ties.
        return max(variants, key=lambda v: (len(v) - v.count("&") * 8, -variants.index(v)))

    def aliases(self, k: str) -> list[str]:
        canonical = self.canonical(k)
        return [v for v in self._variants[k] if v != canonical]

    def keys(self) -> list[str]:
        return list(self._variants)
