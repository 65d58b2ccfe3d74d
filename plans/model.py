"""What reading a plan document produces, before anything is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from plans.schedule import Schedule

LEAD = "lead"  # chủ trì
SUPPORT = "support"  # phối hợp

# Agency kinds: provincial departments/boards/sectors (sở, ban, ngành), district people's
# committees (huyện), the press (báo, đài, tạp chí), the province's own leadership bodies,
# and groups such as "Các sở, ban, ngành" that stand for many agencies at once.
AGENCY_KINDS = ("department", "district", "press", "provincial", "group")


@dataclass
class ImportedAgency:
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    # For a group: which kind of agency it stands for ("department", "district", "press"),
    # or None when it is vague ("các đơn vị có liên quan").
    group_of: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "aliases": sorted(self.aliases), "kind": self.kind}


@dataclass
class ImportedTask:
    code: str
    title: str
    full_text: str
    section: str | None  # the heading of the group this task belongs to ("5.2 Đẩy mạnh …")
    parent_code: str | None
    lead: list[str] = field(default_factory=list)  # canonical agency names
    support: list[str] = field(default_factory=list)
    timeframe: str | None = None  # as written
    schedule: Schedule = field(default_factory=lambda: Schedule(kind="unknown", text=""))
    review: list[str] = field(default_factory=list)  # Vietnamese reasons for a person
    source: str = ""  # where in the document: "dòng 34", "phụ lục, hàng 3"

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "lead": list(self.lead),
            "support": list(self.support),
            "timeframe": self.timeframe,
            "schedule": self.schedule.to_json(),
            "review": list(self.review),
        }


@dataclass
class ReportingRule:
    text: str
    schedule: Schedule

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "schedule": self.schedule.to_json()}


@dataclass
class ImportedPlan:
    title: str
    number: str | None  # số / ký hiệu, e.g. "44/KH-UBND"
    issued_on: date | None
    year: int
    issuer: str | None
    source_name: str
    source_hash: str  # sha256 of the file's bytes
    reporting: list[ReportingRule] = field(default_factory=list)
    tasks: list[ImportedTask] = field(default_factory=list)
    agencies: list[ImportedAgency] = field(default_factory=list)
    review: list[str] = field(default_factory=list)  # plan-level remarks
    province: str | None = None  # read from the title; helps match agency names

    def to_json(self) -> dict[str, Any]:
        return {
            "plan": {
                "title": self.title,
                "number": self.number,
                "issued_on": self.issued_on.isoformat() if self.issued_on else None,
                "year": self.year,
                "issuer": self.issuer,
                "reporting": [r.to_json() for r in self.reporting],
            },
            "tasks": [t.to_json() for t in self.tasks],
            "agencies": [a.to_json() for a in self.agencies],
        }
