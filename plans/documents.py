"""Reading .docx, .xlsx, .txt and .md files into one shape: paragraphs and tables, in order."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from plans.text import nfc
from texts import t


class DocumentError(Exception):
    """A file that cannot be read; the message is for the user, in Vietnamese."""


@dataclass
class Paragraph:
    text: str
    where: str  # "dòng 34", "đoạn 12"


@dataclass
class Table:
    rows: list[list[list[str]]]  # rows → cells → the cell's paragraphs
    where: str


@dataclass
class Document:
    name: str
    sha256: str
    blocks: list[Paragraph | Table] = field(default_factory=list)

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]


def read_document(path: str | Path) -> Document:
    """Read a plan file; raises DocumentError with a Vietnamese message when it cannot."""
    p = Path(path)
    if not p.is_file():
        raise DocumentError(t("doc.not_found", path=str(path)))
    data = p.read_bytes()
    doc = Document(name=p.name, sha256=hashlib.sha256(data).hexdigest())
    suffix = p.suffix.lower()
    if suffix == ".docx":
        doc.blocks = _read_docx(p)
    elif suffix in (".xlsx", ".xlsm"):
        doc.blocks = _read_xlsx(p)
    elif suffix in (".txt", ".md", ".markdown", ""):
        doc.blocks = _read_text(p.name, data)
    else:
        raise DocumentError(t("doc.unsupported", name=p.name))
    if not any(
        (isinstance(b, Paragraph) and b.text.strip()) or isinstance(b, Table) for b in doc.blocks
    ):
        raise DocumentError(t("doc.empty", name=p.name))
    return doc


# ------------------------------------------------------------------------------ text

_MD_EMPHASIS = re.compile(r"(\*\*|__)")
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


def _read_text(name: str, data: bytes) -> list[Paragraph | Table]:
    if b"\x00" in data[:4096]:
        raise DocumentError(t("doc.damaged", name=name, kind="văn bản"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentError(t("doc.encoding", name=name)) from exc
    lines = nfc(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[Paragraph | Table] = []
    i = 0
    while i < len(lines):
        table_rows, consumed = _table_at(lines, i)
        if table_rows:
            blocks.append(Table(rows=table_rows, where=f"dòng {i + 1}"))
            i += consumed
            continue
        line = _MD_EMPHASIS.sub("", lines[i]).lstrip("#").rstrip()
        blocks.append(Paragraph(text=line, where=f"dòng {i + 1}"))
        i += 1
    return blocks


def _cells(line: str) -> list[str] | None:
    """A tab-separated or Markdown table row, or None."""
    if line.count("\t") >= 2:
        return [c.strip() for c in line.split("\t")]
    stripped = line.strip()
    if stripped.startswith("|") and stripped.count("|") >= 3:
        return [c.strip() for c in stripped.strip("|").split("|")]
    return None


def _table_at(lines: list[str], i: int) -> tuple[list[list[list[str]]], int]:
    """Rows of a table starting at line i (at least two rows), and how many lines it used."""
    rows: list[list[list[str]]] = []
    j = i
    while j < len(lines):
        if _MD_TABLE_RULE.match(lines[j]) and rows:
            j += 1
            continue
        cells = _cells(lines[j])
        if cells is None:
            break
        # A cell may hold several bullets on one line ("- a <br> - b"): keep them apart.
        rows.append([[p.strip() for p in re.split(r"<br\s*/?>", c) if p.strip()] for c in cells])
        j += 1
    if len(rows) < 2:
        return [], 0
    return rows, j - i


# ------------------------------------------------------------------------------ docx


def _read_docx(path: Path) -> list[Paragraph | Table]:
    try:
        import docx  # python-docx
        from docx.table import Table as DocxTable
        from docx.text.paragraph import Paragraph as DocxParagraph

        document = docx.Document(str(path))
    except Exception as exc:  # zipfile, lxml and python-docx each fail their own way
        raise DocumentError(t("doc.damaged", name=path.name, kind="Word (.docx)")) from exc

    blocks: list[Paragraph | Table] = []
    n_par = n_tab = 0
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            n_par += 1
            for line in nfc(item.text).split("\n"):  # soft line breaks split paragraphs
                blocks.append(Paragraph(text=line.rstrip(), where=f"đoạn {n_par}"))
        elif isinstance(item, DocxTable):
            n_tab += 1
            blocks.append(Table(rows=_docx_rows(item), where=f"bảng {n_tab}"))
    return blocks


def _docx_rows(table: object) -> list[list[list[str]]]:
    rows: list[list[list[str]]] = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[list[str]] = []
        # A merged cell comes back once per grid column it spans; keeping every copy keeps
        # each column at the same index in every row, so the header names the right cells.
        for cell in row.cells:
            paras = []
            for p in cell.paragraphs:
                paras.extend(s.strip() for s in nfc(p.text).split("\n"))
            cells.append([p for p in paras if p])
        rows.append(cells)
    return rows


# ------------------------------------------------------------------------------ xlsx


def _read_xlsx(path: Path) -> list[Paragraph | Table]:
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise DocumentError(t("doc.damaged", name=path.name, kind="Excel (.xlsx)")) from exc
    blocks: list[Paragraph | Table] = []
    try:
        for sheet in workbook.worksheets:
            rows: list[list[list[str]]] = []
            for values in sheet.iter_rows(values_only=True):
                cells = [_xlsx_cell(v) for v in values]
                if any(cells):
                    rows.append(cells)
            if not rows:
                continue
            # Rows above the header (a title line, the issuing body) are kept as paragraphs.
            header_at = next(
                (i for i, r in enumerate(rows) if sum(1 for c in r if c) >= 3), len(rows)
            )
            for r in rows[:header_at]:
                blocks.append(Paragraph(" ".join(" ".join(c) for c in r if c), sheet.title))
            if header_at < len(rows):
                blocks.append(Table(rows=rows[header_at:], where=f"trang tính «{sheet.title}»"))
    finally:
        workbook.close()
    return blocks


def _xlsx_cell(value: object) -> list[str]:
    if value is None:
        return []
    if hasattr(value, "strftime"):
        return [value.strftime("%d/%m/%Y")]  # type: ignore[attr-defined]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return [s.strip() for s in nfc(str(value)).split("\n") if s.strip()]
