"""Script values and their conversions: typing words and printed properties, text, comparison.

A value is `str`, `int` (a RouterOS num, 64-bit), `bool`, `None` (nothing) or a list (an array,
e.g. the ids `find` returns). This module knows nothing about the router or the syntax tree.
"""

from __future__ import annotations

import ipaddress
import re

from .errors import ScriptError

Value = str | int | bool | None | list["Value"]

# A runaway `:set s ($s . $s)` doubles per statement and would reach gigabytes long before the
# statement cap; no router script needs more than a few kilobytes (RouterOS itself limited
# variables to 4 KiB for years), so 4 MiB keeps the simulator alive without refusing real scripts.
MAX_STRING = 4 * 1024 * 1024

# A num has at most 19 digits (64-bit); a longer run of digits stays text, so a huge number in
# a script or in a printed property is never handed to Python's int() (which refuses past 4300
# digits) and arithmetic on it fails as "not a number" with its line and column.
_INT = re.compile(r"-?(0|[1-9][0-9]{0,18})")
_ID = re.compile(r"\*[0-9a-fA-F]+")
_TRUE = frozenset({"true", "yes"})
_FALSE = frozenset({"false", "no"})
_INT64 = 1 << 64


def wrap(number: int) -> int:
    """RouterOS nums are signed 64-bit and wrap around."""
    number %= _INT64
    return number - _INT64 if number >= _INT64 // 2 else number


def checked(text: str, line: int, column: int) -> str:
    if len(text) > MAX_STRING:
        raise ScriptError(
            f"string longer than {MAX_STRING} characters (line {line} column {column})",
            line, column,
        )
    return text


def from_word(text: str) -> Value:
    """An unquoted word in an expression: a number, a boolean, or itself."""
    if _INT.fullmatch(text):
        return wrap(int(text))
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return text


def from_printed(text: str) -> Value:
    """A property as the router prints it: `true`/`false` are booleans, digits are numbers."""
    if text == "true":
        return True
    if text == "false":
        return False
    if _INT.fullmatch(text):
        return wrap(int(text))
    return text


def to_text(value: Value, separator: str = ";") -> str:
    """What `:put` and string interpolation show; arrays join with `;` as `:tostr` does."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return separator.join(to_text(v, separator) for v in value)
    return str(value)


def to_attribute(value: Value) -> str:
    """A value sent to the router as an attribute: arrays (of ids) become comma lists."""
    return to_text(value, ",")


def type_name(value: Value) -> str:
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "num"
    if isinstance(value, list):
        return "array"
    return "id" if _ID.fullmatch(value) else "str"


def _canonical(value: Value) -> str:
    text = to_text(value)
    if text in _TRUE:
        return "true"
    if text in _FALSE:
        return "false"
    if _ID.fullmatch(text):
        return text.upper()
    return text


def equal(left: Value, right: Value) -> bool:
    """Loose equality: `yes` equals a printed `true`, `*a` equals `*A`, `5` equals "5"."""
    return _canonical(left) == _canonical(right)


def _order_key(value: Value) -> tuple[int, object]:
    text = to_text(value)
    if _INT.fullmatch(text):
        return (0, int(text))
    try:
        return (1, ipaddress.ip_address(text))
    except ValueError:
        return (2, text)


def less(left: Value, right: Value) -> bool:
    """Numbers compare as numbers, addresses as addresses, anything else as text."""
    a, b = _order_key(left), _order_key(right)
    if a[0] != b[0]:
        return to_text(left) < to_text(right)
    if a[0] == 1 and a[1].version != b[1].version:  # type: ignore[attr-defined]
        return a[1].version < b[1].version  # type: ignore[attr-defined]
    return a[1] < b[1]  # type: ignore[operator]


def as_bool(value: Value, line: int, column: int) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value in _TRUE | _FALSE:
        return value in _TRUE
    raise ScriptError(f"conditional not boolean (line {line} column {column})", line, column)


def as_number(value: Value, line: int, column: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INT.fullmatch(value):
        return wrap(int(value))
    raise ScriptError(
        f"not a number: {to_text(value)[:40]!r} (line {line} column {column})", line, column
    )

