"""The data plane: each matcher and action of mangle and NAT, evaluation counts, counters,
conntrack. In-process: the router is driven with `router.call`, traffic with `open_connection`."""

from __future__ import annotations

import pytest

from simulator import Simulator
from simulator.api import CommandError
from simulator.dataplane import PACKET_SIZE
from tests.simulator.behaviour_helpers import CONNECTION, MANGLE, NAT, add, cmd, make_sim, props

PUBLIC = "203.0.113.2"  # the router's default WAN address
SERVER = "192.168.1.132"


@pytest.fixture
def sim():
    return make_sim()


def marks(sim, **matcher):
    """One mark-connection rule with `matcher`; returns a function: does a packet get marked?"""
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="hit",
        **matcher)
    port = iter(range(10000, 60000))

    def marked(src="198.51.100.7", dst=PUBLIC, dst_port=80, protocol="tcp", src_port=None,
               in_interface="ether1"):
        result = sim.open_connection(src, src_port or next(port), dst, dst_port,
                                     protocol=protocol, in_interface=in_interface)
        return result.connection_mark == "hit"

    return marked


@pytest.mark.parametrize(("spec", "inside", "outside"), [
    ("198.51.100.7", "198.51.100.7", "198.51.100.8"),
    ("198.51.100.0/24", "198.51.100.200", "198.51.101.1"),
    ("198.51.100.5-198.51.100.9", "198.51.100.9", "198.51.100.10"),
    ("!198.51.100.0/24", "10.0.0.1", "198.51.100.1"),
])
def test_src_address_single_prefix_range_and_negation(sim, spec, inside, outside):
    marked = marks(sim, src_address=spec)
    assert marked(src=inside)
    assert not marked(src=outside)


def test_dst_address(sim):
    marked = marks(sim, dst_address="!203.0.113.0/24")
    assert marked(dst="8.8.8.8")
    assert not marked(dst=PUBLIC)


@pytest.mark.parametrize(("spec", "inside", "outside"), [
    ("80", 80, 81),
    ("80,443", 443, 8443),
    ("8000-8080", 8080, 8081),
    ("22,8000-8080", 22, 23),
    ("!80", 443, 80),
])
def test_dst_port_single_list_range_and_negation(sim, spec, inside, outside):
    marked = marks(sim, protocol="tcp", dst_port=spec)
    assert marked(dst_port=inside)
    assert not marked(dst_port=outside)


def test_src_port(sim):
    marked = marks(sim, protocol="udp", src_port="1024-65535")
    assert marked(protocol="udp", src_port=40000)
    assert not marked(protocol="udp", src_port=53)


def test_protocol_and_ports_need_a_ported_protocol(sim):
    marked = marks(sim, protocol="udp")
    assert marked(protocol="udp")
    assert not marked(protocol="tcp")
    sim2 = make_sim()
    marked2 = marks(sim2, protocol="udp", dst_port="53")
    assert marked2(protocol="udp", dst_port=53)
    assert not marked2(protocol="tcp", dst_port=53)


@pytest.mark.parametrize("ports", [{"dst_port": "80"}, {"src_port": "1024-65535"},
                                   {"to_ports": "8080"}])
@pytest.mark.parametrize("protocol", [None, "icmp", "!tcp"])
def test_ports_without_a_ported_protocol_are_refused(ports, protocol):
    """As RouterOS: a port needs tcp, udp, udp-lite, dccp or sctp on the rule."""
    sim = make_sim()
    extra = {"protocol": protocol} if protocol else {}
    with pytest.raises(CommandError, match="^failure: ports can be specified if proto is"):
        add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses=SERVER, **extra, **ports)


def test_in_interface(sim):
    marked = marks(sim, in_interface="!ether1")
    assert marked(in_interface="bridge")
    assert not marked(in_interface="ether1")


def test_connection_state_of_a_first_packet_is_new(sim):
    marked = marks(sim, connection_state="established,related")
    assert not marked()
    sim2 = make_sim()
    assert marks(sim2, connection_state="new")()
    sim3 = make_sim()
    assert not marks(sim3, connection_state="!new")()


def test_connection_mark_and_no_mark(sim):
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="first",
        dst_port="80", protocol="tcp")
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="second",
        connection_mark="no-mark")
    add(sim, MANGLE, chain="prerouting", action="mark-packet", new_packet_mark="was-first",
        connection_mark="first")
    web = sim.open_connection("198.51.100.7", 1000, PUBLIC, 80)
    assert (web.connection_mark, web.packet_mark) == ("first", "was-first")
    other = sim.open_connection("198.51.100.7", 1001, PUBLIC, 22)
    assert (other.connection_mark, other.packet_mark) == ("second", None)


