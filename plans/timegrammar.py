"""The Vietnamese time-expression grammar: plan timeframes and reply dates into a Schedule.

Everything is matched on the tone-free lower-case form of the text (same length as the NFC
original, so spans map back to what was written). Recognisers find candidate spans, overlaps
are settled longest-first, and the readings are combined into one Schedule. Citations of
other documents ("Quyết định số 25/2019/QĐ-UBND ngày 16/4/2019") are masked first: they are
never deadlines.
"""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from plans.schedule import Schedule
from plans.text import fold, nfc, squash

TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# ---------------------------------------------------------------- context and readings


@dataclass(frozen=True)
class Context:
    """What an expression is read against."""

    today: date
    plan_year: int
    year_explicit: bool  # a plan's year: partial dates take it; otherwise nearest to today
    issued_on: date | None = None
    prefer: str = "nearest"  # nearest | future | past, for partial dates in replies


@dataclass
class Reading:
    """One recognised span and what it means."""

    start_at: int
    end_at: int
    kind: str
    start: date | None = None
    due: tuple[date, ...] = ()
    rrule: str | None = None
    event: str | None = None
    role: str = "dated"  # dated | context | event | vague | weak
    priority: int = 0

    @property
    def length(self) -> int:
        return self.end_at - self.start_at


@dataclass(frozen=True)
class Found:
    """An expression found inside a longer text."""

    text: str
    start_at: int
    end_at: int
    schedule: Schedule


# ---------------------------------------------------------------- calendar helpers


def month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def quarter_bounds(year: int, q: int) -> tuple[date, date]:
    return date(year, 3 * q - 2, 1), month_end(year, 3 * q)


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _calendar.monthrange(year, month)[1]))


def _infer_year(ctx: Context, month: int, day: int | None = None) -> int:
    """The year of a date written without one."""
    if ctx.year_explicit:
        return ctx.plan_year
    options = []
    for y in (ctx.today.year - 1, ctx.today.year, ctx.today.year + 1):
        d = _safe_date(y, month, day) if day else month_end(y, month)
        if d:
            options.append(d)
    if ctx.prefer == "future":
        later = [d for d in options if d >= ctx.today]
        return min(later).year if later else ctx.today.year
    if ctx.prefer == "past":
        earlier = [d for d in options if d <= ctx.today]
        return max(earlier).year if earlier else ctx.today.year
    return min(options, key=lambda d: (abs((d - ctx.today).days), d)).year


# ---------------------------------------------------------------- vocabulary

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_NUMBER_WORDS = {
    "mot": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8,
    "chin": 9, "muoi": 10, "muoi mot": 11, "muoi hai": 12, "gieng": 1, "chap": 12,
}  # fmt: skip
_WEEKDAYS = {"2": 0, "3": 1, "4": 2, "5": 3, "6": 4, "7": 5, "hai": 0, "ba": 1, "tu": 2,
             "nam": 3, "sau": 4, "bay": 5}  # fmt: skip

D = r"(?:3[01]|[12]\d|0?[1-9])"
M = r"(?:1[0-2]|0?[1-9])"
Y4 = r"(?:1[89]\d\d|20\d\d)"
Q = r"(?:iv|iii|ii|i|[1-4])(?![a-z0-9])"
SEP = r"\s*(?:,|;|va|-|–|den|toi|&)\s*"
_COUNT_NOUNS = (
    r"(?:nhiem vu|viec|dau viec|don vi|nguoi|ho\b|xa\b|so\b|ban\b|cuon|lop|bai|ky|trang|tin|"
    r"chi tieu|noi dung|hang muc|co quan|%)"
)

# A document number: 72/2015/NĐ-CP, 5115/CTr-BTTTT-BTLBP, 06-NQ/TW, 245/BC-STTTT, số 44/KH-UBND.
_DOC_NUMBER = re.compile(
    r"(?:\bso\s*:?\s*)?(?<![\w/])(?:\d+[-/])+(?:\d{4}/)?[a-z][a-z0-9]*(?:[-/][a-z0-9]+)*"
)
_CITATION_DATE = re.compile(
    rf"[^.;:\n]{{0,90}}?\bngay\s*{D}\s*(?:[/.-]\s*{M}|thang\s*{M})(?:\s*(?:[/.-]|nam)\s*\d{{2,4}})?"
)


