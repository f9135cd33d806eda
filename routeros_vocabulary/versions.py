"""RouterOS versions: `7.20.4`, `6.49.18 (long-term)`, `7.21beta2`, `7.20rc1` → (7, 20, 4).

A pre-release counts as the release it leads to (`7.21beta2` is 7.21.0): its menus are that
release's. A missing minor or patch number is 0 (`7` is 7.0.0).
"""

from __future__ import annotations

import re

Version = tuple[int, int, int]

_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(?:alpha|beta|rc)\d*)?", re.ASCII)


def parse_version(text: object) -> Version:
    """The version in `text` (what `/system/resource` prints, or a version as state records it);
    ValueError when it starts with no version number."""
    word = str(text or "").strip().split(" ", 1)[0]
    match = _VERSION.fullmatch(word)
    if match is None:
        raise ValueError(f"{str(text)!r:.60} is not a RouterOS version such as 6.49.18 or 7.20")
    major, minor, patch = (int(part or 0) for part in match.groups())
    return (major, minor, patch)


def version_or_none(text: object) -> Version | None:
    """`parse_version`, or None when `text` holds no version (state written before one was)."""
    try:
        return parse_version(text)
    except ValueError:
        return None


def version_text(version: Version) -> str:
    return ".".join(str(part) for part in version)


def within(version: Version, since: Version | None, until: Version | None) -> bool:
    """Whether `version` is in [since, until) (an open end when None)."""
    return (since is None or version >= since) and (until is None or version < until)


def range_text(since: Version | None, until: Version | None) -> str:
    """The versions [since, until) as a person reads them: `RouterOS 7.0.0 or later`."""
    if since and until:
        return f"RouterOS {version_text(since)} up to {version_text(until)}"
    if since:
        return f"RouterOS {version_text(since)} or later"
    return f"RouterOS before {version_text(until or (0, 0, 0))}"
