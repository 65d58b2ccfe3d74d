"""Reading a plan document into tasks the way the coordinating department would."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from plans.agencies import AgencyBook, classify, split_agencies
from plans.documents import Document, DocumentError, Paragraph, Table, read_document
from plans.model import ImportedAgency, ImportedPlan, ImportedTask, ReportingRule
from plans.schedule import Schedule
from plans.text import fold, key, squash
from plans.timegrammar import Context, context_for, find_time_expressions, parse_with
from texts import t


class PlanImportError(DocumentError):
    """The document was read but holds no plan we can use."""


# ------------------------------------------------------------------ labelled fields

_LABEL = re.compile(r"^\s*(?:[-+•*–]\s*)?(?P<label>[^:]{2,70}?)\s*:\s*(?P<value>.*)$")
# Checked in order: an explicit role beats the generic "thực hiện" ("Đơn vị phối hợp thực hiện").
_FIELD_KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bchu tri\b|\bchiu trach nhiem chinh\b"), "lead"),
    (re.compile(r"\bphoi hop\b|\btham muu\b|\bcung thuc hien\b"), "support"),
    (re.compile(r"^(?:thoi gian|thoi han|tien do|thoi diem|han hoan thanh|moc thoi gian)"), "time"),
    (re.compile(r"\b(?:don vi|co quan|cac co quan|dv|trach nhiem)?\s*thuc hien\b"), "performer"),
]
_BULLET = re.compile(r"^\s*(?:[-+•*–]|\d+\)|[a-zđ]\))\s*")
_TASK_NUMBER = re.compile(r"^\s*(?P<code>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<title>\S.*)$")
_LETTER_ITEM = re.compile(r"^\s*(?P<letter>[a-zđ])\)\s+(?P<title>\S.*)$")
_ROMAN_HEADING = re.compile(
    r"^\s*(?:PHẦN\s+|Phần\s+)?(?P<roman>[IVXLC]{1,6}|[A-H])[.\-–]\s+(?P<title>.+)$"
)
_TASK_SECTION = re.compile(r"noi dung|nhiem vu|giai phap|chuong trinh|hoat dong")
_ORG_SECTION = re.compile(r"to chuc thuc hien|trach nhiem")
_SIGNATURE = re.compile(r"^\s*(?:noi nhan|tm\.|kt\.|t/m)", re.IGNORECASE)
_SENTENCE_ROLES = re.compile(
    r"^(?P<lead>.+?)\s+chu tri\b(?:\s+thuc hien)?\s*[,;]?\s*(?:(?:va\s+)?(?:phoi hop|cung)\s*"
    r"(?:voi|cung)?\s*(?P<support>.*))?$"
)


def _field_kind(label: str) -> str | None:
    folded = key(label)
    if len(folded.split()) > 8:
        return None
    for pattern, kind in _FIELD_KINDS:
        if pattern.search(folded):
            return kind
    return None


# ------------------------------------------------------------------ the task tree


@dataclass
class _Node:
    code: str
    title: str
    where: str
    lines: list[str] = field(default_factory=list)  # body lines, bullets kept
    fields: dict[str, list[str]] = field(default_factory=dict)
    children: list[_Node] = field(default_factory=list)
    parent: _Node | None = None
    section: str | None = None


def _depth(code: str) -> int:
    return code.count(".") + 1


class _Reader:
    """Walks the document once and gathers metadata, task nodes, tables and reporting text."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.roots: list[_Node] = []
        self.report_text: list[str] = []
        self.tables: list[Table] = []
        self.task_sections = 0

    def read(self) -> None:
        section_kind = "preamble"
        stack: list[_Node] = []
        last: _Node | None = None
        field_open: str | None = None
        any_roman = any(
            isinstance(b, Paragraph) and _ROMAN_HEADING.match(b.text) for b in self.doc.blocks
        )
        if not any_roman:
            section_kind = "tasks"
        seen_signature = False
        for block in self.doc.blocks:
            if isinstance(block, Table):
                self.tables.append(block)
                continue
            text = squash(block.text)
            if not text:
                continue
            roman = _ROMAN_HEADING.match(text)
            if roman and not _TASK_NUMBER.match(text):
                title_key = key(roman["title"])
                if _ORG_SECTION.search(title_key):
                    section_kind = "organisation"
                elif _TASK_SECTION.search(title_key):
                    section_kind = "tasks"
                    self.task_sections += 1
                else:
                    section_kind = "other"
                stack, last, field_open = [], None, None
                continue
            if _SIGNATURE.match(fold(text)):
                seen_signature = True
                section_kind = "closing"
            if section_kind == "preamble":
                continue
            if section_kind in ("organisation", "other") or (
                section_kind == "closing" and not seen_signature
            ):
                self.report_text.append(text)
                continue
            if section_kind == "closing":
                continue  # signature block and appendix captions
            # ---- the task section
            if text.startswith("Trên đây") or key(text).startswith("tren day"):
                self.report_text.append(text)
                section_kind = "organisation"
                continue
            numbered = _TASK_NUMBER.match(text)
            if numbered and not _looks_like_sentence_number(text):
                code = numbered["code"].rstrip(".")
                if self.task_sections > 1:
                    code = f"{self.task_sections}-{code}"
                node = _Node(code=code, title=numbered["title"].strip(), where=block.where)
                while stack and not _is_child(code, stack[-1].code):
                    stack.pop()
                if stack:
                    node.parent = stack[-1]
                    stack[-1].children.append(node)
                else:
                    self.roots.append(node)
                stack.append(node)
                last, field_open = node, None
                continue
            if last is None:
                continue  # text between a section heading and its first numbered item
            letter = _LETTER_ITEM.match(text)
            parent = (
                stack[-1].parent
                if stack and _is_letter(stack[-1].code)
                else (stack[-1] if stack else None)
            )
            if letter and parent is not None:
                node = _Node(
                    code=f"{parent.code}.{letter['letter']}",
                    title=letter["title"].strip(),
                    where=block.where,
                    lines=[text],
                    parent=parent,
                )
                parent.children.append(node)
                stack = [*stack[: stack.index(parent) + 1], node]
                last, field_open = node, None
                continue
            # A paragraph starting in lower case continues the one before (PDF line breaks).
            if text[:1].islower() and not _BULLET.match(text):
                if not last.lines and not last.fields:
                    last.title = f"{last.title} {text}"
                elif last.lines:
                    last.lines[-1] = f"{last.lines[-1]} {text}"
                continue
            labelled = _LABEL.match(text)
            kind = _field_kind(labelled["label"]) if labelled else None
            if kind:
                last.fields.setdefault(kind, [])
                value = labelled["value"].strip()
                if value:
                    last.fields[kind].append(value)
                field_open = kind
                last.lines.append(text)
                continue
            if field_open and text.lstrip().startswith("+"):
                last.fields[field_open].append(_BULLET.sub("", text))
                last.lines.append(text)
                continue
            field_open = None
            last.lines.append(text)


