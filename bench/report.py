"""Benchmark: the consolidated report (.docx, .xlsx) and the digest for 1 000 tasks, 5 000 reports.

A plan of 1 000 tasks in 20 groups over the 60 agencies of bench/dispatch.py (one or two lead
agencies, up to four coordinating ones, one-off, quarterly, monthly and ongoing deadlines) and
5 000 reports (done on time or late, confirmed or sent back, in progress with a paragraph of
results, blocked, extensions granted, refused or waiting) are stored in a SQLite file. Each phase
then runs in a fresh Python process, so its peak resident memory is its own: loading the plan
from the database, building and rendering the .docx, the .xlsx, and the digest with its chart.
Printed per phase: seconds (the first run, then the median and worst of 3 more), peak RSS of the
process (VmHWM, what the server pays, including lxml's C allocations) after the first run and
after all four, and tracemalloc's peak of Python allocations. Goal for the document: under 5 s
and 300 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from plans.model import ImportedAgency, ImportedPlan, ImportedTask, ReportingRule  # noqa: E402
from plans.timegrammar import parse_time  # noqa: E402
from storage.types import LOCAL_TZ  # noqa: E402

SEED = 20260706
YEAR = 2026
TASKS = 1_000
REPORTS = 5_000
GROUPS = 20
TODAY = date(YEAR, 7, 6)
PERIOD = f"{YEAR}H1"
DIGEST_DAY = date(YEAR, 6, 1)
GOAL_SECONDS = 5.0
GOAL_MB = 300
TIMEFRAMES = (
    "Quý I/2026", "Quý II/2026", "Quý III/2026", "Tháng 3/2026", "Tháng 5/2026",
    "trước ngày 30/4/2026", "trước ngày 15/6/2026", "Hàng quý", "Hàng tháng",
    "Thường xuyên trong năm 2026", "Khi có yêu cầu", "6 tháng đầu năm 2026",
)  # fmt: skip
VERBS = ("Xây dựng", "Triển khai", "Tổ chức", "Rà soát", "Nâng cấp", "Tuyên truyền về",
         "Hoàn thiện", "Đánh giá", "Tập huấn", "Cập nhật")  # fmt: skip
OBJECTS = (
    "hệ thống cơ sở dữ liệu chuyên ngành", "nền tảng chia sẻ, tích hợp dữ liệu cấp tỉnh",
    "cổng dịch vụ công trực tuyến", "mạng truyền số liệu chuyên dùng", "kho dữ liệu dùng chung",
    "quy chế quản lý, vận hành Trung tâm điều hành thông minh", "kỹ năng số cho cán bộ, công chức",
    "hạ tầng wifi công cộng tại các điểm du lịch", "chuyển đổi số trong doanh nghiệp nhỏ và vừa",
)  # fmt: skip
RESULT = (
    "Đã ban hành Kế hoạch số {n}/KH-UBND triển khai nhiệm vụ; tổ chức {k} hội nghị quán triệt cho "
    "{m} cán bộ, công chức; hoàn thành rà soát, cập nhật dữ liệu đạt khoảng {p}% khối lượng."
)


def build_plan(rng: random.Random, agencies: list[tuple[str, str]]) -> ImportedPlan:
    names = [n for n, _ in agencies]
    tasks = []
    for i in range(TASKS):
        group = i % GROUPS + 1
        code = f"{group}.{i // GROUPS + 1}"
        timeframe = rng.choice(TIMEFRAMES)
        title = f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} của tỉnh, giai đoạn {i % 7 + 1}"
        picked = rng.sample(names, 6)
        tasks.append(
            ImportedTask(
                code=code,
                title=title,
                full_text=f"{code}. {title}.",
                section=f"{group}. Nhóm nhiệm vụ số {group} về chuyển đổi số",
                parent_code=str(group),
                lead=picked[: 1 + (i % 5 == 0)],
                support=picked[2 : 2 + i % 5],
                timeframe=timeframe,
                schedule=parse_time(timeframe, plan_year=YEAR),
            )
        )
    tasks.sort(key=lambda t: tuple(int(x) for x in t.code.split(".")))
    regime = "trước ngày 25/5 và 25/11"
    return ImportedPlan(
        title=f"Kế hoạch chuyển đổi số tỉnh Hà Tĩnh năm {YEAR}",
        number="99/KH-UBND",
        issued_on=date(YEAR, 1, 10),
        year=YEAR,
        issuer="Ủy ban nhân dân tỉnh Hà Tĩnh",
        source_name="bench.docx",
        source_hash="d" * 64,
        reporting=[ReportingRule(regime, parse_time(regime, plan_year=YEAR))],
        tasks=tasks,
        agencies=[ImportedAgency(name=n, kind=k) for n, k in agencies],
    )


def _moment(rng: random.Random) -> datetime:
    day = date(YEAR, 1, 5) + timedelta(days=rng.randrange(0, 190))
    return datetime(day.year, day.month, day.day, 9 + rng.randrange(8), tzinfo=LOCAL_TZ)


def _report(rng: random.Random, when: datetime) -> dict[str, object]:
    """A report's status and review, in the mix a half year of real use might show."""
    roll = rng.random()
    if roll < 0.30:
        state = rng.choice(("confirmed", "confirmed", "awaiting_review", "returned"))
        return {"status": "done", "state": state, "reviewed_at": when + timedelta(days=1)}
    if roll < 0.75:
        return {"status": "in_progress", "state": "recorded", "percent": rng.randrange(10, 95, 5)}
    if roll < 0.85:
        return {"status": "blocked", "state": "recorded", "reason": "chưa bố trí kinh phí"}
    return {
        "status": "extension_request",
        "said_date": when.date() + timedelta(days=60),
        "date_role": "extension_to",
        "reason": "chờ hướng dẫn của Bộ",
        "state": rng.choice(("approved", "rejected", "awaiting_review")),
        "reviewed_at": when + timedelta(days=2),
    }


