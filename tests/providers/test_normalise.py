"""Canonical forms: every accepted spelling of a value normalises to one string."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers import normalise as n


@pytest.mark.parametrize(("given_", "want"), [
    (True, "true"), ("yes", "true"), ("TRUE", "true"), (False, "false"), ("no", "false"),
])
def test_booleans(given_: object, want: str) -> None:
    assert n.boolean(given_) == want


def test_a_non_boolean_names_what_is_allowed() -> None:
    with pytest.raises(ValueError, match="true/false"):
        n.boolean("maybe")


@pytest.mark.parametrize(("given_", "want"), [
    ("10s", "10s"), ("00:00:10", "10s"), ("1m30s", "1m30s"), ("00:01:30", "1m30s"),
    ("1d5h36m1s", "1d5h36m1s"), ("1d 05:36:01", "1d5h36m1s"), ("500ms", "500ms"), (90, "1m30s"),
    ("0", "0s"), ("2w", "2w"), ("60m", "1h"),
])
def test_durations(given_: object, want: str) -> None:
    assert n.duration(given_) == want


@pytest.mark.parametrize("bad", ["10x", "ten", "1:99:00", "-5"])
def test_bad_durations_say_how_to_write_one(bad: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        n.duration(bad)


@given(st.integers(min_value=0, max_value=10**8))
def test_duration_round_trip(seconds: int) -> None:
    assert n.duration_seconds(n.duration(seconds)) == seconds


@pytest.mark.parametrize(("given_", "want"), [
    ("443, 80", "80,443"), ("80", "80"), ("8000-8080,22", "22,8000-8080"), ("!53", "!53"),
    ("80,80", "80"),
])
def test_port_lists(given_: str, want: str) -> None:
    assert n.port_list(given_) == want


@pytest.mark.parametrize("bad", ["70000", "80-20", "http", ""])
def test_bad_port_lists(bad: str) -> None:
    with pytest.raises(ValueError, match="port"):
        n.port_list(bad)


@pytest.mark.parametrize(("given_", "want"), [
    ("10.0.0.1/32", "10.0.0.1"), ("10.0.0.7/24", "10.0.0.0/24"), ("!192.168.1.0/24",
     "!192.168.1.0/24"), ("10.0.0.1-10.0.0.9", "10.0.0.1-10.0.0.9"),
])
def test_addresses(given_: str, want: str) -> None:
    assert n.address(given_) == want


def test_bad_address_shows_examples() -> None:
    with pytest.raises(ValueError, match="192.168.88.10"):
        n.address("10.0.0.300")


@pytest.mark.parametrize(("given_", "want"), [
    ("src-address:3/0", "src-address:3/0"), ("BOTH-ADDRESSES:2/1", "both-addresses:2/1"),
    ("!dst-port:04/03", "!dst-port:4/3"),
])
def test_classifiers(given_: str, want: str) -> None:
    assert n.classifier(given_) == want


@pytest.mark.parametrize(("bad", "reason"), [
    ("src-address:2/2", "remainder must be below"), ("src-address:0/0", "at least 1"),
    ("src-addr:2/0", "classifier field"), ("src-address", "<fields>:<denominator>/<remainder>"),
])
def test_bad_classifiers(bad: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        n.classifier(bad)


def test_script_sources_compare_without_carriage_returns() -> None:
    assert n.script_source(":log info a\r\n:log info b\r\n") == ":log info a\n:log info b\n"


@pytest.mark.parametrize("given_", ["2024-01-02", "jan/02/2024", "JAN/2/2024"])
def test_dates_in_both_spellings(given_: str) -> None:
    assert n.date(given_) == "2024-01-02"
    assert n.date_v6("2024-01-02") == "jan/02/2024"


def test_choice_sets_sort_and_deduplicate() -> None:
    allowed = ("established", "related", "new")
    assert n.choice_set("related, established,related", allowed) == "established,related"
    with pytest.raises(ValueError, match="use a comma list of"):
        n.choice_set("bogus", allowed)


def test_times_of_day() -> None:
    assert n.time_of_day("7:05") == "07:05:00"
    assert n.time_of_day("startup") == "startup"
    with pytest.raises(ValueError, match="hh:mm:ss"):
        n.time_of_day("25:00:00")
