"""The query language over printed items: every operator, the `#` stack, canonical values."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.api import CommandError
from simulator.query import matches

ITEM = {".id": "*1", "chain": "dstnat", "disabled": "false", "comment": "lb web", "bytes": "120"}


def yes_no(name: str, value: str) -> str:
    return {"yes": "true", "no": "false"}.get(value, value) if name == "disabled" else value


@pytest.mark.parametrize(
    ("queries", "expected"),
    [
        ((), True),
        (("?chain",), True),
        (("?action",), False),
        (("?-action",), True),
        (("?-chain",), False),
        (("?chain=dstnat",), True),
        (("?=chain=dstnat",), True),
        (("?chain=srcnat",), False),
        (("?disabled=no",), True),
        (("?disabled=false",), True),
        (("?disabled=yes",), False),
        (("?>comment=",), True),
        (("?<bytes=200",), True),
        (("?<bytes=100",), False),
        (("?>bytes=99",), True),  # numbers compare as numbers, not strings
        (("?<missing=5",), False),
        (("?comment=",), False),
        (("?action=",), True),  # an unset property compares as empty
        (("?chain=srcnat", "?chain=dstnat", "?#|"), True),
        (("?chain=srcnat", "?chain=dstnat", "?#&"), False),
        (("?chain=srcnat", "?#!"), True),
        (("?chain=dstnat", "?#!"), False),
        # `0` at the end of the word replaces the stack with its top: the false below goes.
        (("?chain=srcnat", "?chain=dstnat", "?#0"), True),
        (("?chain=dstnat", "?chain=srcnat", "?#1"), True),
        # an index followed by more ops pushes a copy: `1` copies the false, `|` with the top
        (("?chain=srcnat", "?chain=dstnat", "?#1|"), False),
        (("?chain=srcnat", "?chain=dstnat", "?#1|0"), True),
        # `.` alone duplicates the top; after an index it is a no-op
        (("?chain=dstnat", "?#.&"), True),
        (("?chain=srcnat", "?chain=dstnat", "?#0.|"), False),  # [F, T, T] -> [F, T]
        (("?chain=srcnat", "?#.|"), False),
        (("?chain=srcnat", "?chain=srcnat", "?chain=dstnat", "?#||"), True),
    ],
)
def test_query_words(queries: tuple[str, ...], expected: bool) -> None:
    assert matches(queries, ITEM, yes_no) is expected


@pytest.mark.parametrize("word", ["?#&", "?#|", "?#!", "?#3", "?#x", "?<=x", "?="])
def test_malformed_query_words_are_refused(word: str) -> None:
    with pytest.raises(CommandError, match="invalid query"):
        matches((word,), {}, yes_no)


@given(st.lists(st.booleans(), min_size=2, max_size=6))
def test_or_and_and_fold_the_whole_stack(values: list[bool]) -> None:
    props = {"x": "1"}
    words = tuple("?x=1" if v else "?x=0" for v in values)
    ops = len(values) - 1
    assert matches((*words, "?#" + "|" * ops), props) is any(values)
    assert matches((*words, "?#" + "&" * ops), props) is all(values)


@given(st.lists(st.booleans(), min_size=1, max_size=6))
def test_without_operators_every_word_must_hold(values: list[bool]) -> None:
    words = tuple("?x=1" if v else "?x=0" for v in values)
    assert matches(words, {"x": "1"}) is all(values)