def test_dst_address_type_local_is_an_address_of_the_router(sim):
    marked = marks(sim, dst_address_type="local")
    assert marked(dst=PUBLIC)
    assert marked(dst="192.168.1.1")
    assert not marked(dst=SERVER)
    sim2 = make_sim()
    assert marks(sim2, dst_address_type="!local")(dst="8.8.8.8")


def test_a_matcher_the_simulator_does_not_model_never_matches_and_is_reported(sim):
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="x",
        src_mac_address="00:11:22:33:44:55")
    result = sim.open_connection("198.51.100.7", 1000, PUBLIC, 80)
    assert result.connection_mark is None
    assert any("src-mac-address" in text for text in result.unsupported)


def test_interface_lists_match_their_members():
    """The default configuration's lists: ether1 in WAN, the bridge in LAN."""
    sim = Simulator(version="7.20", seed_defconf=True)
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="wan",
        in_interface_list="WAN")
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="lan",
        in_interface_list="!WAN", passthrough="no")
    from_wan = sim.open_connection("198.51.100.7", 1000, PUBLIC, 80, in_interface="ether1")
    from_lan = sim.open_connection("192.168.1.50", 1000, "198.51.100.9", 80,
                                   in_interface="bridge")
    assert (from_wan.connection_mark, from_lan.connection_mark) == ("wan", "lan")
    assert from_wan.unsupported == from_lan.unsupported == ()
    # The default masquerade (out-interface-list=WAN) now applies to LAN clients leaving by ether1.
    assert from_lan.source.address == PUBLIC


def test_mark_connection_without_passthrough_ends_the_table(sim):
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="a",
        passthrough="no")
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="b")
    result = sim.open_connection("198.51.100.7", 1000, PUBLIC, 80)
    assert result.connection_mark == "a"
    assert result.evaluated["mangle"] == 1


def test_mark_connection_with_passthrough_continues(sim):
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="a")
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="b")
    result = sim.open_connection("198.51.100.7", 1000, PUBLIC, 80)
    assert result.connection_mark == "b"
    assert result.evaluated["mangle"] == 2


def test_accept_ends_mangle_and_other_actions_count_and_continue(sim):
    log = add(sim, MANGLE, chain="prerouting", action="log")
    add(sim, MANGLE, chain="prerouting", action="accept", dst_port="22", protocol="tcp")
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="m")
    assert sim.open_connection("198.51.100.7", 1, PUBLIC, 22).connection_mark is None
    assert sim.open_connection("198.51.100.7", 2, PUBLIC, 80).connection_mark == "m"
    assert props(sim, MANGLE, log)["packets"] == "2"


def test_jump_and_return(sim):
    add(sim, MANGLE, chain="prerouting", action="jump", jump_target="web", dst_port="80",
        protocol="tcp")
    add(sim, MANGLE, chain="prerouting", action="mark-packet", new_packet_mark="after")
    add(sim, MANGLE, chain="web", action="return", src_address="10.0.0.0/8")
    add(sim, MANGLE, chain="web", action="mark-connection", new_connection_mark="web")
    outside = sim.open_connection("198.51.100.7", 1, PUBLIC, 80)
    assert (outside.connection_mark, outside.packet_mark) == ("web", "after")
    assert outside.evaluated["mangle"] == 4
    inside = sim.open_connection("10.1.1.1", 1, PUBLIC, 80)
    assert (inside.connection_mark, inside.packet_mark) == (None, "after")
    assert inside.evaluated["mangle"] == 3
    other = sim.open_connection("198.51.100.7", 2, PUBLIC, 22)
    assert other.evaluated["mangle"] == 2  # the jump rule and the mark-packet rule


def test_a_terminating_action_in_a_jumped_chain_ends_the_table(sim):
    add(sim, MANGLE, chain="prerouting", action="jump", jump_target="sub")
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="late")
    add(sim, MANGLE, chain="sub", action="accept")
    assert sim.open_connection("198.51.100.7", 1, PUBLIC, 80).connection_mark is None


def test_disabled_rules_are_skipped_and_not_evaluated(sim):
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="off",
        disabled="yes")
    add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses=SERVER, disabled="yes")
    result = sim.open_connection("198.51.100.7", 1, PUBLIC, 80)
    assert result.connection_mark is None
    assert result.to_router
    assert result.rules_evaluated == 0


