"""The linear-time POSIX regex matcher behind the script's `~` operator."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.script.regex import MAX_PATTERN, Regex, RegexError


@pytest.mark.parametrize(("pattern", "text", "found"), [
    ("^pi1", "pi132", True), ("32$", "pi132", True), ("^32", "pi132", False),
    ("192\\.168\\.1\\.", "192.168.1.132", True), ("192\\.168", "192x168", False),
    ("^a(b|c)+d$", "abcbd", True), ("^a(b|c)+d$", "ad", False),
    ("^x{2,3}$", "xxx", True), ("^x{2,3}$", "xxxx", False), ("^x{2,}$", "xxxxx", True),
    ("[[:digit:]]+", "ab1", True), ("^[[:alpha:]]+$", "ab1", False),
    ("[^a-c]", "abc", False), ("[]a]", "]", True), ("", "anything", True), ("^$", "", True),
])
def test_matches_like_posix(pattern: str, text: str, found: bool) -> None:
    assert Regex(pattern).search(text) is found


@pytest.mark.parametrize("pattern", ["(a", "a)", "*a", "a**{", "[a", "a{3,1}", "a{999}",
                                     "[[:nope:]]", "[z-a]", "a\\"])
def test_bad_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(RegexError):
        Regex(pattern)


def test_catastrophic_patterns_stay_linear() -> None:
    # Python's re needs about 2**n steps here; the automaton needs n x states.
    assert Regex("^(a+)+$").search("a" * 3000 + "b") is False
    assert Regex("(a|aa)*c").search("a" * 3000) is False
    assert Regex("^(a|a?)+$").search("a" * 3000) is True


def test_size_bounds() -> None:
    with pytest.raises(RegexError):
        Regex("a" * (MAX_PATTERN + 1))
    with pytest.raises(RegexError):
        Regex("(((a{255}){255}){255})")
    with pytest.raises(RegexError, match="subject too long"):
        Regex("a{200}b{200}c{200}").search("a" * 1_000_000)


def _patterns() -> st.SearchStrategy[str]:
    atoms = st.sampled_from(["a", "b", ".", "[ab]", "[^a]", "^", "$"])

    def extend(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(children, children).map("".join),
            st.tuples(children, children).map(lambda p: f"({p[0]}|{p[1]})"),
            st.tuples(children, st.sampled_from(["*", "+", "?", "{1,2}", "{2}"])).map(
                lambda p: f"({p[0]}){p[1]}"),
        )

    return st.recursive(atoms, extend, max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(pattern=_patterns(), text=st.text(alphabet="abc", max_size=8))
def test_agrees_with_python_re_where_both_apply(pattern: str, text: str) -> None:
    assert Regex(pattern).search(text) is bool(re.search(pattern, text))