def _is_child(code: str, parent_code: str) -> bool:
    return code.startswith(parent_code + ".") and _depth(code) > _depth(parent_code)


def _is_letter(code: str) -> bool:
    return bool(re.search(r"\.[a-zđ]$", code))


def _looks_like_sentence_number(text: str) -> bool:
    """ "70 người/lớp." or "2022 là năm …" are not task numbers."""
    m = _TASK_NUMBER.match(text)
    assert m
    title = m["title"]
    return bool(re.match(r"^(?:người|ngày|tháng|năm|%|lớp|đơn vị)\b", title, re.IGNORECASE))


# ------------------------------------------------------------------ metadata

_NUMBER = re.compile(r"\bSố\s*:?\s*(?P<num>[0-9]*\s*/\s*[A-ZĐ][\w\-Đ]*(?:/[\w\-Đ]+)*)")
_NUMBER_IN_CAPTION = re.compile(
    r"(?:Kế hoạch|KH)\s+số\s+(?P<num>\d+/[A-ZĐ][\w\-Đ]*)\s+ngày\s+(?P<d>\d{1,2})/(?P<m>\d{1,2})/"
    r"(?P<y>\d{4})",
    re.IGNORECASE,
)
_PLACE_DATE = re.compile(
    r",\s*ngày\s*(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})?\s*năm\s*(?P<y>\d{4})", re.IGNORECASE
)
_YEAR = re.compile(r"\b(?:năm|nam)\s+(?P<y>(?:19|20)\d\d)\b")
_PROVINCE = re.compile(
    r"\b(?:tỉnh|thành phố)\s+(?P<name>(?:[A-ZĐÀ-Ỹ][a-zà-ỹđ]+)(?:\s+[A-ZĐÀ-Ỹ][a-zà-ỹđ]+){0,2})"
)