def test_dst_nat_first_terminating_match_wins_with_to_ports(sim):
    add(sim, NAT, chain="dstnat", action="log", dst_port="80", protocol="tcp")
    add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses=SERVER, to_ports="8080",
        dst_port="80", protocol="tcp")
    add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses="192.168.1.134",
        dst_port="80", protocol="tcp")
    result = sim.open_connection("198.51.100.7", 1, PUBLIC, 80)
    assert result.server == f"{SERVER}:8080"
    assert not result.to_router
    assert result.evaluated["dstnat"] == 2


def test_dst_nat_without_to_ports_keeps_the_port_and_ranges_pick_the_first(sim):
    add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses="192.168.1.10-192.168.1.20")
    assert sim.open_connection("198.51.100.7", 1, PUBLIC, 443).server == "192.168.1.10:443"


def test_accept_in_dstnat_stops_translation(sim):
    add(sim, NAT, chain="dstnat", action="accept", src_address="198.51.100.7")
    add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses=SERVER)
    assert sim.open_connection("198.51.100.7", 1, PUBLIC, 80).to_router
    assert sim.open_connection("198.51.100.8", 1, PUBLIC, 80).server == f"{SERVER}:80"


def test_nat_jump_and_return(sim):
    add(sim, NAT, chain="dstnat", action="jump", jump_target="web")
    add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses="192.168.1.134")
    add(sim, NAT, chain="web", action="return", dst_port="!80", protocol="tcp")
    add(sim, NAT, chain="web", action="dst-nat", to_addresses=SERVER)
    assert sim.open_connection("198.51.100.7", 1, PUBLIC, 80).server == f"{SERVER}:80"
    assert sim.open_connection("198.51.100.7", 1, PUBLIC, 81).server == "192.168.1.134:81"


def test_redirect_goes_to_the_router(sim):
    add(sim, NAT, chain="dstnat", action="redirect", to_ports="8080", dst_port="80",
        protocol="tcp")
    result = sim.open_connection("198.51.100.7", 1, "8.8.8.8", 80)
    assert result.to_router
    assert result.server == "router"
    assert result.destination.port == 8080


def test_hairpin_masquerade(sim):
    add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses=SERVER,
        dst_address_type="local", dst_port="80", protocol="tcp")
    add(sim, NAT, chain="srcnat", action="masquerade", src_address="192.168.1.0/24",
        dst_address="192.168.1.0/24", out_interface="bridge")
    lan = sim.open_connection("192.168.1.50", 5000, PUBLIC, 80, in_interface="bridge")
    assert lan.server == f"{SERVER}:80"
    assert lan.srcnat is not None
    assert lan.srcnat.address == "192.168.1.1"
    wan = sim.open_connection("198.51.100.7", 5000, PUBLIC, 80)
    assert wan.server == f"{SERVER}:80"
    assert wan.srcnat is None


def test_src_nat_to_an_address(sim):
    add(sim, NAT, chain="srcnat", action="src-nat", to_addresses="203.0.113.9",
        out_interface="ether1")
    result = sim.open_connection("192.168.1.50", 5000, "8.8.8.8", 53, protocol="udp",
                                 in_interface="bridge")
    assert str(result.source) == "203.0.113.9:5000"


def test_counters_count_matches_and_reset(sim):
    first = add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses=SERVER,
                dst_port="80", protocol="tcp")
    second = add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses=SERVER)
    for port in range(3):
        sim.open_connection("198.51.100.7", port + 1, PUBLIC, 80)
    sim.open_connection("198.51.100.7", 9, PUBLIC, 22)
    assert props(sim, NAT, first)["packets"] == "3"
    assert props(sim, NAT, first)["bytes"] == str(3 * PACKET_SIZE)
    assert props(sim, NAT, second)["packets"] == "1"
    cmd(sim, f"{NAT}/reset-counters", id=first)
    assert props(sim, NAT, first)["packets"] == "0"
    assert props(sim, NAT, second)["packets"] == "1"
    cmd(sim, f"{NAT}/reset-counters-all")
    assert props(sim, NAT, second)["bytes"] == "0"
    with pytest.raises(CommandError, match="no such item"):
        cmd(sim, f"{NAT}/reset-counters", id="*99")


def test_mangle_reset_counters(sim):
    rule = add(sim, MANGLE, chain="prerouting", action="passthrough")
    sim.open_connection("198.51.100.7", 1, PUBLIC, 80)
    assert props(sim, MANGLE, rule)["packets"] == "1"
    cmd(sim, f"{MANGLE}/reset-counters-all")
    assert props(sim, MANGLE, rule)["packets"] == "0"


