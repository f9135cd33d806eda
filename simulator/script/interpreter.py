"""Runs a parsed script against a router, exactly as an API client would drive it.

Every effect goes through `router.call(Request(...))` with the script's owner and policies, so the
router validates, counts, logs and refuses a script's commands the way it does a client's
(`/system script run` and `/system reboot` check policies there). One check is made here, before
the call: reading needs the `read` policy and changing the configuration `write`
(`POLICY_OF_VERB`), which no API user lacks. The interpreter
knows the API's command shapes (`print`, `get =value-name=`, `.id` comma lists, `ret`) and the
script globals kept on the router object; it knows nothing of menus' contents or of sockets.
"""

from __future__ import annotations

import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from typing import Any

from simulator.api import CommandError, Request
from simulator.schema import InvalidValue, parse_seconds

from .errors import ScriptError
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
from .regex import Regex, RegexError
from .values import (
    MAX_STRING,
    Value,
    as_bool,
    as_number,
    checked,
    equal,
    from_printed,
    from_word,
    less,
    to_attribute,
    to_text,
    type_name,
    wrap,
)

MAX_STATEMENTS = 100_000  # per run, nested `/system script run`s included
# The rest of a run's work, also per run with nested runs included. The simulator has no wall
# clock to stop a script by, so these stand in for RouterOS's own limits, which are not
# documented [decided]: rows that `find`/`print` examine, regex matching (NFA states times
# characters, counted before each match), and what `:put`/`print` write.
MAX_ROWS = 1_000_000
MAX_REGEX_WORK = 50_000_000
MAX_OUTPUT = 1 << 20
MAX_RUN_DEPTH = 8  # scripts running scripts (a script that runs itself must stop, not recurse)
LOG_LEVELS = frozenset({"info", "warning", "error", "debug"})
ID_VERBS = frozenset({"set", "unset", "remove", "enable", "disable", "comment"})
# The policy a script needs for a menu command (RouterOS: read = see the configuration, write =
# change it). `run` and `reboot` are checked by the router; other verbs need no policy here.
POLICY_OF_VERB = {
    **dict.fromkeys(("print", "get", "getall", "export"), "read"),
    **dict.fromkeys(("add", "set", "unset", "remove", "enable", "disable", "move", "comment",
                     "reset-counters", "reset-counters-all"), "write"),
}


class _FatalError(ScriptError):
    """A cap was hit: not even `:do ... on-error=` may catch it."""


class _Return(Exception):  # noqa: N818 - control flow, not an error
    """`:return`: ends the script being run (in the simulator's subset, which has no functions,
    the value is dropped); neither `:do ... on-error=` nor a caller's run sees it."""


@dataclass(frozen=True)
class Delay:
    """What a run yields at `:delay`: the seconds it asked to wait (a job runner may suspend
    the job on the virtual clock; a run driven to its end does not wait)."""

    seconds: float


# What a running script yields: `None` before each statement (a point where another job may
# run), or a `Delay`. The generator's return value is the statement's value.
Steps = Generator["Delay | None", None, "Value"]


@dataclass
class _Scope:
    parent: _Scope | None = None
    locals: dict[str, Value] = field(default_factory=dict)
    globals: set[str] = field(default_factory=set)

    def owner(self, name: str) -> _Scope | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.locals or name in scope.globals:
                return scope
            scope = scope.parent
        return None


@dataclass
class _Budget:
    """Shared by a run and the runs it starts."""

    statements: int = 0
    depth: int = 0
    rows: int = 0
    regex_work: int = 0
    output: int = 0


_active = threading.local()