@dataclass
class _Meta:
    title: str
    number: str | None
    issued_on: date | None
    year: int | None
    issuer: str | None
    province: str | None
    review: list[str] = field(default_factory=list)


def _read_meta(doc: Document, year_override: int | None) -> _Meta:
    lines = [squash(p.text) for p in doc.paragraphs if p.text.strip()]
    title = None
    for i, line in enumerate(lines[:60]):
        if key(line) in ("ke hoach",) and i + 1 < len(lines):
            title = f"Kế hoạch {lines[i + 1]}"
            break
        if key(line).startswith("ke hoach ") and line.split()[0].isupper() and len(line) < 200:
            title = line
            break
    if title is None:
        vv = next((ln for ln in lines[:40] if key(ln).startswith("v/v")), None)
        title = vv[3:].strip(" :") if vv else (lines[0] if lines else doc.name)
    title = squash(title)
    review: list[str] = []

    number = None
    issued = None
    for line in lines[:40]:
        m = _NUMBER.search(line)
        if m:
            raw = re.sub(r"\s+", "", m["num"])
            number = raw if re.match(r"\d", raw) else None
            if number is None:
                review.append(t("plan.no_number"))
            break
    for line in lines:
        m = _NUMBER_IN_CAPTION.search(line)
        if m:
            number = number or m["num"]
            issued = date(int(m["y"]), int(m["m"]), int(m["d"]))
            break
    for line in lines[:40]:
        m = _PLACE_DATE.search(line)
        if m:
            if m["d"] and m["m"]:
                issued = issued or date(int(m["y"]), int(m["m"]), int(m["d"]))
            elif issued is None:
                review.append(t("plan.no_issue_date"))
            break

    year = year_override
    if year is None:
        years = [int(y) for y in _YEAR.findall(fold(title).lower())] or [
            int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", title)
        ]
        year = years[-1] if years else (issued.year if issued else None)

    province_match = _PROVINCE.search(title) or next(
        (m for m in (_PROVINCE.search(ln) for ln in lines[:30]) if m), None
    )
    province = province_match["name"] if province_match else None
    issuer = _issuer(lines, province)
    return _Meta(title, number, issued, year, issuer, province, review)


def _issuer(lines: list[str], province: str | None) -> str | None:
    for line in lines[:15]:
        if line.isupper() and re.match(r"^(ỦY BAN|UỶ BAN|UBND|BỘ|SỞ|HỘI ĐỒNG)", line):
            return line.title().replace("Nhân Dân", "nhân dân")
    joined = " ".join(lines)
    if re.search(r"TM\.\s*(ỦY|UỶ) BAN NHÂN DÂN", joined) or re.search(
        r"(Ủy ban nhân dân|UBND) tỉnh\s+\S+.{0,40}(ban hành|xây dựng) Kế hoạch", joined
    ):
        return f"UBND tỉnh {province}" if province else "UBND tỉnh"
    return None


# ------------------------------------------------------------------ appendix tables

_HEADER_KEYS = {
    "code": re.compile(r"^(?:stt|tt|so tt|ma)$"),
    "title": re.compile(r"nhiem vu|noi dung|ten de an|cong viec|hoat dong"),
    "lead": re.compile(r"chu tri"),
    "support": re.compile(r"phoi hop"),
    "time": re.compile(r"thoi gian|thoi han|tien do|hoan thanh"),
}


def _header_map(row: list[list[str]]) -> dict[str, int] | None:
    mapping: dict[str, int] = {}
    for i, cell in enumerate(row):
        text = key(" ".join(cell))
        for name, pattern in _HEADER_KEYS.items():
            if name not in mapping and pattern.search(text):
                mapping[name] = i
                break
    if "title" in mapping and ("lead" in mapping or "time" in mapping):
        return mapping
    return None


@dataclass
class _Row:
    code: str
    title: str
    lead: str | None
    support: str | None
    time: str | None
    where: str
    section: str | None
    notes: list[str] = field(default_factory=list)


