"""The router's menus through librouteros over TCP, on both profiles: what a real client sends
(booleans as yes/no, `=.id=` lists, queries built with `Key`, `And`, `Or`) and the traps it sees."""

from __future__ import annotations

import pytest
from librouteros.exceptions import TrapError
from librouteros.query import And, Key, Or

VERSIONS = ("6.49", "7.20")


@pytest.fixture(params=VERSIONS)
def api(request: pytest.FixtureRequest, simulator_factory, api_connect):
    sim = simulator_factory(version=request.param, seed_defconf=True)
    connection = api_connect(sim)
    connection.sim = sim  # type: ignore[attr-defined]
    return connection


def comments(nat) -> list[str]:
    return [row["comment"] for row in nat]


def test_the_generic_commands(api) -> None:
    nat = api.path("ip", "firewall", "nat")
    a = nat.add(**{"chain": "dstnat", "action": "dst-nat", "to-addresses": "192.168.1.132",
                   "to-ports": 80, "protocol": "tcp", "dst-port": 80, "comment": "a",
                   "disabled": True})
    b = nat.add(chain="dstnat", comment="b")
    assert a.startswith("*")
    assert int(b[1:], 16) > int(a[1:], 16)
    nat.update(**{".id": a, "disabled": False, "comment": "a2"})
    tuple(api("/ip/firewall/nat/move", numbers=b, destination=a))
    assert comments(nat) == ["special dummy rule to show fasttrack counters", "defconf: masquerade",
                             "b", "a2"]
    row = next(r for r in nat if r[".id"] == a)
    # librouteros turns printed booleans and numbers into Python values
    assert (row["disabled"], row["to-ports"], row["bytes"]) == (False, 80, 0)
    nat.remove(a, b)
    assert len(list(nat)) == 2


def test_queries_from_librouteros(api) -> None:
    nat = api.path("ip", "firewall", "nat")
    for name, disabled in (("x", False), ("y", True), ("z", False)):
        nat.add(chain="dstnat", comment=name, disabled=disabled)
    chain, disabled, comment = Key("chain"), Key("disabled"), Key("comment")

    def selected(*where) -> list[str]:
        return [r["comment"] for r in nat.select(comment).where(*where)]

    assert selected(chain == "dstnat", disabled == False) == ["x", "z"]  # noqa: E712
    assert selected(chain == "dstnat", disabled != False) == ["y"]  # noqa: E712
    assert selected(comment.In("x", "z")) == ["x", "z"]
    assert selected(Or(comment == "y", And(chain == "srcnat", Key("dynamic") == False))) == [  # noqa: E712
        "defconf: masquerade", "y"]
    assert selected(comment > "x") == ["y", "z"]
    assert [r[".id"] for r in nat.select(Key(".id")).where(comment == "x")] != []
    [done] = api("/ip/firewall/nat/print", **{"count-only": ""})
    assert done == {"ret": 5}


def test_traps_a_client_sees(api) -> None:
    nat = api.path("ip", "firewall", "nat")
    v7 = api.sim.profile.is_v7

    def trap(call) -> TrapError:
        with pytest.raises(TrapError) as caught:
            call()
        return caught.value

    error = trap(lambda: nat.add(chain="dstnat", action="jump"))
    assert error.message == "failure: no target chain specified"
    error = trap(lambda: nat.add(chain="dstnat", action="teleport"))
    assert (error.message, error.category) == ("input does not match any value of action", 1)
    error = trap(lambda: nat.add(chain="dstnat", colour="red"))
    assert error.message == ("unknown parameter colour" if v7 else "unknown parameter")
    assert trap(lambda: nat.remove("*99")).message == "no such item (4)"
    assert trap(lambda: nat.update(**{".id": "*1", "comment": "x"})).message == \
        "failure: cannot change builtin"
    error = trap(lambda: tuple(api("/ip/firewall/bogus/print")))
    assert (error.message, error.category) == ("no such command or directory (bogus)", 0)


def test_named_and_singleton_menus(api) -> None:
    scripts = api.path("system", "script")
    scripts.add(name="lb-down", source=":log warning down\n:put x", policy="read,write,test")
    with pytest.raises(TrapError, match="item with this name already exists"):
        scripts.add(name="lb-down")
    [row] = list(scripts)
    assert row["source"] == ":log warning down\r\n:put x"
    assert row["owner"] == "admin"
    email = api.path("tool", "e-mail")
    key = api.sim.profile.email_server_key
    tuple(email("set", **{key: "192.0.2.25", "from": "lb@example.com"}))
    [settings] = list(email)
    assert ".id" not in settings
    assert settings[key] == "192.0.2.25"
    [resource] = list(api.path("system", "resource"))
    assert resource["version"] == api.sim.profile.version
