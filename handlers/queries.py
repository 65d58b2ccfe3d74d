"""Questions about the whole plan: what is overdue, how it is going, who has not reported."""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from handlers import rounds, standings
from handlers.context import HandlerContext
from handlers.format import ddmmyyyy, deadline_phrase, task_line
from handlers.router import Router
from handlers.standings import TaskView
from plans.agencies import agency_key
from plans.tally import CELL_ORDER, STATUS_ORDER, tally
from plans.text import key as text_key
from plans.text import nfc
from storage.models import Agency
from texts import t

OVERSEERS = ("coordinator", "leader")
# A plan-wide list stops at this many tasks (two lines each, a few phone screens) and says
# how to filter; one agency's list may run longer, since it cannot be narrowed further.
LIST_LIMIT = 15
AGENCY_LIST_LIMIT = 40
UNREPORTED_LIMIT = 30  # one line per task

# ------------------------------------------------------------------ naming an agency

_WORD_CLOSE = 0.8  # a typed word this similar to a word of the name is a typo of it
_NAME_CLOSE = 0.5  # a name this similar is worth suggesting
_MAX_SUGGESTIONS = 5
_MAX_CANDIDATES = 8
# Leading words people leave out: "Ngoại vụ" for Sở Ngoại vụ, "Cẩm Xuyên" for UBND huyện Cẩm Xuyên.
_DROPPABLE_HEAD = re.compile(r"^(?:so|uy ban nhan dan(?: huyen| thanh pho| thi xa)?) ")
_NOT_NAME_CHARS = re.compile(r"[^\w&\-]+")


@dataclass(frozen=True)
class AgencyLookup:
    """What a typed agency name came to: one agency, several, or none (with close names)."""

    typed: str
    agency: Agency | None = None
    candidates: tuple[str, ...] = ()
    suggestions: tuple[str, ...] = ()

    def message(self) -> str:
        if self.candidates:
            shown = self.candidates[:_MAX_CANDIDATES]
            names = _quoted(shown) + ("; …" if len(self.candidates) > len(shown) else "")
            return t("query.agency_ambiguous", name=self.typed, names=names)
        if self.suggestions:
            return t("query.agency_unknown", name=self.typed, names=_quoted(self.suggestions))
        return t("query.agency_unknown_none", name=self.typed)


def _quoted(names: Sequence[str]) -> str:
    return "; ".join(f"«{n}»" for n in names)


def _names(agency: Agency) -> list[str]:
    """The agency's keys: its name's and every alias's."""
    keys = [agency.key, *(a.key for a in agency.aliases)]
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]


def _spellings(agency: Agency) -> list[str]:
    """The keys plus their short forms without "Sở"/"UBND huyện" (when two words remain)."""
    out = _names(agency)
    for k in list(out):
        short = _DROPPABLE_HEAD.sub("", k)
        if short != k and len(short.split()) >= 2 and short not in out:
            out.append(short)
    return out


def _abbreviations(agency: Agency) -> set[str]:
    """ "snv" and "so nv" for Sở Ngoại vụ; "stttt" for Sở Thông tin và Truyền thông."""
    out: set[str] = set()
    for k in _names(agency):
        words = k.split()
        if len(words) >= 2:
            out.add("".join(w[0] for w in words))
            out.add(words[0] + " " + "".join(w[0] for w in words[1:]))
    return out


def _name_key(text: str) -> str:
    return agency_key(_NOT_NAME_CHARS.sub(" ", nfc(text)))


def _word_close(a: str, b: str) -> bool:
    return a == b or difflib.SequenceMatcher(None, a, b).ratio() >= _WORD_CLOSE


def _rules(typed: str) -> list[Callable[[Agency], bool]]:
    """From strict to loose; the first rule any agency passes decides."""
    words = typed.split()
    return [
        lambda a: typed in _spellings(a),
        lambda a: typed in _abbreviations(a),
        lambda a: any(set(words) <= set(s.split()) for s in _names(a)),
        # A typo in a word ("ngaoi"), never a different word: "Nội vụ" is not "Ngoại vụ".
        lambda a: any(
            all(any(_word_close(w, n) for n in s.split()) for w in words) for s in _names(a)
        ),
    ]


