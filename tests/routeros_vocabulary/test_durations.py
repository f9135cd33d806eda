"""One duration grammar for the config, the providers and the connection layer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from balancer.spec import duration_seconds as spec_seconds
from providers.normalise import duration_seconds as provider_seconds
from routeros_vocabulary.durations import (
    MAX_DURATION_SECONDS,
    compact_duration,
    normal_duration,
    parse_duration,
)


@pytest.mark.parametrize(("text", "seconds"), [
    ("1.5s", 1.5), ("1s500ms", 1.5), ("1d02:00:00", 93600), ("1d 02:00:00", 93600),
    ("00:00:10", 10), ("0:1:30", 90), ("30", 30), ("2w", 1209600), ("1h1h", 7200),
    (f"{MAX_DURATION_SECONDS}s", MAX_DURATION_SECONDS),
])
def test_every_reader_agrees_on_what_a_duration_is(text: str, seconds: float) -> None:
    assert parse_duration(text) == spec_seconds(text) == provider_seconds(text) == seconds


@pytest.mark.parametrize("text", [
    "99999999999s", "1:60:00", "00:00:60", "1.5", "-1s", "1 d", "1d  02:00:00", "10x", "", "s",
])
def test_every_reader_refuses_the_same_texts(text: str) -> None:
    if text == "1.5":  # a bare number (fraction included) is seconds
        assert parse_duration(text) == spec_seconds(text) == 1.5
        return
    for read in (parse_duration, spec_seconds, provider_seconds):
        with pytest.raises(ValueError, match="duration"):
            read(text)


def test_the_formatter_prints_the_compact_form_to_the_millisecond() -> None:
    assert normal_duration("1d 02:00:00") == "1d2h"
    assert normal_duration("1.5s") == "1s500ms"
    assert compact_duration(0.0004) == "0s"
    assert normal_duration(604800 + 61.25) == "1w1m1s250ms"


@given(st.integers(min_value=0, max_value=MAX_DURATION_SECONDS * 1000))
def test_printing_then_reading_gives_the_same_milliseconds(millis: int) -> None:
    assert round(parse_duration(compact_duration(millis / 1000)) * 1000) == millis
