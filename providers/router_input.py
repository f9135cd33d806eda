"""The `router` input every provider shares: checked once, compared by host and port."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CheckFailure

from providers.connection import RouterSettings
from providers.errors import RouterError
from providers.schemas.base import is_unknown


def router_target(router: Any) -> tuple[str, int] | None:
    """The (host, port) of a `router` input; None when unknown (preview) or invalid."""
    if router is None or is_unknown(router):
        return None
    try:
        return RouterSettings.from_inputs(router).target
    except RouterError:
        return None


def check_router(news: dict[str, Any], inputs: dict[str, Any]) -> list[CheckFailure]:
    """Check's part for the `router` input, shared by every provider: the failure when it is
    missing or invalid; otherwise its canonical form goes into `inputs`."""
    router = news.get("router")
    if router is None:
        return [CheckFailure("router", "router is required: host, and optionally port, tls, "
                                       "verify_tls, ca_file, username")]
    if not is_unknown(router):
        try:
            inputs["router"] = RouterSettings.from_inputs(router).as_inputs()
        except RouterError as exc:
            return [CheckFailure("router", f"invalid router settings: {exc}")]
    return []
