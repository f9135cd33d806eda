"""Property types: what each accepts, how it prints, and what it refuses."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.api import Category, CommandError
from simulator.profiles import profile
from simulator.schema import (
    AddressMatcher,
    Bool,
    Classifier,
    Date,
    Duration,
    Enum,
    FlagList,
    Int,
    InvalidValue,
    PolicyList,
    Ports,
    Prop,
    Schema,
    Source,
    TimeOfDay,
    format_seconds,
    parse_seconds,
)


@pytest.mark.parametrize(
    ("kind", "text", "printed"),
    [
        (Bool(), "yes", "true"), (Bool(), "no", "false"), (Bool(), "true", "true"),
        (Bool(), "False", "false"),
        (Int(0, 10), "7", "7"),
        (Duration(), "10s", "10s"), (Duration(), "1m30s", "1m30s"), (Duration(), "90", "1m30s"),
        (Duration(), "00:00:10", "10s"), (Duration(), "1d2h", "1d2h"),
        (Duration(), "01:00:00", "1h"), (Duration(), "8d", "1w1d"), (Duration(), "500ms", "500ms"),
        (Duration(), "0s", "0s"), (Duration(), "1d00:10:00", "1d10m"),
        (AddressMatcher(), "192.168.1.5/24", "192.168.1.0/24"),
        (AddressMatcher(), "10.0.0.1/32", "10.0.0.1"),
        (AddressMatcher(), "!10.0.0.0/8", "!10.0.0.0/8"),
        (AddressMatcher(), "10.0.0.1-10.0.0.9", "10.0.0.1-10.0.0.9"),
        (Ports(), "80,443,8000-8100", "80,443,8000-8100"), (Ports(), "!22", "!22"),
        (Ports(lists=False, negatable=False), "8080", "8080"),
        (Classifier(), "both-addresses:2/1", "both-addresses:2/1"),
        (Classifier(), "!src-address-and-port:3/0", "!src-address-and-port:3/0"),
        (FlagList("new", "established", "related"), "!established,related",
         "!established,related"),
        (PolicyList(), "write,read,test", "read,write,test"),
        (Source(), "a\nb\r\nc", "a\r\nb\r\nc"),
        (TimeOfDay(), "startup", "startup"), (TimeOfDay(), "7:05", "07:05:00"),
        (Date(iso=True), "jan/02/2026", "2026-01-02"), (Date(iso=False), "2026-01-02",
                                                         "jan/02/2026"),
    ],
)
def test_accepted_values_print_canonically(kind, text: str, printed: str) -> None:
    assert kind.parse(text) == printed


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (Bool(), "maybe"), (Int(0, 10), "x"), (Int(0, 10), "11"), (Duration(), "10x"),
        (Duration(), "1m 3s"), (Duration(), ""), (Duration(), "00:61:00"),
        (AddressMatcher(negatable=False), "!1.2.3.4"), (AddressMatcher(), "1.2.3"),
        (AddressMatcher(), "10.0.0.9-10.0.0.1"), (Ports(), "70000"), (Ports(), "90-80"),
        (Ports(lists=False), "1,2"), (Classifier(), "src-address:2/2"),
        (Classifier(), "src-mac:2/1"), (Classifier(), "src-address:0/0"),
        (Classifier(), "src-address"), (Enum("a", "b"), "c"), (PolicyList(), "read,fly"),
        (FlagList("new"), "old"), (TimeOfDay(), "25:00"), (Date(iso=True), "feb/30/2026"),
    ],
)
def test_refused_values(kind, text: str) -> None:
    with pytest.raises(InvalidValue):
        kind.parse(text)


def test_error_texts_name_the_argument() -> None:
    schema = Schema(profile("7.20"), [Prop("action", Enum("accept")), Prop("port", Int(1, 9)),
                                      Prop("host", AddressMatcher())])
    cases = {
        "action": ("drop", "input does not match any value of action"),
        "port": ("10", "value of port out of range (1..9)"),
        "host": ("nope", "invalid value for argument host"),
    }
    for name, (value, message) in cases.items():
        with pytest.raises(CommandError) as caught:
            schema.parse({name: value})
        assert (caught.value.message, caught.value.category) == (message, Category.ARGUMENT_VALUE)


@pytest.mark.parametrize(("version", "message"),
                         [("6.49", "unknown parameter"), ("7.20", "unknown parameter colour")])
def test_unknown_and_read_only_parameters(version: str, message: str) -> None:
    schema = Schema(profile(version), [Prop("bytes", read_only=True), Prop("name")])
    with pytest.raises(CommandError, match=f"^{message}$"):
        schema.parse({"colour": "red"})
    with pytest.raises(CommandError, match="^unknown parameter"):
        schema.parse({"bytes": "1"})
    assert schema.parse({"!name": ""}) == {"name": None}


def test_version_ranges_select_properties() -> None:
    props = [Prop("old", until=(7, 0)), Prop("new", since=(7, 12))]
    assert list(Schema(profile("6.49"), props).props) == ["old"]
    assert list(Schema(profile("7.11"), props).props) == []
    assert list(Schema(profile("7.20"), props).props) == ["new"]


@given(st.integers(min_value=0, max_value=10 * 365 * 86400 * 1000))
def test_durations_round_trip(millis: int) -> None:
    printed = format_seconds(millis / 1000)
    assert round(parse_seconds(printed) * 1000) == millis
    assert Duration().parse(printed) == printed
