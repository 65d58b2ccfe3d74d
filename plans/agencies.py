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
