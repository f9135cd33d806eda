"""Property types and per-menu schemas: parse what a client sends, print what RouterOS prints.

Each type turns client input into the canonical printed form (`yes` -> `true`, `00:01:30` ->
`1m30s`, `192.168.1.5/24` -> `192.168.1.0/24`) or raises `InvalidValue`. A `Prop` adds the
per-menu facts: default, read-only, version range. This module knows nothing about menus, items
or the router; it knows RouterOS's spelling of values and of the errors about them.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from simulator.api import ALL_POLICIES, Category, CommandError
from simulator.profiles import Profile


class InvalidValue(Exception):  # noqa: N818 - RouterOS calls it an invalid value
    """A value a type refuses. `message` may hold `{name}`, filled with the argument's name.

    RouterOS' exact wording for malformed values is not in the reference: we use
    `invalid value for argument <name>` for malformed input and `value of <name> out of range
    (lo..hi)` for numbers outside their range, both category 1 (argument value failure).
    """

    def __init__(self, message: str = "invalid value for argument {name}") -> None:
        super().__init__(message)
        self.message = message

    def for_argument(self, name: str) -> CommandError:
        return CommandError(self.message.format(name=name), Category.ARGUMENT_VALUE)


class PropType:
    """A property type: `parse(text)` returns the printed form or raises `InvalidValue`."""

    def parse(self, text: str) -> str:
        return text


class Text(PropType):
    """Free text, stored as sent (comments, log prefixes, scripts' bodies)."""


class Name(PropType):
    """A non-empty name: a chain, an interface, a list, a mark."""

    def __init__(self, negatable: bool = False) -> None:
        self.negatable = negatable

    def parse(self, text: str) -> str:
        body = text[1:] if self.negatable and text.startswith("!") else text
        if not body:
            raise InvalidValue()
        return text


class Source(PropType):
    """A script body: RouterOS stores and prints line ends as CRLF."""

    def parse(self, text: str) -> str:
        return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


class Bool(PropType):
    def parse(self, text: str) -> str:
        match text.lower():
            case "yes" | "true":
                return "true"
            case "no" | "false":
                return "false"
        raise InvalidValue()


class Int(PropType):
    def __init__(self, low: int = 0, high: int = 2**32 - 1) -> None:
        self.low, self.high = low, high

    def parse(self, text: str) -> str:
        try:
            value = int(text, 0) if text.lower().startswith("0x") else int(text)
        except ValueError:
            raise InvalidValue() from None
        if not self.low <= value <= self.high:
            raise InvalidValue(f"value of {{name}} out of range ({self.low}..{self.high})")
        return str(value)


class Enum(PropType):
    def __init__(self, *values: str, open_: bool = False) -> None:
        self.values = values
        # A chain is an enum of built-in names that also accepts any custom name.
        self.open = open_

    def parse(self, text: str) -> str:
        if text in self.values or (self.open and text):
            return text
        raise InvalidValue("input does not match any value of {name}")


class FlagList(PropType):
    """A comma list of enum values, optionally negated as a whole: `!established,related`."""

    def __init__(self, *values: str, negatable: bool = True) -> None:
        self.values = values
        self.negatable = negatable

    def parse(self, text: str) -> str:
        negated = self.negatable and text.startswith("!")
        body = text[1:] if negated else text
        chosen: list[str] = []
        for part in body.split(","):
            if part not in self.values:
                raise InvalidValue("input does not match any value of {name}")
            if part not in chosen:
                chosen.append(part)
        return ("!" if negated else "") + ",".join(chosen)


class PolicyList(PropType):
    """Script policies, printed in RouterOS' fixed order whatever order they came in."""

    ORDER = ("ftp", "reboot", "read", "write", "policy", "test", "password", "sniff",
             "sensitive", "romon")

    def parse(self, text: str) -> str:
        parts = {p for p in text.split(",") if p}
        if not parts <= ALL_POLICIES:
            raise InvalidValue("input does not match any value of {name}")
        return ",".join(p for p in self.ORDER if p in parts)


_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|w|d|h|m|s)")


def parse_seconds(text: str) -> float:
    """Seconds in a RouterOS duration: `10s`, `1m30s`, `1d2h`, `00:00:10`, `1d00:10:00`, `30`."""
    text = text.strip()
    if not text:
        raise InvalidValue()
    clock = re.fullmatch(r"(?:(\d+)d)?(\d+):(\d{1,2}):(\d{1,2}(?:\.\d+)?)", text)
    if clock:
        days, hours, minutes, seconds = clock.groups()
        if int(minutes) > 59 or float(seconds) >= 60:
            raise InvalidValue()
        return int(days or 0) * 86400 + int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    if re.fullmatch(r"\d+", text):
        return float(text)  # a bare number is seconds
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(text):
        if match.start() != pos:
            raise InvalidValue()
        total += float(match.group(1)) * _UNITS[match.group(2)]
        pos = match.end()
    if pos != len(text):
        raise InvalidValue()
    return total