def test_a_later_packet_follows_its_conntrack_entry_not_the_rules(sim):
    rule = add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses=SERVER)
    first = sim.open_connection("198.51.100.7", 1000, PUBLIC, 80)
    cmd(sim, f"{NAT}/set", id=rule, to_addresses="192.168.1.134")
    again = sim.open_connection("198.51.100.7", 1000, PUBLIC, 80)
    assert not again.new
    assert again.server == first.server == f"{SERVER}:80"
    assert again.rules_evaluated == 0
    assert props(sim, NAT, rule)["packets"] == "1"
    fresh = sim.open_connection("198.51.100.7", 1001, PUBLIC, 80)
    assert fresh.new
    assert fresh.server == "192.168.1.134:80"


def test_conntrack_entries_show_and_remove(sim):
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="web")
    add(sim, NAT, chain="dstnat", action="dst-nat", protocol="tcp", to_addresses=SERVER,
        to_ports="8080")
    result = sim.open_connection("198.51.100.7", 1000, PUBLIC, 80)
    entry = cmd(sim, f"{CONNECTION}/print").items[0]
    assert entry[".id"] == result.connection_id
    assert entry["src-address"] == "198.51.100.7:1000"
    assert entry["dst-address"] == f"{PUBLIC}:80"
    assert entry["reply-src-address"] == f"{SERVER}:8080"
    assert entry["reply-dst-address"] == "198.51.100.7:1000"
    assert entry["protocol"] == "tcp"
    assert entry["connection-mark"] == "web"
    cmd(sim, f"{CONNECTION}/remove", id=entry[".id"])
    assert cmd(sim, f"{CONNECTION}/print").items == []
    assert sim.open_connection("198.51.100.7", 1000, PUBLIC, 80).new


def test_idle_conntrack_entries_expire(sim):
    sim.open_connection("198.51.100.7", 1000, "8.8.8.8", 53, protocol="udp")
    sim.advance(100)
    sim.open_connection("198.51.100.7", 1000, "8.8.8.8", 53, protocol="udp")  # keeps it alive
    sim.advance(150)
    assert len(cmd(sim, f"{CONNECTION}/print").items) == 1
    sim.advance(31)
    assert cmd(sim, f"{CONNECTION}/print").items == []


def test_a_connection_to_a_down_server_is_unreachable(sim):
    add(sim, NAT, chain="dstnat", action="dst-nat", to_addresses=SERVER)
    sim.set_host(SERVER, up=False)
    assert not sim.open_connection("198.51.100.7", 1, PUBLIC, 80).reachable
    sim.set_host(SERVER, up=True)
    sim.set_host(SERVER, up=False, port=80)
    assert not sim.open_connection("198.51.100.7", 2, PUBLIC, 80).reachable
    assert sim.open_connection("198.51.100.7", 3, PUBLIC, 22).reachable


def test_add_src_to_address_list_adds_a_dynamic_entry_once_and_it_times_out(sim):
    add(sim, MANGLE, chain="prerouting", action="add-src-to-address-list", address_list="seen",
        address_list_timeout="1m", dst_port="22", protocol="tcp")
    add(sim, MANGLE, chain="prerouting", action="mark-connection", new_connection_mark="known",
        src_address_list="seen")
    assert sim.open_connection("198.51.100.7", 1, PUBLIC, 80).connection_mark is None
    # Listed by the first rule, the same packet already matches the second.
    assert sim.open_connection("198.51.100.7", 2, PUBLIC, 22).connection_mark == "known"
    assert sim.open_connection("198.51.100.7", 3, PUBLIC, 80).connection_mark == "known"
    sim.open_connection("198.51.100.7", 4, PUBLIC, 22)  # already listed: no second entry
    (entry,) = cmd(sim, "/ip/firewall/address-list/print").items
    assert (entry["list"], entry["address"], entry["dynamic"]) == ("seen", "198.51.100.7", "true")
    sim.advance(60)
    assert cmd(sim, "/ip/firewall/address-list/print").items == []
    assert sim.open_connection("198.51.100.7", 5, PUBLIC, 80).connection_mark is None


def test_connection_nat_state_is_empty_in_mangle_prerouting_and_not_a_nat_matcher(sim):
    # NAT has no connection-nat-state matcher on 6.49 or 7.x (community.routeros
    # `_api_data.py`): the router refuses it there, so only mangle prerouting can ask.
    with pytest.raises(CommandError, match="unknown parameter"):
        add(sim, NAT, chain="srcnat", action="masquerade", connection_nat_state="dstnat")
    marked = marks(sim, connection_nat_state="!dstnat")
    assert marked()  # nothing is natted yet in mangle prerouting
    sim2 = make_sim()
    assert not marks(sim2, connection_nat_state="dstnat")()
