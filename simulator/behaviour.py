"""The router's behaviour (data plane, netwatch, scripts, e-mail), installed onto a Router.

Placeholder until the behaviour lands: `install(router)` is what the harness calls after building
a Router.
"""

from __future__ import annotations

from typing import Any


def install(router: Any) -> None:
    return None
