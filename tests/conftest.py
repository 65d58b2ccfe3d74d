"""Which database the suite runs on (NHACVIEC_TEST_DB), and a throwaway PostgreSQL for it."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from scheduler.clock import LOCAL_TZ
from storage.db import create_engine, session_factory, upgrade
from storage.uow import UnitOfWork
from tests.fakes.harness import BotHarness

DB_KINDS = ("sqlite", "postgres")
DB_KIND = os.environ.get("NHACVIEC_TEST_DB", "").strip().lower() or "sqlite"
PG_PREFERRED_MAJOR = "15"  # what production and .ci/run install
PG_START_TIMEOUT = 60.0
PG_STOP_TIMEOUT = 30.0
# The bundled sample is Hà Tĩnh's 2018 plan: a Wednesday in its second quarter, 09:00 local.
DEFAULT_BOT_START = datetime(2018, 6, 20, 9, 0, tzinfo=LOCAL_TZ)


def pytest_configure(config: pytest.Config) -> None:
    if DB_KIND not in DB_KINDS:
        raise pytest.UsageError(f"NHACVIEC_TEST_DB={DB_KIND!r}: use one of {', '.join(DB_KINDS)}")
    if DB_KIND == "postgres" and find_pg_bindir() is None:
        # A skip would let a machine without PostgreSQL report the PostgreSQL run as green.
        raise pytest.UsageError(
            "NHACVIEC_TEST_DB=postgres but no PostgreSQL server binaries (initdb, postgres) were "
            "found in `pg_config --bindir` or /usr/lib/postgresql/*/bin: "
            "apt-get install postgresql-15, or run .ci/run"
        )


def pytest_report_header(config: pytest.Config) -> str:
    if DB_KIND == "postgres":
        return f"database: postgres (server binaries in {find_pg_bindir()})"
    return "database: sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if DB_KIND == "postgres":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run with NHACVIEC_TEST_DB=postgres")
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(skip)


# --- the PostgreSQL server --------------------------------------------------------------------


def find_pg_bindir() -> Path | None:
    """A directory holding initdb and postgres, PostgreSQL 15 first."""
    candidates: list[Path] = [Path(f"/usr/lib/postgresql/{PG_PREFERRED_MAJOR}/bin")]
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            )
            candidates.append(Path(out.stdout.strip()))

    def major(path: str) -> int:
        m = re.search(r"/postgresql/(\d+)/", path)
        return int(m.group(1)) if m else 0

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=major)[::-1]]
    for bindir in candidates:
        if all(os.access(bindir / exe, os.X_OK) for exe in ("initdb", "postgres")):
            return bindir
    return None


@dataclass
class PgServer:
    """A running server: trust auth on 127.0.0.1, superuser `postgres`."""

    host: str
    port: int
    user: str
    root: Path
    process: subprocess.Popen[bytes]

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{self.user}@{self.host}:{self.port}/{database}"

    async def connect(self, database: str = "postgres") -> asyncpg.Connection:
        return await asyncpg.connect(
            host=self.host, port=self.port, user=self.user, database=database
        )


def _run_as() -> tuple[int, int] | None:
    """(uid, gid) to run the server as: initdb and postgres refuse to run as root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return entry.pw_uid, entry.pw_gid
    raise RuntimeError("running as root and neither a 'postgres' nor a 'nobody' user exists")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _is_ready(datadir: Path) -> bool:
    # postmaster.pid's 8th line turns to "ready" once the server accepts connections, which a
    # bare TCP connect cannot tell ("the database system is starting up").
    try:
        lines = (datadir / "postmaster.pid").read_text().splitlines()
    except OSError:
        return False
    return len(lines) >= 8 and lines[7].strip() == "ready"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Fast shutdown of this one server by its pid; immediate shutdown if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=PG_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGQUIT)
        process.wait(timeout=PG_STOP_TIMEOUT)


def start_pg_server(bindir: Path) -> PgServer:
    root = Path(tempfile.mkdtemp(prefix="nhacviec-pg-"))
    try:
        return _start_in(bindir, root)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise


def _start_in(bindir: Path, root: Path) -> PgServer:
    ids = _run_as()
    prefix: list[str] = []
    if ids is not None:
        uid, gid = ids
        os.chown(root, uid, gid)
        # setpriv execs (runuser would fork and stay in between), so the pid we hold is the
        # postmaster's own and a signal to it reaches the server directly.
        prefix = ["setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
    datadir = root / "data"
    initdb_log = root / "initdb.log"
    with initdb_log.open("wb") as log:
        done = subprocess.run(
            [
                *prefix,
                str(bindir / "initdb"),
                "-D",
                str(datadir),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=root,  # the unprivileged user may not be allowed into the current directory
            timeout=120,
        )
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed:\n{initdb_log.read_text(errors='replace')}")

    last_error = ""
    for _attempt in range(3):  # another process may take the free port before the server does
        port = _free_port()
        server_log = root / f"postgres-{port}.log"
        with server_log.open("wb") as log:
            process = subprocess.Popen(
                [
                    *prefix,
                    str(bindir / "postgres"),
                    "-D",
                    str(datadir),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(port),
                    "-k",
                    str(root),  # unix socket next to the data, not in /var/run/postgresql
                    # A throwaway server: durability only costs time here.
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=root,
                # Its own session: a Ctrl-C on the terminal must not stop it under running tests.
                start_new_session=True,
            )
        deadline = time.monotonic() + PG_START_TIMEOUT
        while process.poll() is None and time.monotonic() < deadline:
            if _is_ready(datadir):
                return PgServer("127.0.0.1", port, "postgres", root, process)
            time.sleep(0.05)
        _stop(process)
        last_error = server_log.read_text(errors="replace")
        if "could not bind" not in last_error and "already in use" not in last_error:
            break
    raise RuntimeError(f"PostgreSQL did not start within {PG_START_TIMEOUT:.0f}s:\n{last_error}")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the whole session, stopped and removed at the end."""
    bindir = find_pg_bindir()
    if bindir is None:  # pytest_configure already refused a postgres run without binaries
        pytest.fail("no PostgreSQL server binaries found")
    server = start_pg_server(bindir)
    try:
        yield server
    finally:
        try:
            _stop(server.process)
        finally:
            shutil.rmtree(server.root, ignore_errors=True)


# --- databases for tests ----------------------------------------------------------------------


@pytest.fixture
def db_kind() -> str:
    """ "sqlite" or "postgres": what this run's `database_url` points at."""
    return DB_KIND


@pytest.fixture
def _db_server(request: pytest.FixtureRequest) -> PgServer | None:
    # Only a postgres run starts the server; a SQLite run never touches the binaries.
    return request.getfixturevalue("pg_server") if DB_KIND == "postgres" else None


@pytest.fixture
async def database_url(_db_server: PgServer | None, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database for this test only."""
    if _db_server is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    name = f"test_{uuid.uuid4().hex[:16]}"
    conn = await _db_server.connect()
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    try:
        yield _db_server.url(name)
    finally:
        conn = await _db_server.connect()
        try:
            # FORCE: a test that failed half way may still hold a connection.
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


@pytest.fixture
async def migrated_url(database_url: str) -> str:
    """`database_url` with the migrations run to head."""
    await upgrade(database_url)
    return database_url


@pytest.fixture
async def db_engine(migrated_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(migrated_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def make_uow(db_engine: AsyncEngine) -> Callable[[], UnitOfWork]:
    """A new UnitOfWork on the migrated test database each call."""
    sessions = session_factory(db_engine)
    return lambda: UnitOfWork(sessions)


@pytest.fixture
def make_bot(db_engine: AsyncEngine) -> Callable[..., BotHarness]:
    """A whole bot on the test database: `bot = make_bot(start=datetime(…, tzinfo=…))`."""
    sessions = session_factory(db_engine)

    def make(start: datetime | None = None, **kwargs: object) -> BotHarness:
        return BotHarness(sessions, start or DEFAULT_BOT_START, **kwargs)  # type: ignore[arg-type]

    return make