async def store(url: str) -> None:
    from dispatch import AGENCIES, COORDINATOR_AGENCY

    from plans.persist import save_plan
    from storage.db import create_engine, session_factory, upgrade
    from storage.models import Report
    from storage.uow import UnitOfWork

    rng = random.Random(SEED)
    await upgrade(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    async with UnitOfWork(sessions) as uow:
        saved = await save_plan(uow, build_plan(rng, list(AGENCIES)), province="Hà Tĩnh")
        ids = {a.name: a.id for a in await uow.agencies.list_all()}
        await uow.contacts.add("Điều phối viên", ids[COORDINATOR_AGENCY], "coordinator")
        pairs = [
            (a.task_id, a.agency_id) for a in await uow.assignments.list_for_plan(saved.plan_id)
        ]
        rows = []
        for n in range(REPORTS):
            task_id, agency_id = rng.choice(pairs)
            when = _moment(rng)
            values = _report(rng, when)
            text = RESULT.format(n=n, k=n % 5 + 1, m=40 + n % 200, p=values.get("percent") or 100)
            rows.append(
                Report(task_id=task_id, agency_id=agency_id, created_at=when, text=text, **values)
            )
        uow.session.add_all(rows)
        await uow.commit()
    await engine.dispose()


# ------------------------------------------------------------------ one phase, in a child


async def _load(url: str):  # type: ignore[no-untyped-def]
    from reports.build import plan_data
    from storage.db import create_engine, session_factory
    from storage.uow import UnitOfWork

    engine = create_engine(url)
    async with UnitOfWork(session_factory(engine)) as uow:
        data = await plan_data(uow, 1)
    await engine.dispose()
    return data


def _work(name: str, url: str):  # type: ignore[no-untyped-def]
    """The phase as a function of no arguments; imports only what the phase uses."""
    from reports.period import parse_period
    from scheduler.calendar import WorkingCalendar

    calendar, period = WorkingCalendar(), parse_period(PERIOD)
    if name == "load":
        return lambda: len(asyncio.run(_load(url)).tasks)
    data = asyncio.run(_load(url))
    if name == "digest":
        from reports.chart import status_chart
        from reports.digest import build_digest

        def digest() -> int:
            d = build_digest(data, DIGEST_DAY, calendar)
            return len(status_chart(d.chart_rows, d.chart_title)) + len(d.text)

        return digest
    from reports.consolidated import build_report

    if name == "docx":
        from reports.consolidated_docx import render_docx as render
    else:
        from reports.consolidated_xlsx import render_xlsx as render
    return lambda: len(render(build_report(data, period, TODAY, calendar)))


def _rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image, so it starts
    afresh at exec; ru_maxrss would also count the parent's size at the fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _phase(name: str, url: str) -> dict[str, object]:
    run = _work(name, url)
    before = _rss_mb()  # the process with its imports and, but for "load", the plan data
    start = time.perf_counter()
    run()  # the first one: pays for the calendar's holiday tables, fonts, compiled templates
    first = time.perf_counter() - start
    peak = _rss_mb()  # what one document costs a process that had not made one yet
    samples, size = [], 0
    for _ in range(3):
        gc.collect()  # python-docx's objects hold cycles: free the last document first
        start = time.perf_counter()
        size = run()
        samples.append(time.perf_counter() - start)
    peak_repeated = _rss_mb()
    tracemalloc.start()
    run()
    _, traced = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "seconds": statistics.median(samples),
        "max_seconds": max(samples),
        "first_seconds": first,
        "rss_mb": peak,
        "rss_repeated_mb": peak_repeated,
        "rss_before_mb": before,
        "traced_mb": traced / 1024 / 1024,
        "size": size,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", choices=("store", "load", "docx", "xlsx", "digest"))
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.phase == "store":
        asyncio.run(store(args.url))
        return
    if args.phase:
        print(json.dumps(_phase(args.phase, args.url)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        start = time.perf_counter()
        # Stored by a child too: this process stays small, so nothing of its size is in the
        # phases' numbers.
        subprocess.run([sys.executable, __file__, "--phase", "store", "--url", url], check=True)
        print(f"stored {TASKS} tasks and {REPORTS} reports in SQLite: "
              f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        print(f"report {PERIOD} as of {TODAY:%d/%m/%Y}; digest of {DIGEST_DAY:%d/%m/%Y}")
        print(
            f"\n{'phase':<28}{'first s':>8}{'median s':>9}{'max s':>7}{'RSS before':>11}"
            f"{'peak RSS':>10}{'after 4':>9}{'py peak':>9}{'bytes':>9}"
        )
        labels = {
            "load": "load plan data (4 queries)",
            "docx": "build + render .docx",
            "xlsx": "build + render .xlsx",
            "digest": "digest text + chart PNG",
        }
        results = {}
        for phase, label in labels.items():
            out = subprocess.run(
                [sys.executable, __file__, "--phase", phase, "--url", url],
                capture_output=True,
                text=True,
                check=True,
            )
            r = results[phase] = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{label:<28}{r['first_seconds']:>8.2f}{r['seconds']:>9.2f}"
                f"{r['max_seconds']:>7.2f}{r['rss_before_mb']:>8.0f} MB{r['rss_mb']:>7.0f} MB"
                f"{r['rss_repeated_mb']:>6.0f} MB{r['traced_mb']:>6.0f} MB{r['size']:>9}"
            )
        d = results["docx"]
        worst = max(d["max_seconds"], d["first_seconds"])
        ok = worst < GOAL_SECONDS and d["rss_repeated_mb"] < GOAL_MB
        print(
            f"\n.docx goal (< {GOAL_SECONDS:.0f} s, < {GOAL_MB} MB peak RSS of the whole process, "
            f"plan data loaded): {'met' if ok else 'NOT met'} "
            f"({worst:.2f} s worst of 4; {d['rss_mb']:.0f} MB after the first document, of "
            f"which {d['rss_mb'] - d['rss_before_mb']:.0f} MB its own; {d['rss_repeated_mb']:.0f} "
            f"MB after four)"
        )
        print(
            "RSS before: the process with its imports and the plan data loaded; peak RSS: after "
            "the first run; after 4: after three more (gc between runs); py peak: tracemalloc, "
            "Python objects only (lxml's XML tree is allocated in C)"
        )


if __name__ == "__main__":
    main()
