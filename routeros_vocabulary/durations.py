"""Durations as RouterOS prints them."""

from __future__ import annotations

_UNITS_MS = (("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
             ("s", 1_000), ("ms", 1))


def compact_duration(seconds: float) -> str:
    """The compact form RouterOS prints: `10s`, `1m30s`, `1d5h36m1s`, `1w`, `250ms`, `0s`."""
    total_ms = round(seconds * 1000)
    if total_ms == 0:
        return "0s"
    out = []
    for unit, size in _UNITS_MS:
        count, total_ms = divmod(total_ms, size)
        if count:
            out.append(f"{count}{unit}")
    return "".join(out)