def _bullets(cell: list[str]) -> list[str]:
    """A cell's items: its bullet paragraphs, or the whole cell as one item."""
    items: list[str] = []
    for para in cell:
        if _BULLET.match(para) or not items:
            items.append(_BULLET.sub("", para).strip())
        else:
            items[-1] = f"{items[-1]} {para.strip()}"
    return [i for i in items if i]


def _table_rows(table: Table) -> list[_Row]:
    header_at, mapping = None, None
    for i, row in enumerate(table.rows[:5]):
        mapping = _header_map(row)
        if mapping:
            header_at = i
            break
    if mapping is None or header_at is None:
        return []
    out: list[_Row] = []
    section = None
    for r_index, row in enumerate(table.rows[header_at + 1 :], start=header_at + 2):

        def cell(name: str, row: list[list[str]] = row) -> list[str]:
            i = mapping.get(name)
            return row[i] if i is not None and i < len(row) else []

        texts = {" ".join(c).strip() for c in row if c}
        if len(texts) == 1 and len(row) > 2 and sum(1 for c in row if c) > 2:
            section = texts.pop()  # a heading merged across the whole row
            continue
        code_text = " ".join(cell("code")).strip().rstrip(".")
        titles = _bullets(cell("title"))
        if not titles:
            continue
        if (
            re.fullmatch(r"\(?\d+\)?", code_text)
            and all(key(" ".join(cell(c))) == "" for c in ("lead", "support", "time"))
            and key(titles[0]).isdigit()
        ):
            continue  # the "(1) (2) (3)" column-number row
        if re.fullmatch(r"[IVX]+|[A-Z]", code_text) or (
            not code_text and not any(cell(c) for c in ("lead", "support", "time"))
        ):
            section = f"{code_text}. {titles[0]}" if code_text else titles[0]
            continue
        code = code_text.lstrip("0") or code_text or str(len(out) + 1)
        where = f"{table.where}, hàng {r_index}"
        columns = {c: _bullets(cell(c)) for c in ("lead", "support", "time")}
        if len(titles) == 1:
            out.append(_Row(code, titles[0], *(" ; ".join(columns[c]) or None
                                               for c in ("lead", "support", "time")),
                            where=where, section=section))  # fmt: skip
            continue
        for n, title in enumerate(titles, start=1):
            values: dict[str, str | None] = {}
            notes: list[str] = []
            for c in ("lead", "support", "time"):
                items = columns[c]
                if len(items) == len(titles):
                    values[c] = items[n - 1]
                else:
                    values[c] = " ; ".join(items) or None
                    if len(items) > 1:
                        notes.append(t("review.misaligned", column=_COLUMN_NAMES[c]))
            out.append(_Row(f"{code}.{n}", title, values["lead"], values["support"],
                            values["time"], where=where, section=section, notes=notes))  # fmt: skip
    return out


_COLUMN_NAMES = {"lead": "Cơ quan chủ trì", "support": "Cơ quan phối hợp", "time": "Thời gian"}


# ------------------------------------------------------------------ assembling tasks

_STOPWORDS = {
    "cac", "va", "cua", "tren", "cho", "ve", "tai", "voi", "trong", "nhung", "de", "la", "to",
    "chuc", "thuc", "hien", "tinh", "thong", "tin", "doi", "ngoai", "ttdn",
}  # fmt: skip


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", key(text)) if w not in _STOPWORDS and len(w) > 1}


def _bigrams(text: str) -> set[tuple[str, str]]:
    words = re.findall(r"[a-z0-9]+", key(text))
    return set(itertools.pairwise(words))


def _similarity(row_title: str, task: ImportedTask) -> float:
    """How much of an appendix row's title the task says: its words in the task's title, or
    its word pairs anywhere in the task's text (an appendix row may name one of its bullets)."""
    words, pairs = _words(row_title), _bigrams(row_title)
    if not words or len(pairs) < 2:
        return 0.0
    by_title = len(words & _words(task.title)) / len(words)
    by_text = len(pairs & _bigrams(task.full_text)) / len(pairs)
    return max(by_title, by_text)


@dataclass
class _Draft:
    task: ImportedTask
    lead_keys: list[str] = field(default_factory=list)
    support_keys: list[str] = field(default_factory=list)
    time_from_body: bool = False  # no time line: the schedule was read from running text


