"""Benchmark: import time per document and time-grammar throughput. Prints numbers; not a test."""

from __future__ import annotations

import csv
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from plans.importer import import_plan  # noqa: E402
from plans.timegrammar import parse_time  # noqa: E402
from tests.fixtures.documents import HA_TINH, QUANG_TRI, docx_from_seed, xlsx_task_list  # noqa: E402

TSV = ROOT.parent / "shared" / "data" / "deadline_expressions.tsv"
REPLIES = [
    "xin gia han den 15/12",
    "8h sáng mai",
    "thu 6 tuan sau",
    "sau Tết",
    "2 tuần nữa",
    "cuối tháng",
    "dang lam 70%",
    "đã gửi báo cáo số 245/BC-STTTT ngày 18/11",
]


def timed(fn, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    fn()  # warm-up: the first call pays for imports and compiled patterns
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), max(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        docx = docx_from_seed(
            HA_TINH,
            tmpdir / "ha-tinh.docx",
            [
                [
                    ["1"],
                    ["Xây dựng hệ thống cơ sở dữ liệu về thông tin đối ngoại"],
                    ["Sở TT&TT"],
                    ["Sở Ngoại vụ"],
                    ["trước tháng 4/2018"],
                ],
            ],
        )
        rows = [
            [
                str(i),
                f"Nhiệm vụ số {i} về chuyển đổi số",
                "Sở TT&TT",
                "Các sở, ban, ngành; UBND các huyện",
                f"Quý {['I', 'II', 'III', 'IV'][i % 4]}/2026",
            ]
            for i in range(1, 301)
        ]
        xlsx = xlsx_task_list(tmpdir / "300-nhiem-vu.xlsx", rows, title="KẾ HOẠCH năm 2026")
        documents = [
            ("quang-tri-2022.txt", QUANG_TRI),
            ("ha-tinh-2018.txt", HA_TINH),
            ("ha-tinh-2018.docx (bảng thật)", docx),
            ("300 nhiệm vụ .xlsx", xlsx),
        ]
        print("import time per document (median / max of 20 runs)")
        for label, path in documents:
            plan = import_plan(path)
            median, worst = timed(lambda p=path: import_plan(p), 20)
            print(
                f"  {label:32s} {len(plan.tasks):4d} tasks  {median * 1000:8.1f} ms  "
                f"(max {worst * 1000:.1f} ms)"
            )

    with TSV.open(encoding="utf-8") as fh:
        seed = [(r["expression"], int(r["plan_year"])) for r in csv.DictReader(fh, delimiter="\t")]
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < 2.0:
        for text, year in seed:
            parse_time(text, plan_year=year)
        n += len(seed)
    elapsed = time.perf_counter() - start
    print(
        f"time grammar, seed expressions: {n / elapsed:,.0f} expressions/s ({n} in {elapsed:.1f} s)"
    )
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < 2.0:
        for text in REPLIES:
            parse_time(text, prefer="future")
        n += len(REPLIES)
    elapsed = time.perf_counter() - start
    print(
        f"time grammar, reply phrases:    {n / elapsed:,.0f} expressions/s ({n} in {elapsed:.1f} s)"
    )


if __name__ == "__main__":
    main()
