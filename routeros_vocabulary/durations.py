"""Durations as RouterOS writes them: one parser and one formatter for the whole project.

The grammar (RouterOS's, as the manual and the router's print show it):
- unit parts, largest first or in any order, each a number with an optional decimal fraction:
  `10s`, `1m30s`, `1.5s`, `500ms`, `1w2d`;
- a clock `hh:mm:ss` (seconds may carry a fraction), optionally after days: `00:00:10`,
  `1d02:00:00`; Winbox shows `1d 02:00:00`, so one space after the days is taken too;
- a bare number: seconds.
RouterOS keeps a duration in 32 bits of seconds, so anything longer is refused here rather than by
the router. The formatter prints the compact form RouterOS prints, to the millisecond.
"""

from __future__ import annotations

import math
import re

# RouterOS keeps durations in 32 bits of seconds; beyond that the router refuses them anyway.
MAX_DURATION_SECONDS = 2**32 - 1

_UNITS_MS = (("w", 604_800_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000),
             ("s", 1_000), ("ms", 1))
_UNIT_SECONDS = {unit: size / 1000 for unit, size in _UNITS_MS}
_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|w|d|h|m|s)", re.ASCII)
_CLOCK = re.compile(r"(?:(\d+)d ?)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)", re.ASCII)
EXAMPLES = "10s, 1m30s, 1.5s, 500ms, 1d2h, 00:00:10 or 1d02:00:00"


def _short(value: object) -> str:
    """`repr(value)`, cut short: a 400-digit number is no help in an error message."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def parse_duration(value: object) -> float:
    """Seconds in a RouterOS duration (see the module's grammar); a number is seconds.

    Raises ValueError saying what a duration looks like."""
    seconds = _seconds(value)
    if not math.isfinite(seconds) or seconds > MAX_DURATION_SECONDS:
        raise ValueError(f"{_short(value)} is not a duration RouterOS can hold: at most "
                         f"{MAX_DURATION_SECONDS}s (about 136 years)")
    return seconds


def _seconds(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration: use e.g. {EXAMPLES}")
    if isinstance(value, int | float):
        if not value >= 0:  # also NaN
            raise ValueError(f"{value!r} is not a duration: it is negative")
        return float(value)
    text = str(value).strip().lower()
    if _NUMBER.fullmatch(text):
        return float(text)
    clock = _CLOCK.fullmatch(text)
    if clock:
        days, hours, minutes, seconds = clock.groups()
        if int(minutes) > 59 or float(seconds) >= 60:
            raise ValueError(f"{_short(value)} is not a duration: minutes and seconds go to 59")
        return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    parts = _PART.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise ValueError(f"{_short(value)} is not a duration: use e.g. {EXAMPLES}")
    return sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)


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


def normal_duration(value: object) -> str:
    """Any accepted spelling of a duration → the compact form RouterOS prints."""
    return compact_duration(parse_duration(value))