class Interpreter:
    def __init__(self, router: Any, *, policies: frozenset[str], owner: str) -> None:
        self.router = router
        self.policies = policies
        self.owner = owner
        self.output: list[str] = []
        self.delayed = 0.0  # what `:delay` asked for; the simulator does not sleep
        self.regexes: dict[str, Regex] = {}
        if not hasattr(router, "script_globals"):
            router.script_globals = {}
        self.globals: dict[str, Value] = router.script_globals

    @property
    def budget(self) -> _Budget:
        return _active.budget  # type: ignore[no-any-return]

    # statements -------------------------------------------------------------------------

    def steps(self, block: Block) -> Steps:
        return self.block(block, _Scope())

    def block(self, block: Block, parent: _Scope) -> Steps:
        """Runs the statements in a new scope, pausing before each; the value is the last
        statement's."""
        scope = _Scope(parent)
        result: Value = None
        for statement in block.statements:
            yield None
            self.tick(statement)
            result = yield from self.statement(statement, scope)
        return result

    def at_once(self, steps: Steps) -> Value:
        """Run steps to their end without pausing (`[...]` substitutions are one command)."""
        while True:
            try:
                paused = next(steps)
            except StopIteration as finished:
                return finished.value  # type: ignore[no-any-return]
            if isinstance(paused, Delay):
                self.delayed += paused.seconds

    def tick(self, node: Statement | Expr) -> None:
        self.budget.statements += 1
        if self.budget.statements > MAX_STATEMENTS:
            raise _FatalError(
                f"script stopped: more than {MAX_STATEMENTS} statements executed "
                f"(runaway loop?) (line {node.line} column {node.column})",
                node.line, node.column,
            )

    def spend(self, node: Statement | Expr, what: str, amount: int) -> None:
        """Count `amount` of one kind of work (`rows`, `regex_work`, `output`) against its cap."""
        caps = {"rows": (MAX_ROWS, "rows examined by find/print"),
                "regex_work": (MAX_REGEX_WORK, "regular expression steps"),
                "output": (MAX_OUTPUT, "characters of output")}
        cap, label = caps[what]
        total = getattr(self.budget, what) + amount
        setattr(self.budget, what, total)
        if total > cap:
            raise _FatalError(
                f"script stopped: more than {cap} {label} "
                f"(line {node.line} column {node.column})", node.line, node.column,
            )

    def write(self, node: Statement | Expr, text: str) -> None:
        self.spend(node, "output", len(text))
        self.output.append(text)

    def statement(self, statement: Statement, scope: _Scope) -> Steps:
        match statement:
            case Block():
                return (yield from self.block(statement, scope))
            case Command():
                return self.command(statement, scope)
            case ScriptCommand():
                return (yield from self.global_command(statement, scope))
            case ExprStatement():
                return self.eval(statement.expr, scope)
        raise AssertionError(statement)

    # menu commands ----------------------------------------------------------------------

    def call(self, node: Command, command: str, attributes: dict[str, str]) -> Any:
        needed = POLICY_OF_VERB.get(command.rsplit("/", 1)[-1])
        if needed is not None and needed not in self.policies:
            # An API user holds every policy, so only scripts meet this refusal: checked here.
            raise ScriptError("not enough permissions (9)", node.line, node.column)
        request = Request(command, attributes, (), self.owner, self.policies)
        try:
            return self.router.call(request)
        except CommandError as error:
            raise ScriptError(error.message, node.line, node.column,
                              int(error.category) if error.category is not None else None
                              ) from None

    def rows(self, node: Command, scope: _Scope, proplist: str | None) -> list[dict[str, str]]:
        """`find`/`print`: print everything, then filter here (the API has no regex)."""
        path = "/" + "/".join(node.path)
        attributes = {".proplist": proplist} if proplist else {}
        rows = self.call(node, f"{path}/print", attributes).items
        self.spend(node, "rows", len(rows))
        if node.where is None:
            return list(rows)
        return [row for row in rows if self.matches(node.where, scope, row)]

    def matches(self, where: Expr, scope: _Scope, row: dict[str, str]) -> bool:
        value = self.eval(where, scope, row)
        if isinstance(value, bool):
            return value
        return value is not None and to_text(value) != ""

    def command(self, node: Command, scope: _Scope) -> Value:
        named = {name: self.argument(expr, scope) for name, expr in node.named}
        positional = [self.argument(expr, scope, raw_list=True) for expr in node.positional]
        if node.verb == "find":
            self.no_positional(node, positional)
            return [row[".id"] for row in self.rows(node, scope, None) if ".id" in row]
        if node.verb == "print":
            return self.print_(node, scope, positional, named)
        if node.verb == "get":
            return self.get(node, positional, named)
        if "numbers" in named:
            named[".id"] = named.pop("numbers")
        if positional:
            first, *rest = positional
            named[".id"] = to_attribute(first)
            if rest and node.verb == "unset":
                named["value-name"] = to_attribute(rest.pop(0))
            if rest and node.verb == "move":
                named["destination"] = to_attribute(rest.pop(0))
            if rest:
                raise self.outside(node, f"a second unnamed argument to {node.verb}")
        if node.verb in ID_VERBS and named.get(".id") == "":
            return None  # `disable [find ...]` that found nothing does nothing
        response = self.call(node, node.command, named)
        if node.verb == "run" and node.path == ("system", "script"):
            # A script started from a script prints to the same output.
            if response.ret:
                self.output.append(response.ret)
            return None
        return response.ret

    def argument(self, expr: Expr, scope: _Scope, raw_list: bool = False) -> Any:
        """A menu command's argument: words stay text; code blocks are sent as their source."""
        if isinstance(expr, Word):
            return expr.text
        if isinstance(expr, Block):
            return expr.text
        value = self.eval(expr, scope)
        return value if raw_list and isinstance(value, list) else to_attribute(value)

    def print_(self, node: Command, scope: _Scope, flags: list[Any], named: dict[str, str]
               ) -> Value:
        counting = "count-only" in flags or "count-only" in named
        if ("as-value" in flags or "as-value" in named) and not counting:
            raise self.outside(node, "print as-value")  # it returns arrays of arrays
        proplist = named.pop("proplist", None) or named.pop(".proplist", None)
        rows = self.rows(node, scope, proplist)
        if counting:  # with or without as-value, a number (the manual's `:jobname` idiom)
            return len(rows)
        for index, row in enumerate(rows):
            pairs = " ".join(f"{key}={_quoted(value)}" for key, value in row.items()
                             if key != ".id")
            self.write(node, f"{index:>2} {pairs}\n")
        return None

    def get(self, node: Command, positional: list[Any], named: dict[str, str]) -> Value:
        """`get <id> <property>` on list menus, `get <property>` on singletons, via API `get`."""
        attributes = dict(named)
        if "number" in attributes:
            attributes[".id"] = attributes.pop("number")
        if len(positional) == 2:
            attributes[".id"] = to_attribute(positional[0])
            attributes["value-name"] = to_attribute(positional[1])
        elif len(positional) == 1:
            attributes["value-name"] = to_attribute(positional[0])
        elif positional:
            raise self.outside(node, "get with more than two unnamed arguments")
        response = self.call(node, node.command, attributes)
        if response.ret is None and response.items:
            return to_text([f"{k}={v}" for k, v in response.items[0].items()])
        return from_printed(response.ret or "") if response.ret is not None else None

    def no_positional(self, node: Command, positional: list[Any]) -> None:
        if positional:
            raise self.outside(node, f"an unnamed argument to {node.verb} (use where)")

    @staticmethod
    def outside(node: Statement | Expr, what: str) -> ScriptError:
        return ScriptError(
            f"{what} is outside the simulator's script subset "
            f"(line {node.line} column {node.column})",
            node.line, node.column,
        )

    # global commands --------------------------------------------------------------------

    def global_command(self, node: ScriptCommand, scope: _Scope) -> Steps:
        named = dict(node.named)
        args = node.positional
        match node.name:
            case "local" | "global" | "set":
                return self.variable(node, scope, args)
            case "put":
                self.arity(node, args, 1, 1)
                self.write(node, to_text(self.eval(args[0], scope)) + "\n")
                return None
            case "log":
                self.arity(node, args, 2, 2)
                level = to_text(self.eval(args[0], scope))
                if level not in LOG_LEVELS:
                    raise ScriptError(
                        f"bad log level {level} (line {node.line} column {node.column})",
                        node.line, node.column,
                    )
                message = to_text(self.eval(args[1], scope))
                self.call_log(node, level, message)
                return None
            case "delay":
                self.arity(node, args, 0, 1)
                text = to_text(self.eval(args[0], scope)) if args else "1s"
                try:
                    delay = parse_seconds(text)
                except InvalidValue:
                    raise ScriptError(f"invalid time value {text!r} "
                                      f"(line {node.line} column {node.column})",
                                      node.line, node.column) from None
                # The simulator never sleeps: the job runner decides (simulator/jobs.py).
                yield Delay(delay)
                return None
            case "if":
                self.arity(node, args, 1, 1)
                condition = as_bool(self.eval(args[0], scope), args[0].line, args[0].column)
                branch = named.get("do") if condition else named.get("else")
                return (yield from self.code(node, branch, scope)) if branch is not None else None
            case "while":
                self.arity(node, args, 1, 1)
                while as_bool(self.eval(args[0], scope), args[0].line, args[0].column):
                    self.tick(node)
                    yield from self.code(node, named.get("do"), scope)
                return None
            case "do":
                return (yield from self.do(node, scope, args, named))
            case "foreach":
                return (yield from self.foreach(node, scope, args, named))
            case "for":
                return (yield from self.for_(node, scope, args, named))
            case "len":
                self.arity(node, args, 1, 1)
                value = self.eval(args[0], scope)
                return len(value) if isinstance(value, list) else len(to_text(value))
            case "tostr":
                self.arity(node, args, 1, 1)
                return to_text(self.eval(args[0], scope))
            case "tonum":
                self.arity(node, args, 1, 1)
                value = from_word(to_text(self.eval(args[0], scope)))
                return value if isinstance(value, int) and not isinstance(value, bool) else None
            case "typeof":
                self.arity(node, args, 1, 1)
                return type_name(self.eval(args[0], scope))
            case "pick":
                return self.pick(node, scope, args)
            case "error":
                self.arity(node, args, 1, 1)
                message = to_text(self.eval(args[0], scope))
                raise ScriptError(message, node.line, node.column)
            case "nothing":
                return None
            case "jobname":
                # The running job's script name (manual, Scripting: `:jobname`); nothing for
                # a job that runs a bare source (netwatch, scheduler on-event text).
                self.arity(node, args, 0, 0)
                jobs = getattr(self.router, "script_jobs", None)
                return jobs.current_script() if jobs is not None else None
            case "return":
                self.arity(node, args, 0, 1)
                if args:
                    self.eval(args[0], scope)
                raise _Return
        raise self.outside(node, f":{node.name}")

    def call_log(self, node: ScriptCommand, level: str, message: str) -> None:
        request = Request(f"/log/{level}", {"message": message}, (), self.owner, self.policies)
        try:
            self.router.call(request)
        except CommandError as error:
            raise ScriptError(error.message, node.line, node.column) from None

    def arity(self, node: ScriptCommand, args: tuple[Expr, ...], low: int, high: int) -> None:
        if not low <= len(args) <= high:
            token = args[high] if len(args) > high else node
            raise ScriptError(
                f"expected end of command (line {token.line} column {token.column})"
                if len(args) > high else
                f"missing value for :{node.name} (line {node.line} column {node.column})",
                token.line, token.column,
            )

    def name_of(self, node: ScriptCommand, expr: Expr) -> str:
        if not isinstance(expr, Word) or not expr.text.replace("_", "a").isalnum():
            raise ScriptError(
                f"invalid variable name (line {expr.line} column {expr.column})",
                expr.line, expr.column,
            )
        return expr.text

    def variable(self, node: ScriptCommand, scope: _Scope, args: tuple[Expr, ...]) -> Value:
        self.arity(node, args, 1, 2)
        name = self.name_of(node, args[0])
        value = self.eval(args[1], scope) if len(args) == 2 else None
        if node.name == "local":
            scope.locals[name] = value
            scope.globals.discard(name)
        elif node.name == "global":
            scope.globals.add(name)
            scope.locals.pop(name, None)
            if len(args) == 2 or name not in self.globals:
                self.globals[name] = value
        else:
            owner = scope.owner(name)
            if owner is None:
                raise ScriptError(
                    f"undefined variable {name} (line {args[0].line} column {args[0].column})",
                    args[0].line, args[0].column,
                )
            if name in owner.locals:
                owner.locals[name] = value
            else:
                self.globals[name] = value
        return None

    def code(self, node: ScriptCommand, branch: Expr | None, scope: _Scope) -> Steps:
        if not isinstance(branch, Block):
            raise ScriptError(f"expected a code block {{...}} for :{node.name} "
                              f"(line {node.line} column {node.column})", node.line, node.column)
        return (yield from self.block(branch, scope))

    def foreach(self, node: ScriptCommand, scope: _Scope, args: tuple[Expr, ...],
                named: dict[str, Expr]) -> Steps:
        self.arity(node, args, 1, 1)
        name = self.name_of(node, args[0])
        if "in" not in named:
            raise ScriptError(f"missing value for in (line {node.line} column {node.column})",
                              node.line, node.column)
        items = self.eval(named["in"], scope)
        sequence = items if isinstance(items, list) else ([] if items is None else [items])
        for item in sequence:
            self.tick(node)
            yield from self.code(node, named.get("do"), _Scope(scope, {name: item}))
        return None

    def for_(self, node: ScriptCommand, scope: _Scope, args: tuple[Expr, ...],
             named: dict[str, Expr]) -> Steps:
        self.arity(node, args, 1, 1)
        name = self.name_of(node, args[0])

        def number(key: str, default: int | None) -> int:
            if key not in named:
                if default is None:
                    raise ScriptError(f"missing value for {key} (line {node.line} "
                                      f"column {node.column})", node.line, node.column)
                return default
            return as_number(self.eval(named[key], scope), node.line, node.column)

        start, stop = number("from", None), number("to", None)
        step = number("step", 1 if stop >= start else -1)
        if step == 0:
            raise ScriptError(f"step must not be 0 (line {node.line} column {node.column})",
                              node.line, node.column)
        for value in _counting(start, stop, step):
            self.tick(node)
            yield from self.code(node, named.get("do"), _Scope(scope, {name: value}))
        return None

    def do(self, node: ScriptCommand, scope: _Scope, args: tuple[Expr, ...],
           named: dict[str, Expr]) -> Steps:
        self.arity(node, args, 1, 1)
        if "while" in named:
            while True:
                self.tick(node)
                yield from self.code(node, args[0], scope)
                condition = named["while"]
                if not as_bool(self.eval(condition, scope), condition.line, condition.column):
                    return None
        if "on-error" in named:
            try:
                return (yield from self.code(node, args[0], scope))
            except _FatalError:
                raise
            except ScriptError:
                return (yield from self.code(node, named["on-error"], scope))
        return (yield from self.code(node, args[0], scope))

    def pick(self, node: ScriptCommand, scope: _Scope, args: tuple[Expr, ...]) -> Value:
        self.arity(node, args, 2, 3)
        value = self.eval(args[0], scope)
        start = as_number(self.eval(args[1], scope), args[1].line, args[1].column)
        end = (as_number(self.eval(args[2], scope), args[2].line, args[2].column)
               if len(args) == 3 else start + 1)
        start, end = max(start, 0), max(end, 0)
        if isinstance(value, list):
            picked = value[start:end]
            return picked[0] if len(args) == 2 and picked else (picked if len(args) == 3 else None)
        return to_text(value)[start:end]

    # expressions ------------------------------------------------------------------------

    def eval(self, expr: Expr, scope: _Scope, row: dict[str, str] | None = None) -> Value:
        match expr:
            case Literal():
                return checked(expr.value, expr.line, expr.column)
            case Word():
                return from_word(expr.text)
            case Var():
                owner = scope.owner(expr.name)
                if owner is None:
                    raise ScriptError(
                        f"undefined variable {expr.name} "
                        f"(line {expr.line} column {expr.column})", expr.line, expr.column,
                    )
                if expr.name in owner.locals:
                    return owner.locals[expr.name]
                return self.globals.get(expr.name)
            case Interpolated():
                pieces = (p if isinstance(p, str) else to_text(self.eval(p, scope, row))
                          for p in expr.parts)
                return checked("".join(_bounded(pieces, expr)), expr.line, expr.column)
            case Substitution():
                return self.at_once(self.block(expr.body, scope))
            case Prop():
                if row is None:
                    raise self.outside(expr, "a bare word outside where")
                text = row.get(expr.name)
                return None if text is None else from_printed(text)
            case Unary():
                value = self.eval(expr.operand, scope, row)
                if expr.op == "!":
                    if row is not None and not isinstance(value, bool):
                        return value is None or to_text(value) == ""
                    return not as_bool(value, expr.line, expr.column)
                return wrap(-as_number(value, expr.line, expr.column))
            case Binary():
                return self.binary(expr, scope, row)
            case Block():
                # `{...}` as a value is an array or a function in RouterOS: not in the subset.
                # (As a menu command's argument it is code text: see `argument`.)
                raise self.outside(expr, "a {...} value (array or function)")
        raise AssertionError(expr)

    def binary(self, expr: Binary, scope: _Scope, row: dict[str, str] | None) -> Value:
        op = expr.op
        if op in ("&&", "||"):
            first = self.truth(expr.left, scope, row)
            if (op == "&&") != first:
                return first
            return self.truth(expr.right, scope, row)
        left = self.eval(expr.left, scope, row)
        right = self.eval(expr.right, scope, row)
        match op:
            case "=":
                return equal(left, right)
            case "!=":
                return not equal(left, right)
            case "<":
                return less(left, right)
            case ">":
                return less(right, left)
            case "<=":
                return not less(right, left)
            case ">=":
                return not less(left, right)
            case "~":
                # An absent property matches no pattern.
                return left is not None and self.regex(expr, to_text(right)).search(to_text(left))
            case ".":
                text = to_text(left) + to_text(right)
                return checked(text, expr.line, expr.column)
        a = as_number(left, expr.line, expr.column)
        b = as_number(right, expr.line, expr.column)
        if op in ("/", "%") and b == 0:
            raise ScriptError(f"division by zero (line {expr.line} column {expr.column})",
                              expr.line, expr.column)
        match op:
            case "+":
                return wrap(a + b)
            case "-":
                return wrap(a - b)
            case "*":
                return wrap(a * b)
            case "/":
                return wrap(_truncated(a, b))  # RouterOS truncates towards zero
            case "%":
                return wrap(a - b * _truncated(a, b))
        raise AssertionError(op)

    def truth(self, expr: Expr, scope: _Scope, row: dict[str, str] | None) -> bool:
        value = self.eval(expr, scope, row)
        if row is not None and not isinstance(value, bool):
            return value is not None and to_text(value) != ""
        return as_bool(value, expr.line, expr.column)

    def regex(self, expr: Binary, pattern: str) -> _Searching:
        compiled = self.regexes.get(pattern)
        if compiled is None:
            try:
                compiled = Regex(pattern)
            except RegexError as error:
                raise ScriptError(
                    f"invalid regular expression {pattern[:60]!r}: {error} "
                    f"(line {expr.line} column {expr.column})", expr.line, expr.column,
                ) from None
            self.regexes[pattern] = compiled
        return _Searching(compiled, expr, self)