def find_agency(agencies: Sequence[Agency], typed: str) -> AgencyLookup:
    """The agency a person means by `typed`: name, alias or abbreviation, tone marks optional."""
    shown = " ".join(nfc(typed).split())
    k = _name_key(typed)
    if k:
        for rule in _rules(k):
            found = [a for a in agencies if rule(a)]
            if len(found) == 1:
                return AgencyLookup(shown, found[0])
            if found:
                return AgencyLookup(shown, candidates=tuple(_by_name(a.name for a in found)))
    scored = sorted(((_similarity(k, a), a.name) for a in agencies), key=_best_first)
    close = [name for score, name in scored if score >= _NAME_CLOSE][:_MAX_SUGGESTIONS]
    return AgencyLookup(shown, suggestions=tuple(close))


def _similarity(typed: str, agency: Agency) -> float:
    return max(difflib.SequenceMatcher(None, typed, s).ratio() for s in _names(agency))


def _best_first(pair: tuple[float, str]) -> tuple[float, str]:
    return -pair[0], text_key(pair[1])


def _by_name(names: Iterable[str]) -> list[str]:
    return sorted(names, key=text_key)


def agencies_in_text(agencies: Sequence[Agency], text: str) -> list[Agency]:
    """The agencies whose names (of two words or more) the text spells out.

    A name inside a longer one that matched is not counted on its own.
    """
    # A last word of our own keeps agency_key from dropping the sentence's final "tỉnh".
    padded = " " + _name_key(text + " z")[:-1]
    spans: list[tuple[int, int, Agency]] = []
    for agency in agencies:
        for s in _spellings(agency):
            at = padded.find(f" {s} ") if len(s.split()) >= 2 else -1
            while at != -1:
                spans.append((at, at + len(s) + 1, agency))
                at = padded.find(f" {s} ", at + 1)
    found: list[Agency] = []
    for start, end, agency in spans:
        inside = any(s <= start and end <= e and e - s > end - start for s, e, _ in spans)
        if not inside and agency not in found:
            found.append(agency)
    return found


# ------------------------------------------------------------------ reading a question

_WORD = re.compile(r"\w+")
_TASK_CODE = re.compile(r"\b\d+(?:\.\d+)+\b")
_DAY_MONTH = re.compile(r"\b\d{1,2}\s*[/\-]\s*\d{1,2}\b")
MAX_QUESTION_WORDS = 25  # longer messages are reports or letters, not a quick question

_KEYWORDS = {
    "unreported": (
        "chua bao cao", "chua nop bao cao", "chua nop", "chua gui bao cao", "chua co bao cao",
    ),
    "overdue": ("qua han", "tre han", "cham tien do", "cham tre", "cham"),
    "progress": ("tien do", "tinh hinh", "ti le", "ty le"),
}  # fmt: skip
_KIND_ORDER = ("unreported", "overdue", "progress")  # the narrower question wins
# Words of a report: saying why, what was done, asking for time. One of them and it is no query.
_REPORT_WORDS = (
    "xong", "da hoan thanh", "hoan thanh roi", "dang lam", "dang thuc hien", "dang trien khai",
    "xin", "gia han", "vuong", "vuong mac", "kinh phi", "vi", "do", "nen", "thieu", "da bao cao",
    "da nop", "da gui", "gui kem", "dinh kem", "du kien", "khong kip",
)  # fmt: skip
# Phrases holding a report word that are not one ("đơn vị").
_SHIELDED = ("don vi",)
_ASKING = (
    "gi", "nao", "bao nhieu", "the nao", "nhu the nao", "ra sao", "sao", "ai", "xem", "cho biet",
    "liet ke", "danh sach", "kiem tra", "thong ke",
)  # fmt: skip
_ASKING_LAST = ("khong", "chua")  # "… có việc nào quá hạn không?"
_FILLER = (
    "con", "viec", "cong viec", "nhiem vu", "nhung", "cac", "co", "hien", "hien nay", "hien tai",
    "hom nay", "den nay", "tinh den", "bay gio", "cua", "la", "vay", "a", "oi", "nhi", "nhe", "ha",
    "cho", "toi", "em", "anh", "chi", "minh", "biet", "voi", "ve", "thuc hien", "ke hoach",
    "chung", "toan", "toan tinh", "ca", "tinh", "co quan", "don vi", "so nganh", "ban nganh",
    "nganh", "dung han", "hoan thanh", "so luong", "so viec", "so nhiem vu", "dang", "duoc",
    "nam", "the", "nhu", "ra", "den", "ngay", "thang", "tuan", "nay",
)  # fmt: skip
# Folded words whose marked spellings mean something else: "độ", "đó" are not "do" (because).
_GUARDED = {
    "vi": ("vì", "vi"),
    "do": ("do",),
    "nen": ("nên", "nen"),
    "cham": ("chậm", "cham"),
    "vuong": ("vướng", "vuong", "vuớng"),
}
# How the rest of a question starts when it names an agency ("… của Sở Nội vụ").
_AGENCY_HEAD = re.compile(
    r"^(?:so|ban|ubnd|uy ban|bao(?! cao)|dai|cong an|bo chi huy|bch|van phong|vp|hoi|huyen"
    r"|thanh pho|thi xa|trung tam|cong thong tin|tinh doan|mat tran|bql|chi cuc|cuc|to chuc)\b"
)