class PlanBuilder:
    """Turns what the reader gathered into an ImportedPlan."""

    def __init__(self, doc: Document, year_override: int | None) -> None:
        self.doc = doc
        self.reader = _Reader(doc)
        self.reader.read()
        self.meta = _read_meta(doc, year_override)
        # Without a year the tasks are still looked for, so that a file with none is told so.
        provisional = self.meta.year or date.today().year
        self.ctx: Context = context_for(plan_year=provisional, issued_on=self.meta.issued_on)
        self.book = AgencyBook(self.meta.province)

    # -- agencies

    def _agency_keys(self, values: list[str]) -> list[str]:
        keys: list[str] = []
        for value in values:
            for name in split_agencies(value):
                k = self.book.add(name)
                if k not in keys:
                    keys.append(k)
        return keys

    def _roles(self, fields: dict[str, list[str]]) -> tuple[list[str], list[str]]:
        lead_values = list(fields.get("lead", []))
        support_values = list(fields.get("support", []))
        for sentence in fields.get("performer", []):
            m = _SENTENCE_ROLES.match(fold(sentence).lower())
            if m:
                lead_values.append(sentence[m.start("lead") : m.end("lead")])
                if m["support"]:
                    support_values.append(sentence[m.start("support") :])
            else:
                lead_values.append(sentence)
        # Leads written as "+ What: Who" bullets (or "+ Who: what").
        cleaned = [_agency_side(v) for v in lead_values]
        return self._agency_keys(cleaned), self._agency_keys(
            [_agency_side(v) for v in support_values]
        )

    # -- schedules

    def _schedule(self, written: str | None) -> Schedule:
        if not written:
            return Schedule(kind="unknown", text="")
        return parse_with(written, self.ctx)

    def _inline_schedule(self, node: _Node) -> tuple[str, Schedule] | None:
        for line in node.lines:
            if key(line).startswith(("- noi dung", "noi dung", "+")):
                continue
            body = _BULLET.sub("", line)
            found = [f for f in find_time_expressions(body, self.ctx)
                     if f.schedule.kind != "unknown"]  # fmt: skip
            if found:
                return body.rstrip("."), parse_with(body, self.ctx)
        return None

    # -- building

    def build(self) -> ImportedPlan:
        drafts = self._drafts_from_body()
        rows = [r for table in self.reader.tables for r in _table_rows(table)]
        if rows and not any(d.lead_keys or d.task.timeframe for d in drafts):
            # The body only describes; the plan's tasks are its appendix ("theo Phụ lục").
            drafts = []
        self._merge_appendix(drafts, rows, body_has_tasks=bool(drafts))
        if not drafts:
            raise PlanImportError(t("import.no_tasks", name=self.doc.name))
        if self.meta.year is None:
            raise PlanImportError(t("import.no_year", name=self.doc.name))
        for d in drafts:
            self._finish(d)
        used = [k for d in drafts for k in (*d.lead_keys, *d.support_keys)]
        agencies = []
        for k in dict.fromkeys(used):
            name = self.book.canonical(k)
            kind, group_of = classify(name)
            agencies.append(
                ImportedAgency(
                    name=name, kind=kind, aliases=self.book.aliases(k), group_of=group_of
                )
            )
        reporting = self._reporting()
        review = list(self.meta.review)
        if not reporting:
            review.append(t("plan.no_reporting"))
        return ImportedPlan(
            title=self.meta.title,
            number=self.meta.number,
            issued_on=self.meta.issued_on,
            year=self.meta.year or 0,
            issuer=self.meta.issuer,
            source_name=self.doc.name,
            source_hash=self.doc.sha256,
            reporting=reporting,
            tasks=[d.task for d in drafts],
            agencies=agencies,
            review=review,
            province=self.meta.province,
        )

    def _drafts_from_body(self) -> list[_Draft]:
        drafts: list[_Draft] = []

        def visit(node: _Node, inherited: dict[str, list[str]], section: str | None) -> None:
            fields = {**inherited, **node.fields}
            task_children = [c for c in node.children if not _is_content_letter(c)]
            if task_children:
                label = f"{node.code}. {node.title}".rstrip(".")
                for child in task_children:
                    visit(child, fields, label)
                return
            for c in node.children:  # lettered content folds back into the task text
                node.lines.extend(c.lines)
            drafts.append(self._draft(node, fields, section))

        for root in self.reader.roots:
            _lift_trailing_fields(root)
            visit(root, {}, None)
        return drafts

    def _draft(self, node: _Node, fields: dict[str, list[str]], section: str | None) -> _Draft:
        lead, support = self._roles(fields)
        title = node.title.strip().rstrip(".")
        written = "; ".join(v.rstrip(" .;") for v in fields.get("time", [])) or None
        task = ImportedTask(
            code=node.code,
            title=title,
            full_text="\n".join([title, *node.lines]),
            section=section,
            parent_code=node.parent.code if node.parent else None,
            timeframe=written,
            schedule=self._schedule(written),
            source=node.where,
        )
        draft = _Draft(task, lead, support)
        if written is None:
            inline = self._inline_schedule(node)
            if inline:
                task.timeframe, task.schedule = inline
                task.review.append(t("review.time_from_body", text=inline[0]))
                draft.time_from_body = True
        return draft

    def _merge_appendix(self, drafts: list[_Draft], rows: list[_Row], body_has_tasks: bool) -> None:
        taken: set[int] = set()
        for row in rows:
            lead_text, time_text, notes = row.lead, row.time, list(row.notes)
            time_text = time_text.rstrip(" .;") if time_text else None
            if lead_text and not split_agencies_look_real(lead_text):
                probe = parse_with(lead_text, self.ctx)
                if probe.kind != "unknown":
                    notes.append(t("review.wrong_column", text=lead_text))
                    time_text = time_text or lead_text
                    lead_text = None
            lead_keys = self._agency_keys([lead_text]) if lead_text else []
            support_keys = self._agency_keys([row.support]) if row.support else []
            schedule = self._schedule(time_text)
            match = self._best_match(drafts, row, taken) if body_has_tasks else None
            if match is None:
                task = ImportedTask(
                    code=row.code if not body_has_tasks else f"PL{row.code}",
                    title=row.title.rstrip("."),
                    full_text=row.title,
                    section=row.section,
                    parent_code=None,
                    timeframe=time_text,
                    schedule=schedule,
                    review=notes,
                    source=row.where,
                )
                if body_has_tasks:
                    task.review.append(t("review.appendix_only", row=row.code))
                drafts.append(_Draft(task, lead_keys, support_keys))
                continue
            taken.add(id(match))
            self._reconcile(match, row, time_text, schedule, lead_keys, support_keys, notes)

    def _best_match(self, drafts: list[_Draft], row: _Row, taken: set[int]) -> _Draft | None:
        best, best_score = None, 0.0
        for d in drafts:
            if id(d) in taken:
                continue
            score = _similarity(row.title, d.task)
            if score > best_score:
                best, best_score = d, score
        return best if best_score >= 0.6 else None

    def _reconcile(
        self,
        d: _Draft,
        row: _Row,
        time_text: str | None,
        schedule: Schedule,
        lead_keys: list[str],
        support_keys: list[str],
        notes: list[str],
    ) -> None:
        task = d.task
        task.review.extend(notes)
        task.source = f"{task.source}; {row.where}"
        if time_text and schedule.kind != "unknown":
            if not task.timeframe or d.time_from_body:
                if d.time_from_body:  # the appendix's own time line beats a guess from the body
                    noted = t("review.time_from_body", text=task.timeframe)
                    task.review = [r for r in task.review if r != noted]
                    d.time_from_body = False
                task.timeframe, task.schedule = time_text, schedule
                task.review.append(t("review.time_from_appendix", text=time_text))
            elif _differs(task.schedule, schedule):
                task.review.append(
                    t("review.time_conflict", body=task.timeframe, appendix=time_text)
                )
        if lead_keys:
            if not d.lead_keys:
                d.lead_keys = lead_keys
                task.review.append(t("review.lead_from_appendix"))
            elif not set(lead_keys) & set(d.lead_keys):
                task.review.append(t("review.lead_conflict",
                                     body=self._names(d.lead_keys),
                                     appendix=self._names(lead_keys)))  # fmt: skip
        extra = [k for k in support_keys if k not in d.support_keys and k not in d.lead_keys]
        if extra:
            d.support_keys.extend(extra)
            task.review.append(t("review.support_from_appendix", names=self._names(extra)))

    def _names(self, keys: list[str]) -> str:
        return ", ".join(self.book.canonical(k) for k in keys)

    def _finish(self, d: _Draft) -> None:
        task = d.task
        task.lead = [self.book.canonical(k) for k in d.lead_keys]
        task.support = [self.book.canonical(k) for k in d.support_keys if k not in d.lead_keys]
        if not task.lead:
            task.review.insert(0, t("review.no_lead"))
        if not task.timeframe:
            task.review.append(t("review.no_time"))
        elif task.schedule.kind == "unknown":
            task.review.append(t("review.time_unread", text=task.timeframe))
        year = self.meta.year
        for due in task.schedule.due:
            if year and due.year != year and task.schedule.kind not in ("range",):
                task.review.append(t("review.outside_year", due=due.strftime("%d/%m/%Y"),
                                     year=year))  # fmt: skip
                break
        for name in task.lead:
            kind, group_of = classify(name)
            if kind == "group" and group_of is None:
                task.review.append(t("review.vague_group", name=name))

    # -- the reporting regime

    def _reporting(self) -> list[ReportingRule]:
        rules: list[ReportingRule] = []
        seen: set[tuple[object, ...]] = set()
        for paragraph in self.reader.report_text:
            for clause in re.split(r"(?<=[;.])\s+|;\s*", paragraph):
                folded = key(clause)
                if "bao cao" not in folded:
                    continue
                for found in find_time_expressions(clause, self.ctx):
                    s = found.schedule
                    if s.kind == "event" and not re.search(
                        r"dot xuat|theo yeu cau", key(found.text)
                    ):
                        continue
                    if s.kind == "unknown":
                        continue
                    signature = (s.kind, s.due, s.rrule, s.event and key(s.event))
                    if signature in seen:
                        continue
                    seen.add(signature)
                    rules.append(ReportingRule(text=_clause_text(clause), schedule=s))
        return rules


