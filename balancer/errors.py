"""The balancer's one root error: a site it cannot plan."""

from __future__ import annotations


class BalancerError(ValueError):
    """A site that cannot be planned for this router version.

    `location` is where the cause is in the plan's input, as pydantic locates errors: `("version",)`
    or a path into `LbSite` (`("services", "web", "health", "type")`). The stack config package
    reports it under the config key of that location."""

    def __init__(self, location: tuple[str, ...], reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"{'.'.join(location)}: {reason}")