@dataclass(frozen=True)
class Question:
    kind: str  # overdue | progress | unreported
    rest: str  # the words that are not the question's own, as written: an agency, perhaps


class _Words:
    """A message's words, as written and folded, and which of them a phrase has taken."""

    def __init__(self, text: str) -> None:
        self.raw = _WORD.findall(nfc(text))
        self.folded = [text_key(w) for w in self.raw]
        self.taken = [False] * len(self.raw)

    def take(self, phrases: Sequence[str]) -> list[str]:
        """Mark every free occurrence of the phrases (longest first); return those found."""
        found = []
        for phrase in sorted(phrases, key=lambda p: -len(p.split())):
            words = phrase.split()
            for i in range(len(self.folded) - len(words) + 1):
                span = range(i, i + len(words))
                if self.folded[i : i + len(words)] != words or any(self.taken[j] for j in span):
                    continue
                allowed = _GUARDED.get(phrase)
                if allowed and self.raw[i].lower() not in allowed:
                    continue
                for j in span:
                    self.taken[j] = True
                found.append(phrase)
        return found

    def take_numbers(self) -> None:
        self.taken = [done or w.isdigit() for done, w in zip(self.taken, self.raw, strict=True)]

    def last_free(self) -> str | None:
        free = [w for w, taken in zip(self.folded, self.taken, strict=True) if not taken]
        return free[-1] if free else None

    def rest(self) -> str:
        return " ".join(w for w, taken in zip(self.raw, self.taken, strict=True) if not taken)


def read_question(text: str) -> Question | None:
    """The question a message asks, or None when it is (or may be) a report."""
    if _TASK_CODE.search(text) or _DAY_MONTH.search(text) or "%" in text:
        return None  # a task code, a date, a percentage: the words of a report
    words = _Words(text)
    if not words.raw or len(words.raw) > MAX_QUESTION_WORDS:
        return None
    found = {kind for kind, phrases in _KEYWORDS.items() if words.take(phrases)}
    if not found:
        return None
    words.take(_SHIELDED)
    if words.take(_REPORT_WORDS):
        return None
    asking = bool(words.take(_ASKING)) or "?" in text  # take the words either way
    if words.last_free() in _ASKING_LAST:
        asking = True
        words.take(_ASKING_LAST)
    words.take(_FILLER)
    words.take_numbers()  # "năm 2018"
    rest = words.rest()
    # Without a question word only the bare keywords count, perhaps with an agency's name:
    # "tiến độ", "tình hình thực hiện kế hoạch", "tiến độ của Sở Nội vụ", "tiến độ STTTT".
    if not asking and rest and not _names_agency(rest):
        return None
    kind = next(k for k in _KIND_ORDER if k in found)
    return Question(kind, rest)


def _names_agency(rest: str) -> bool:
    abbreviation = len(rest) >= 3 and rest.isalpha() and rest.isupper()
    return abbreviation or bool(_AGENCY_HEAD.match(text_key(rest)))


def is_question(ctx: HandlerContext) -> bool:
    return read_question(ctx.text) is not None


def named_in_question(agencies: Sequence[Agency], text: str, rest: str) -> AgencyLookup | None:
    """The agency a question is about; None for the whole plan."""
    spelled = agencies_in_text(agencies, text)
    if len(spelled) == 1:
        return AgencyLookup(spelled[0].name, spelled[0])
    if spelled:
        shown = " ".join(nfc(text).split())
        return AgencyLookup(shown, candidates=tuple(_by_name(a.name for a in spelled)))
    if not rest:
        return None
    lookup = find_agency(agencies, rest)
    if lookup.agency is not None or _names_agency(rest):
        return lookup
    return None  # leftover words that name nothing: a question about the whole plan


# ------------------------------------------------------------------ grouping and limits


def _plan_order(v: TaskView) -> tuple[int, int]:
    return v.task.plan_id, v.task.position


