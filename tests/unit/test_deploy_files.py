"""deploy/: the image installs what `make` installs, and the files agree with the code."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import yaml

from bot.service import DRAIN_SECONDS

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n", " ", path.read_text())
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), " ".join(rest.split())))
    return found


def _install_commands(commands: list[str], venv: str) -> list[list[str]]:
    """The install steps with the venv's path written as VENV, as argument lists."""
    steps = []
    for command in commands:
        words = [word.replace(venv, "VENV") for word in shlex.split(command)]
        if words and words[0] in ("python", "python3", "$(PYTHON)", '"$python"', "$python"):
            words[0] = "PYTHON"
        steps.append(words)
    return steps


def _makefile_venv_recipe() -> list[str]:
    text = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^\$\(STAMP\): pyproject\.toml\n((?:\t.*\n)+)", text, re.M)
    assert recipe is not None
    lines = [line.strip() for line in recipe.group(1).splitlines()]
    # "test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)": the venv is made when missing.
    lines = [line.split("||", 1)[-1].strip() for line in lines if not line.startswith("touch")]
    return [line.replace("$(BIN)", "$(VENV)/bin") for line in lines]


def _dockerfile_install() -> list[str]:
    runs = [args for keyword, args in _instructions(DEPLOY / "Dockerfile") if keyword == "RUN"]
    install = next(run for run in runs if "pip install" in run)
    return [part.strip() for part in install.split("&&")]


def test_the_image_installs_as_make_does() -> None:
    make = _install_commands(_makefile_venv_recipe(), "$(VENV)")
    image = _install_commands(_dockerfile_install(), "/opt/nhacviec/.venv")
    assert make == [
        ["PYTHON", "-m", "venv", "VENV"],
        ["VENV/bin/pip", "install", "-e", ".[test]"],
    ]
    # The same two steps; the image leaves out the test tools and the editable link.
    assert image == [["PYTHON", "-m", "venv", "VENV"], ["VENV/bin/pip", "install", "."]]
    script = (DEPLOY / "install-check.sh").read_text()
    checked = [
        line.strip()
        for line in script.splitlines()
        if line.strip().startswith('"$python" -m venv') or "/bin/pip\" install" in line
    ]
    assert _install_commands(checked, "$venv") == [
        ["PYTHON", "-m", "venv", "VENV"],
        ["VENV/bin/pip", "install", "--quiet", "."],
    ]


def test_the_image_is_small_unprivileged_and_checks_its_health() -> None:
    steps = _instructions(DEPLOY / "Dockerfile")
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [args for keyword, args in steps if keyword == "USER"]
    assert users == ["nhacviec"]
    [health] = [args for keyword, args in steps if keyword == "HEALTHCHECK"]
    assert health.endswith('CMD ["python", "-m", "bot.healthcheck"]')
    [command] = [args for keyword, args in steps if keyword == "CMD"]
    assert command == '["nhacviec", "run", "--no-sample"]'
    # Every package pyproject.toml ships is copied into the image.
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    top = {name.split(".")[0] for name in packages["packages"]}
    copied = {args.split()[0] for keyword, args in steps if keyword == "COPY"}
    assert top <= copied, top - copied


def test_compose_runs_migrations_before_the_service_on_postgresql_16() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    db, migrate, app = services["db"], services["migrate"], services["app"]
    assert db["image"] == "postgres:16"
    assert "pgdata:/var/lib/postgresql/data" in db["volumes"] and "pgdata" in compose["volumes"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert migrate["command"] == ["nhacviec", "db", "upgrade"]
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert app["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}
    assert app["ports"] == ["127.0.0.1:8080:8080"]  # the proxy forwards; nothing else sees it
    for service in (migrate, app):
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        assert service["environment"]["DATABASE_URL"].startswith("postgresql://nhacviec:")
    assert int(app["stop_grace_period"].rstrip("s")) > DRAIN_SECONDS


def test_systemd_units() -> None:
    unit = (DEPLOY / "nhacviec.service").read_text()
    assert "ExecStartPre=/opt/nhacviec/.venv/bin/nhacviec db upgrade" in unit
    assert "ExecStart=/opt/nhacviec/.venv/bin/nhacviec run --no-sample" in unit
    assert "User=nhacviec" in unit and "EnvironmentFile=/etc/nhacviec/nhacviec.env" in unit
    stop = int(re.search(r"TimeoutStopSec=(\d+)", unit).group(1))  # type: ignore[union-attr]
    assert stop > DRAIN_SECONDS
    backup = (DEPLOY / "nhacviec-backup.service").read_text()
    assert "nhacviec backup" in backup
    assert "OnCalendar=*-*-* 02:30:00 Asia/Ho_Chi_Minh" in (
        DEPLOY / "nhacviec-backup.timer"
    ).read_text()


def test_env_example_explains_every_setting() -> None:
    config = (ROOT / "bot" / "config.py").read_text()
    read = set(re.findall(r'(?:_get|os\.environ\.get)\("([A-Z0-9_]+)"', config))
    assert {"DATABASE_URL", "TELEGRAM_BOT_TOKEN", "LOG_FORMAT"} <= read
    example = (DEPLOY / "env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.M))
    assert read <= listed, f"settings missing from deploy/env.example: {sorted(read - listed)}"
    # Each setting comes with lines of explanation above it, in Vietnamese and in English.
    for name in sorted(listed):
        before = example.split(f"{name}=", 1)[0].rstrip("# \n").rsplit("\n\n", 1)[-1]
        assert re.search(r"[À-ỹ]", before), f"{name}: no Vietnamese explanation"
        english = [
            line
            for line in before.splitlines()
            if not re.search(r"[À-ỹ]", line.split(" / ")[-1])
            and len(re.findall(r"[A-Za-z]{2,}", line.split(" / ")[-1])) >= 3
        ]
        assert english or " / " in before, f"{name}: no English"
