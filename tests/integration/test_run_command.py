"""`nhacviec run` as a person starts it: a real process, its printout, the page, Ctrl+C."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from pathlib import Path

import aiohttp

STARTUP_LIMIT = 60.0  # seconds: the promise for `make run`


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _environment(database_url: str, port: int) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "ZALO_", "WEB_", "DATABASE_URL"))
    }
    return env | {"DATABASE_URL": database_url, "WEB_HOST": "127.0.0.1", "WEB_PORT": str(port)}


async def _read_until(stream: asyncio.StreamReader, marker: str, seen: list[str]) -> None:
    while True:
        line = await stream.readline()
        if not line:
            raise EOFError("nhacviec run ended early:\n" + "".join(seen[-40:]))
        seen.append(line.decode(errors="replace"))
        if marker in seen[-1]:
            return


async def test_run_without_a_platform_serves_the_demo_until_ctrl_c(
    database_url: str, tmp_path: Path
) -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    began = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        cwd=tmp_path,  # no .env of the developer's, a fresh ./data
        env=_environment(database_url, port),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    seen: list[str] = []
    try:
        assert process.stdout is not None
        await asyncio.wait_for(_read_until(process.stdout, "Ctrl+C to stop", seen), STARTUP_LIMIT)
        startup = time.monotonic() - began
        printed = "".join(seen)
        assert f"Mở trang chat trên trình duyệt: {url}" in printed
        assert f"Open the web chat in a browser: {url}" in printed
        assert "TELEGRAM_BOT_TOKEN=" in printed and "ZALO_BOT_TOKEN=" in printed
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as response:
                assert response.status == 200
                assert "/web/static/app.js" in await response.text()
            async with http.get(f"{url}/web/api/config") as response:
                config = await response.json()
        assert config["demo"] is True and len(config["people"]) == 5
        assert config["clock"]["date"] == "22/06/2018"
        print(f"nhacviec run answered after {startup:.1f} s", file=sys.stderr)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGINT)  # Ctrl+C, to this process only
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0, "".join(seen[-40:])