def _by_agency(
    views: Sequence[TaskView], rank: Callable[[TaskView], Any]
) -> list[tuple[Agency, list[TaskView]]]:
    """Tasks per agency, the most urgent first; agencies by their most urgent task."""
    groups: dict[int, list[TaskView]] = defaultdict(list)
    for v in views:
        groups[v.agency.id].append(v)
    ordered = [sorted(vs, key=lambda v: (rank(v), _plan_order(v))) for vs in groups.values()]
    ordered.sort(key=lambda vs: (rank(vs[0]), -len(vs), text_key(vs[0].agency.name)))
    return [(vs[0].agency, vs) for vs in ordered]


def _grouped(
    groups: list[tuple[Agency, list[TaskView]]],
    line: Callable[[TaskView], str],
    limit: int,
    command: str,
) -> list[str]:
    """One block per agency; past `limit` tasks, a count of the rest and how to see them."""
    parts: list[str] = []
    left: list[tuple[Agency, int]] = []
    shown = 0
    for agency, views in groups:
        room = max(limit - shown, 0)
        if room:
            lines = "\n".join(line(v) for v in views[:room])
            parts.append(
                t("query.agency_header", agency=agency.name, count=len(views)) + "\n" + lines
            )
            shown += min(room, len(views))
        if len(views) > room:
            left.append((agency, len(views) - room))
    if left:
        rest = "; ".join(t("query.more_item", agency=a.name, count=n) for a, n in left)
        count = sum(n for _, n in left)
        parts.append(
            t("query.more", count=count, rest=rest)
            + "\n"
            + t("query.filter_hint", command=command, example=left[0][0].name)
        )
    return parts


def _capped(views: Sequence[TaskView], line: Callable[[TaskView], str], limit: int) -> str:
    lines = [line(v) for v in views[:limit]]
    if len(views) > limit:
        lines.append(t("query.more_plain", count=len(views) - limit))
    return "\n".join(lines)


# ------------------------------------------------------------------ the answers


def _overdue_rank(v: TaskView) -> int:
    return -v.standing.overdue_days


def overdue_text(views: Sequence[TaskView], today: date, agency: Agency | None) -> str:
    """/quahan: overdue tasks, longest overdue first, grouped by lead agency."""
    day = ddmmyyyy(today)
    overdue = [v for v in views if v.standing.timing == "overdue"]
    if agency is not None:
        if not overdue:
            return t("query.overdue.none_agency", today=day, agency=agency.name)
        overdue.sort(key=lambda v: (_overdue_rank(v), _plan_order(v)))
        head = t("query.overdue.header_agency", today=day, agency=agency.name, count=len(overdue))
        return head + "\n\n" + _capped(overdue, task_line, AGENCY_LIST_LIMIT)
    if not overdue:
        return t("query.overdue.none", today=day)
    groups = _by_agency(overdue, _overdue_rank)
    head = t("query.overdue.header", today=day, count=len(overdue), agencies=len(groups))
    return "\n\n".join([head, *_grouped(groups, task_line, LIST_LIMIT, "/quahan")])


def _unreported_rank(v: TaskView) -> tuple[int, int]:
    s = v.standing
    return (0, -s.overdue_days) if s.timing == "overdue" else (1, s.working_days_left or 0)


def _unreported_line(v: TaskView) -> str:
    return t("query.unreported.line", code=v.task.code, deadline=deadline_phrase(v.standing))


def unreported_text(views: Sequence[TaskView], today: date, agency: Agency | None) -> str:
    """/chuabaocao: tasks overdue or due soon on which the lead agency has said nothing."""
    day = ddmmyyyy(today)
    silent = [
        v
        for v in views
        if v.standing.status == "not_reported" and v.standing.timing in ("overdue", "due_soon")
    ]
    if agency is not None:
        if not silent:
            return t("query.unreported.none_agency", today=day, agency=agency.name)
        silent.sort(key=lambda v: (_unreported_rank(v), _plan_order(v)))
        head = t("query.unreported.header_agency", today=day, agency=agency.name, count=len(silent))
        return head + "\n" + _capped(silent, _unreported_line, AGENCY_LIST_LIMIT)
    if not silent:
        return t("query.unreported.none", today=day)
    groups = _by_agency(silent, _unreported_rank)
    head = t("query.unreported.header", today=day, count=len(silent), agencies=len(groups))
    blocks = _grouped(groups, _unreported_line, UNREPORTED_LIMIT, "/chuabaocao")
    return "\n\n".join([head, *blocks])


