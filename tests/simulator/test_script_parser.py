"""The script parser: menu paths, arguments, where expressions, global commands, syntax errors."""

from __future__ import annotations

import pytest

from simulator.script import ScriptError
from simulator.script.nodes import (
    Binary,
    Block,
    Command,
    Literal,
    Prop,
    ScriptCommand,
    Substitution,
    Unary,
    Word,
)
from simulator.script.parser import parse


def commands(source: str) -> list[Command]:
    found = [s for s in parse(source).statements if isinstance(s, Command)]
    return found


@pytest.mark.parametrize("source", [
    "/ip firewall nat disable *1",
    "/ip/firewall/nat/disable *1",
    "/ip firewall nat\ndisable *1",
    "/ip firewall nat; disable *1",
    "/ip firewall\nnat disable *1",
    "/ip firewall filter\n.. nat disable *1",
])
def test_paths_absolute_relative_and_slashed(source: str) -> None:
    (command,) = commands(source)
    assert command.command == "/ip/firewall/nat/disable"
    assert command.positional == (Word(command.positional[0].line,
                                       command.positional[0].column, "*1"),)


def test_menu_lines_are_scoped_to_their_block() -> None:
    block = parse("/ip firewall nat\n{ /tool netwatch\nprint }\nprint")
    inner = block.statements[0]
    assert isinstance(inner, Block)
    assert inner.statements[0].command == "/tool/netwatch/print"  # type: ignore[union-attr]
    assert block.statements[1].command == "/ip/firewall/nat/print"  # type: ignore[union-attr]


def test_substitution_in_arguments_means_the_commands_menu() -> None:
    (command,) = commands('/ip firewall nat\n/tool netwatch get [find host="1.2.3.4"] status')
    find = command.positional[0]
    assert isinstance(find, Substitution)
    assert find.body.statements[0].command == "/tool/netwatch/find"  # type: ignore[union-attr]


@pytest.mark.parametrize("source", ["/ip firewall nat frobnicate comment=x",
                                    "/ip firewall nat frobnicate *1"])
def test_unknown_word_before_arguments_is_the_verb(source: str) -> None:
    (command,) = commands(source)
    assert command.command == "/ip/firewall/nat/frobnicate"


def test_a_line_of_menu_words_is_a_menu_line() -> None:
    assert parse("/ip firewall nat").statements == ()


def test_named_values_rejoin_adjacent_words_and_operators() -> None:
    (command,) = commands("/ip firewall filter add connection-state=!established,related "
                          "comment= timeout=00:00:10")
    values = {name: value for name, value in command.named}
    assert isinstance(values["connection-state"], Word)
    assert values["connection-state"].text == "!established,related"
    assert isinstance(values["comment"], Literal)
    assert values["comment"].value == ""
    assert values["timeout"].text == "00:00:10"  # type: ignore[union-attr]


def test_find_filters_and_where_are_anded() -> None:
    (command,) = commands('/ip firewall nat find comment="x" where !disabled and bytes>10')
    where = command.where
    assert isinstance(where, Binary)
    assert where.op == "&&"
    assert isinstance(where.left, Binary)
    assert where.left.left == Prop(1, 23, "comment")
    assert isinstance(where.right, Binary)
    assert where.right.op == "&&"
    assert isinstance(where.right.left, Unary)
    assert where.right.right.op == ">"  # type: ignore[union-attr]


def test_where_precedence_or_binds_looser_than_and_and_parentheses_group() -> None:
    (command,) = commands('/ip firewall nat find where a=1 or b=2 and (c~"x" || !d)')
    where = command.where
    assert isinstance(where, Binary)
    assert where.op == "||"
    assert isinstance(where.right, Binary)
    assert where.right.op == "&&"
    assert where.right.right.op == "||"  # type: ignore[union-attr]


def test_print_options_are_not_filters() -> None:
    (command,) = commands("/ip firewall nat print count-only proplist=comment where disabled")
    assert command.named[0][0] == "proplist"
    assert isinstance(command.where, Prop)
    assert command.positional[0].text == "count-only"  # type: ignore[union-attr]


def test_if_with_do_and_else_blocks() -> None:
    (statement,) = parse(':if ($x = "a" && !$y) do={ :put 1 } else={ :put 2 }').statements
    assert isinstance(statement, ScriptCommand)
    assert statement.name == "if"
    condition = statement.positional[0]
    assert isinstance(condition, Binary)
    assert condition.op == "&&"
    named = dict(statement.named)
    assert isinstance(named["do"], Block)
    assert named["do"].text == " :put 1 "
    assert isinstance(named["else"], Block)


def test_arithmetic_precedence_and_the_glued_increment() -> None:
    (statement,) = parse(":set i (1 + $i * 2 . \"x\")").statements
    value = statement.positional[1]  # type: ignore[union-attr]
    assert value.op == "."
    assert value.left.op == "+"
    assert value.left.right.op == "*"
    (glued,) = parse(":set i ($i+1)").statements
    assert glued.positional[1].op == "+"  # type: ignore[union-attr]


@pytest.mark.parametrize(("source", "message"), [
    (':put "a")', "expected end of command (line 1 column 9)"),
    ("/ip firewall nat\nadd comment=x ]", "expected end of command (line 2 column 15)"),
    (":if ($x = ) do={}", "syntax error (line 1 column 11)"),
    (":put (1 + 2", "syntax error (line 1 column 12)"),
    ("{ :put 1\n", "syntax error (line 2 column 1)"),
    (":put 1\n:frobnicate 2", "bad command name frobnicate (line 2 column 2)"),
    (":execute {:put 1}", ":execute is outside the simulator's script subset (line 1 column 1)"),
    ("add comment=abc$x", "outside the simulator's script subset"),
])
def test_syntax_errors_name_line_and_column(source: str, message: str) -> None:
    with pytest.raises(ScriptError) as caught:
        parse(source)
    assert message in caught.value.message
    assert caught.value.line >= 1
    assert caught.value.column >= 1


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(ScriptError, match="nested too deeply"):
        parse(":put " + "(" * 500 + "1" + ")" * 500)
    with pytest.raises(ScriptError, match="nested too deeply"):
        parse("{" * 500 + "}" * 500)
