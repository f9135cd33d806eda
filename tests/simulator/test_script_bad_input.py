"""Bad scripts fail cleanly inside the router: syntax errors, runaway loops, huge strings,
bad and catastrophic regexes, injection attempts, junk. None may crash or hang the simulator."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.api import ALL_POLICIES, Request
from simulator.router import Router
from simulator.script import ScriptError, run_script
from simulator.script.interpreter import MAX_STATEMENTS
from simulator.script.parser import parse
from simulator.script.values import MAX_STRING

NAT = "/ip/firewall/nat"


@pytest.fixture(params=["6.49", "7.20"])
def router(request: pytest.FixtureRequest) -> Router:
    router = Router(request.param)
    for name in ("pi132", "pi134"):
        router.call(Request(f"{NAT}/add", {"chain": "dstnat", "action": "dst-nat",
                                           "to-addresses": "192.168.1.132", "comment": name}))
    return router


def run(router: Router, source: str) -> str:
    return run_script(router, source, policies=ALL_POLICIES)


def comments(router: Router) -> list[str]:
    return [row.get("comment", "") for row in router.call(Request(f"{NAT}/print")).items]


def disabled(router: Router, comment: str) -> str:
    rows = router.call(Request(f"{NAT}/print")).items
    return next(row["disabled"] for row in rows if row.get("comment") == comment)


def errors_logged(router: Router) -> list[str]:
    return [item.props["message"] for item in router.list_menu("/log").items
            if item.props["topics"] == "script,error"]


def test_a_syntax_error_runs_nothing(router: Router) -> None:
    with pytest.raises(ScriptError) as caught:
        run(router, '/ip firewall nat disable [find comment="pi132"]\n:put 1\n:put ("x"')
    assert caught.value.message == "syntax error (line 3 column 10)"
    assert (caught.value.line, caught.value.column) == (3, 10)
    assert disabled(router, "pi132") == "false"
    assert errors_logged(router) == ["syntax error (line 3 column 10)"]


def test_a_failure_keeps_what_ran_before_it_and_runs_nothing_after(router: Router) -> None:
    source = ('/ip firewall nat disable [find comment="pi132"]\n'
              "/ip firewall nat set *77 comment=gone\n"
              '/ip firewall nat disable [find comment="pi134"]')
    with pytest.raises(ScriptError) as caught:
        run(router, source)
    assert caught.value.message == "no such item (4)"
    assert caught.value.output == ""
    assert (caught.value.line, caught.value.column) == (2, 1)
    assert (disabled(router, "pi132"), disabled(router, "pi134")) == ("true", "false")
    assert errors_logged(router) == ["no such item (4) (line 2 column 1)"]


@pytest.mark.parametrize("source", [
    ":while (true) do={}",
    ":local i 0; :while (true) do={ :set i ($i + 1) }",
    ":for i from=1 to=1000000000 do={}",
    ":do { :while (true) do={} } on-error={ :put caught }",
    ':foreach r in=[/ip firewall nat find] do={ :while (true) do={ :put "" } }',
])
def test_runaway_loops_are_stopped(router: Router, source: str) -> None:
    with pytest.raises(ScriptError, match=f"more than {MAX_STATEMENTS} statements"):
        run(router, source)
    assert any("runaway" in message for message in errors_logged(router))


@pytest.mark.parametrize("source", [
    ':local s "x"; :while (true) do={ :set s ($s . $s) }',
    ':local s "xxxxxxxxxxxxxxxx"; :for i from=1 to=30 do={ :set s "$s$s" }',
])
def test_huge_strings_are_refused(router: Router, source: str) -> None:
    with pytest.raises(ScriptError, match=f"string longer than {MAX_STRING}"):
        run(router, source)


def test_huge_numbers_wrap_at_64_bits_instead_of_growing(router: Router) -> None:
    out = run(router, ":local n 3; :for i from=1 to=200 do={ :set n ($n * $n) }; :put [:typeof $n]")
    assert out == "num\n"
    assert run(router, ":put (9223372036854775807 + 1)") == "-9223372036854775808\n"
    with pytest.raises(ScriptError, match="division by zero"):
        run(router, ":put (1 / 0)")


@pytest.mark.parametrize("source", [
    '/ip firewall nat find where comment~"(unclosed"',
    ':if ("abc" ~ "a{2,1}") do={}',
    '/ip firewall nat find where comment~"*"',
])
def test_regexes_that_do_not_compile_are_script_errors(router: Router, source: str) -> None:
    with pytest.raises(ScriptError, match="invalid regular expression"):
        run(router, source)


def test_catastrophic_regexes_finish(router: Router) -> None:
    run(router, f'/ip firewall nat add chain=dstnat action=accept comment="{"a" * 200}b"')
    assert run(router, ':put [:len [/ip firewall nat find where comment~"^(a+)+$"]]') == "0\n"
    assert run(router, ':put [:len [/ip firewall nat find where comment~"^(a|aa)+b$"]]') == "1\n"


@pytest.mark.parametrize("value", [
    'x"; /ip firewall nat remove [find]; :put "',
    "a]; /ip firewall nat remove [find",
    "$[/ip firewall nat remove [find]]",
    "100$ and \\ backslash; } { ",
])
def test_quoted_values_stay_data(router: Router, value: str) -> None:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    out = run(router, f'/ip firewall nat add chain=dstnat action=accept comment="{escaped}"\n'
                      f':local v "{escaped}"\n'
                      ':put [:len [/ip firewall nat find comment=$v]]\n'
                      '/ip firewall nat set [find comment=$v] comment=("<" . $v . ">")')
    assert out == "1\n"
    assert comments(router) == ["pi132", "pi134", f"<{value}>"]


def test_variables_holding_script_text_are_never_run(router: Router) -> None:
    run(router, ':global payload "/ip firewall nat remove [find]"')
    run(router, ':global payload\n:put $payload\n/ip firewall nat add chain=dstnat '
                "action=accept comment=$payload")
    assert comments(router) == ["pi132", "pi134", "/ip firewall nat remove [find]"]


def test_deep_nesting_and_long_chains_are_refused_not_crashes(router: Router) -> None:
    with pytest.raises(ScriptError, match="nested too deeply"):
        run(router, ":put " + "[" * 300 + ":put 1" + "]" * 300)
    with pytest.raises(ScriptError, match="nested too deeply"):
        run(router, ':put "' + "$[:put \"" * 100 + "x" + '"]' * 100 + '"')
    # A left-deep chain recurses once per operator when evaluated; Python's own recursion
    # limit is the backstop, turned into the same script error.
    with pytest.raises(ScriptError, match="nested too deeply"):
        run(router, ":put (" + " + ".join(["1"] * 20_000) + ")")
    assert run(router, ":put (" + " + ".join(["1"] * 100) + ")") == "100\n"


def test_output_before_a_failure_travels_with_the_error(router: Router) -> None:
    with pytest.raises(ScriptError) as caught:
        run(router, ':put "before"\n:error "stop here"\n:put "after"')
    assert (caught.value.message, caught.value.line) == ("stop here", 2)
    assert caught.value.output == "before\n"


def test_unsupported_constructs_are_named(router: Router) -> None:
    with pytest.raises(ScriptError, match=r":execute is outside the simulator's script subset"):
        run(router, ':execute ":put 1"')
    with pytest.raises(ScriptError, match=r"bad command name nonsense \(line 1 column 2\)"):
        run(router, ":nonsense")
    with pytest.raises(ScriptError, match="conditional not boolean"):
        run(router, ':if ("maybe") do={}')


_SCRIPT_CHARS = st.sampled_from(list(' \n;[]{}()"$=!~<>&|\\#:/.-*') +
                                ["find", "put", ":put", ":if", ":local", "x", "$x", "1",
                                 "/ip firewall nat", "where", "do=", "comment", "\\41"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_SCRIPT_CHARS, max_size=40).map("".join))
def test_junk_is_a_script_error_or_runs(source: str) -> None:
    router = Router("7.20")
    with contextlib.suppress(ScriptError):
        run(router, source)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_parses_or_is_a_script_error_with_a_position(source: str) -> None:
    position = (1, 1)
    try:
        parse(source)
    except ScriptError as error:
        position = (error.line, error.column)
    assert min(position) >= 1
