"""The balancer's one root error: a site it cannot plan. The config layer reports it under `key`."""

from __future__ import annotations


class BalancerError(ValueError):
    """A site that cannot be planned (for this router version); names the config key and what
    is allowed."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"{key}: {reason}")
