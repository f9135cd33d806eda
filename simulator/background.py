"""Running scripts on the router's own behalf (netwatch, scheduler): failures go to `/log`.

A script that fails inside netwatch or the scheduler must never take the simulator down: every
exception ends as a `script,error` log line naming where the script came from.
"""

from __future__ import annotations

from typing import Any

from simulator.api import CommandError

# What netwatch scripts may do (reference section 3).
NETWATCH_POLICIES = frozenset({"read", "write", "test", "reboot"})


def run_source(
    router: Any, source: str, *, policies: frozenset[str], owner: str, origin: str
) -> None:
    """Run script text as a background job (simulator/jobs.py); failures are logged."""
    if not source.strip():
        return
    try:
        router.script_jobs.launch(source, policies=policies, owner=owner, origin=origin)
    except Exception as error:  # noqa: BLE001 - a script's failure is logged, never raised
        router.log_message("script,error", failed_line(origin, error))


def run_named(router: Any, name: str, *, policies: frozenset[str], owner: str, origin: str) -> None:
    """`/system script run <name>` with the caller's policies, as the scheduler does, as a
    background job."""
    try:
        router.script_jobs.launch_named(name, policies=policies, owner=owner, origin=origin)
    except Exception as error:  # noqa: BLE001
        router.log_message("script,error", failed_line(origin, error))


def failed_line(origin: str, error: Exception) -> str:
    # RouterOS adds a line of this shape to the interpreter's own error line.
    return f"executing script from {origin} failed: {_message(error)}"


def _message(error: Exception) -> str:
    if isinstance(error, CommandError):
        return error.message
    located = getattr(error, "located", None)
    return located if isinstance(located, str) else str(error) or type(error).__name__
