"""The script lexer: tokens, positions, strings and escapes, comments, continuations."""

from __future__ import annotations

import pytest

from simulator.script import ScriptError
from simulator.script.lexer import Kind, SubstPart, VarPart, tokenize


def kinds(source: str) -> list[tuple[Kind, str]]:
    return [(t.kind, t.text) for t in tokenize(source)]


def test_words_operators_and_brackets_carry_line_and_column() -> None:
    tokens = tokenize('/ip firewall nat\ndisable [find comment!="pi"]')
    found = [(t.kind, t.text, t.line, t.column) for t in tokens]
    assert found == [
        (Kind.WORD, "/ip", 1, 1), (Kind.WORD, "firewall", 1, 5), (Kind.WORD, "nat", 1, 14),
        (Kind.NEWLINE, "\n", 1, 17), (Kind.WORD, "disable", 2, 1), (Kind.LBRACKET, "[", 2, 9),
        (Kind.WORD, "find", 2, 10), (Kind.WORD, "comment", 2, 15), (Kind.OP, "!=", 2, 22),
        (Kind.STRING, "pi", 2, 24), (Kind.RBRACKET, "]", 2, 28), (Kind.EOF, "", 2, 29),
    ]


def test_adjacency_is_recorded_so_values_can_be_rejoined() -> None:
    tokens = tokenize("connection-state=!established a = b")
    assert [(t.text, t.spaced) for t in tokens[:4]] == [
        ("connection-state", True), ("=", False), ("!", False), ("established", False)]
    assert [t.spaced for t in tokens[4:7]] == [True, True, True]


def test_values_with_colons_slashes_dots_and_stars_are_one_word() -> None:
    words = [t.text for t in tokenize("00:00:10 10.0.0.0/24 *1,*2 /ip/firewall/nat") if
             t.kind is Kind.WORD]
    assert words == ["00:00:10", "10.0.0.0/24", "*1,*2", "/ip/firewall/nat"]


@pytest.mark.parametrize(("source", "text"), [
    (r'"a\"b"', 'a"b'), (r'"back\\slash"', "back\\slash"), (r'"\n\r\t"', "\n\r\t"),
    (r'"\$x"', "$x"), (r'"\?"', "?"), (r'"\41\42"', "AB"), (r'"a\_b"', "a b"),
    (r'"192\.168"', "192\\.168"), ('"a\\\nb"', "ab"),
])
def test_string_escapes(source: str, text: str) -> None:
    token = tokenize(source)[0]
    assert token.kind is Kind.STRING
    assert token.text == text


def test_interpolation_splits_a_string_into_parts() -> None:
    token = tokenize('"id $i is $[get $i comment]!"')[0]
    assert token.parts[0] == "id "
    assert token.parts[1] == VarPart("i", 1, 5)
    assert token.parts[2] == " is "
    subst = token.parts[3]
    assert isinstance(subst, SubstPart)
    assert [t.text for t in subst.tokens] == ["get", "i", "comment", ""]
    assert token.parts[4] == "!"


def test_variables_and_dollar_bracket() -> None:
    assert kinds("$name $[x]") == [
        (Kind.VAR, "name"), (Kind.LBRACKET, "$["), (Kind.WORD, "x"), (Kind.RBRACKET, "]"),
        (Kind.EOF, "")]


def test_comments_only_where_a_statement_starts() -> None:
    assert kinds("# all of it\n:put a#b; # tail") == [
        (Kind.NEWLINE, "\n"), (Kind.WORD, ":put"), (Kind.WORD, "a#b"), (Kind.SEMI, ";"),
        (Kind.EOF, "")]


def test_line_continuation_joins_lines_and_keeps_counting_them() -> None:
    tokens = tokenize("add \\\n  comment=x\r\n:put y")
    assert [t.text for t in tokens[:3]] == ["add", "comment", "="]
    assert (tokens[1].line, tokens[1].column) == (2, 3)
    assert tokens[5].line == 3


def test_unterminated_string_points_at_its_quote() -> None:
    with pytest.raises(ScriptError) as caught:
        tokenize(':put "ok"\n:put "never closed')
    assert (caught.value.line, caught.value.column) == (2, 6)
    assert "line 2 column 6" in caught.value.message


def test_dollar_without_name_is_a_syntax_error() -> None:
    with pytest.raises(ScriptError, match=r"syntax error \(line 1 column 6\)"):
        tokenize(":put $ x")
