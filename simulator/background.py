"""Running scripts on the router's own behalf (netwatch, scheduler): failures go to `/log`.

A script that fails inside netwatch or the scheduler must never take the simulator down: every
exception ends as a `script,error` log line naming where the script came from.
"""

from __future__ import annotations

from typing import Any

from simulator.api import CommandError, Request

# What netwatch scripts may do (reference section 3).
NETWATCH_POLICIES = frozenset({"read", "write", "test", "reboot"})


def run_source(
    router: Any, source: str, *, policies: frozenset[str], owner: str, origin: str
) -> None:
    """Run script text through the installed interpreter; log instead of raising."""
    if not source.strip():
        return
    try:
        router.script_runner(
            router, source, policies=policies, owner=owner, dont_require_permissions=False
        )
    except Exception as error:  # noqa: BLE001 - a script's failure is logged, never raised
        router.log_message("script,error", _failed(origin, error))


def run_named(router: Any, name: str, *, policies: frozenset[str], owner: str, origin: str) -> None:
    """`/system script run <name>` with the caller's policies, as the scheduler does."""
    request = Request("/system/script/run", {".id": name}, user=owner, policies=policies)
    try:
        router.call(request)
    except Exception as error:  # noqa: BLE001
        router.log_message("script,error", _failed(origin, error))


def _failed(origin: str, error: Exception) -> str:
    # RouterOS adds a line of this shape to the interpreter's own error line.
    return f"executing script from {origin} failed: {_message(error)}"


def _message(error: Exception) -> str:
    if isinstance(error, CommandError):
        return error.message
    located = getattr(error, "located", None)
    return located if isinstance(located, str) else str(error) or type(error).__name__