def format_seconds(seconds: float) -> str:
    """The compact form RouterOS prints: `1w2d3h4m5s`, `1m30s`, `500ms`, `0s`."""
    millis = round(seconds * 1000)
    whole, ms = divmod(millis, 1000)
    out = []
    for unit in ("w", "d", "h", "m", "s"):
        size = int(_UNITS[unit])
        count, whole = divmod(whole, size)
        if count:
            out.append(f"{count}{unit}")
    if ms:
        out.append(f"{ms}ms")
    return "".join(out) or "0s"


class Duration(PropType):
    def __init__(self, low: float = 0, high: float = 10 * 365 * 86400) -> None:
        self.low, self.high = low, high

    def parse(self, text: str) -> str:
        seconds = parse_seconds(text)
        if not self.low <= seconds <= self.high:
            raise InvalidValue(
                f"value of {{name}} out of range ({format_seconds(self.low)}.."
                f"{format_seconds(self.high)})"
            )
        return format_seconds(seconds)


def _ipv4(text: str) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(text)
    except ValueError:
        raise InvalidValue() from None


class IPv4(PropType):
    """One IPv4 address."""

    def __init__(self, negatable: bool = False) -> None:
        self.negatable = negatable

    def parse(self, text: str) -> str:
        neg = "!" if self.negatable and text.startswith("!") else ""
        return neg + str(_ipv4(text[len(neg):]))


class AddressMatcher(PropType):
    """A firewall address: `a.b.c.d`, `a.b.c.d/len` (host bits cleared, `/32` dropped) or a range
    `a-b`; `!` negates where the menu allows."""

    def __init__(self, negatable: bool = True, ranges: bool = True, prefixes: bool = True) -> None:
        self.negatable, self.ranges, self.prefixes = negatable, ranges, prefixes

    def parse(self, text: str) -> str:
        neg = "!" if self.negatable and text.startswith("!") else ""
        body = text[len(neg):]
        if "-" in body and self.ranges:
            first, last = (_ipv4(p) for p in body.split("-", 1))
            if last < first:
                raise InvalidValue()
            return f"{neg}{first}-{last}" if first != last else f"{neg}{first}"
        if "/" in body and self.prefixes:
            try:
                net = ipaddress.IPv4Network(body, strict=False)
            except ValueError:
                raise InvalidValue() from None
            printed = str(net.network_address) if net.prefixlen == 32 else str(net)
            return neg + printed
        return neg + str(_ipv4(body))


class Host(PropType):
    """An IPv4 address (optionally `@vrf` for netwatch) or a DNS name (e-mail server from 7.12,
    netwatch `type=dns` hosts on v7)."""

    def __init__(self, vrf: bool = False) -> None:
        self.vrf = vrf

    def parse(self, text: str) -> str:
        address, at, vrf = text.partition("@") if self.vrf else (text, "", "")
        try:
            printed = str(ipaddress.IPv4Address(address))
        except ValueError:
            pass
        else:
            if at and not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", vrf):
                raise InvalidValue()
            return printed + at + vrf
        if re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?", text) and any(
            c.isalpha() for c in text
        ):
            return text
        raise InvalidValue()


def _port(text: str) -> int:
    if not text.isdigit():
        raise InvalidValue()
    value = int(text)
    if value > 65535:
        raise InvalidValue("value of {name} out of range (0..65535)")
    return value


class Ports(PropType):
    """A port, `a-b` range, or (if `lists`) a comma list of both; `!` negates where allowed."""

    def __init__(self, lists: bool = True, ranges: bool = True, negatable: bool = True) -> None:
        self.lists, self.ranges, self.negatable = lists, ranges, negatable

    def parse(self, text: str) -> str:
        neg = "!" if self.negatable and text.startswith("!") else ""
        parts = text[len(neg):].split(",")
        if len(parts) > 1 and not self.lists:
            raise InvalidValue()
        out = []
        for part in parts:
            if "-" in part and self.ranges:
                low, high = (_port(p) for p in part.split("-", 1))
                if high < low:
                    raise InvalidValue()
                out.append(f"{low}-{high}" if low != high else str(low))
            else:
                out.append(str(_port(part)))
        return neg + ",".join(out)


class Pattern(PropType):
    """A value of a documented shape (`nth=2,1`, `limit=10/1s,5:packet`), stored as sent.

    For the firewall matchers the simulator stores and prints but does not interpret: the shape
    check refuses what a router would not parse, without modelling the value's meaning. `!`
    negates where the matcher allows it.
    """

    def __init__(self, regex: str, negatable: bool = False) -> None:
        self.regex = re.compile(regex)
        self.negatable = negatable

    def parse(self, text: str) -> str:
        body = text[1:] if self.negatable and text.startswith("!") else text
        if len(body) > 256 or not self.regex.fullmatch(body):
            raise InvalidValue()
        return text


PCC_FIELDS = (
    "src-address", "dst-address", "both-addresses", "src-port", "src-address-and-port",
    "dst-port", "dst-address-and-port", "both-ports", "both-addresses-and-ports",
)


