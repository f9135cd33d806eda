"""Every command, query operator and error of the API, through librouteros over TCP.

Each test runs on 6.49 and 7.20, plain and over API-SSL (verified against the simulator's CA).
Values are asserted as a librouteros user sees them: printed `true`/`false` become booleans and
digit strings become ints. What librouteros cannot send or hides (`!empty`, tags, `/cancel`) is
checked on a raw socket at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import librouteros
import pytest
from librouteros.exceptions import FatalError, MultiTrapError, TrapError
from librouteros.login import plain
from librouteros.query import And, Key, Or

from simulator import Simulator
from simulator.testing import VERSIONS

NAT = "/ip/firewall/nat"
MANGLE = "/ip/firewall/mangle"
BUILTIN = "failure: cannot change builtin"
NO_ITEM = ("no such item (4)", None)

VARIANTS = [
    pytest.param((version, tls), id=f"{version}-{'tls' if tls else 'plain'}")
    for tls in (False, True)
    for version in VERSIONS
]


@dataclass
class Wire:
    """A simulator and a logged-in librouteros connection to it."""

    sim: Simulator
    api: librouteros.Api

    @property
    def v7(self) -> bool:
        return self.sim.profile.is_v7

    def path(self, path: str) -> Any:
        return self.api.path(path)

    def run(self, command: str, **attributes: Any) -> list[dict[str, Any]]:
        return list(self.api(command, **attributes))

    def raw(self, command: str, *words: str) -> list[dict[str, Any]]:
        return list(self.api.rawCmd(command, *words))

    def trap(self, command: str, **attributes: Any) -> TrapError:
        with pytest.raises(TrapError) as caught:
            self.run(command, **attributes)
        return caught.value

    def add(self, *comments: str, path: str = NAT, chain: str = "dstnat") -> list[str]:
        return [self.path(path).add(chain=chain, comment=c) for c in comments]

    def comments(self, path: str = NAT) -> list[str | None]:
        return [row.get("comment") for row in self.path(path)]

    def unknown(self, name: str) -> str:
        return f"unknown parameter {name}" if self.v7 else "unknown parameter"


@pytest.fixture(params=VARIANTS)
def wire(request: pytest.FixtureRequest, simulator_factory, api_connect) -> Wire:
    version, tls = request.param
    sim = simulator_factory(version=version, tls=tls, password="pw")
    return Wire(sim, api_connect(sim))


# -- the generic commands -------------------------------------------------------------------


def test_add_returns_uppercase_hex_ids_never_reused_and_prints_defaults(wire: Wire) -> None:
    ids = wire.add(*(f"r{n}" for n in range(11)))
    assert ids[:2] == ["*1", "*2"]
    assert ids[-2:] == ["*A", "*B"]
    wire.path(NAT).remove("*B")
    assert wire.add("again") == ["*C"]
    new = wire.path(NAT).add(**{
        "chain": "dstnat", "action": "dst-nat", "to-addresses": "192.168.1.132", "to-ports": 80,
        "protocol": "tcp", "dst-port": 80, "disabled": True})
    [row] = wire.raw(f"{NAT}/print", f"?.id={new}")
    # No comment was given: an unset optional property is not printed at all.
    assert row == {
        ".id": "*D", "chain": "dstnat", "action": "dst-nat", "to-addresses": "192.168.1.132",
        "to-ports": 80, "protocol": "tcp", "dst-port": 80, "log": False, "log-prefix": "",
        "bytes": 0, "packets": 0, "invalid": False, "dynamic": False, "disabled": True,
    }


def test_set_and_unset_with_bang_and_with_the_unset_command(wire: Wire) -> None:
    nat = wire.path(NAT)
    [rule] = wire.add("x")
    nat.update(**{".id": rule, "disabled": True, "protocol": "tcp", "dst-port": "8080"})
    [row] = nat
    assert (row["disabled"], row["dst-port"]) == (True, 8080)
    nat.update(**{".id": rule, "!dst-port": "", "!comment": ""})
    [row] = nat
    assert "dst-port" not in row
    assert "comment" not in row
    # Unsetting a property with a default puts the default back.
    nat.update(**{".id": rule, "comment": "back", "!disabled": ""})
    [row] = nat
    assert (row["comment"], row["disabled"]) == ("back", False)
    assert wire.run(f"{NAT}/unset", **{".id": rule, "value-name": "comment"}) == []
    [row] = nat
    assert "comment" not in row


def test_remove_enable_disable_take_comma_lists(wire: Wire) -> None:
    nat = wire.path(NAT)
    a, b, c = wire.add("a", "b", "c")
    wire.run(f"{NAT}/disable", **{".id": f"{a},{c}"})
    assert [row["disabled"] for row in nat] == [True, False, True]
    wire.run(f"{NAT}/enable", **{".id": f"{c},{a}"})
    assert [row["disabled"] for row in nat] == [False, False, False]
    nat.remove(a, b)  # librouteros sends `=.id=*1,*2`
    assert wire.comments() == ["c"]


def test_a_bad_id_anywhere_is_no_such_item_and_changes_nothing(wire: Wire) -> None:
    a, b = wire.add("a", "b")
    wire.path("/system/script").add(name="s")
    attempts = [
        (f"{NAT}/remove", {".id": f"{a},*99"}),
        (f"{NAT}/set", {".id": "*99", "comment": "x"}),
        (f"{NAT}/set", {".id": "junk", "comment": "x"}),
        (f"{NAT}/enable", {".id": "*99"}),
        (f"{NAT}/disable", {".id": f"{b},*99"}),
        (f"{NAT}/move", {"numbers": f"{b},*99", "destination": a}),
        (f"{NAT}/move", {"numbers": b, "destination": "*99"}),
        (f"{NAT}/add", {"chain": "dstnat", "place-before": "*99"}),
        (f"{NAT}/get", {".id": "*99", "value-name": "chain"}),
        ("/system/script/run", {".id": "nope"}),
        ("/system/script/set", {".id": "nope", "source": ""}),
    ]
    for command, attributes in attempts:
        error = wire.trap(command, **attributes)
        assert (command, error.message, error.category) == (command, *NO_ITEM)
    assert wire.comments() == ["a", "b"]
    assert [row["disabled"] for row in wire.path(NAT)] == [False, False]
    assert wire.add("c") == ["*3"]  # the failed add allocated no id


def test_move_before_a_destination_and_to_the_end(wire: Wire) -> None:
    a, b, c, d = wire.add("a", "b", "c", "d")
    wire.run(f"{NAT}/move", numbers=f"{c},{d}", destination=a)
    assert wire.comments() == ["c", "d", "a", "b"]
    wire.run(f"{NAT}/move", numbers=c)  # no destination: to the end
    assert wire.comments() == ["d", "a", "b", "c"]
    wire.run(f"{NAT}/move", numbers=f"{a},{b}", destination=a)  # before itself: stays
    assert wire.comments() == ["d", "a", "b", "c"]
    first, second = wire.add("m1", "m2", path=MANGLE, chain="prerouting")
    wire.run(f"{MANGLE}/move", numbers=second, destination=first)
    assert wire.comments(MANGLE) == ["m2", "m1"]


def test_place_before_and_copy_from(wire: Wire) -> None:
    nat = wire.path(NAT)
    a, b = wire.add("a", "b")
    nat.add(chain="dstnat", comment="first", **{"place-before": a})
    copy = nat.add(comment="copy", **{"copy-from": b})
    assert wire.comments() == ["first", "a", "b", "copy"]
    assert wire.run(f"{NAT}/get", **{".id": copy, "value-name": "chain"}) == [{"ret": "dstnat"}]
    error = wire.trap("/system/script/add", name="s", **{"place-before": "*1"})
    assert error.message == wire.unknown("place-before")  # unordered menus have no order


def test_print_proplist_detail_count_only_getall(wire: Wire) -> None:
    nat = wire.path(NAT)
    wire.add("a", "b")
    nat.add(chain="srcnat", action="masquerade", comment="m", disabled=True)
    assert list(nat.select(Key(".id"), Key("comment"), Key("nope"))) == [
        {".id": "*1", "comment": "a"}, {".id": "*2", "comment": "b"}, {".id": "*3", "comment": "m"}]
    assert wire.run(f"{NAT}/print", **{".proplist": "comment,disabled"}) == [
        {"comment": "a", "disabled": False}, {"comment": "b", "disabled": False},
        {"comment": "m", "disabled": True}]
    assert wire.run(f"{NAT}/print", detail="") == list(nat)
    assert wire.run(f"{NAT}/getall") == list(nat)
    assert wire.run(f"{NAT}/print", **{"count-only": ""}) == [{"ret": 3}]
    assert wire.raw(f"{NAT}/print", "=count-only=", "?chain=dstnat") == [{"ret": 2}]
    assert wire.raw(f"{NAT}/print", "=count-only=", "?chain=nowhere") == [{"ret": 0}]
    assert wire.trap(f"{NAT}/print", colour="red").message == wire.unknown("colour")


# -- queries --------------------------------------------------------------------------------

# Three rules: x (dstnat, port 80), y (dstnat, port 8080, disabled), z (srcnat, no comment, no
# port). Each query selects the rules named in its row.
QUERIES: dict[tuple[str, ...], str] = {
    (): "xyz",
    ("?comment",): "xy",
    ("?-comment",): "z",
    ("?chain=dstnat",): "xy",
    ("?=chain=dstnat",): "xy",
    ("?chain=srcnat",): "z",
    ("?disabled=no",): "xz",  # what clients send; print says `false`
    ("?disabled=false",): "xz",
    ("?disabled=yes",): "y",
    ("?disabled=true",): "y",
    ("?<dst-port=100",): "x",  # numbers compare as numbers; z has no port: false
    ("?>dst-port=100",): "y",
    ("?>comment=",): "xy",  # a non-empty comment
    ("?>comment=x",): "y",
    ("?<comment=y",): "x",
    ("?comment=",): "z",
    ("?chain=dstnat", "?#!"): "z",
    ("?chain=dstnat", "?disabled=yes", "?#&"): "y",
    ("?chain=srcnat", "?disabled=yes", "?#|"): "yz",
    ("?disabled=no", "?chain=dstnat", "?#&!"): "yz",
    ("?chain=srcnat", "?chain=dstnat", "?#0"): "xy",  # index at the end: the stack is its top
    ("?chain=dstnat", "?chain=srcnat", "?#1"): "xy",
    ("?chain=srcnat", "?comment=y", "?#1|"): "z",  # index then more: push a copy -> [S, S|y]
    ("?chain=srcnat", "?comment=y", "?#1|0"): "yz",
    ("?chain=dstnat", "?#.&"): "xy",  # `.` alone duplicates the top
    # After an index `.` does nothing: [D, Y] -> 1 copies D -> & -> [D, Y&D] -> 0 keeps the top.
    ("?chain=dstnat", "?disabled=yes", "?#1.&0"): "y",
    ("?#",): "xyz",
}


def test_every_query_operator(wire: Wire) -> None:
    nat = wire.path(NAT)
    names = {
        nat.add(chain="dstnat", comment="x", protocol="tcp", **{"dst-port": 80}): "x",
        nat.add(chain="dstnat", comment="y", disabled=True, protocol="tcp",
                **{"dst-port": 8080}): "y",
        nat.add(chain="srcnat", action="masquerade"): "z",
    }

    def selected(*words: str) -> str:
        return "".join(names[row[".id"]] for row in wire.raw(f"{NAT}/print", "=.proplist=.id",
                                                              *words))

    assert {words: selected(*words) for words in QUERIES} == QUERIES
    x_id = next(key for key, name in names.items() if name == "x")
    assert selected(f"?.id={x_id}") == "x"

    def built(*where: Any) -> str:
        return "".join(names[row[".id"]] for row in nat.select(Key(".id")).where(*where))

    chain, disabled, comment = Key("chain"), Key("disabled"), Key("comment")
    assert built(disabled == False) == "xz"  # noqa: E712 - librouteros sends `?=disabled=no`
    assert built(chain != "dstnat") == "z"
    assert built(comment.In("x", "y")) == "xy"
    assert built(Or(comment == "y", And(chain == "srcnat", disabled == False))) == "yz"  # noqa: E712
    assert built(Key("dst-port") > 79, Key("dst-port") < 8080) == "x"
    for malformed in ("?#&", "?#!", "?#5", "?#x", "?<=x"):
        with pytest.raises(TrapError) as caught:
            wire.raw(f"{NAT}/print", malformed)
        assert (caught.value.message, caught.value.category) == (f"invalid query: {malformed}", 5)


# -- refusals -------------------------------------------------------------------------------


def test_dynamic_entries_cannot_be_set_moved_removed_or_targeted(wire: Wire) -> None:
    dynamic = wire.sim.router.add_dynamic(
        NAT, {"chain": "srcnat", "action": "passthrough", "comment": "dyn"}, top=True)
    a, b = wire.add("a", "b")
    did = dynamic.printed_id
    attempts = [
        ("set", {".id": did, "comment": "x"}), ("remove", {".id": f"{a},{did}"}),
        ("disable", {".id": did}), ("enable", {".id": did}), ("move", {"numbers": did}),
        ("move", {"numbers": b, "destination": did}),
        ("add", {"chain": "dstnat", "place-before": did}),
    ]
    for verb, attributes in attempts:
        assert (verb, wire.trap(f"{NAT}/{verb}", **attributes).message) == (verb, BUILTIN)
    assert wire.comments() == ["dyn", "a", "b"]
    assert next(iter(wire.path(NAT)))["dynamic"] is True


def test_set_without_an_id_traps_on_v7_and_does_nothing_on_v6(wire: Wire) -> None:
    wire.add("x")
    for verb, attributes in (("set", {"comment": "y"}), ("remove", {}), ("disable", {})):
        if wire.v7:
            assert wire.trap(f"{NAT}/{verb}", **attributes).message == "missing =.id="
        else:
            assert wire.run(f"{NAT}/{verb}", **attributes) == []
    [row] = wire.path(NAT)
    assert (row["comment"], row["disabled"]) == ("x", False)


def test_unknown_commands_answer_two_traps(wire: Wire) -> None:
    for command, word in [
        ("/ip/firewall/bogus/print", "bogus"),
        (f"{NAT}/explode", "explode"),
        ("/system/resource/set", "set"),
        ("/ip/firewall/connection/add", "add"),
        ("/log/add", "add"),
        ("/nope", "nope"),
    ]:
        with pytest.raises(MultiTrapError) as caught:
            wire.run(command)
        assert [(t.message, t.category) for t in caught.value.traps] == [
            (f"no such command or directory ({word})", 0), ("no such command prefix", None)]


def test_argument_errors(wire: Wire) -> None:
    nat = wire.path(NAT)
    [rule] = wire.add("x")
    for command, attributes, name in [
        (f"{NAT}/add", {"chain": "dstnat", "colour": "red"}, "colour"),
        (f"{NAT}/set", {".id": rule, "colour": "red"}, "colour"),
        (f"{NAT}/add", {"chain": "dstnat", "bytes": 5}, "bytes"),  # read-only
        (f"{NAT}/set", {".id": rule, "!bytes": ""}, "bytes"),
        ("/tool/e-mail/set", {"colour": "red"}, "colour"),
    ]:
        assert wire.trap(command, **attributes).message == wire.unknown(name)
    tls_key = "tls" if wire.v7 else "start-tls"
    for command, attributes, name in [
        (f"{NAT}/add", {"chain": "dstnat", "action": "teleport"}, "action"),
        (f"{NAT}/set", {".id": rule, "action": "teleport"}, "action"),
        (f"{MANGLE}/add", {"chain": "prerouting", "connection-state": "sleepy"},
         "connection-state"),
        ("/tool/e-mail/set", {tls_key: "maybe"}, tls_key),
    ]:
        error = wire.trap(command, **attributes)
        assert (error.message, error.category) == (f"input does not match any value of {name}", 1)
    error = wire.trap(f"{NAT}/add", chain="dstnat", **{"dst-port": 99999})
    assert (error.message, error.category) == ("value of dst-port out of range (0..65535)", 1)
    for path, chain in ((NAT, "dstnat"), (MANGLE, "prerouting")):
        error = wire.trap(f"{path}/add", chain=chain, action="jump")
        assert error.message == "failure: no target chain specified"
        jump = wire.path(path).add(chain=chain, action="jump", **{"jump-target": "lb"})
        error = wire.trap(f"{path}/set", **{".id": jump, "!jump-target": ""})
        assert error.message == "failure: no target chain specified"
    ports_need_protocol = "failure: ports can be specified if proto is tcp,udp,udp-lite,dccp,sctp"
    assert wire.trap(f"{NAT}/add", chain="dstnat", **{"dst-port": 80}).message == (
        ports_need_protocol)
    ported = wire.path(NAT).add(chain="dstnat", protocol="udp", **{"dst-port": 53})
    assert wire.trap(f"{NAT}/set", **{".id": ported, "protocol": "icmp"}).message == (
        ports_need_protocol)
    wire.path(NAT).remove(ported)
    assert wire.comments() == ["x", None]
    assert [row["action"] for row in nat] == ["accept", "jump"]


# -- the menus ------------------------------------------------------------------------------


def test_email_is_a_singleton_with_address_or_server_by_version(wire: Wire) -> None:
    email = wire.path("/tool/e-mail")
    key, other = ("server", "address") if wire.v7 else ("address", "server")
    tls_key = "tls" if wire.v7 else "start-tls"
    [row] = email
    assert ".id" not in row
    assert (row[key], row["port"], row["from"], row[tls_key], row["last-status"]) == (
        "0.0.0.0", 25, "<>", False, "none")  # noqa: S104 - a printed default
    assert other not in row
    email.update(**{key: "192.0.2.25", "port": 587, "from": "lb@example.com", tls_key: True})
    assert wire.run("/tool/e-mail/print", **{".proplist": f"{key},port,{tls_key}"}) == [
        {key: "192.0.2.25", "port": 587, tls_key: True}]
    assert wire.run("/tool/e-mail/get", **{"value-name": "from"}) == [{"ret": "lb@example.com"}]
    assert wire.trap("/tool/e-mail/set", **{other: "192.0.2.1"}).message == wire.unknown(other)
    if wire.v7:  # 7.12 and later take a host name
        email.update(server="smtp.example.com")
        assert next(iter(email))["server"] == "smtp.example.com"
    else:
        error = wire.trap("/tool/e-mail/set", address="smtp.example.com")
        assert (error.message, error.category) == ("invalid value for argument address", 1)


def test_scripts_unique_names_spaces_and_run(wire: Wire) -> None:
    scripts = wire.path("/system/script")
    first = scripts.add(name="lb-down", source=':log warning "down"\n:put "x"',
                        policy="read,write,test")
    scripts.add(name="other")
    duplicate = "failure: item with this name already exists"
    assert wire.trap("/system/script/add", name="lb-down").message == duplicate
    assert wire.trap("/system/script/set", **{".id": "other", "name": "lb-down"}).message == \
        duplicate
    [row] = wire.raw("/system/script/print", "?name=lb-down")
    assert row == {
        ".id": first, "name": "lb-down", "owner": "admin", "policy": "read,write,test",
        "dont-require-permissions": False, "run-count": 0,
        "source": ':log warning "down"\r\n:put "x"', "invalid": False,
    }
    if wire.v7:
        error = wire.trap("/system/script/add", name="my script")
        assert (error.message, error.category) == ("invalid value for argument name", 1)
    else:
        scripts.add(name="my script")
        scripts.update(**{".id": "my script", "comment": "by name"})
        assert wire.raw("/system/script/print", "?comment=by name", "=.proplist=name") == [
            {"name": "my script"}]
    tuple(scripts("run", **{".id": "lb-down"}))
    tuple(scripts("run", **{".id": first}))
    [row] = wire.raw("/system/script/print", "?name=lb-down")
    assert row["run-count"] == 2
    assert "last-started" in row
    logged = wire.raw("/log/print", "?topics=script,warning", "=.proplist=message")
    assert logged == [{"message": "down"}] * 2


def test_scheduler(wire: Wire) -> None:
    scheduler = wire.path("/system/scheduler")
    scheduler.add(name="lb-sync", interval="00:01:00", **{"on-event": "lb-sync"})
    [row] = scheduler
    day = "2026-01-01" if wire.sim.profile.iso_dates else "jan/01/2026"
    assert {k: row[k] for k in ("name", "interval", "owner", "run-count", "start-date",
                                "start-time", "next-run", "on-event", "disabled")} == {
        "name": "lb-sync", "interval": "1m", "owner": "admin", "run-count": 0, "start-date": day,
        "start-time": "00:00:00", "next-run": f"{day} 00:01:00", "on-event": "lb-sync",
        "disabled": False}
    scheduler.add(name="boot", **{"start-time": "startup", "on-event": ":log info boot"})
    [boot] = wire.raw("/system/scheduler/print", "?name=boot")
    assert "next-run" not in boot
    assert wire.trap("/system/scheduler/add", name="boot").message == \
        "failure: item with this name already exists"
    assert wire.trap("/system/scheduler/set", **{".id": "boot", "owner": "x"}).message == \
        wire.unknown("owner")
    wire.run("/system/scheduler/disable", **{".id": "lb-sync"})
    [row] = wire.raw("/system/scheduler/print", "?name=lb-sync")
    assert row["disabled"] is True
    assert "next-run" not in row


def test_netwatch_schema_by_version(wire: Wire) -> None:
    netwatch = wire.path("/tool/netwatch")
    if not wire.v7:
        new = netwatch.add(host="192.168.1.132", **{"down-script": "/system script run a"})
        assert list(netwatch) == [{
            ".id": new, "host": "192.168.1.132", "timeout": "1s", "interval": "1m",
            "up-script": "", "down-script": "/system script run a", "status": "unknown",
            "disabled": False}]
        for v7_only in ("type", "name", "port"):
            error = wire.trap("/tool/netwatch/add", host="10.0.0.1", **{v7_only: "x"})
            assert error.message == "unknown parameter"
        return
    new = netwatch.add(host="192.168.1.132", type="tcp-conn", port=8080, name="web-a")
    # v7 applies interval, timeout and the rest without printing them; it prints the scripts
    # (empty when unset) and http-codes (terraform-provider-routeros's captured print).
    assert list(netwatch) == [{
        ".id": new, "name": "web-a", "type": "tcp-conn", "host": "192.168.1.132", "port": 8080,
        "up-script": "", "down-script": "", "test-script": "", "http-codes": "",
        "status": "unknown", "done-tests": 0, "failed-tests": 0, "disabled": False}]
    error = wire.trap("/tool/netwatch/add", host="10.0.0.1", type="smoke-signal")
    assert (error.message, error.category) == ("input does not match any value of type", 1)


def test_resource_identity_connections_and_log(wire: Wire) -> None:
    [resource] = wire.path("/system/resource")
    assert ".id" not in resource
    assert resource["version"] == wire.sim.profile.version
    assert resource["board-name"] == ("RB5009UG+S+" if wire.v7 else "RB450")
    assert resource["uptime"] == "0s"
    identity = wire.path("/system/identity")
    assert list(identity) == [{"name": "MikroTik"}]
    identity.update(name="edge-1")
    assert wire.run("/system/identity/get", **{"value-name": "name"}) == [{"ret": "edge-1"}]

    for port in (5000, 5001, 5002):
        wire.sim.router.add_dynamic("/ip/firewall/connection", {
            "protocol": "tcp", "src-address": f"10.0.0.2:{port}", "dst-address": "203.0.113.1:80",
            "reply-src-address": f"192.168.1.13{2 if port < 5002 else 3}:80"})
    connections = wire.path("/ip/firewall/connection")
    to_132 = wire.raw("/ip/firewall/connection/print", "?reply-src-address=192.168.1.132:80")
    assert [row["src-address"] for row in to_132] == ["10.0.0.2:5000", "10.0.0.2:5001"]
    connections.remove(*(row[".id"] for row in to_132))
    assert [row["src-address"] for row in connections] == ["10.0.0.2:5002"]

    wire.run("/log/info", message="hello")
    [line] = wire.raw("/log/print", "?message=hello")
    assert line["topics"] == "script,info"
    assert line["time"] == ("2026-01-01 00:00:00" if wire.sim.profile.iso_dates
                            else "jan/01/2026 00:00:00")


def test_stats_count_round_trips_exactly(wire: Wire) -> None:
    nat = wire.path(NAT)
    wire.add("a", "b")
    list(nat)
    wire.trap(f"{NAT}/remove", **{".id": "*9"})
    wire.run(f"{NAT}/print", **{"count-only": ""})
    wire.run("/system/identity/print")
    assert dict(wire.sim.stats) == {
        "/login": 1, f"{NAT}/add": 2, f"{NAT}/print": 2, f"{NAT}/remove": 1,
        "/system/identity/print": 1,
    }
    assert wire.sim.router.stats_for(NAT) == 5
    assert wire.sim.router.stats_for("/system") == 0  # only the path's own commands


def test_seeding_the_default_configuration_is_not_counted(simulator_factory, api_connect) -> None:
    sim = simulator_factory(version="7.20", seed_defconf=True)
    assert len(list(api_connect(sim).path(NAT))) == 2
    assert dict(sim.stats) == {"/login": 1, f"{NAT}/print": 1}


# -- what librouteros cannot show -----------------------------------------------------------


@pytest.mark.parametrize(("version", "empty"), [("6.49", False), ("7.16", False), ("7.20", True)])
def test_empty_only_from_7_18(simulator_factory, raw_connect, version: str, empty: bool) -> None:
    client = raw_connect(simulator_factory(version=version))
    client.login()
    expected = [["!empty", ".tag=t"], ["!done", ".tag=t"]] if empty else [["!done", ".tag=t"]]
    assert client.command(f"{NAT}/print", ".tag=t") == expected
    assert client.command("/tool/e-mail/print", "?port=1", ".tag=t") == expected
    assert client.command(f"{NAT}/print", "=count-only=") == [["!done", "=ret=0"]]
    client.send(f"{NAT}/add", "=chain=dstnat")
    client.read_until_done()
    assert client.command(f"{NAT}/print", "=.proplist=chain")[0] == ["!re", "=chain=dstnat"]


def test_tags_and_cancel_over_tls(simulator_factory, raw_connect) -> None:
    sim = simulator_factory(version="6.49", tls=True)
    client = raw_connect(sim)
    client.login()
    client.send(f"{NAT}/listen", ".tag=l")
    client.send(f"{NAT}/add", "=chain=dstnat", ".tag=a")
    assert client.read()[:2] == ["!re", ".tag=l"]
    assert client.read() == ["!done", ".tag=a", "=ret=*1"]
    client.send("/cancel", "=tag=l", ".tag=c")
    assert [client.read() for _ in range(3)] == [
        ["!trap", ".tag=l", "=category=2", "=message=interrupted"],
        ["!done", ".tag=l"],
        ["!done", ".tag=c"],
    ]
    assert client.command("/ip/firewall/bogus/listen", ".tag=x") == [
        ["!trap", ".tag=x", "=category=0", "=message=no such command or directory (bogus)"],
        ["!trap", ".tag=x", "=message=no such command prefix"],
        ["!done", ".tag=x"],
    ]


def test_a_plain_login_on_a_legacy_router_logs_nobody_in(simulator_factory, api_connect) -> None:
    # Before 6.43 `/login =name= =password=` only starts the challenge: the client thinks it is
    # in, and the router ends the session at its first command.
    sim = simulator_factory(version="6.40", password="pw")
    api = api_connect(sim, login_method=plain)
    with pytest.raises(FatalError, match="not logged in"):
        list(api(f"{NAT}/print"))


@pytest.mark.parametrize("version", VERSIONS)
def test_a_word_of_no_known_form_is_an_unknown_parameter(
    simulator_factory, raw_connect, version: str
) -> None:
    client = raw_connect(simulator_factory(version=version))
    client.login()
    expected = "unknown parameter junk" if version.startswith("7") else "unknown parameter"
    assert client.command(f"{NAT}/print", "junk", ".tag=j") == [
        ["!trap", ".tag=j", f"=message={expected}"], ["!done", ".tag=j"]]
