"""A documented subset of the RouterOS script language, run inside the simulated router.

Entry point: `run_script(router, source, *, policies, owner="*sys") -> str` parses the whole
script (a syntax error has no effects, as on RouterOS), runs it through `router.call` only, and
returns what `:put` and `print` wrote. On failure it logs the error to the router's log (topics
`script,error`) and raises `ScriptError(message, line, column)`; effects up to the failure stay.
`router.script_globals` (created if missing) keeps `:global` variables across runs.

The subset
----------
Lines and structure
    Statements end at a line end or `;`. `#` starts a comment where a statement could start.
    `\\` at a line end continues the line. `{ ... }` is a block with its own variables and menu.
Menu commands
    Paths with spaces or slashes, absolute (`/ip firewall nat disable *1`,
    `/ip/firewall/nat/disable *1`) or relative to the last menu line (`/ip firewall nat` then
    `add ...`, or `/ip firewall nat; add ...`); `..` goes up. The command word is the first of
    add set get find print remove enable disable move run send reset-counters
    reset-counters-all export unset comment reboot edit; a line of other words followed by
    arguments ends in its command word (the router answers an unknown one with its own trap).
    `[ ... ]` inside a command's arguments resolves relative paths against that command's menu.
    Arguments: `name=value` (quoted string, `$var`, `[...]`, `(...)`, `{code}` sent as its
    source text, or an unquoted word such as `!established`, `00:00:10`, `*1,*2`, `yes`, sent
    as written for the router to parse) and unnamed values.
    - `find [where EXPR] [name=value ...]` = `print`, filtered here; returns the `.id` array.
    - `print [count-only] [where ...] [proplist=...]`: count-only returns the number; otherwise
      one line per item (`N name=value ...`) goes to the output.
    - `get <id> <property>` / `get [find ...] <property>` / `get <property>` (singletons):
      the API's `get =value-name=`; `true`/`false` come back as booleans, digits as numbers.
    - `set`, `remove`, `enable`, `disable`, `unset`, `move`, `run`, and other verbs: the first
      unnamed value (an id, a name, or an array from `find`) or `numbers=` becomes `.id` as a
      comma list; an empty `find` result makes set/remove/enable/disable do nothing.
    - `add` returns the new id; `/system script run <name>` appends the script's output;
      `/tool e-mail send to=... subject=... body=...` and `/ip firewall connection remove
      [find where dst-address~"..."]` are ordinary commands of this shape.
Where expressions (after `where`; bare `name=value` filters are ANDed to it)
    `=`, `!=`, `<`, `>`, `<=`, `>=`, `~` (POSIX extended regex, linear-time matcher), `and`/`&&`,
    `or`/`||`, `!`/`not`, parentheses. A bare word left of an operator, or alone, is a property
    (alone: true when `true` or non-empty); right of an operator it is a value. Equality is loose:
    `yes`/`true` and `no`/`false` are equal, ids compare case-insensitively. Order compares
    numbers as numbers, addresses as addresses, anything else as text.
Global commands
    `:local`, `:global`, `:set`, `$var`, `"text $var $[command]"`, `$[...]`, `:put`,
    `:log info|warning|error|debug` (through the API's `/log/<level>`), `:delay` (checked and
    recorded, never slept), `:if (cond) do={...} else={...}`, `:foreach x in=... do={...}`,
    `:for i from= to= [step=] do={...}`, `:while (cond) do={...}`, `:do {...} on-error={...}`,
    `:do {...} while=(...)`, `:len`, `:tostr`, `:tonum`, `:typeof`, `:pick`, `:error`,
    `:nothing`, `:return [value]` (ends the running script; the value is dropped: there are no
    functions here). Expressions in `( ... )`: comparisons as above, `&&`, `||`, `!`,
    `.` (concatenate), `+ - * / %` on 64-bit numbers (operators need spaces, except `$i+1`).
    `:if` needs a boolean.
    Strings: `\\" \\\\ \\n \\r \\t \\$ \\? \\_ \\a \\b \\f \\v` and `\\HH` hex escapes.
Not in the subset (each fails naming itself, never silently)
    Array literals (`{1;2}`, `{a=1}`), `print as-value`, `:toarray`, functions (`:parse`,
    `$fn`), `:execute`, `:resolve`, `:time`. The project's generated scripts need none: they
    iterate `find` results (`:foreach i in=[find ...] do={...}`), which are arrays already.
Errors
    Syntax: `syntax error (line L column C)` / `expected end of command (line L column C)`;
    an unknown global command: `bad command name X (line L column C)`; a RouterOS construct
    not interpreted here: a ScriptError naming it (":execute is outside the simulator's script
    subset"). A refused command: the router's own message. Using an undeclared variable fails.
Caps (the simulator must survive any script)
    Per run, nested runs included: 100 000 statements and loop iterations, 1 000 000 rows
    examined by find/print, 50 000 000 regex steps (20 000 000 per match), 1 MiB of output;
    8 nested runs, 64 levels of nesting, strings of at most 4 MiB, regex patterns of 1024
    characters. None of these can be caught by `:do ... on-error=`. Nums are 64-bit: a run of
    20 or more digits stays text, and arithmetic on it fails with its line and column.
"""

from __future__ import annotations

from typing import Any

from .errors import ScriptError
from .interpreter import Execution, run
from .parser import parse

__all__ = ["Execution", "ScriptError", "run_script", "start_script"]


def start_script(router: Any, source: str, *, policies: frozenset[str], owner: str = "*sys"
                 ) -> Execution:
    """Parse `source` and return its run, paused before the first statement (the job runner,
    simulator/jobs.py, advances it). A syntax error is logged and raised: nothing runs."""
    try:
        try:
            return Execution(router, parse(source), policies=policies, owner=owner)
        except RecursionError:
            raise ScriptError("script nested too deeply") from None
    except ScriptError as error:
        router.log_message("script,error", error.located)
        raise


def run_script(
    router: Any,
    source: str,
    *,
    policies: frozenset[str],
    owner: str = "*sys",
    dont_require_permissions: bool = False,
) -> str:
    """Run `source` on `router` as `owner` with `policies`; return what it printed.

    `dont_require_permissions` is accepted because `router.script_runner` is called with it;
    the router has already made that decision before handing the source over.
    """
    try:
        try:
            block = parse(source)
            return run(router, block, policies=policies, owner=owner)
        except RecursionError:
            raise ScriptError("script nested too deeply") from None
    except ScriptError as error:
        router.log_message("script,error", error.located)
        raise

