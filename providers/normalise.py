"""Canonical forms of RouterOS values, so that equal settings compare equal.

The router and the user spell the same value in different ways: `yes`/`true`/True,
`10s`/`00:00:10`, `443,80`/`80,443`, CRLF/LF script sources, `10.0.0.1/32`/`10.0.0.1`,
`jan/02/2024`/`2024-01-02`. Each function here parses any accepted spelling, raises
`ValueError` with a message a person can act on, and returns one canonical string.
Pure functions, no I/O; they know RouterOS value syntax and nothing about menus.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from routeros_vocabulary.durations import normal_duration, parse_duration

_TRUE = {"yes", "true", "on"}
_FALSE = {"no", "false", "off"}


def boolean(value: object) -> str:
    """`true` or `false` (how print shows booleans on v6 and v7)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value).strip().lower()
    if text in _TRUE:
        return "true"
    if text in _FALSE:
        return "false"
    raise ValueError(f"{value!r} is not a boolean: use true/false (or yes/no)")


def as_bool(value: object) -> bool:
    return boolean(value) == "true"


def duration_seconds(value: object) -> float:
    """Seconds in a RouterOS duration (`routeros_vocabulary.durations` holds the grammar)."""
    return parse_duration(value)


def duration(value: object) -> str:
    """The compact form RouterOS prints: `10s`, `1m30s`, `1d5h36m1s`, `1w`, `250ms`, `0s`."""
    return normal_duration(value)


