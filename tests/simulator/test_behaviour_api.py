"""The behaviour as an API client sees it (librouteros over TCP): bad scripts fail inside the
router and the server keeps serving; rule counters count and reset."""

from __future__ import annotations

import pytest
from librouteros.exceptions import TrapError

from simulator.dataplane import PACKET_SIZE
from simulator.script.interpreter import MAX_STATEMENTS
from simulator.script.values import MAX_STRING

PUBLIC = "203.0.113.2"
SERVER = "192.168.1.132"

BAD_SCRIPTS = {
    "syntax": (':put ("x"', "syntax error (line 1 column 10)"),
    "runaway": (":while (true) do={}", f"more than {MAX_STATEMENTS} statements"),
    "huge": (':local s "x"; :while (true) do={ :set s ($s . $s) }',
             f"string longer than {MAX_STRING} characters"),
    "regex": (':if ("abc" ~ "(unclosed") do={}', "invalid regular expression"),
}


@pytest.mark.parametrize("name", BAD_SCRIPTS)
def test_a_bad_script_run_over_the_api_is_a_trap_and_the_server_serves_on(
        sim_any_version, api_connect, name):
    sim = sim_any_version
    api = api_connect(sim)
    source, message = BAD_SCRIPTS[name]
    api.path("system", "script").add(name=name, source=source)
    with pytest.raises(TrapError) as caught:
        list(api("/system/script/run", **{".id": name}))
    assert message in caught.value.message
    assert any(message in line["message"] for line in api.path("log")
               if "error" in line["topics"])
    # The same session and a new one are both served.
    assert [s["name"] for s in api.path("system", "script")] == [name]
    other = api_connect(sim)
    assert list(other("/system/identity/print"))[0]["name"] == "MikroTik"
    assert sim.open_sessions == 2


def test_rule_counters_count_and_reset_over_the_api(sim_any_version, api_connect):
    sim = sim_any_version
    api = api_connect(sim)
    nat = api.path("ip", "firewall", "nat")
    web = nat.add(chain="dstnat", action="dst-nat", protocol="tcp", **{
        "dst-port": "80", "to-addresses": SERVER})
    other = nat.add(chain="dstnat", action="accept")
    for port in range(3):
        sim.open_connection("198.51.100.7", 40000 + port, PUBLIC, 80)
    sim.open_connection("198.51.100.7", 40000, PUBLIC, 80)  # the same connection: no new count
    sim.open_connection("198.51.100.7", 40100, PUBLIC, 22)

    def counters():
        return {rule[".id"]: (rule["packets"], rule["bytes"]) for rule in nat}

    assert counters() == {web: (3, 3 * PACKET_SIZE), other: (1, PACKET_SIZE)}
    list(api("/ip/firewall/nat/reset-counters", **{".id": web}))
    assert counters() == {web: (0, 0), other: (1, PACKET_SIZE)}  # only the rule named
    list(api("/ip/firewall/nat/reset-counters-all"))
    assert counters() == {web: (0, 0), other: (0, 0)}
    with pytest.raises(TrapError, match=r"no such item \(4\)"):
        list(api("/ip/firewall/nat/reset-counters", **{".id": "*FFF"}))
