"""NatRule's runtime-owned `disabled`: the router's failover scripts own it after create."""

from __future__ import annotations

from providers.connection import forget_snapshots
from providers.menu_item import MenuItemProvider
from simulator import Simulator
from tests.lifecycle.routers import by_hand, settings_for

NAT = "/ip/firewall/nat"



def failover_rule(sim: Simulator, **extra: object) -> dict:
    return {"router": settings_for(sim).as_inputs(), "ownership_tag": "web-b0-s1",
            "runtime_owned": ["disabled"], "chain": "dstnat", "action": "dst-nat",
            "protocol": "tcp", "dst_port": "80", "to_addresses": "10.0.0.2",
            "disabled": False, **extra}


def test_a_dead_backend_stays_disabled_through_refresh_diff_and_update(sim: Simulator) -> None:
    provider = MenuItemProvider("nat")
    props = provider.check({}, failover_rule(sim)).inputs
    created = provider.create(props)
    with by_hand(sim) as api:  # the down script disables the rule
        api.path(NAT).update(**{".id": created.id, "disabled": True})
    forget_snapshots()
    read = provider.read(created.id, created.outs)
    assert read.outs == created.outs  # refresh does not report the flag
    assert provider.diff(created.id, read.outs, props).changes is False
    changed = provider.check({}, failover_rule(sim, to_ports="8080")).inputs
    diff = provider.diff(created.id, read.outs, changed)
    assert diff.changes is True
    provider.update(created.id, read.outs, changed)
    with by_hand(sim) as api:
        [row] = list(api.path(NAT))
    assert row["disabled"] is True
    assert row["to-ports"] == 8080


def test_adoption_leaves_the_runtime_flag_alone(sim: Simulator) -> None:
    with by_hand(sim) as api:
        existing = api.path(NAT).add(**{
            "chain": "dstnat", "action": "dst-nat", "protocol": "tcp", "dst-port": "80",
            "to-addresses": "10.0.0.2", "disabled": True, "comment": "[lb:web-b0-s1]"})
    provider = MenuItemProvider("nat")
    created = provider.create(provider.check({}, failover_rule(sim)).inputs)
    assert created.id == existing
    with by_hand(sim) as api:
        [row] = list(api.path(NAT))
    assert row["disabled"] is True


def test_without_the_declaration_disabled_is_ordinary_drift(sim: Simulator) -> None:
    provider = MenuItemProvider("nat")
    props = provider.check({}, failover_rule(sim, runtime_owned=None)).inputs
    created = provider.create(props)
    with by_hand(sim) as api:
        api.path(NAT).update(**{".id": created.id, "disabled": True})
    forget_snapshots()
    read = provider.read(created.id, created.outs)
    assert read.outs["disabled"] is True
    assert provider.diff(created.id, read.outs, props).changes is True
    provider.update(created.id, read.outs, props)
    with by_hand(sim) as api:
        [row] = list(api.path(NAT))
    assert row["disabled"] is False  # restored, as declared


def test_place_before_positions_the_new_rule(sim: Simulator) -> None:
    with by_hand(sim) as api:
        first = api.path(NAT).add(chain="dstnat", action="accept", comment="admin's")
    provider = MenuItemProvider("nat")
    created = provider.create(provider.check({}, failover_rule(sim, place_before=first)).inputs)
    with by_hand(sim) as api:
        assert [row[".id"] for row in api.path(NAT)] == [created.id, first]
    # place_before is a create-time instruction, not a property to diff
    later = provider.check({}, failover_rule(sim)).inputs
    assert provider.diff(created.id, created.outs, later).changes is False


def test_runtime_owned_must_name_real_properties(sim: Simulator) -> None:
    result = MenuItemProvider("nat").check({}, failover_rule(sim, runtime_owned=["enabled"]))
    [failure] = result.failures
    assert failure.property == "runtime_owned"
    assert "disabled" in failure.reason


def test_a_failover_rule_matches_the_packet_mark_a_mangle_rule_set(sim: Simulator) -> None:
    """The failover path: mangle marks a new connection's first packet, NAT matches the mark."""
    router = settings_for(sim).as_inputs()
    mangle, nat = MenuItemProvider("mangle"), MenuItemProvider("nat")
    mark = mangle.check({}, {
        "router": router, "ownership_tag": "web-f0", "chain": "prerouting",
        "action": "mark-packet", "new_packet_mark": "web-f0", "passthrough": True,
        "dst_address": "203.0.113.2", "connection_nat_state": "!dstnat",
        "src_address_type": "!local"})
    assert mark.failures == []
    mangle.create(mark.inputs)
    rule = nat.check({}, failover_rule(sim, packet_mark="web-f0", dst_address_list="!never"))
    assert rule.failures == []
    created = nat.create(rule.inputs)
    assert created.outs["packet_mark"] == "web-f0"

    reached = sim.open_connection("198.51.100.7", 40000, "203.0.113.2", 80)
    assert reached.packet_mark == "web-f0"
    assert reached.server == "10.0.0.2:80"
    assert reached.unsupported == ()
    unmarked = sim.open_connection("198.51.100.7", 40001, "203.0.113.9", 80)
    assert unmarked.server == "203.0.113.9:80"


def test_interface_lists_are_checked_like_interface_names(sim: Simulator) -> None:
    provider = MenuItemProvider("nat")
    good = provider.check({}, failover_rule(sim, in_interface_list="!LAN",
                                            out_interface_list="WAN"))
    assert good.failures == []
    assert good.inputs["in_interface_list"] == "!LAN"
    [failure] = provider.check({}, failover_rule(sim, in_interface_list="my lan")).failures
    assert failure.property == "in_interface_list"
    assert "interface list name" in failure.reason


def test_nat_has_no_connection_nat_state(sim: Simulator) -> None:
    """RouterOS's NAT table has no connection-nat-state matcher (mangle and filter do)."""
    result = MenuItemProvider("nat").check({}, failover_rule(sim, connection_nat_state="dstnat"))
    [failure] = result.failures
    assert failure.property == "connection_nat_state"
    assert "has no property" in failure.reason