def _short(value: object) -> str:
    """`repr(value)`, cut short: a 400-digit number is no help in an error message."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _port(text: str, *, low: int = 0) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 5) or not low <= int(text) <= 65535:
        raise ValueError(f"{_short(text)} is not a port: use a number from {low} to 65535")
    return int(text)


def port_list(value: object, *, allow_negation: bool = True) -> str:
    """`80,443,8000-8080`: ports and ranges, sorted, spaces removed; `!` negates the whole list."""
    text = str(value).strip().replace(" ", "")
    negate = ""
    if allow_negation and text.startswith("!"):
        negate, text = "!", text[1:]
    if not text:
        raise ValueError("empty port list: use e.g. 80 or 80,443 or 8000-8080")
    spans: list[tuple[int, int]] = []
    for part in text.split(","):
        low, sep, high = part.partition("-")
        start, end = _port(low), _port(high) if sep else _port(low)
        if end < start:
            raise ValueError(f"{part!r} is not a port range: the first port must be the lower")
        spans.append((start, end))
    if len(spans) > 15:
        raise ValueError("a port list holds at most 15 ports or ranges")
    rendered = (f"{a}-{b}" if a != b else str(a) for a, b in sorted(set(spans)))
    return negate + ",".join(rendered)


def port_or_range(value: object) -> str:
    """`to-ports`: one port or one range."""
    text = port_list(value, allow_negation=False)
    if "," in text:
        raise ValueError(f"{value!r}: give one port or one range (e.g. 8080 or 8000-8010)")
    return text


def single_port(value: object) -> str:
    """The one port a service listens on: 1-65535 (0 is no port)."""
    return str(_port(str(value).strip(), low=1))


def _address(text: str, family: int | None = None) -> str:
    try:
        if "/" in text:
            network = ipaddress.ip_network(text, strict=False)
            found = network.version
            if network.prefixlen == network.max_prefixlen:
                canonical = str(network.network_address)
            else:
                canonical = str(network)
        else:
            address_ = ipaddress.ip_address(text)
            found, canonical = address_.version, str(address_)
    except ValueError:
        raise ValueError(
            f"{_short(text)} is not an IP address: use e.g. 192.168.88.10, 10.0.0.0/24 "
            "or 10.0.0.1-10.0.0.9"
        ) from None
    if family is not None and found != family:
        raise ValueError(f"{text!r} is an IPv{found} address; this table takes IPv{family} "
                         "(IPv6 rules live under /ipv6)")
    return canonical


def address(value: object, *, allow_negation: bool = True, allow_range: bool = True,
            family: int | None = None) -> str:
    """An address, a prefix (`10.0.0.0/24`, host bits cleared, `/32` dropped) or a range;
    `family` 4 or 6 refuses the other."""
    text = str(value).strip()
    negate = ""
    if allow_negation and text.startswith("!"):
        negate, text = "!", text[1:]
    if allow_range and "-" in text:
        low, high = (_address(part, family) for part in text.split("-", 1))
        if "/" in low or "/" in high:
            raise ValueError(f"{value!r} is not an address range: give two addresses, no prefix")
        first, last = ipaddress.ip_address(low), ipaddress.ip_address(high)
        if first.version != last.version:
            raise ValueError(f"{value!r} is not an address range: both ends must be IPv4, or "
                             "both IPv6")
        if last < first:  # type: ignore[operator]  # same family, checked above
            raise ValueError(f"{value!r} is not an address range: the first must be the lower")
        return f"{negate}{low}-{high}"
    return negate + _address(text, family)


def plain_address(value: object, *, family: int | None = None) -> str:
    """One IP address, no prefix, range or negation."""
    text = str(value).strip()
    if "/" in text or "-" in text:
        raise ValueError(f"{_short(value)} is not a single IP address: use e.g. 192.168.88.10")
    return _address(text, family)


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}\Z){_LABEL}(?:\.{_LABEL})*\.?")


def host(value: object) -> str:
    """An IP address or a DNS name."""
    text = str(value).strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        pass
    if not _HOSTNAME.fullmatch(text) or text.replace(".", "").isdigit():
        raise ValueError(f"{_short(value)} is neither an IP address nor a host name")
    return text.lower().rstrip(".")


def choice(value: object, allowed: Iterable[str], *, negatable: bool = False) -> str:
    """One of `allowed` (case-insensitive input)."""
    allowed = tuple(allowed)
    text = str(value).strip().lower()
    negate = ""
    if negatable and text.startswith("!"):
        negate, text = "!", text[1:]
    if text not in allowed:
        raise ValueError(f"{value!r} is not allowed: use one of {', '.join(allowed)}")
    return negate + text


def choice_set(value: object, allowed: Iterable[str], *, negatable: bool = False) -> str:
    """A comma list drawn from `allowed`, sorted and without repeats (`established,related`)."""
    allowed = tuple(allowed)
    items = value if isinstance(value, list | tuple | set | frozenset) else str(value).split(",")
    text = ",".join(str(item).strip() for item in items)
    negate = ""
    if negatable and text.startswith("!"):
        negate, text = "!", text[1:]
    chosen = {part.strip().lower() for part in text.split(",") if part.strip()}
    wrong = sorted(chosen - set(allowed))
    if wrong or not chosen:
        raise ValueError(
            f"{value!r}: {', '.join(wrong) or 'nothing'} not allowed; "
            f"use a comma list of {', '.join(allowed)}"
        )
    return negate + ",".join(sorted(chosen))


PCC_FIELDS = (
    "src-address", "dst-address", "both-addresses", "src-port", "src-address-and-port",
    "dst-port", "dst-address-and-port", "both-ports", "both-addresses-and-ports",
)


def classifier(value: object) -> str:
    """`per-connection-classifier`: `[!]fields:denominator/remainder`, remainder < denominator."""
    text = str(value).strip().lower()
    match = re.fullmatch(r"(!?)([a-z-]+):(\d{1,9})/(\d{1,9})", text, re.ASCII)
    if not match:
        raise ValueError(
            f"{value!r} is not a classifier: use <fields>:<denominator>/<remainder>, "
            "e.g. src-address:3/0"
        )
    negate, fields, denominator, remainder = match.groups()
    if fields not in PCC_FIELDS:
        allowed = ", ".join(PCC_FIELDS)
        raise ValueError(f"{fields!r} is not a classifier field: use one of {allowed}")
    if int(denominator) < 1:
        raise ValueError(f"{value!r}: the denominator must be at least 1")
    if int(remainder) >= int(denominator):
        raise ValueError(
            f"{value!r}: the remainder must be below the denominator (0..{int(denominator) - 1})"
        )
    return f"{negate}{fields}:{int(denominator)}/{int(remainder)}"


def script_source(value: object) -> str:
    """Script text with LF line ends (the router returns CRLF): ASCII, tabs and line ends."""
    return _ascii(str(value).replace("\r\n", "\n").replace("\r", "\n"), allowed="\t\n")


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def date(value: object) -> str:
    """ISO `2024-01-02` from `2024-01-02` (v7.10+) or `jan/02/2024` (older)."""
    text = str(value).strip().lower()
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text, re.ASCII)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        old = re.fullmatch(r"([a-z]{3})/(\d{1,2})/(\d{4})", text, re.ASCII)
        if not old or old.group(1) not in _MONTHS:
            raise ValueError(f"{value!r} is not a date: use 2024-01-31 (or jan/31/2024)")
        month, day, year = _MONTHS.index(old.group(1)) + 1, int(old.group(2)), int(old.group(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"{value!r} is not a date")
    return f"{year:04d}-{month:02d}-{day:02d}"


def date_v6(iso: str) -> str:
    """The pre-7.10 spelling of an ISO date, for routers that want it."""
    year, month, day = (int(p) for p in iso.split("-"))
    return f"{_MONTHS[month - 1]}/{day:02d}/{year:04d}"


def time_of_day(value: object) -> str:
    """`hh:mm:ss`, or `startup`."""
    text = str(value).strip().lower()
    if text == "startup":
        return text
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text, re.ASCII)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59 or (
        match.group(3) and int(match.group(3)) > 59
    ):
        raise ValueError(f"{value!r} is not a time: use hh:mm:ss (00:00:00-23:59:59) or startup")
    return f"{int(match.group(1)):02d}:{match.group(2)}:{match.group(3) or '00'}"


# RouterOS numbers are at most 64 bits; 20 digits is the most one has.
_MAX_DIGITS = 20


def integer(value: object, *, low: int = 0, high: int | None = None) -> str:
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    text = str(value).strip()
    if not re.fullmatch(rf"[-+]?\d{{1,{_MAX_DIGITS}}}", text, re.ASCII):
        raise ValueError(f"{_short(value)} is not a whole number (at most {_MAX_DIGITS} digits)")
    number = int(text)
    if number < low or (high is not None and number > high):
        bound = f"{low}..{high}" if high is not None else f"at least {low}"
        raise ValueError(f"{value!r} is out of range: use {bound}")
    return str(number)


# What RouterOS text can hold as we send it: printable ASCII. v6 shows other bytes in the code
# page of whoever looks, v7 stores bytes without an encoding: nothing else reads back as written.
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))


def _ascii(text: str, *, allowed: str = "") -> str:
    wrong = sorted({c for c in text if c not in _PRINTABLE and c not in allowed})
    if wrong:
        shown = ", ".join(repr(c) for c in wrong[:5])
        kinds = "non-ASCII" if any(not c.isascii() for c in wrong) else "control"
        raise ValueError(f"has {kinds} characters ({shown}): RouterOS text is printable ASCII"
                         + (" (with tabs and line ends in scripts)" if allowed else ""))
    return text


def text(value: object) -> str:
    """One line of printable ASCII."""
    return _ascii(str(value))


def comment(value: object) -> str | None:
    """A comment as the router gives it back: trailing spaces and line ends dropped (the
    ownership tag is appended after one space, and split off with the spaces before it); empty
    means none."""
    return text(str(value).rstrip()) or None
