"""A RouterOS router in a process: `Simulator` serves the binary API on loopback.

Importing the package does nothing: `Simulator` loads on first use, so the simulator's own
modules (which import `simulator.api` and friends) never pull in the server through here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simulator.harness import Simulator

__all__ = ["Simulator"]


def __getattr__(name: str) -> Any:
    if name == "Simulator":
        from simulator.harness import Simulator

        return Simulator
    raise AttributeError(f"module 'simulator' has no attribute {name!r}")