def _mask(text: str, spans: Iterable[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = " "
    return "".join(chars)


def mask_citations(folded: str) -> str:
    """Blank out document numbers and the dates that follow them in the same clause."""
    spans: list[tuple[int, int]] = []
    for m in _DOC_NUMBER.finditer(folded):
        spans.append(m.span())
        tail = _CITATION_DATE.match(folded, m.end())
        if tail:
            spans.append(tail.span())
    return _mask(folded, spans)


# ---------------------------------------------------------------- recognisers

Handler = Callable[[re.Match[str], Context, str], Reading | None]
_RECOGNISERS: list[tuple[re.Pattern[str], Handler, int]] = []


def _rule(pattern: str, priority: int = 0) -> Callable[[Handler], Handler]:
    compiled = re.compile(pattern)

    def register(fn: Handler) -> Handler:
        _RECOGNISERS.append((compiled, fn, priority))
        return fn

    return register


def _reading(m: re.Match[str], kind: str, **kw: object) -> Reading:
    return Reading(start_at=m.start(), end_at=m.end(), kind=kind, **kw)  # type: ignore[arg-type]


def _year_or(ctx: Context, raw: str | None) -> int:
    if not raw:
        return ctx.plan_year
    y = int(raw)
    return y + 2000 if y < 100 else y


def _written_year(m: re.Match[str], ctx: Context) -> int | None:
    """The year written after a quarter or month ("/2022", "năm sau"), or the plan's year."""
    if m["year"]:
        return _year_or(ctx, m["year"])
    rel = m["rel"]
    if rel:
        return ctx.today.year + {"nay": 0, "sau": 1, "toi": 1, "truoc": -1}[rel]
    return ctx.plan_year if ctx.year_explicit else None


def _numbers(listing: str, table: dict[str, int] | None = None) -> tuple[list[int], bool]:
    """The numbers in "II và IV" / "6, 7" / "6-7"; and whether it was a continuous span."""
    tokens = re.findall(r"[a-z]+|\d+", listing)
    values = []
    for tok in tokens:
        if tok in ("va", "den", "toi", "quy", "thang", "q"):
            continue
        if tok.isdigit():
            values.append(int(tok))
        elif table and tok in table:
            values.append(table[tok])
    continuous = bool(re.search(r"-|–|den|toi", listing)) and len(values) == 2
    return values, continuous


# Quarters: "Quý I/2022", "Quý II, III", "Quý II và IV/2022", "quý 4", "Q2/2026", "cuối quý II".
@_rule(
    rf"\b(?P<pre>cuoi|dau|het|truoc|den het|trong)?\s*(?:quy|q(?=[1-4]))\s*"
    rf"(?P<list>{Q}(?:{SEP}(?:quy\s*)?{Q})*)"
    rf"(?:\s*(?:/|nam|,\s*nam|-)\s*(?P<year>{Y4})|\s*nam\s*(?P<rel>nay|sau|toi|truoc)\b)?"
)
def _quarters(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    numbers, continuous = _numbers(m["list"], _ROMAN)
    numbers = [q for q in numbers if 1 <= q <= 4]
    if not numbers:
        return None
    year = _written_year(m, ctx) or _infer_year(ctx, 3 * numbers[-1])
    if continuous:
        numbers = list(range(numbers[0], numbers[1] + 1)) if numbers[0] < numbers[1] else numbers
        start, end = quarter_bounds(year, numbers[0])[0], quarter_bounds(year, numbers[-1])[1]
        return _reading(m, "range", start=start, due=(end,))
    bounds = [quarter_bounds(year, q) for q in numbers]
    pre = m["pre"]
    if pre in ("cuoi", "het", "den het"):
        return _reading(m, "one-off", due=tuple(b for _, b in bounds))
    if pre == "truoc":
        return _reading(m, "one-off", due=tuple(a - timedelta(days=1) for a, _ in bounds))
    return _reading(m, "range", start=bounds[0][0], due=tuple(b for _, b in bounds))


# Half years: "6 tháng đầu năm 2026", "06 tháng cuối năm".
@_rule(rf"\b0?6\s*thang\s*(?P<half>dau|cuoi)\s*nam(?:\s*(?P<year>{Y4}))?")
def _half_year(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    year = _year_or(ctx, m["year"])
    if m["half"] == "dau":
        return _reading(m, "range", start=date(year, 1, 1), due=(date(year, 6, 30),))
    return _reading(m, "range", start=date(year, 7, 1), due=(date(year, 12, 31),))


_MONTH_WORD = r"(?:muoi mot|muoi hai|muoi|mot|hai|ba|bon|tu|nam|sau|bay|tam|chin|gieng|chap)"
_MONTH_PRE = (
    r"(?P<pre>hoan thanh trong|xong trong|truoc|den het|truoc het|het|den cuoi|cuoi|dau|giua|"
    r"thuong tuan|trung tuan|ha tuan|den|trong|vao|tu)"
)


# Months: "Tháng 02/2018", "trước tháng 4/2018", "hoàn thành trong tháng 2/2018", "cuối tháng 6",
# "tháng 6, 7/2026", "từ tháng 3 đến tháng 5/2026", "T6/2026", "tháng mười hai".
@_rule(
    rf"(?:\b{_MONTH_PRE}\s*)?\b(?:thang\s*(?P<list>{M}(?:{SEP}(?:thang\s*)?{M})*)(?![\d%])"
    rf"|thang\s+(?P<word>{_MONTH_WORD})\b|t(?P<short>{M})(?=\s*/\s*{Y4}))"
    rf"(?:\s*(?:/|nam|-)\s*(?P<year>{Y4})|\s*nam\s*(?P<rel>nay|sau|toi|truoc)\b)?"
)
def _months(m: re.Match[str], ctx: Context, original: str) -> Reading | None:
    if m["word"]:
        written = original[m.start("word") : m.end("word")]
        if written == m["word"] and m["word"] in ("sau", "nam", "tu", "ba", "bay", "tam"):
            return None  # without tone marks "tháng sau" is next month, not June
        numbers, continuous = [_NUMBER_WORDS[m["word"]]], False
    elif m["short"]:
        numbers, continuous = [int(m["short"])], False
    else:
        numbers, continuous = _numbers(m["list"])
    numbers = [n for n in numbers if 1 <= n <= 12]
    if not numbers:
        return None
    pre = m["pre"]
    year = _written_year(m, ctx) or _infer_year(ctx, numbers[-1])
    if continuous and numbers[0] < numbers[1]:
        return _reading(
            m, "range", start=date(year, numbers[0], 1), due=(month_end(year, numbers[1]),)
        )
    first, last = numbers[0], numbers[-1]
    if pre == "truoc":
        due = date(year, last, 1) - timedelta(days=1)
        return _reading(m, "one-off", due=(due,))
    if pre in ("den het", "truoc het", "het", "den cuoi", "cuoi", "ha tuan", "den"):
        return _reading(m, "one-off", due=(month_end(year, last),))
    if pre in ("dau", "thuong tuan"):
        return _reading(m, "one-off", due=(date(year, last, 10),))
    if pre == "giua":
        return _reading(m, "one-off", due=(date(year, last, 15),))
    if pre == "trung tuan":
        return _reading(m, "one-off", due=(date(year, last, 20),))
    dues = tuple(month_end(year, n) for n in numbers)
    if pre in ("hoan thanh trong", "xong trong"):
        return _reading(m, "one-off", start=date(year, first, 1), due=dues)
    return _reading(m, "range", start=date(year, first, 1), due=dues)


def _date_from(ctx: Context, d: str, mo: str, y: str | None) -> date | None:
    day, month = int(d), int(mo)
    year = _year_or(ctx, y) if y else _infer_year(ctx, month, day)
    return _safe_date(year, month, day)


_NUM_DATE = (
    rf"(?<![\d/.,])(?P<@d>{D})\s*(?:/\s*(?P<@m>{M})(?:\s*/\s*(?P<@y>\d{{4}}|\d{{2}}))?"
    rf"|[.-](?P<@m2>{M})[.-](?P<@y2>\d{{4}}))(?![\d/%])"
    rf"(?!\s*{_COUNT_NOUNS})"
)
_WORD_DATE = (
    rf"ngay\s*(?P<@wd>{D})\s*thang\s*(?P<@wm>{M}|{_MONTH_WORD})\b"
    rf"(?:\s*(?:nam|/)\s*(?P<@wy>{Y4}))?"
)
_HYPHEN_DATE = rf"ngay\s*(?P<@hd>{D})-(?P<@hm>{M})(?![\d-])"


def _any_date(prefix: str) -> str:
    """A date in any written form, its groups named with `prefix` so two can share a pattern."""
    pattern = f"(?:{_WORD_DATE}|(?:ngay\\s*)?{_NUM_DATE}|{_HYPHEN_DATE})"
    return pattern.replace("(?P<@", f"(?P<{prefix}")


def _date_of(
    m: re.Match[str], ctx: Context, p: str, default_year: int | None = None
) -> date | None:
    """The date in the groups prefixed `p`; a missing year is `default_year` when given."""
    g = m.groupdict()
    fallback = str(default_year) if default_year else None
    if g.get(p + "wd"):
        wm = g[p + "wm"]
        month = int(wm) if wm.isdigit() else _NUMBER_WORDS[wm]
        return _date_from(ctx, g[p + "wd"], str(month), g.get(p + "wy") or fallback)
    if g.get(p + "hd"):
        return _date_from(ctx, g[p + "hd"], g[p + "hm"], fallback)
    if g.get(p + "m2"):
        return _date_from(ctx, g[p + "d"], g[p + "m2"], g[p + "y2"])
    if g.get(p + "d"):
        return _date_from(ctx, g[p + "d"], g[p + "m"], g.get(p + "y") or fallback)
    return None


# Two dates: "từ 15/3 đến 30/4/2026", "(30/4/1975 - 30/4/2022)" (an anniversary: the second
# date is the event; the first is history).
@_rule(rf"(?:\btu\s*)?{_any_date('a')}\s*(?:-|–|den|toi)\s*{_any_date('b')}", priority=2)
def _date_pair(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    second = _date_of(m, ctx, "b")
    if second is None:
        return None
    # "từ 15/3 đến 30/4/2026": the first date takes the second's year when it has none.
    first = _date_of(m, ctx, "a", default_year=second.year)
    if first is None:
        return None
    if first.year < second.year and (first.month, first.day) == (second.month, second.day):
        return _reading(m, "one-off", due=(second,))
    if first > second:
        return None
    return _reading(m, "range", start=first, due=(second,))


_DATE_PRE = (
    r"(?P<pre>truoc|cham nhat(?: la)?|den|han|han chot|trong|vao|khoang|tu|da|xong|hoan thanh)"
)


# One date: "trước ngày 28/02/2018", "ngày 20 tháng 12", "15/12", "đã gửi ngày 18/11".
@_rule(rf"(?:\b{_DATE_PRE}\s*)?{_any_date('x')}", priority=1)
def _single_date(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    day = _date_of(m, ctx, "x")
    if day is None:
        return None
    return _reading(m, "one-off", due=(day,))


# Periodic dates: "định kỳ trước ngày 25/5 và 25/11", "trước ngày 05 tháng 11 hàng năm".
_DM = rf"(?:ngay\s*)?(?:{D}\s*/\s*{M}(?![\d/])|{D}\s*thang\s*{M}\b)"


@_rule(
    rf"\b(?:dinh ky|hang nam,?)\s*(?:vao\s*|truoc\s*)?(?P<dates>{_DM}(?:{SEP}{_DM})*)"
    rf"|(?:\btruoc\s*|\bvao\s*)?(?P<dates2>{_DM}(?:{SEP}{_DM})*)\s*(?:hang|moi)\s*nam",
    priority=3,
)
def _yearly_dates(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    listing = m["dates"] or m["dates2"]
    pairs = re.findall(rf"({D})\s*(?:/|thang)\s*({M})", listing)
    days: list[date] = []
    for d, mo in pairs:
        day = _safe_date(ctx.plan_year, int(mo), int(d))
        if day:
            days.append(day)
    if not days:
        return None
    days.sort()
    months = ",".join(str(x.month) for x in days)
    same_day = len({x.day for x in days}) == 1
    rrule = f"FREQ=YEARLY;BYMONTH={months};BYMONTHDAY={days[0].day}" if same_day else "FREQ=YEARLY"
    return _reading(m, "recurring", due=tuple(days), rrule=rrule)


# Monthly on a day: "trước ngày 20 hàng tháng", "ngày 25 hằng tháng".
@_rule(rf"(?:\btruoc\s*|\bvao\s*)?ngay\s*(?P<d>{D})\s*(?:hang|moi|cua moi)\s*thang", priority=3)
def _monthly_day(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    day = int(m["d"])
    dues = tuple(
        date(ctx.plan_year, mo, min(day, _calendar.monthrange(ctx.plan_year, mo)[1]))
        for mo in range(1, 13)
    )
    return _reading(m, "recurring", due=dues, rrule=f"FREQ=MONTHLY;BYMONTHDAY={day}")


def _period_ends(year: int, months: int) -> tuple[date, ...]:
    return tuple(month_end(year, mo) for mo in range(months, 13, months))


def _fridays(year: int, weekday: int = 4) -> tuple[date, ...]:
    d = date(year, 1, 1)
    d += timedelta(days=(weekday - d.weekday()) % 7)
    out = []
    while d.year == year:
        out.append(d)
        d += timedelta(days=7)
    return tuple(out)


_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


# Every N months: "định kỳ 06 tháng", "6 tháng một lần", "định kỳ hàng quý".
@_rule(
    r"\b(?:dinh ky\s*(?P<n>\d{1,2})\s*thang(?:\s*(?:/|mot|1)\s*lan)?"
    r"|(?P<n2>\d{1,2})\s*thang\s*(?:/|mot|1)\s*lan)",
    priority=2,
)
def _every_n_months(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    n = int(m["n"] or m["n2"])
    if n not in (1, 2, 3, 4, 6, 12):
        return None
    rrule = "FREQ=YEARLY" if n == 12 else f"FREQ=MONTHLY;INTERVAL={n}" if n > 1 else "FREQ=MONTHLY"
    return _reading(m, "recurring", due=_period_ends(ctx.plan_year, n), rrule=rrule)


# "hàng tháng, quý", "hằng quý", "hàng năm", "hàng tuần", "thứ 6 hàng tuần", "định kỳ hàng tháng".
@_rule(
    r"\b(?:thu\s*(?P<wd>[2-7]|hai|ba|tu|nam|sau|bay)\s*)?(?:dinh ky\s*)?(?:hang|moi)\s*"
    r"(?P<units>(?:tuan|thang|quy|nam|ngay)(?:\s*(?:,|va|/|hoac)\s*(?:hang\s*)?"
    r"(?:tuan|thang|quy|nam))*)\b"
)
def _every_unit(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    units = re.findall(r"tuan|thang|quy|nam|ngay", m["units"])
    year = ctx.plan_year
    if "ngay" in units:
        return _reading(m, "ongoing", start=date(year, 1, 1), due=(date(year, 12, 31),))
    if "tuan" in units:
        wd = _WEEKDAYS[m["wd"]] if m["wd"] else 4
        return _reading(
            m, "recurring", due=_fridays(year, wd), rrule=f"FREQ=WEEKLY;BYDAY={_BYDAY[wd]}"
        )
    if "thang" in units:
        return _reading(m, "recurring", due=_period_ends(year, 1), rrule="FREQ=MONTHLY")
    if "quy" in units:
        return _reading(m, "recurring", due=_period_ends(year, 3), rrule="FREQ=MONTHLY;INTERVAL=3")
    # Yearly with no day written: a recurrence without a date of its own.
    return _reading(m, "recurring", rrule="FREQ=YEARLY", role="weak")


@_rule(r"\bdinh ky(?:\s*(?:va|,|hoac)\s*(?P<adhoc>dot xuat))?\b", priority=-1)
def _periodic_unspecified(m: re.Match[str], ctx: Context, original: str) -> Reading | None:
    event = original[m.start("adhoc") : m.end("adhoc")] if m["adhoc"] else None
    return _reading(m, "recurring", event=event, role="weak")


# The whole year: "Cả năm 2022", "Thường xuyên trong năm 2018", "Thường xuyên", "liên tục".
@_rule(
    rf"\b(?:ca nam|suot nam|quanh nam|thuong xuyen|lien tuc|hang ngay)"
    rf"(?:\s*,?\s*(?:trong|ca|suot)?\s*nam\s*(?P<year>{Y4})?|\s+(?P<year2>{Y4}))?"
)
def _whole_year(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    year = _year_or(ctx, m["year"] or m["year2"])
    return _reading(m, "ongoing", start=date(year, 1, 1), due=(date(year, 12, 31),))


# A calendar year: "Trong năm 2018", "năm 2019", "trong năm", "năm nay", "năm sau".
@_rule(
    rf"\b(?:(?P<pre>trong|cuoi|dau|giua|het|den het|truoc)\s*)?nam\s*"
    rf"(?:(?P<year>{Y4})(?![\d/-])|(?P<rel>nay|sau|toi)\b)"
    rf"|\b(?P<pre2>trong|cuoi|dau|giua)\s+nam\b(?!\s*\d)"
    r"|\bsang nam\b"
)
def _calendar_year(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    if m["year"]:
        year = int(m["year"])
    elif m["rel"] in ("sau", "toi") or m.group(0).startswith("sang"):
        year = ctx.today.year + 1
    elif m["rel"] == "nay":
        year = ctx.today.year
    else:
        year = ctx.plan_year
    pre = m["pre"] or m["pre2"]
    if pre in ("cuoi", "het", "den het"):
        return _reading(m, "one-off", due=(date(year, 12, 31),))
    if pre == "dau":
        return _reading(m, "one-off", due=(date(year, 3, 31),))
    if pre == "giua":
        return _reading(m, "one-off", due=(date(year, 6, 30),))
    if pre == "truoc":
        return _reading(m, "one-off", due=(date(year - 1, 12, 31),))
    return _reading(m, "range", start=date(year, 1, 1), due=(date(year, 12, 31),))


@_rule(rf"^\s*(?P<y>{Y4})\s*$")
def _bare_year(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    """A timeframe cell holding only "2026" means that calendar year."""
    y = int(m["y"])
    return _reading(m, "range", start=date(y, 1, 1), due=(date(y, 12, 31),))


# Programme periods and horizons: "giai đoạn 2021-2030" (context, not this plan's deadline),
# "đến năm 2020", "1972 - 2022" (an anniversary year).
@_rule(
    rf"\b(?P<pre>giai doan|thoi ky|nhiem ky)?\s*(?:tu\s*(?:nam\s*)?)?(?P<a>{Y4})\s*(?:-|–|den)\s*"
    rf"(?:nam\s*)?(?P<b>{Y4})(?![\d/])",
    priority=1,
)
def _year_pair(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    a, b = int(m["a"]), int(m["b"])
    if a >= b:
        return None
    if not m["pre"] and b - a >= 20:
        return _reading(m, "one-off", start=date(b, 1, 1), due=(date(b, 12, 31),))
    role = "context" if m["pre"] else "dated"
    return _reading(m, "range", start=date(a, 1, 1), due=(date(b, 12, 31),), role=role)


@_rule(rf"\b(?P<vision>dinh huong|tam nhin)?\s*(?:den|toi)\s*(?:het\s*)?nam\s*(?P<y>{Y4})\b")
def _until_year(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    y = int(m["y"])
    start = ctx.issued_on or date(ctx.plan_year, 1, 1)
    role = "context" if m["vision"] else "dated"
    return _reading(m, "range", start=start, due=(date(y, 12, 31),), role=role, priority=-1)


# Triggers with no date: "Sau khi Kế hoạch … ban hành", "khi có đề nghị", "theo yêu cầu".
_TRIGGER = (
    r"\b(?:(?P<now>ngay\s+)?sau\s+khi|khi\s+(?:co|duoc|tham gia|tiep xuc|lam viec|can|xay ra|"
    r"phat sinh|nhan duoc|ke hoach|cap tren)|trien khai theo|thuc hien theo|theo\s+(?:ke hoach|"
    r"kh\b|yeu cau|de nghi|chi dao|thong bao|lich|tien do|quy dinh|huong dan|chuong trinh)|"
    r"neu co|phat sinh|dot xuat|(?:cac|nhung)\s+ngay le|ngay le,?\s*tet|dip\s+(?:le|tet)|"
    r"nam tron|nam chan)"
)


@_rule(_TRIGGER + r"[^.;\n]*?(?=,\s*(?:giao|do|de nghi|yeu cau|dong thoi)\b|[.;\n]|$)", priority=-2)
def _trigger(m: re.Match[str], ctx: Context, original: str) -> Reading | None:
    text = original[m.start() : m.end()].strip(" ,:")
    start = None
    folded = m.group(0)
    if m["now"] and re.search(r"ke hoach nay|van ban nay", folded):
        start = ctx.issued_on
    return _reading(m, "event", start=start, event=squash(text), role="event")


@_rule(r"\b(?P<word>kip thoi|khan truong|ngay lap tuc|som nhat|gap)\b", priority=-3)
def _vague(m: re.Match[str], ctx: Context, original: str) -> Reading | None:
    word = original[m.start() : m.end()]
    if m["word"] in ("kip thoi",):
        return _reading(m, "event", event=word, role="vague")
    return _reading(m, "one-off", role="vague")


# ------------------------------------------------------------- relative dates (replies)


def _next_weekday(today: date, weekday: int, weeks_ahead: int | None) -> date:
    if weeks_ahead is None:
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks_ahead)
    return monday + timedelta(days=weekday)


_TIME_OF_DAY = (
    r"(?:\d{1,2}\s*(?:h|g|gio)(?:\s*\d{2})?\s*|\d{1,2}:\d{2}\s*)?(?:sang|chieu|toi|trua|dem)?"
)


@_rule(
    rf"\b{_TIME_OF_DAY}\s*(?P<w>hom nay|hnay|ngay hom nay|trong ngay|chieu nay|sang nay|toi nay|"
    r"ngay mai|mai|hom qua|hqua|hom kia|ngay kia|mot)\b"
)
def _relative_day(m: re.Match[str], ctx: Context, original: str) -> Reading | None:
    w = m["w"]
    raw = original[m.start("w") : m.end("w")].lower()
    if w == "mai" and raw != "mai":
        return None  # "mãi" (forever) is not tomorrow
    if w == "mot":
        if raw != "mốt" and re.match(
            r"\s*(?:ngay|tuan|thang|nam|lan|chut|it|so|vai|ti)\b", _folded_after(original, m.end())
        ):
            return None
        if raw not in ("mốt", "mot"):
            return None
    offset = {
        "hom nay": 0, "hnay": 0, "ngay hom nay": 0, "trong ngay": 0, "chieu nay": 0,
        "sang nay": 0, "toi nay": 0, "ngay mai": 1, "mai": 1, "hom qua": -1, "hqua": -1,
        "hom kia": -2, "ngay kia": 2, "mot": 2,
    }[w]  # fmt: skip
    return _reading(m, "one-off", due=(ctx.today + timedelta(days=offset),))


def _folded_after(original: str, at: int) -> str:
    return fold(original[at : at + 20]).lower()


@_rule(
    r"\b(?:thu\s*(?P<wd>[2-7]|hai|ba|tu|nam|sau|bay)|(?P<cn>chu nhat|cn)|t(?P<short>[2-7]))"
    r"(?:\s*tuan\s*(?P<which>nay|sau|toi|sau nua))?\b"
)
def _weekday(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    if m["short"] and m["which"] is None and re.match(r"\s*/\s*\d", _rest(m)):
        return None  # "T6/2026" is June
    weekday = 6 if m["cn"] else _WEEKDAYS[m["wd"] or m["short"]]
    weeks = {"nay": 0, "sau": 1, "toi": 1, "sau nua": 2}.get(m["which"] or "")
    return _reading(m, "one-off", due=(_next_weekday(ctx.today, weekday, weeks),))


def _rest(m: re.Match[str]) -> str:
    return m.string[m.end() : m.end() + 10]


@_rule(r"\b(?P<pre>cuoi|dau|giua)?\s*tuan\s*(?P<which>nay|sau|toi|sau nua)\b|\bcuoi tuan\b")
def _week(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    weeks = {"nay": 0, "sau": 1, "toi": 1, "sau nua": 2}.get(m["which"] or "nay", 0)
    monday = ctx.today - timedelta(days=ctx.today.weekday()) + timedelta(weeks=weeks)
    friday = monday + timedelta(days=4)
    pre = m["pre"] or ("cuoi" if m.group(0).startswith("cuoi") else None)
    if pre == "cuoi":
        if weeks == 0 and ctx.today > friday:
            friday += timedelta(weeks=1)
        return _reading(m, "one-off", due=(friday,))
    if pre == "dau":
        return _reading(m, "one-off", due=(monday,))
    if pre == "giua":
        return _reading(m, "one-off", due=(monday + timedelta(days=2),))
    return _reading(m, "range", start=monday, due=(friday,))


@_rule(
    r"\b(?P<pre>cuoi|dau|giua|het|trong)?\s*thang\s*(?P<which>nay|sau|toi)\b"
    r"|\b(?P<pre2>cuoi|dau|giua|het)\s+thang\b(?!\s*\d)"
)
def _relative_month(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    first = ctx.today.replace(day=1)
    if m["which"] in ("sau", "toi"):
        first = _add_months(first, 1)
    y, mo = first.year, first.month
    pre = m["pre"] or m["pre2"]
    if pre in ("cuoi", "het"):
        return _reading(m, "one-off", due=(month_end(y, mo),))
    if pre == "dau":
        return _reading(m, "one-off", due=(date(y, mo, 10),))
    if pre == "giua":
        return _reading(m, "one-off", due=(date(y, mo, 15),))
    return _reading(m, "range", start=first, due=(month_end(y, mo),))


_COUNT = r"(?P<n>\d{1,3}|mot|hai|ba|bon|nam|sau|bay|tam|chin|muoi|vai)"


@_rule(
    rf"\b(?:(?P<pre>trong|sau|khoang|tam|chung)\s*)?{_COUNT}\s*"
    r"(?P<unit>ngay lam viec|ngay|tuan|thang)"
    r"\s*(?P<post>nua|toi|sau)?\b"
)
def _in_n_units(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    if not m["pre"] and not m["post"]:
        return None  # "02 ngày" alone is a duration, not a deadline
    n_raw = m["n"]
    n = int(n_raw) if n_raw.isdigit() else (3 if n_raw == "vai" else _NUMBER_WORDS[n_raw])
    unit = m["unit"]
    if unit == "ngay":
        due = ctx.today + timedelta(days=n)
    elif unit == "tuan":
        due = ctx.today + timedelta(weeks=n)
    elif unit == "thang":
        due = _add_months(ctx.today, n)
    else:
        from scheduler.calendar import WorkingCalendar

        due = WorkingCalendar().add_working_days(ctx.today, n)
    return _reading(m, "one-off", due=(due,))


@_rule(r"\b(?P<pre>sau|truoc|qua|het|ra)\s*tet(?:\s*(?:nguyen dan|am lich|am))?\b")
def _tet(m: re.Match[str], ctx: Context, _: str) -> Reading | None:
    from scheduler.calendar import tet_holiday

    year = ctx.plan_year if ctx.year_explicit else ctx.today.year
    days = tet_holiday(year)
    if not ctx.year_explicit and days and days[-1] < ctx.today:
        days = tet_holiday(year + 1)
    if not days:
        return None
    if m["pre"] == "truoc":
        return _reading(m, "one-off", due=(days[0] - timedelta(days=1),))
    return _reading(m, "one-off", due=(days[-1] + timedelta(days=1),))


# ---------------------------------------------------------------- dateparser fallback


# "20 tháng 12 năm 2026" without "ngày": an isolated span handed to the resolver wrapper.
@_rule(rf"(?<![\d/])(?P<span>{D}\s+thang\s+{M}(?:\s+nam\s+{Y4})?)\b", priority=-1)
def _resolver_fallback(m: re.Match[str], ctx: Context, original: str) -> Reading | None:
    from plans.resolver import resolve_date

    day = resolve_date(original[m.start("span") : m.end("span")], ctx.today, prefer=ctx.prefer)
    return _reading(m, "one-off", due=(day,)) if day else None


# ---------------------------------------------------------------- combining


def _overlaps(a: Reading, b: Reading) -> bool:
    return a.start_at < b.end_at and b.start_at < a.end_at


def _scan(original: str, ctx: Context) -> list[Reading]:
    folded = mask_citations(fold(original).lower())
    candidates: list[Reading] = []
    for pattern, handler, priority in _RECOGNISERS:
        for m in pattern.finditer(folded):
            if not m.group(0).strip():
                continue
            reading = handler(m, ctx, original)
            if reading is None:
                continue
            # Trim the span to its non-blank part so overlap checks are fair.
            a, b = reading.start_at, reading.end_at
            while a < b and folded[a] == " ":
                a += 1
            while b > a and folded[b - 1] == " ":
                b -= 1
            candidates.append(replace(reading, start_at=a, end_at=b, priority=priority))
    candidates.sort(key=lambda r: (-r.length, -r.priority, r.start_at))
    taken: list[Reading] = []
    for r in candidates:
        if not any(_overlaps(r, t) for t in taken):
            taken.append(r)
    taken.sort(key=lambda r: r.start_at)
    return taken


def _merge(readings: list[Reading], text: str) -> Schedule:
    dues = sorted({d for r in readings for d in r.due})
    starts = [r.start for r in readings if r.start]
    kinds = [r.kind for r in readings]
    if "recurring" in kinds:
        kind = "recurring"
    elif all(k == "one-off" for k in kinds):
        kind = "one-off"
    else:
        kind = kinds[0]
    rrule = next((r.rrule for r in readings if r.rrule), None)
    event = next((r.event for r in readings if r.event), None)
    return Schedule(kind=kind, text=text, start=min(starts) if starts else None,
                    due=tuple(dues), rrule=rrule, event=event)  # fmt: skip


def combine(readings: list[Reading], text: str) -> Schedule:
    """One Schedule from the readings of one timeframe."""
    by_role: dict[str, list[Reading]] = {}
    for r in readings:
        by_role.setdefault(r.role, []).append(r)
    if by_role.get("dated"):
        dated = by_role["dated"]
        weak = [r for r in by_role.get("weak", []) if r.rrule]
        if weak and all(r.kind == "one-off" for r in dated):
            # "Hằng năm, trước ngày 15/12": the yearly word makes the written date repeat.
            schedule = _merge(dated, text)
            return replace(schedule, kind="recurring", rrule=weak[0].rrule)
        return _merge(dated, text)
    for role in ("event", "weak", "context", "vague"):
        if by_role.get(role):
            group = by_role[role]
            if role == "weak" and by_role.get("event"):
                continue
            return _merge(group[:1] if role == "event" else group, text)
    return Schedule(kind="unknown", text=text)


def context_for(
    plan_year: int | None = None,
    today: date | None = None,
    issued_on: date | None = None,
    prefer: str = "nearest",
) -> Context:
    if today is None:
        today = datetime.now(TZ).date()
    return Context(
        today=today,
        plan_year=plan_year or today.year,
        year_explicit=plan_year is not None,
        issued_on=issued_on,
        prefer=prefer,
    )


def parse_time(
    text: str,
    *,
    plan_year: int | None = None,
    today: date | None = None,
    issued_on: date | None = None,
    prefer: str = "nearest",
) -> Schedule:
    """Read one time expression (a timeframe cell, a reply) into a Schedule."""
    return parse_with(text, context_for(plan_year, today, issued_on, prefer))


def parse_with(text: str, ctx: Context) -> Schedule:
    """Read one time expression against an already built context."""
    original = squash(nfc(text or ""))
    return combine(_scan(original, ctx), original.rstrip(" .;"))


def find_time_expressions(text: str, ctx: Context) -> list[Found]:
    """Every dated or triggered expression in running text, each read on its own."""
    original = squash(nfc(text or ""))
    found = []
    for r in _scan(original, ctx):
        if r.role == "vague":
            continue
        span = original[r.start_at : r.end_at].strip(" ,.;:()")
        found.append(Found(span, r.start_at, r.end_at, combine([r], span)))
    return found