class Classifier(PropType):
    """A PCC classifier `[!]ValuesToHash:Denominator/Remainder`, remainder below denominator."""

    def parse(self, text: str) -> str:
        match = re.fullmatch(r"(!?)([a-z-]+):(\d+)/(\d+)", text)
        if not match or match.group(2) not in PCC_FIELDS:
            raise InvalidValue()
        denominator, remainder = int(match.group(3)), int(match.group(4))
        if not 1 <= denominator <= 4294967295 or remainder >= denominator:
            raise InvalidValue()
        return f"{match.group(1)}{match.group(2)}:{denominator}/{remainder}"


class TimeOfDay(PropType):
    """A scheduler start time: `hh:mm:ss` or `startup`."""

    def parse(self, text: str) -> str:
        if text == "startup":
            return text
        match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text)
        if not match:
            raise InvalidValue()
        h, m, s = int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)
        if h > 23 or m > 59 or s > 59:
            raise InvalidValue()
        return f"{h:02d}:{m:02d}:{s:02d}"


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def format_date(when: datetime, iso: bool) -> str:
    return when.strftime("%Y-%m-%d") if iso else f"{_MONTHS[when.month - 1]}/{when:%d/%Y}"


def format_datetime(when: datetime, iso: bool) -> str:
    """`jan/13/2023 00:16:01` before 7.10, `2023-01-13 00:16:01` from 7.10."""
    return f"{format_date(when, iso)} {when:%H:%M:%S}"


class Date(PropType):
    """A date; accepts both spellings, prints the profile's."""

    def __init__(self, iso: bool) -> None:
        self.iso = iso

    def parse(self, text: str) -> str:
        iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        legacy = re.fullmatch(r"([a-z]{3})/(\d{2})/(\d{4})", text.lower())
        try:
            if iso:
                when = datetime(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
            elif legacy and legacy.group(1) in _MONTHS:
                month = _MONTHS.index(legacy.group(1)) + 1
                when = datetime(int(legacy.group(3)), month, int(legacy.group(2)))
            else:
                raise InvalidValue()
        except ValueError:
            raise InvalidValue() from None
        return format_date(when, self.iso)


@dataclass(frozen=True)
class Prop:
    """One property of a menu.

    `default` is in printed form; `printed=False` means the default applies but print omits it
    (v7 netwatch). `runtime` read-only values are the router's own (counters, status) and are
    re-initialised when the router restarts from a state file. `since`/`until` bound the versions
    (inclusive, exclusive) that know the property.
    """

    name: str
    type: PropType = Text()
    default: str | None = None
    printed: bool = True
    read_only: bool = False
    runtime: bool = False
    required: bool = False
    since: tuple[int, int] | None = None
    until: tuple[int, int] | None = None

    def exists_in(self, profile: Profile) -> bool:
        return (self.since is None or profile.number >= self.since) and (
            self.until is None or profile.number < self.until
        )


class Schema:
    """The properties one menu has on one profile, in print order."""

    def __init__(self, profile: Profile, props: Iterable[Prop]) -> None:
        self.profile = profile
        self.props: dict[str, Prop] = {p.name: p for p in props if p.exists_in(profile)}

    def __contains__(self, name: str) -> bool:
        return name in self.props

    def unknown(self, name: str) -> CommandError:
        if self.profile.unknown_parameter_names_it:
            return CommandError(f"unknown parameter {name}")
        return CommandError("unknown parameter")

    def parse(self, attributes: Mapping[str, str]) -> dict[str, str | None]:
        """Client attributes -> printed values; `None` for an unset (`!name`).

        Read-only properties are refused as unknown: they are not arguments of add or set.
        """
        out: dict[str, str | None] = {}
        for key, value in attributes.items():
            unset = key.startswith("!")
            name = key[1:] if unset else key
            prop = self.props.get(name)
            if prop is None or prop.read_only:
                raise self.unknown(name)
            if unset:
                out[name] = None
                continue
            try:
                out[name] = prop.type.parse(value)
            except InvalidValue as error:
                raise error.for_argument(name) from None
        return out

    def defaults(
        self, *, read_only: bool | None = None, printed_only: bool = True
    ) -> dict[str, str]:
        return {
            p.name: p.default
            for p in self.props.values()
            if p.default is not None
            and (p.printed or not printed_only)
            and (read_only is None or p.read_only == read_only)
        }

    def ordered(self, props: Mapping[str, str]) -> dict[str, str]:
        """`props` in schema order, unknown keys (the behaviour's) after."""
        known = {n: props[n] for n in self.props if n in props}
        known.update({n: v for n, v in props.items() if n not in known})
        return known

    def canonical(self, name: str, value: str) -> str:
        """`value` as this menu would print it, for comparing a query's value; as sent if the
        property is unknown or the value does not parse."""
        prop = self.props.get(name)
        if prop is None:
            return value
        try:
            return prop.type.parse(value)
        except InvalidValue:
            return value