class _Searching:
    """A compiled regex whose run-time refusals (subject too long) become script errors, and
    whose work counts against the run's budget."""

    def __init__(self, compiled: Regex, expr: Binary, interpreter: Interpreter) -> None:
        self.compiled = compiled
        self.expr = expr
        self.interpreter = interpreter

    def search(self, text: str) -> bool:
        self.interpreter.spend(self.expr, "regex_work", self.compiled.work(text))
        try:
            return self.compiled.search(text)
        except RegexError as error:
            raise ScriptError(f"regular expression refused: {error} "
                              f"(line {self.expr.line} column {self.expr.column})",
                              self.expr.line, self.expr.column) from None


def _bounded(pieces: Iterator[str], expr: Interpolated) -> Iterator[str]:
    """Stop joining as soon as the result would pass the string cap."""
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > MAX_STRING:
            checked(" " * (MAX_STRING + 1), expr.line, expr.column)
        yield piece


def _truncated(a: int, b: int) -> int:
    """Integer division towards zero, exact for 64-bit values (float division is not)."""
    quotient = abs(a) // abs(b)
    return quotient if (a < 0) == (b < 0) else -quotient


def _counting(start: int, stop: int, step: int) -> Iterator[int]:
    value = start
    while (step > 0 and value <= stop) or (step < 0 and value >= stop):
        yield value
        value += step


