"""The script interpreter against an in-process router (with its behaviour), on v6 and v7.

Every effect is checked on the router itself: scripts reach it only through `router.call`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from simulator.api import ALL_POLICIES, CommandError, Request
from simulator.behaviour import Behaviour, install
from simulator.router import Router
from simulator.script import ScriptError, run_script

NAT = "/ip/firewall/nat"
NETWATCH_POLICIES = frozenset({"read", "write", "test", "reboot"})


@dataclass
class Sim:
    router: Router
    behaviour: Behaviour

    def call(self, command: str, **attributes: str) -> Any:
        return self.router.call(Request(command, attributes))

    def run(self, source: str, policies: frozenset[str] = ALL_POLICIES) -> str:
        return run_script(self.router, source, policies=policies)

    def rules(self) -> dict[str, dict[str, str]]:
        return {row["comment"]: row for row in self.call(f"{NAT}/print").items
                if "comment" in row}

    def log(self, topics: str) -> list[str]:
        return [row["message"] for row in self.behaviour.log() if row["topics"] == topics]


@pytest.fixture(params=["6.49", "7.20"])
def sim(request: pytest.FixtureRequest) -> Sim:
    router = Router(request.param)
    simulated = Sim(router, install(router))
    for name, address in (("pi132", "192.168.1.132"), ("pi134", "192.168.1.134")):
        simulated.call(f"{NAT}/add", chain="dstnat", action="dst-nat", protocol="tcp",
                       **{"dst-port": "80", "to-addresses": address, "connection-mark": name,
                          "comment": name})
    return simulated


# the seed tutorial's scripts --------------------------------------------------------------


def test_disable_then_enable_by_comment(sim: Sim) -> None:
    sim.run('/ip firewall nat disable [find comment="pi132"]')
    assert sim.rules()["pi132"]["disabled"] == "true"
    assert sim.rules()["pi134"]["disabled"] == "false"
    sim.run('/ip firewall nat\nenable [find comment="pi132"]')
    assert sim.rules()["pi132"]["disabled"] == "false"


def test_nothing_found_means_nothing_done(sim: Sim) -> None:
    before = dict(sim.router.stats)
    sim.run('/ip firewall nat disable [find comment="nobody"]')
    assert sim.router.stats[f"{NAT}/disable"] == before.get(f"{NAT}/disable", 0)


def test_down_script_disables_and_emails(sim: Sim) -> None:
    key = sim.router.profile.email_server_key
    sim.run(f'/tool e-mail set {key}=10.0.0.25 from="router@example.com"')
    sim.run('/ip firewall nat disable [find comment="pi132"]\n'
            '/tool e-mail send to="admin@example.com" subject="Pi132 DOWN" '
            'body="Pi132 went down; traffic moved to pi134"',
            policies=NETWATCH_POLICIES)
    (mail,) = sim.behaviour.outbox
    assert (mail.to, mail.subject) == ("admin@example.com", "Pi132 DOWN")
    assert mail.body == "Pi132 went down; traffic moved to pi134"
    assert sim.rules()["pi132"]["disabled"] == "true"


def test_email_failure_is_the_routers_message_and_earlier_effects_stay(sim: Sim) -> None:
    with pytest.raises(ScriptError) as caught:
        sim.run('/ip firewall nat disable [find comment="pi132"]\n'
                '/tool e-mail send to="admin@example.com" subject="x" body="y"')
    assert caught.value.message == "failure: e-mail server is not set"
    assert caught.value.line == 2
    assert sim.rules()["pi132"]["disabled"] == "true"
    assert "failure: e-mail server is not set (line 2 column 1)" in sim.log("script,error")


def test_foreach_over_find_with_get_and_set(sim: Sim) -> None:
    output = sim.run(
        '/ip firewall nat\n'
        ':foreach i in=[find where comment~"^pi1"] do={\n'
        '  :local old [get $i comment]\n'
        '  set $i comment=("lb-" . $old)\n'
        '  :put "$i $old"\n'
        '}'
    )
    assert set(sim.rules()) == {"lb-pi132", "lb-pi134"}
    assert output == "*1 pi132\n*2 pi134\n"


def test_if_on_netwatch_status_read_with_get(sim: Sim) -> None:
    sim.call("/tool/netwatch/add", host="192.168.1.132", interval="10s")
    sim.behaviour.set_host("192.168.1.132", up=False)
    sim.behaviour.advance(400)  # past v7's start delays and a few intervals
    source = (
        ':local status [/tool netwatch get [find host="192.168.1.132"] status]\n'
        ':if ($status = "down") do={\n'
        '  /ip firewall nat disable [find comment="pi132"]\n'
        '  :log warning "pi132 is $status"\n'
        '} else={ :put "still $status" }'
    )
    assert sim.run(source, policies=NETWATCH_POLICIES) == ""
    assert sim.rules()["pi132"]["disabled"] == "true"
    assert sim.log("script,warning") == ["pi132 is down"]


def test_connection_remove_by_regex_on_destination(sim: Sim) -> None:
    for number, address in enumerate(["192.168.1.132", "192.168.1.134", "192.168.1.132"]):
        sim.router.add_dynamic("/ip/firewall/connection", {
            "protocol": "tcp", "src-address": f"10.0.0.{number}:4000",
            "dst-address": f"{address}:80"})
    sim.run('/ip firewall connection remove [find where dst-address~"^192\\\\.168\\\\.1\\\\.132:"]')
    left = [row["dst-address"] for row in sim.call("/ip/firewall/connection/print").items]
    assert left == ["192.168.1.134:80"]


# language -------------------------------------------------------------------------------


def test_globals_persist_across_runs_and_locals_do_not(sim: Sim) -> None:
    sim.run(":global failures 1\n:local scratch 5")
    assert sim.run(":global failures\n:set failures ($failures + 1)\n:put $failures") == "2\n"
    assert sim.router.script_globals["failures"] == 2  # type: ignore[attr-defined]
    with pytest.raises(ScriptError, match="undefined variable scratch"):
        sim.run(":put $scratch")


def test_add_returns_the_id_and_print_counts_and_lists(sim: Sim) -> None:
    output = sim.run(
        '/ip firewall nat\n'
        ':local id [add chain=srcnat action=masquerade comment="hairpin"]\n'
        ':put $id\n'
        ':put [print count-only]\n'
        ':put [print count-only where chain=dstnat and !disabled]\n'
        'print where comment="hairpin"\n'
        ':put [:typeof $id]'
    )
    lines = output.splitlines()
    assert lines[:3] == ["*3", "3", "2"]
    assert lines[3].startswith(" 0 chain=srcnat action=masquerade")
    assert lines[4] == "id"


def test_get_on_a_singleton_and_typed_values(sim: Sim) -> None:
    output = sim.run(
        ':put [/system identity get name]\n'
        ':put [:typeof [/ip firewall nat get [/ip firewall nat find comment="pi132"] disabled]]\n'
        ':put [:typeof [/ip firewall nat get *1 bytes]]\n'
        ':put [:len [/ip firewall nat find]]'
    )
    assert output == "MikroTik\nbool\nnum\n2\n"


def test_where_operators(sim: Sim) -> None:
    out = sim.run(
        '/ip firewall nat\n'
        ':put [:len [find where to-addresses>192.168.1.133]]\n'
        ':put [:len [find where comment!="pi132" or comment="pi132"]]\n'
        ':put [:len [find where (comment~"2$" and dst-port=80) || disabled]]\n'
        ':put [:len [find where not (comment~"^pi")]]\n'
        ':put [:len [find disabled=no comment="pi134"]]'
    )
    assert out == "1\n2\n1\n0\n1\n"


def test_expressions_loops_and_string_functions(sim: Sim) -> None:
    out = sim.run(
        ':local total 0\n'
        ':for i from=1 to=4 do={ :set total ($total + $i * 2) }\n'
        ':local n 3; :while ($n > 0) do={ :set n ($n - 1) }\n'
        ':put "$total $n $[:len "abcd"] $[:pick "router" 0 3] $[:tonum "42"] $(7)"\n'
        ':put ((7 / 2) . "," . (-7 / 2) . "," . (7 % 3))\n'
        ':if (!(1 = 2) && ("a" < "b")) do={ :put yes } else={ :put no }'
    )
    assert out.splitlines() == ["20 0 4 rou 42 $(7)", "3,-3,1", "true"]


def test_do_on_error_catches_a_refused_command(sim: Sim) -> None:
    out = sim.run(':do { /ip firewall nat set *FF comment=x } on-error={ :put "caught" }\n'
                  ':put after')
    assert out == "caught\nafter\n"


def test_log_levels_reach_the_router_log(sim: Sim) -> None:
    sim.run(':log info "i"; :log warning "w"; :log error "e"; :log debug "d"')
    assert [sim.log(f"script,{level}") for level in ("info", "warning", "error", "debug")] == [
        ["i"], ["w"], ["e"], ["d"]]
    with pytest.raises(ScriptError, match="bad log level"):
        sim.run(':log shout "x"')


def test_delay_is_accepted_without_sleeping(sim: Sim) -> None:
    start = sim.router.clock.now()
    assert sim.run(":delay 5s\n:delay 00:01:00\n:put done") == "done\n"
    assert sim.router.clock.now() == start
    with pytest.raises(ScriptError, match="invalid time value"):
        sim.run(":delay soon")


# the router decides ---------------------------------------------------------------------


def test_commands_are_counted_like_any_clients(sim: Sim) -> None:
    sim.run('/ip firewall nat disable [find comment="pi132"]')
    assert sim.router.stats[f"{NAT}/print"] >= 1
    assert sim.router.stats[f"{NAT}/disable"] == 1


def test_unknown_command_is_the_routers_trap(sim: Sim) -> None:
    with pytest.raises(ScriptError) as caught:
        sim.run("/ip firewall nat frobnicate *1")
    assert caught.value.message == "no such command or directory (frobnicate)"
    assert caught.value.category == 0


def test_bad_value_is_the_routers_message(sim: Sim) -> None:
    with pytest.raises(ScriptError, match="input does not match any value of action"):
        sim.run("/ip firewall nat add chain=dstnat action=teleport")


def test_script_run_needing_more_policies_is_refused_by_the_router(sim: Sim) -> None:
    sim.call("/system/script/add", name="needy", source=':put "ran"')
    with pytest.raises(ScriptError, match=r"not enough permissions \(9\)"):
        sim.run("/system script run needy", policies=NETWATCH_POLICIES)
    sim.call("/system/script/set", **{".id": "needy", "dont-require-permissions": "yes"})
    assert sim.run("/system script run needy", policies=NETWATCH_POLICIES) == "ran\n"


def test_scripts_running_scripts_share_output_and_stop_recursing(sim: Sim) -> None:
    sim.call("/system/script/add", name="inner", source=':put "inner"')
    sim.call("/system/script/add", name="outer", source=':put "outer"\n/system script run inner')
    assert sim.run("/system script run outer") == "outer\ninner\n"
    sim.call("/system/script/add", name="loop", source="/system script run loop")
    with pytest.raises(ScriptError, match="nested more than"):
        sim.run("/system script run loop")


def test_run_over_the_api_returns_the_scripts_error(sim: Sim) -> None:
    sim.call("/system/script/add", name="broken", source=":put (1 +")
    with pytest.raises(CommandError) as caught:
        sim.call("/system/script/run", **{".id": "broken"})
    assert caught.value.message == "syntax error (line 1 column 10)"
    assert "syntax error (line 1 column 10)" in sim.log("script,error")


def test_slash_paths_work_too(sim: Sim) -> None:
    sim.run('/ip/firewall/nat/disable [/ip/firewall/nat/find comment="pi134"]')
    assert sim.rules()["pi134"]["disabled"] == "true"


def test_return_ends_the_running_script_only(sim: Sim) -> None:
    sim.call("/system/script/add", name="early", source=':put "a"\n:return 1\n:put "b"')
    source = (':foreach i in=[/ip firewall nat find] do={ :if ($i = "*1") do={ :return "" } }\n'
              ':put "never"')
    assert sim.run(source) == ""
    assert sim.run('/system script run early\n:put "after"') == "a\nafter\n"
    assert sim.run(':do { :return 0 } on-error={ :put "caught" }\n:put "no"') == ""


def test_constructs_outside_the_subset_fail_by_name_not_silently(sim: Sim) -> None:
    with pytest.raises(ScriptError, match="print as-value is outside"):
        sim.run("/ip firewall nat print as-value")
    with pytest.raises(ScriptError, match=r"a \{\.\.\.\} value \(array or function\) is outside"):
        sim.run(":foreach i in={1;2} do={ :put $i }")
    with pytest.raises(ScriptError, match=":toarray is outside"):
        sim.run(':put [:toarray "1,2"]')


def test_reading_needs_read_and_changing_needs_write(sim: Sim) -> None:
    with pytest.raises(ScriptError, match=r"not enough permissions \(9\)"):
        sim.run('/ip firewall nat disable [find comment="pi132"]', policies=frozenset({"read"}))
    assert sim.rules()["pi132"]["disabled"] == "false"
    with pytest.raises(ScriptError, match=r"not enough permissions \(9\)"):
        sim.run(":put [:len [/ip firewall nat find]]", policies=frozenset({"write"}))
    assert sim.run(":put [:len [/ip firewall nat find]]", policies=frozenset({"read"})) == "2\n"
