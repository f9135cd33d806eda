"""Builds a script's syntax tree from its tokens; rejects what is not RouterOS or not in the subset.

Knows the shape of the language (statements, menu lines, arguments, expressions) and which global
commands exist; knows nothing about which menus a router has or what a command does. Like
RouterOS, a script is parsed whole before anything runs, so a syntax error has no effects.
"""

from __future__ import annotations

import re

from .errors import ScriptError, expected_end, syntax_error
from .lexer import MAX_NESTING, Kind, SubstPart, Token, VarPart, tokenize
from .nodes import (
    Binary,
    Block,
    Command,
    Expr,
    ExprStatement,
    Interpolated,
    Literal,
    Prop,
    ScriptCommand,
    Statement,
    Substitution,
    Unary,
    Var,
    Word,
)

# Words that end a menu path and start the command. A line of path words without any of them
# (and without arguments) is a menu line: it sets the menu for the lines after it.


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


VERBS = _words(
    "add set get find print remove enable disable move run send reset-counters "
    "reset-counters-all export unset comment reboot edit"
)
FILTER_VERBS = frozenset({"find", "print"})
PRINT_OPTIONS = _words(
    "proplist count-only detail terse brief as-value without-paging value-list file"
)

SUPPORTED_GLOBALS = _words(
    "local global set if foreach for while do put log delay len tostr tonum typeof pick "
    "error nothing return jobname"
)
# Global commands RouterOS has but the simulator does not interpret: named in the error.
KNOWN_GLOBALS = SUPPORTED_GLOBALS | _words(
    "beep environment execute find parse resolve retry rndnum rndstr serialize "
    "deserialize terminal time timestamp toarray tobool tocrlf toid toip toip6 totime "
    "convert grep onerror range tonsec tofloat"
)

_END = (Kind.NEWLINE, Kind.SEMI, Kind.EOF, Kind.RBRACE, Kind.RBRACKET)
_COMPARISONS = frozenset({"=", "!=", "<", ">", "<=", ">=", "~"})
_MENU_WORD = re.compile(r"/|\.\.|/?[a-z][a-z0-9-]*(/[a-z][a-z0-9-]*)*/?")
_VALUE_STARTS = (Kind.STRING, Kind.VAR, Kind.LBRACKET, Kind.LPAREN, Kind.LBRACE)


def parse(source: str) -> Block:
    """The script as one top-level block, or a ScriptError for its first syntax error."""
    tokens = tokenize(source)
    parser = Parser(tokens, source, path=(), depth=0)
    block = parser.statements(until=Kind.EOF, start=tokens[0])
    return block


