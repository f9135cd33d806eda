"""A script's work, output and powers are bounded, and bad numbers are script errors: through
the interpreter, started over TCP with `/system/script/run` (and from netwatch), on 6.49 and
7.20."""

from __future__ import annotations

from typing import Any

import librouteros
import pytest
from librouteros.exceptions import TrapError

from simulator import Simulator
from simulator.router import LOG_LINES
from simulator.script.interpreter import MAX_OUTPUT, MAX_REGEX_WORK
from simulator.testing import VERSIONS

SCRIPT = "/system/script"


@pytest.fixture(params=VERSIONS)
def router(request: pytest.FixtureRequest, simulator_factory: Any,
           api_connect: Any) -> tuple[Simulator, librouteros.Api]:
    sim = simulator_factory(version=request.param)
    return sim, api_connect(sim)


def run(api: librouteros.Api, source: str, policy: str | None = None) -> str:
    """Add a script and run it; its output, or the trap's message if it failed."""
    extra = {"policy": policy} if policy is not None else {}
    name = f"s{len(list(api.path(SCRIPT)))}"
    api.path(SCRIPT).add(name=name, source=source, **extra)
    try:
        replies = list(api(f"{SCRIPT}/run", **{".id": name}))
    except TrapError as error:
        return f"trap: {error.message}"
    return str(replies[0].get("ret", "")) if replies else ""


def test_regex_work_counts_against_the_run(router) -> None:
    sim, api = router
    # Each match is cheap and far under the per-match cap; together they pass the run's.
    source = (':local s "a"\n:for i from=1 to=20 do={ :set s ($s . $s) }\n'
              ':for i from=1 to=100 do={ :if ($s ~ "a") do={ :local x 1 } }\n:put done')
    result = run(api, source)
    assert result.startswith(f"trap: script stopped: more than {MAX_REGEX_WORK} regular "
                             "expression steps (line 3 column")
    # An ordinary script with a regex per item is far inside the budget.
    assert run(api, ':for i from=1 to=200 do={ :if ("10.0.0.$i" ~ "^10\\\\.0") do={} }\n'
                    ':put ok') == "ok\n"


def test_output_is_capped(router) -> None:
    sim, api = router
    line = "x" * 99
    result = run(api, f':for i from=1 to=20000 do={{ :put "{line}" }}')
    assert result.startswith(f"trap: script stopped: more than {MAX_OUTPUT} characters of output")


def test_log_keeps_the_last_thousand_lines(router) -> None:
    sim, api = router
    run(api, ':for i from=1 to=1100 do={ :log info "line $i" }')
    lines = [row["message"] for row in api.path("/log")]
    assert len(lines) == LOG_LINES
    assert lines[-1] == "line 1100"
    assert "line 100" not in lines
    assert "line 101" in lines


@pytest.mark.parametrize("digits", [23, 5000])
def test_numbers_too_big_for_a_num_are_script_errors_with_a_position(router,
                                                                    digits: int) -> None:
    sim, api = router
    big = "9" * digits
    result = run(api, f":local x {big}\n:put ($x + 1)")
    assert result.startswith("trap: not a number")
    assert result.endswith("(line 2 column 10)")  # at the `+`
    assert "simulator bug" not in result
    # As text it is still a value: `:len` and `:put` work on it.
    assert run(api, f":local x {big}\n:put [:len $x]") == f"{digits}\n"


def test_a_huge_value_in_a_property_does_not_break_find(router) -> None:
    sim, api = router
    nat = api.path("/ip/firewall/nat")
    nat.add(chain="dstnat", comment="9" * 5000)
    nat.add(chain="dstnat", comment="7")
    assert run(api, ':put [:len [/ip firewall nat find where comment!="x"]]') == "2\n"
    assert run(api, ':put [:len [/ip firewall nat find where comment>5]]') == "2\n"
    assert run(api, ':put [:len [/ip firewall nat find comment=7]]') == "1\n"


LIMITED = "read,write,test"


def test_a_script_cannot_raise_its_own_or_anothers_policies(router) -> None:
    sim, api = router
    scripts = api.path(SCRIPT)
    scripts.add(name="full", source=":put full")
    for source in (
        '/system script set [find name="full"] dont-require-permissions=yes',
        '/system script set [find name="full"] source=":put mine"',
        '/system script add name=evil policy=read,write,test,policy source=":put evil"',
        '/system script set [find name="s1"] policy=read,write,test,policy',
        '/system scheduler add name=later policy=read,write,test,reboot on-event="full"',
    ):
        result = run(api, source, policy=LIMITED)
        assert result.startswith("trap: not enough permissions (9)"), source
    rows = {row["name"]: row for row in scripts}
    assert "evil" not in rows
    assert rows["full"]["dont-require-permissions"] is False
    assert rows["full"]["source"] == ":put full"
    assert list(api.path("/system/scheduler")) == []
    # What it may do: add one with its own policies or fewer; an add without `policy` gets
    # the runner's policies, not all of them.
    assert run(api, '/system scheduler add name=mine on-event=":put x"', policy=LIMITED) == ""
    [entry] = api.path("/system/scheduler")
    assert entry["policy"] == LIMITED
    # The API user holds every policy and may do all of it.
    scripts.update(**{".id": "full", "dont-require-permissions": "yes"})


def test_a_netwatch_script_cannot_escalate(router) -> None:
    sim, api = router
    api.path(SCRIPT).add(name="full", source=":put full")
    script = '/system script set [find name="full"] dont-require-permissions=yes'
    api.path("/tool/netwatch").add(host="10.0.0.9", **{"down-script": script})
    sim.set_host("10.0.0.9", up=False)
    sim.advance(70)
    [full] = [row for row in api.path(SCRIPT) if row["name"] == "full"]
    assert full["dont-require-permissions"] is False
    assert any("not enough permissions (9)" in line["message"] for line in sim.log)


def test_rows_examined_count_against_the_run(router, monkeypatch) -> None:
    from simulator.script import interpreter

    sim, api = router
    # A smaller cap for the test: the real one (1 000 000 rows) takes seconds to reach.
    monkeypatch.setattr(interpreter, "MAX_ROWS", 1000)
    nat = api.path("/ip/firewall/nat")
    for n in range(100):
        nat.add(chain="dstnat", comment=f"r{n}")
    result = run(api, ':for i from=1 to=20 do={ :local n [/ip firewall nat find] }')
    assert result.startswith("trap: script stopped: more than 1000 rows examined by find/print "
                             "(line 1 column")


def test_an_ordinary_failover_script_of_hundreds_of_lines_runs(router) -> None:
    sim, api = router
    nat = api.path("/ip/firewall/nat")
    for n in range(50):
        nat.add(chain="dstnat", comment=f"lb-{n}", action="dst-nat",
                **{"to-addresses": "10.0.0.2", "protocol": "tcp", "dst-port": 80})
    lines = [":local count 0"]
    for n in range(300):
        lines += [
            f'/ip firewall nat set [find comment="lb-{n % 50}"] disabled=yes',
            f':foreach r in=[/ip firewall nat find where comment~"^lb-{n % 50}\\$"] do={{',
            "  :set count ($count + 1)",
            "}",
        ]
    lines.append(":put $count")
    assert run(api, "\n".join(lines)) == "300\n"
    assert all(row["disabled"] is True for row in nat)
