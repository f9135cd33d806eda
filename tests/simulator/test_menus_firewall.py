"""Firewall menus: mangle and NAT rule schemas, jump chains, the address list, conntrack entries
and the default configuration's coexistence rules."""

from __future__ import annotations

import pytest

from simulator.api import CommandError, Request
from simulator.router import Router


@pytest.fixture(params=("6.49", "7.20"))
def router(request: pytest.FixtureRequest) -> Router:
    return Router(request.param)


def call(router: Router, command: str, *queries: str, **attributes: str):
    attrs = {k.replace("_", "-"): v for k, v in attributes.items()}
    return router.call(Request(command, attrs, tuple(queries)))


def test_seed_tutorial_mangle_rules(router: Router) -> None:
    for remainder in ("0", "1"):
        call(router, "/ip/firewall/mangle/add", chain="prerouting", action="mark-connection",
             new_connection_mark=f"pi{remainder}", passthrough="yes",
             per_connection_classifier=f"src-address:2/{remainder}", dst_address="!192.168.1.0/24",
             in_interface="ether1", connection_state="new", dst_port="80,443", protocol="tcp")
    rows = call(router, "/ip/firewall/mangle/print", "?per-connection-classifier=src-address:2/1")
    [row] = rows.items
    assert row["passthrough"] == "true"
    assert row["dst-address"] == "!192.168.1.0/24"
    assert row["new-connection-mark"] == "pi1"
    assert row["connection-state"] == "new"


def test_mark_actions_print_passthrough_and_accept_does_only_from_7_19(router: Router) -> None:
    call(router, "/ip/firewall/mangle/add", chain="prerouting", action="mark-connection",
         new_connection_mark="m")
    call(router, "/ip/firewall/mangle/add", chain="prerouting")
    first, second = call(router, "/ip/firewall/mangle/print").items
    assert first["passthrough"] == "true"
    # From 7.19 every mangle rule prints it (community.routeros `_api_data.py`).
    if router.profile.number >= (7, 19):
        assert second["passthrough"] == "true"
    else:
        assert "passthrough" not in second
    assert second["action"] == "accept"


def test_jump_needs_a_target(router: Router) -> None:
    for path in ("/ip/firewall/mangle", "/ip/firewall/nat"):
        with pytest.raises(CommandError, match="^failure: no target chain specified$"):
            call(router, f"{path}/add", chain="prerouting" if "mangle" in path else "dstnat",
                 action="jump")
        ret = call(router, f"{path}/add", chain="dstnat", action="jump", jump_target="lb-web").ret
        with pytest.raises(CommandError, match="no target chain"):
            call(router, f"{path}/set", **{".id": ret, "!jump-target": ""})
        call(router, f"{path}/add", chain="lb-web", action="return")


def test_nat_targets_and_negations(router: Router) -> None:
    call(router, "/ip/firewall/nat/add", chain="dstnat", action="dst-nat",
         to_addresses="192.168.1.132-192.168.1.133", to_ports="8000-8010", protocol="tcp",
         dst_address_type="local", connection_mark="no-mark", in_interface="!ether2")
    [row] = call(router, "/ip/firewall/nat/print").items
    assert row["to-addresses"] == "192.168.1.132-192.168.1.133"
    assert row["to-ports"] == "8000-8010"
    with pytest.raises(CommandError, match="invalid value for argument to-ports"):
        call(router, "/ip/firewall/nat/add", chain="dstnat", protocol="tcp", to_ports="80,81")
    with pytest.raises(CommandError, match="input does not match any value of dst-address-type"):
        call(router, "/ip/firewall/nat/add", chain="dstnat", dst_address_type="lokal")
    with pytest.raises(CommandError, match="invalid value for argument per-connection-classifier"):
        call(router, "/ip/firewall/mangle/add", chain="prerouting",
             per_connection_classifier="src-address:2/2")


def test_address_list_keys_on_list_and_address(router: Router) -> None:
    call(router, "/ip/firewall/address-list/add", list="lb", address="10.0.0.1")
    with pytest.raises(CommandError, match="^failure: already have such entry$"):
        call(router, "/ip/firewall/address-list/add", list="lb", address="10.0.0.1")
    call(router, "/ip/firewall/address-list/add", list="other", address="10.0.0.1")
    assert call(router, "/ip/firewall/address-list/print", count_only="").ret == "2"


def test_connections_are_printed_and_removed_but_not_added(router: Router) -> None:
    for port in ("5000", "5001"):
        router.add_dynamic("/ip/firewall/connection", {
            "protocol": "tcp", "src-address": f"10.0.0.2:{port}",
            "dst-address": "203.0.113.1:80", "reply-src-address": "192.168.1.132:80"})
    rows = call(router, "/ip/firewall/connection/print",
                "?reply-src-address=192.168.1.132:80").items
    call(router, "/ip/firewall/connection/remove", **{".id": ",".join(r[".id"] for r in rows)})
    assert call(router, "/ip/firewall/connection/print").items == []
    with pytest.raises(CommandError, match=r"no such command or directory \(add\)"):
        call(router, "/ip/firewall/connection/add", protocol="tcp")


def test_defconf_has_dynamic_rules_on_top_and_masquerade(router: Router) -> None:
    router = Router(router.profile, seed_defconf=True)
    for path in ("/ip/firewall/filter", "/ip/firewall/mangle", "/ip/firewall/nat"):
        first = call(router, f"{path}/print").items[0]
        assert first["dynamic"] == "true"
        assert first["comment"] == "special dummy rule to show fasttrack counters"
    [masquerade] = call(router, "/ip/firewall/nat/print", "?dynamic=no").items
    assert masquerade["out-interface-list"] == "WAN"
    assert masquerade["comment"] == "defconf: masquerade"
    assert call(router, "/ip/firewall/filter/print",
                "?comment=defconf: drop all from WAN not DSTNATed", count_only="").ret == "1"
    # our rule cannot be moved above the dynamic one, but can go right below it
    ours = call(router, "/ip/firewall/nat/add", chain="dstnat", comment="ours").ret
    with pytest.raises(CommandError):
        call(router, "/ip/firewall/nat/move", numbers=ours, destination="*1")
    call(router, "/ip/firewall/nat/move", numbers=ours, destination=masquerade[".id"])
    assert [r.get("comment") for r in call(router, "/ip/firewall/nat/print").items] == [
        "special dummy rule to show fasttrack counters", "ours", "defconf: masquerade"]


def test_address_list_timeout_takes_a_duration_or_a_none_keyword() -> None:
    router = Router("7.20")
    for timeout, printed in (("00:01:00", "1m"), ("none-dynamic", "none-dynamic")):
        rule = router.call(Request("/ip/firewall/mangle/add", {
            "chain": "prerouting", "action": "add-src-to-address-list",
            "address-list": "seen", "address-list-timeout": timeout})).ret
        got = router.call(Request("/ip/firewall/mangle/get", {".id": rule})).items[0]
        assert got["address-list-timeout"] == printed
    with pytest.raises(CommandError, match="address-list-timeout"):
        router.call(Request("/ip/firewall/mangle/add", {
            "chain": "prerouting", "address-list-timeout": "forever"}))
