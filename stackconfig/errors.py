"""The config package's one error: `SiteConfigError`, every problem paired with its config key."""

from __future__ import annotations

Problem = tuple[str, str]  # (config key, what is wrong and what is allowed)


class SiteConfigError(ValueError):
    """Stack config that cannot be used; `problems` pairs each config key with what is wrong.

    The one exception of the program's config boundary: a value, a key, a file it names, a stack
    file that cannot be read, a site the balancer cannot plan: all come out as this."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(f"  {key}: {reason}" for key, reason in problems)
        super().__init__(f"the stack configuration is not valid:\n{lines}")