def progress_text(views: Sequence[TaskView], today: date, agency: Agency | None) -> str:
    """/tiendo: the on-time completion rate, the 2×2 and the counts by status."""
    day = ddmmyyyy(today)
    if not views:
        if agency is not None:
            return t("query.progress.no_tasks_agency", agency=agency.name)
        return t("query.progress.no_tasks")
    n = tally(views, today)
    if agency is not None:
        head = t("query.progress.header_agency", agency=agency.name, today=day, total=n.total)
    else:
        head = t("query.progress.header", today=day, total=n.total)
        if len({v.task.id for v in views}) < len(views):
            head += "\n" + t("query.progress.per_lead")
    if n.percent is None:
        rate = t("query.progress.no_due")
    else:
        rate = t("query.progress.rate", percent=n.percent, done=n.on_time, due=n.due)
    timing = [t("query.progress.by_timing")]
    for cell in CELL_ORDER:
        line = t(f"query.cell.{cell}", count=n.cells[cell])
        if cell == "open_in_time" and n.due_soon:
            line += t("query.cell.due_soon", count=n.due_soon)
        timing.append(line)
    if n.cells["pending"]:
        timing.append(t("query.cell.pending", count=n.cells["pending"]))
    status = [t("query.progress.by_status")]
    status += [t(f"query.status.{s}", count=n.by_status[s]) for s in STATUS_ORDER]
    return "\n\n".join([head, rate, "\n".join(timing), "\n".join(status)])


_ANSWERS: dict[str, Callable[[Sequence[TaskView], date, Agency | None], str]] = {
    "overdue": overdue_text,
    "progress": progress_text,
    "unreported": unreported_text,
}


# ------------------------------------------------------------------ handlers


async def answer(ctx: HandlerContext, kind: str, lookup: AgencyLookup | None) -> None:
    """A coordinator's or leader's answer: the agency asked about, or the whole plan.

    Only routes registered with roles=OVERSEERS call it: the router checks the role.
    """
    if lookup is not None and lookup.agency is None:
        ctx.reply(lookup.message())
        return
    await _reply(ctx, kind, lookup.agency if lookup is not None else None)


async def answer_own(ctx: HandlerContext, kind: str, lookup: AgencyLookup | None) -> None:
    """Anyone else's answer: their own agency only, whatever they asked about."""
    mine = ctx.agency
    assert mine is not None
    if lookup is not None and (lookup.agency is None or lookup.agency.id != mine.id):
        ctx.reply(t("chat.coordinator_only"))  # other agencies' work is not theirs to see
        return
    await _reply(ctx, kind, mine)


async def _reply(ctx: HandlerContext, kind: str, agency: Agency | None) -> None:
    today = ctx.today()
    views = await standings.lead_views(ctx.uow, today, ctx.calendar, ctx.policy.confirm_done)
    if agency is not None:
        views = [v for v in views if v.agency.id == agency.id]
    text = _ANSWERS[kind](views, today, agency)
    if kind == "unreported" and agency is None and ctx.role in OVERSEERS:
        # While a reporting round is open, who has not answered it is part of the answer.
        note = await rounds.open_rounds_note(ctx)
        text += "\n\n" + note if note else ""
    ctx.reply(text)


async def _command(ctx: HandlerContext, kind: str) -> None:
    typed = ctx.message.args.strip()
    lookup = find_agency(await ctx.uow.agencies.list_all(), typed) if typed else None
    await answer(ctx, kind, lookup)


async def _question(ctx: HandlerContext) -> tuple[str, AgencyLookup | None]:
    asked = read_question(ctx.text)
    assert asked is not None
    agencies = await ctx.uow.agencies.list_all()
    return asked.kind, named_in_question(agencies, ctx.text, asked.rest)


def register(router: Router) -> None:
    @router.command("quahan", roles=OVERSEERS)
    async def overdue_command(ctx: HandlerContext) -> None:
        await _command(ctx, "overdue")

    @router.command("tiendo", roles=OVERSEERS)
    async def progress_command(ctx: HandlerContext) -> None:
        await _command(ctx, "progress")

    @router.command("chuabaocao", roles=OVERSEERS)
    async def unreported_command(ctx: HandlerContext) -> None:
        await _command(ctx, "unreported")

    # The same question, two routes: plan-wide for the roles that may see the plan, the
    # asker's own agency for everyone else. The router picks by role.
    @router.text(is_question, roles=OVERSEERS)
    async def question(ctx: HandlerContext) -> None:
        await answer(ctx, *await _question(ctx))

    @router.text(is_question)
    async def own_agency_question(ctx: HandlerContext) -> None:
        await answer_own(ctx, *await _question(ctx))
