"""Long lists of names folded for a person: `web/slot-0 web/slot-1 web/slot-2` → `web/slot-0..2`
(the demo's and `render --diff`'s lists read the same)."""

from __future__ import annotations

import re
from collections.abc import Sequence


def compact(names: Sequence[str]) -> list[str]:
    """Names with consecutive numbered siblings folded into one: `a-0 a-1 a-2` → `a-0..2`."""
    out: list[str] = []
    run: tuple[str, int, int] | None = None  # prefix, first, last
    first_seen: dict[str, int] = {}
    for index, name in enumerate(names):
        first_seen.setdefault(re.sub(r"\d+$", "", name), index)

    def order(name: str) -> tuple[int, int]:
        match = re.fullmatch(r"(.*?)(\d+)", name)
        prefix = match.group(1) if match else name
        return first_seen[prefix], int(match.group(2)) if match else 0

    for name in sorted(names, key=order):
        match = re.fullmatch(r"(.*?)(\d+)", name)
        if match and run and match.group(1) == run[0] and int(match.group(2)) == run[2] + 1:
            run = (run[0], run[1], run[2] + 1)
            continue
        if run:
            out.append(_fold(run))
            run = None
        if match:
            run = (match.group(1), int(match.group(2)), int(match.group(2)))
        else:
            out.append(name)
    if run:
        out.append(_fold(run))
    return out


def _fold(run: tuple[str, int, int]) -> str:
    prefix, first, last = run
    return f"{prefix}{first}" if first == last else f"{prefix}{first}..{last}"
