"""Turns script source text into tokens that carry their line and column.

The lexer knows the characters of the RouterOS script language (words, strings with escapes and
`$var` / `$[...]` interpolation, brackets, operators, comments, line continuations) and nothing
about commands or menus: deciding what a word means is the parser's job.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .errors import ScriptError, syntax_error

MAX_SOURCE = 4 * 1024 * 1024
# Brackets, blocks and `$[...]` in strings: keeps the parser's recursion far from Python's limit.
MAX_NESTING = 64


class Kind(Enum):
    WORD = "word"
    STRING = "string"
    VAR = "var"
    OP = "op"
    LBRACKET = "["
    RBRACKET = "]"
    LBRACE = "{"
    RBRACE = "}"
    LPAREN = "("
    RPAREN = ")"
    SEMI = ";"
    NEWLINE = "newline"
    EOF = "end of script"


@dataclass(frozen=True)
class VarPart:
    """`$name` inside a string."""

    name: str
    line: int
    column: int


@dataclass(frozen=True)
class SubstPart:
    """`$[ ... ]` inside a string: the tokens between the brackets, ending in EOF."""

    tokens: tuple[Token, ...]
    line: int
    column: int


StringPart = str | VarPart | SubstPart


@dataclass(frozen=True)
class Token:
    kind: Kind
    text: str  # the word, operator or variable name; for strings, the decoded text if plain
    line: int
    column: int
    offset: int  # index into the source, so blocks can hand their own text to commands
    spaced: bool  # whitespace (or a line start) comes right before it
    parts: tuple[StringPart, ...] = field(default=())

    def describe(self) -> str:
        return self.text if self.kind in (Kind.WORD, Kind.OP) else self.kind.value


# Characters that end a bare word: whitespace, brackets, separators, quote, `$` and operators.
_BREAKS = frozenset(" \t\r\n;[]{}()\"$=!~<>&|")
_TWO_CHAR_OPS = ("!=", "<=", ">=", "&&", "||")
_ONE_CHAR_OPS = "=!~<>&|"
_SIMPLE = {
    "[": Kind.LBRACKET,
    "]": Kind.RBRACKET,
    "{": Kind.LBRACE,
    "}": Kind.RBRACE,
    "(": Kind.LPAREN,
    ")": Kind.RPAREN,
    ";": Kind.SEMI,
}
_ESCAPES = {
    '"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "$": "$", "?": "?",
    "_": " ", "a": "\a", "b": "\b", "f": "\f", "v": "\v",
}  # fmt: skip
_HEX = frozenset("0123456789abcdefABCDEF")
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def tokenize(source: str) -> list[Token]:
    """All tokens of `source`, ending with one EOF token."""
    if len(source) > MAX_SOURCE:
        raise ScriptError(f"script too long: over {MAX_SOURCE} characters", 1, 1)
    return _Lexer(source).run(closing=None, depth=0)


class _Lexer:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.line = 1
        self.col = 1

    def _peek(self, ahead: int = 0) -> str:
        index = self.pos + ahead
        return self.src[index] if index < len(self.src) else ""

    def _advance(self, count: int = 1) -> None:
        for _ in range(count):
            if self.src[self.pos] == "\n":
                self.line += 1
                self.col = 1
            else:
                self.col += 1
            self.pos += 1

    def _continuation(self) -> bool:
        """A backslash right before a line end joins the lines."""
        if self._peek() != "\\":
            return False
        if self._peek(1) == "\n":
            self._advance(2)
            return True
        if self._peek(1) == "\r" and self._peek(2) == "\n":
            self._advance(3)
            return True
        return False

    def run(self, closing: str | None, depth: int) -> list[Token]:
        """Tokens up to the end of the source, or up to the `]` that closes a `$[` in a string."""
        if depth > MAX_NESTING:
            raise ScriptError(f"script nested too deeply (line {self.line} column {self.col})",
                              self.line, self.col)
        tokens: list[Token] = []
        spaced = True
        brackets = 0
        while True:
            char = self._peek()
            if char in (" ", "\t", "\r"):
                self._advance()
                spaced = True
                continue
            if self._continuation():
                spaced = True
                continue
            line, col, start = self.line, self.col, self.pos
            if char == "":
                if closing is not None:
                    raise syntax_error(line, col)
                tokens.append(Token(Kind.EOF, "", line, col, start, True))
                return tokens
            if char == "#" and (not tokens or tokens[-1].kind in _STATEMENT_STARTS):
                while self._peek() not in ("", "\n"):
                    self._advance()
                continue
            if char == "\n":
                self._advance()
                tokens.append(Token(Kind.NEWLINE, "\n", line, col, start, spaced))
                spaced = True
                continue
            if char in _SIMPLE:
                if closing == "]" and char == "]" and brackets == 0:
                    self._advance()
                    tokens.append(Token(Kind.EOF, "", line, col, start, spaced))
                    return tokens
                brackets += {"[": 1, "]": -1}.get(char, 0)
                self._advance()
                tokens.append(Token(_SIMPLE[char], char, line, col, start, spaced))
            elif char == '"':
                tokens.append(self._string(spaced, depth))
            elif char == "$":
                token = self._dollar(spaced)
                brackets += token.kind is Kind.LBRACKET
                tokens.append(token)
            elif char in _ONE_CHAR_OPS:
                two = char + self._peek(1)
                text = two if two in _TWO_CHAR_OPS else char
                self._advance(len(text))
                tokens.append(Token(Kind.OP, text, line, col, start, spaced))
            else:
                while self._peek() and self._peek() not in _BREAKS:
                    if self._continuation():
                        break
                    self._advance()
                tokens.append(Token(Kind.WORD, self.src[start:self.pos], line, col, start, spaced))
            spaced = False

    def _dollar(self, spaced: bool) -> Token:
        """`$name` is a variable; `$[` opens a command substitution like `[`."""
        line, col, start = self.line, self.col, self.pos
        self._advance()
        if self._peek() == "[":
            self._advance()
            return Token(Kind.LBRACKET, "$[", line, col, start, spaced)
        name_start = self.pos
        while self._peek() and self._peek() in _NAME_CHARS:
            self._advance()
        if self.pos == name_start:
            raise syntax_error(line, col)
        return Token(Kind.VAR, self.src[name_start:self.pos], line, col, start, spaced)

    def _string(self, spaced: bool, depth: int) -> Token:
        line, col, start = self.line, self.col, self.pos
        self._advance()
        parts: list[StringPart] = []
        chunk: list[str] = []
        while True:
            char = self._peek()
            if char == "":
                raise ScriptError(f"unterminated string (line {line} column {col})", line, col)
            if char == '"':
                self._advance()
                break
            if char == "\\":
                if self._continuation():
                    continue
                chunk.append(self._escape())
                continue
            if char == "$" and (self._peek(1) == "[" or self._peek(1) in _NAME_CHARS):
                if chunk:
                    parts.append("".join(chunk))
                    chunk = []
                parts.append(self._interpolation(depth))
                continue
            chunk.append(char)
            self._advance()
        if chunk or not parts:
            parts.append("".join(chunk))
        plain = "".join(p for p in parts if isinstance(p, str))
        return Token(Kind.STRING, plain, line, col, start, spaced, tuple(parts))

    def _escape(self) -> str:
        first, second = self._peek(1), self._peek(2)
        if first in _HEX and second in _HEX and first and second:
            self._advance(3)
            return chr(int(first + second, 16))
        if first in _ESCAPES and first:
            self._advance(2)
            return _ESCAPES[first]
        # Unknown escapes keep their backslash, so regexes written as "\." still reach the
        # regex engine as an escaped dot. [uncertain: RouterOS may reject them]
        self._advance()
        return "\\"

    def _interpolation(self, depth: int) -> StringPart:
        line, col = self.line, self.col
        self._advance()  # the `$`
        if self._peek() == "[":
            self._advance()
            return SubstPart(tuple(self.run(closing="]", depth=depth + 1)), line, col)
        start = self.pos
        while self._peek() and self._peek() in _NAME_CHARS:
            self._advance()
        return VarPart(self.src[start:self.pos], line, col)


_STATEMENT_STARTS = (Kind.NEWLINE, Kind.SEMI, Kind.LBRACE)