def _clause_text(clause: str) -> str:
    text = _BULLET.sub("", clause).strip().rstrip(".;,")
    return squash(text)


def _differs(a: Schedule, b: Schedule) -> bool:
    return (a.kind, a.due) != (b.kind, b.due)


def _lift_trailing_fields(node: _Node) -> None:
    """Give back to the parent the fields written after its last lettered content item.

    In "2. Tập huấn … a) nội dung …; b) nội dung … - Cơ quan chủ trì: …" the fields follow
    item b) in the text but belong to task 2: only the last letter has fields, its siblings none.
    """
    letters = [c for c in node.children if _is_letter(c.code)]
    if len(letters) >= 2 and letters[-1].fields and not any(c.fields for c in letters[:-1]):
        last = letters[-1]
        for kind, values in last.fields.items():
            node.fields.setdefault(kind, []).extend(values)
        last.fields = {}
    for child in node.children:
        _lift_trailing_fields(child)


def _is_content_letter(node: _Node) -> bool:
    """A lettered item without its own assignment is content of its parent, not a task."""
    return _is_letter(node.code) and not node.fields


_AGENCY_START = re.compile(
    r"^(?:sở|ban|ủy ban|uỷ ban|ubnd|báo|đài|công an|bộ|văn phòng|trung tâm|hội|các|tạp chí|"
    r"cổng|thanh tra|liên hiệp|tỉnh đoàn|tỉnh ủy|mặt trận|kho bạc|cục|chi cục|viện)\b",
    re.IGNORECASE,
)


def split_agencies_look_real(text: str) -> bool:
    """Whether a cell reads as agency names rather than, say, a timeframe in the wrong column."""
    return bool(_AGENCY_START.match(text.strip()))


def _agency_side(value: str) -> str:
    """For "+ Tổ chức hội chợ: Trung tâm Xúc tiến" keep the side that names agencies."""
    value = _BULLET.sub("", value).strip()
    if ":" not in value:
        return value
    left, right = value.split(":", 1)
    if split_agencies_look_real(left) and not split_agencies_look_real(right):
        return left
    if split_agencies_look_real(right):
        return right
    return left


def import_plan(path: str | Path, year: int | None = None) -> ImportedPlan:
    """Read a plan file into an ImportedPlan (nothing is stored)."""
    return PlanBuilder(read_document(path), year).build()
