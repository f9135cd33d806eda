"""`python -m simulator` runs the router's clock in real time (tests advance it by hand).

The one test here waits for the clock's first tick (about a second), allowing a loaded machine
far longer before it gives up."""

from __future__ import annotations

import re
import time

import librouteros

from tests.simulator.test_cli import run_cli  # noqa: F401 - the fixture


def test_the_command_line_router_clock_follows_real_time(run_cli) -> None:  # noqa: F811
    _proc, match = run_cli("--version", "7.20")
    api = librouteros.connect("127.0.0.1", "admin", "", port=int(match.group(1)), timeout=5)
    try:
        deadline = time.monotonic() + 30
        uptime = "0s"
        while uptime == "0s" and time.monotonic() < deadline:
            time.sleep(0.1)
            uptime = next(iter(api("/system/resource/print")))["uptime"]
        # Seconds, not a fixed figure: a stalled machine may see the clock's second tick first.
        assert re.fullmatch(r"[1-9]\d*s", uptime), uptime
    finally:
        api.close()