def _quoted(value: str) -> str:
    if value and all(c.isalnum() or c in "-_.:/*,!@" for c in value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


class Execution:
    """One run of a parsed script, advanced a statement at a time (`step`), so that the job
    runner (simulator/jobs.py) can interleave runs. A run started by another run (`/system
    script run` inside a script) shares its caller's budget and runs to its end at once."""

    def __init__(self, router: Any, block: Block, *, policies: frozenset[str], owner: str
                 ) -> None:
        outer: _Budget | None = getattr(_active, "budget", None)
        self.budget = outer if outer is not None else _Budget()
        if self.budget.depth >= MAX_RUN_DEPTH:
            raise _FatalError(f"scripts nested more than {MAX_RUN_DEPTH} deep",
                              block.line, block.column)
        self.interpreter = Interpreter(router, policies=policies, owner=owner)
        self._steps = self.interpreter.steps(block)
        self._started = False
        self.done = False

    @property
    def output(self) -> str:
        return "".join(self.interpreter.output)

    def step(self) -> Delay | None:
        """Run to the next pause: `None` before a statement, a `Delay` at `:delay`. Sets `done`
        at the end; a failure raises `ScriptError` with the output so far."""
        if self.done:
            return None
        outer: _Budget | None = getattr(_active, "budget", None)
        _active.budget = self.budget
        if not self._started:
            self._started = True
            self.budget.depth += 1
        try:
            return next(self._steps)
        except StopIteration:
            self._finish()
        except _Return:
            self._finish()
        except ScriptError as error:
            self._finish()
            error.output = self.output
            raise
        except BaseException:
            self._finish()
            raise
        finally:
            if outer is None:
                del _active.budget
            else:
                _active.budget = outer
        return None

    def stop(self) -> None:
        """Abandon the run where it is (`/system script job remove`)."""
        if not self.done:
            self._steps.close()
            self._finish()

    def _finish(self) -> None:
        if not self.done:
            self.done = True
            if self._started:
                self.budget.depth -= 1

    def to_end(self) -> str:
        """Run without pausing; a `:delay` is recorded, not waited for."""
        while not self.done:
            paused = self.step()
            if isinstance(paused, Delay):
                self.interpreter.delayed += paused.seconds
        return self.output


def run(router: Any, block: Block, *, policies: frozenset[str], owner: str) -> str:
    """Run a parsed script to its end; the output is what `:put` and `print` wrote."""
    return Execution(router, block, policies=policies, owner=owner).to_end()
