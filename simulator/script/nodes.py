"""The syntax tree of a parsed script: plain frozen dataclasses, no behaviour.

Every node carries the line and column where it starts, so the interpreter can say where a
run-time failure happened. Menu paths are already absolute here: the parser resolves relative
commands against the menu lines before them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Node:
    line: int
    column: int


# Expressions


@dataclass(frozen=True)
class Literal(Node):
    """A quoted string without interpolation, or a value the parser already knows."""

    value: str


@dataclass(frozen=True)
class Word(Node):
    """An unquoted word: text in a menu command's arguments, typed (number, boolean) elsewhere."""

    text: str


@dataclass(frozen=True)
class Var(Node):
    name: str


@dataclass(frozen=True)
class Interpolated(Node):
    """A quoted string with `$var` or `$[...]` inside: parts are strings and expressions."""

    parts: tuple[str | Expr, ...]


@dataclass(frozen=True)
class Substitution(Node):
    """`[ ... ]`: runs the commands, evaluates to the value of the last one."""

    body: Block


@dataclass(frozen=True)
class Prop(Node):
    """A property name inside a `where` expression, read from each item."""

    name: str


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "!" or "-"
    operand: Expr


@dataclass(frozen=True)
class Binary(Node):
    op: str  # = != < > <= >= ~ && || . + - * / %
    left: Expr
    right: Expr


# Statements


@dataclass(frozen=True)
class Block(Node):
    """Statements with their own variable scope; `text` is the source (sent for `source=`)."""

    statements: tuple[Statement, ...]
    text: str


@dataclass(frozen=True)
class Command(Node):
    """A menu command: `/ip firewall nat disable [find comment="x"]`.

    `path` is absolute (`("ip", "firewall", "nat")`), `verb` the command word. `where` holds a
    `find`/`print` filter: the `where` expression and bare `key=value` filters, already ANDed.
    """

    path: tuple[str, ...]
    verb: str
    positional: tuple[Expr, ...]
    named: tuple[tuple[str, Expr], ...]
    where: Expr | None

    @property
    def command(self) -> str:
        return "/" + "/".join((*self.path, self.verb))


@dataclass(frozen=True)
class ScriptCommand(Node):
    """A global command: `:local`, `:if`, `:foreach`, `:put`, … (`name` without the colon)."""

    name: str
    positional: tuple[Expr, ...]
    named: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class ExprStatement(Node):
    """A statement that is only a value: `[find]`, `$x` or `(1 + 2)` on a line of its own."""

    expr: Expr


Expr = Literal | Word | Var | Interpolated | Substitution | Prop | Unary | Binary | Block
Statement = Command | ScriptCommand | Block | ExprStatement