class Parser:
    def __init__(self, tokens: list[Token], source: str, path: tuple[str, ...], depth: int) -> None:
        self.tokens = tokens
        self.source = source
        self.index = 0
        self.path = path
        self.depth = depth

    # token helpers

    @property
    def tok(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tok
        if token.kind is not Kind.EOF:
            self.index += 1
        return token

    def eat(self, kind: Kind) -> Token:
        """The single failure point for a missing token."""
        if self.tok.kind is not kind:
            raise syntax_error(self.tok.line, self.tok.column)
        return self.advance()

    def is_word(self, *texts: str) -> bool:
        return self.tok.kind is Kind.WORD and self.tok.text in texts

    def is_op(self, *texts: str) -> bool:
        return self.tok.kind is Kind.OP and self.tok.text in texts

    def nest(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ScriptError(
                f"script nested too deeply (line {self.tok.line} column {self.tok.column})",
                self.tok.line, self.tok.column,
            )

    # statements

    def statements(self, until: Kind, start: Token) -> Block:
        """statements := { separator } [ statement { separator { separator } statement } ]

        The menu path set by menu lines inside stays inside (blocks scope it).
        """
        saved_path = self.path
        body: list[Statement] = []
        while True:
            while self.tok.kind in (Kind.NEWLINE, Kind.SEMI):
                self.advance()
            if self.tok.kind is until:
                break
            if self.tok.kind is Kind.EOF:
                raise syntax_error(self.tok.line, self.tok.column)
            if self.tok.kind in _END:
                raise expected_end(self.tok.line, self.tok.column)
            statement = self.statement()
            if statement is not None:
                body.append(statement)
            if self.tok.kind not in (Kind.NEWLINE, Kind.SEMI, until):
                raise expected_end(self.tok.line, self.tok.column)
        end = self.tok
        self.path = saved_path
        text = self.source[start.offset + 1 : end.offset] if until is not Kind.EOF else self.source
        return Block(start.line, start.column, tuple(body), text)

    def statement(self) -> Statement | None:
        """statement := block | global-command | menu-line | value"""
        token = self.tok
        if token.kind is Kind.LBRACE:
            return self.block()
        if token.kind is Kind.WORD and token.text.startswith(":"):
            return self.global_command()
        if token.kind is Kind.WORD:
            return self.menu_line()
        if token.kind in _VALUE_STARTS:
            return ExprStatement(token.line, token.column, self.value())
        raise syntax_error(token.line, token.column)

    def block(self) -> Block:
        """block := "{" statements "}" """
        self.nest()
        start = self.eat(Kind.LBRACE)
        body = self.statements(until=Kind.RBRACE, start=start)
        self.eat(Kind.RBRACE)
        self.depth -= 1
        return body

    def global_command(self) -> ScriptCommand:
        """global-command := ":" NAME arguments"""
        token = self.advance()
        name = token.text[1:]
        if name not in KNOWN_GLOBALS:
            raise ScriptError(
                f"bad command name {name} (line {token.line} column {token.column + 1})",
                token.line, token.column + 1,
            )
        if name not in SUPPORTED_GLOBALS:
            raise ScriptError(
                f":{name} is outside the simulator's script subset "
                f"(line {token.line} column {token.column})",
                token.line, token.column,
            )
        positional, named, _ = self.arguments(filters=False)
        return ScriptCommand(token.line, token.column, name, positional, named)

    def menu_line(self) -> Command | None:
        """menu-line := path-word { path-word } [ verb arguments ]

        Path words are absolute (`/ip firewall nat`, `/ip/firewall/nat`) or relative to the menu
        line before. The verb is the first known command word; without one, a line of bare words
        followed by arguments ends in its verb, and a line of bare words alone is a menu line.
        """
        start = self.tok
        run: list[Token] = []
        ahead = 0
        while True:
            token = self.peek(ahead)
            follower = self.peek(ahead + 1)
            if token.kind is not Kind.WORD or token.text == "where":
                break
            if follower.kind is Kind.OP and follower.text == "=" and not follower.spaced:
                break
            run.append(token)
            ahead += 1
        if not run:
            raise syntax_error(start.line, start.column)
        words_in_path = next((i for i, t in enumerate(run) if _last_segment(t.text) in VERBS), None)
        if words_in_path is None:
            # `frobnicate *1`: a word no menu could be named (an id, an address) is an argument,
            # so the word before it is the (unknown) verb the router will refuse.
            odd = next((i for i, t in enumerate(run) if i and not _MENU_WORD.fullmatch(t.text)),
                       None)
            if odd is not None:
                run = run[:odd]
        ends_line = self.peek(len(run)).kind in _END
        if words_in_path is None and ends_line:
            self.path = _resolve(self.path, [t.text for t in run])
            self.index += len(run)
            return None
        if words_in_path is None:
            words_in_path = len(run) - 1
        verb_token = run[words_in_path]
        head, _, verb = verb_token.text.rpartition("/")
        if not verb:
            raise syntax_error(verb_token.line, verb_token.column + len(verb_token.text))
        path_words = [t.text for t in run[:words_in_path]]
        if "/" in verb_token.text:
            path_words.append(head or "/")
        path = _resolve(self.path, path_words)
        self.index += words_in_path + 1
        # `[find]` in a command's arguments means the command's own menu.
        saved_path, self.path = self.path, path
        positional, named, where = self.arguments(filters=verb in FILTER_VERBS)
        self.path = saved_path
        return Command(start.line, start.column, path, verb, positional, named, where)

    # arguments and values

    def arguments(
        self, filters: bool
    ) -> tuple[tuple[Expr, ...], tuple[tuple[str, Expr], ...], Expr | None]:
        """arguments := { NAME "=" value | "where" where-expression | value }

        With `filters` (find, print), `name=value` arguments other than print options become
        equality filters ANDed with the `where` expression.
        """
        positional: list[Expr] = []
        named: list[tuple[str, Expr]] = []
        where: Expr | None = None
        while self.tok.kind not in _END:
            token = self.tok
            follower = self.peek()
            if token.kind is Kind.WORD and follower.kind is Kind.OP and follower.text == "=" \
                    and not follower.spaced:
                self.index += 2
                value = self.value(after_equals=True)
                if filters and token.text not in PRINT_OPTIONS:
                    test = Binary(token.line, token.column, "=", Prop(token.line, token.column,
                                                                       token.text), value)
                    where = test if where is None else Binary(
                        token.line, token.column, "&&", where, test)
                else:
                    named.append((token.text, value))
            elif filters and token.kind is Kind.WORD and token.text == "where":
                self.advance()
                expression = self.or_expr(where_mode=True)
                where = expression if where is None else Binary(
                    token.line, token.column, "&&", where, expression)
            elif token.kind in (Kind.WORD, *_VALUE_STARTS):
                positional.append(self.value())
            else:
                raise expected_end(token.line, token.column)
        return tuple(positional), tuple(named), where

    def value(self, after_equals: bool = False) -> Expr:
        """value := STRING | VAR | "[" statements "]" | "(" expression ")" | block | bare-word

        A bare word runs over adjacent words and operators (`!established`, `00:00:10`, `a=b`);
        `name=` followed by a space is an empty value.
        """
        token = self.tok
        if token.kind in _END or (after_equals and token.spaced):
            return Literal(token.line, token.column, "")
        if token.kind in (Kind.WORD, Kind.OP):
            return self.bare_word()
        result = self.primary(where_mode=False, as_property=False)
        after = self.tok
        if after.kind not in _END and not after.spaced and after.kind is not Kind.RPAREN:
            raise expected_end(after.line, after.column)
        return result

    def bare_word(self) -> Word:
        first = self.advance()
        text = [first.text]
        while self.tok.kind in (Kind.WORD, Kind.OP) and not self.tok.spaced:
            text.append(self.advance().text)
        if not self.tok.spaced and self.tok.kind in (Kind.VAR, Kind.STRING):
            raise ScriptError(
                "an unquoted word joined to a string or $variable is outside the simulator's "
                f"script subset; quote the whole value (line {self.tok.line} "
                f"column {self.tok.column})",
                self.tok.line, self.tok.column,
            )
        return Word(first.line, first.column, "".join(text))

    def primary(self, where_mode: bool, as_property: bool) -> Expr:
        token = self.tok
        match token.kind:
            case Kind.STRING:
                self.advance()
                return self.string(token)
            case Kind.VAR:
                self.advance()
                return Var(token.line, token.column, token.text)
            case Kind.LBRACKET:
                self.nest()
                self.advance()
                body = self.statements(until=Kind.RBRACKET, start=token)
                self.eat(Kind.RBRACKET)
                self.depth -= 1
                return Substitution(token.line, token.column, body)
            case Kind.LPAREN:
                self.nest()
                self.advance()
                inner = self.or_expr(where_mode, in_parens=True)
                self.skip_newlines(True)
                self.eat(Kind.RPAREN)
                self.depth -= 1
                return inner
            case Kind.LBRACE:
                return self.block()
            case Kind.WORD:
                self.advance()
                if as_property:
                    return Prop(token.line, token.column, token.text)
                return Word(token.line, token.column, token.text)
        raise syntax_error(token.line, token.column)

    def string(self, token: Token) -> Expr:
        if all(isinstance(part, str) for part in token.parts):
            return Literal(token.line, token.column, token.text)
        parts: list[str | Expr] = []
        for part in token.parts:
            if isinstance(part, VarPart):
                parts.append(Var(part.line, part.column, part.name))
            elif isinstance(part, SubstPart):
                inner = Parser(list(part.tokens), self.source, self.path, self.depth + 1)
                inner.nest()
                body = inner.statements(until=Kind.EOF, start=part.tokens[0])
                parts.append(Substitution(part.line, part.column, body))
            else:
                parts.append(part)
        return Interpolated(token.line, token.column, tuple(parts))

    # expressions: `( ... )` and `where ...`

    def skip_newlines(self, in_parens: bool) -> None:
        while in_parens and self.tok.kind is Kind.NEWLINE:
            self.advance()

    def or_expr(self, where_mode: bool, in_parens: bool = False) -> Expr:
        """or := and { ("||" | "or") and }"""
        left = self.and_expr(where_mode, in_parens)
        while True:
            self.skip_newlines(in_parens)
            if not (self.is_op("||") or self.is_word("or")):
                return left
            op = self.advance()
            left = Binary(op.line, op.column, "||", left, self.and_expr(where_mode, in_parens))

    def and_expr(self, where_mode: bool, in_parens: bool) -> Expr:
        """and := not { ("&&" | "and") not }"""
        left = self.not_expr(where_mode, in_parens)
        while True:
            self.skip_newlines(in_parens)
            if not (self.is_op("&&") or self.is_word("and")):
                return left
            op = self.advance()
            left = Binary(op.line, op.column, "&&", left, self.not_expr(where_mode, in_parens))

    def not_expr(self, where_mode: bool, in_parens: bool) -> Expr:
        """not := ("!" | "not") not | comparison"""
        self.skip_newlines(in_parens)
        if self.is_op("!") or self.is_word("not"):
            op = self.advance()
            return Unary(op.line, op.column, "!", self.not_expr(where_mode, in_parens))
        return self.comparison(where_mode, in_parens)

    def comparison(self, where_mode: bool, in_parens: bool) -> Expr:
        """comparison := concat [ ("=" | "!=" | "<" | ">" | "<=" | ">=" | "~") concat ]

        In a `where` expression, bare words on the left are property names.
        """
        left = self.arith(where_mode, in_parens, as_property=where_mode, level=0)
        self.skip_newlines(in_parens)
        if self.tok.kind is Kind.OP and self.tok.text in _COMPARISONS:
            op = self.advance()
            self.skip_newlines(in_parens)
            right = self.arith(where_mode, in_parens, as_property=False, level=0)
            return Binary(op.line, op.column, op.text, left, right)
        return left

    _LEVELS = (frozenset({"."}), frozenset({"+", "-"}), frozenset({"*", "/", "%"}))

    def arith(self, where_mode: bool, in_parens: bool, as_property: bool, level: int) -> Expr:
        """concat := sum { "." sum };  sum := product { ("+"|"-") product };
        product := primary { ("*"|"/"|"%") primary }  (operators are words, so need spaces)"""
        if level == len(self._LEVELS):
            self.skip_newlines(in_parens)
            return self.primary(where_mode, as_property)
        left = self.arith(where_mode, in_parens, as_property, level + 1)
        while True:
            self.skip_newlines(in_parens)
            token = self.tok
            if token.kind is Kind.WORD and token.text in self._LEVELS[level]:
                self.advance()
                right = self.arith(where_mode, in_parens, as_property, level + 1)
                left = Binary(token.line, token.column, token.text, left, right)
            elif level == 1 and token.kind is Kind.WORD and not token.spaced \
                    and token.text[:1] in "+-" and token.text[1:].isdigit():
                # `$i+1` lexes as `$i` and the word `+1`
                self.advance()
                right = Word(token.line, token.column + 1, token.text[1:])
                left = Binary(token.line, token.column, token.text[0], left, right)
            else:
                return left


def _last_segment(word: str) -> str:
    return word.rstrip("/").rpartition("/")[2] if word != "/" else ""


def _resolve(current: tuple[str, ...], words: list[str]) -> tuple[str, ...]:
    """Apply path words to the current menu: `/` restarts at the root, `..` goes up."""
    path = list(current)
    for word in words:
        if word.startswith("/"):
            path = []
        for segment in word.split("/"):
            if segment == "..":
                if path:
                    path.pop()
            elif segment:
                path.append(segment)
    return tuple(path)
