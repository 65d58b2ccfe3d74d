"""Bundled sample plans (real, public provincial plans) for `make run` and the tests."""

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent
DEFAULT_SAMPLE = SAMPLES / "ha-tinh-2018-ke-hoach-ttdn.txt"
