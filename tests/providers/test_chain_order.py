"""ChainOrder through its provider against the simulator over TCP: moves, drift, errors, checks."""

from __future__ import annotations

from typing import Any

import pytest

from providers.chain_order import ChainOrderError, ChainOrderProvider
from providers.errors import RouterError
from simulator import Simulator
from tests.lifecycle.routers import (
    PASSWORD,
    Served,
    add_dynamic_rule,
    by_hand,
    chain_ids,
    settings_for,
)
from tests.providers.conftest import BOTH_VERSIONS

MANGLE = "/ip/firewall/mangle"
NAT = "/ip/firewall/nat"
both_versions = pytest.mark.parametrize("sim", BOTH_VERSIONS, indirect=True)



def add_rules(sim: Simulator, path: str, chain: str, comments: list[str]) -> list[str]:
    with by_hand(sim) as api:
        return [api.path(path).add(chain=chain, action="accept", comment=c) for c in comments]


def inputs(sim: Simulator, path: str, chain: str, rule_ids: list[str], **extra: Any) -> dict:
    return {"router": settings_for(sim).as_inputs(), "path": path, "chain": chain,
            "rule_ids": rule_ids, **extra}


@both_versions
def test_create_puts_our_rules_at_the_top_after_dynamic_rules(sim: Simulator) -> None:
    dynamic = add_dynamic_rule(sim, MANGLE, "prerouting")
    [unmanaged, a, b, c] = add_rules(sim, MANGLE, "prerouting", ["admin's", "a", "b", "c"])
    [other_chain] = add_rules(sim, MANGLE, "forward", ["elsewhere"])
    served = Served(sim)

    result = ChainOrderProvider().create(inputs(sim, MANGLE, "prerouting", [c, a, b]))

    assert chain_ids(sim, MANGLE, "prerouting") == [dynamic, c, a, b, unmanaged]
    assert chain_ids(sim, MANGLE, "forward") == [other_chain]
    # One print, then one move: two single-rule moves would do (the admin's rule past our
    # block, c before a), but one command with our block as a list costs one round trip.
    assert served(MANGLE) == {"print": 1, "move": 1}
    assert result.outs["observed_ids"] == [c, a, b]
    assert result.outs["drift"] == []


@both_versions
def test_create_before_a_rule_found_by_comment(sim: Simulator) -> None:
    [first, a, anchor, b, last] = add_rules(sim, NAT, "dstnat", ["x", "a", "anchor", "b", "y"])
    ChainOrderProvider().create(
        inputs(sim, NAT, "dstnat", [b, a], position="before", before_comment="anchor"))
    assert chain_ids(sim, NAT, "dstnat") == [first, b, a, anchor, last]


@both_versions
def test_create_at_the_bottom_with_rules_in_place_moves_nothing(sim: Simulator) -> None:
    [_, a, b] = add_rules(sim, NAT, "srcnat", ["masquerade", "a", "b"])
    served = Served(sim)
    ChainOrderProvider().create(inputs(sim, NAT, "srcnat", [a, b], position="bottom"))
    assert served(NAT) == {"print": 1}


@both_versions
def test_read_reports_order_drift_and_update_restores_the_order(sim: Simulator) -> None:
    [a, b, c] = add_rules(sim, MANGLE, "prerouting", ["a", "b", "c"])
    provider = ChainOrderProvider()
    props = inputs(sim, MANGLE, "prerouting", [a, b, c])
    created = provider.create(props)
    assert provider.diff(created.id, created.outs, props).changes is False

    with by_hand(sim) as api:
        tuple(api(f"{MANGLE}/move", numbers=c, destination=a))
    served = Served(sim)
    read = provider.read(created.id, created.outs)

    assert served(MANGLE) == {"print": 1}
    assert read.outs["observed_ids"] == [c, a, b]
    assert read.outs["rule_ids"] == [a, b, c]
    assert read.outs["drift"] == ["rules out of order: 1 move(s) needed"]
    assert provider.diff(created.id, read.outs, props).changes is True

    updated = provider.update(created.id, read.outs, props)
    assert chain_ids(sim, MANGLE, "prerouting") == [a, b, c]
    assert updated.outs["drift"] == []


@both_versions
def test_a_rule_slipped_into_our_block_is_drift(sim: Simulator) -> None:
    [a, b] = add_rules(sim, MANGLE, "prerouting", ["a", "b"])
    provider = ChainOrderProvider()
    created = provider.create(inputs(sim, MANGLE, "prerouting", [a, b]))
    with by_hand(sim) as api:
        intruder = api.path(MANGLE).add(
            **{"chain": "prerouting", "action": "accept", "place-before": b})
    read = provider.read(created.id, created.outs)
    assert read.outs["observed_ids"] == [a, b]
    assert read.outs["drift"] == ["rules not together at the top: 1 move(s) needed"]
    provider.update(created.id, read.outs, inputs(sim, MANGLE, "prerouting", [a, b]))
    assert chain_ids(sim, MANGLE, "prerouting") == [a, b, intruder]


@both_versions
def test_a_rule_gone_is_drift_at_read_and_an_error_naming_it_at_update(sim: Simulator) -> None:
    [a, b] = add_rules(sim, MANGLE, "prerouting", ["a", "b"])
    provider = ChainOrderProvider()
    props = inputs(sim, MANGLE, "prerouting", [a, b])
    created = provider.create(props)
    with by_hand(sim) as api:
        api.path(MANGLE).remove(b)

    read = provider.read(created.id, created.outs)
    assert read.outs["observed_ids"] == [a]
    # Untagged: the router cannot tell a renumbered rule from a removed one, and says so.
    assert read.outs["drift"] == [f"rule {b} is not in {MANGLE}: its id may have changed (a "
                                  "reboot renumbers every rule) or it was removed; run `pulumi "
                                  "refresh` to find it again by its ownership tag"]
    with pytest.raises(ChainOrderError, match=rf"rule \{b} is not in {MANGLE}: its id may"):
        provider.update(created.id, read.outs, props)


@both_versions
def test_a_tagged_rule_removed_by_hand_is_named_by_its_tag_not_called_renumbered(
    sim: Simulator,
) -> None:
    [a, b] = add_rules(sim, MANGLE, "prerouting", ["a [lb:lab/web/a]", "b [lb:lab/web/b]"])
    provider = ChainOrderProvider()
    props = inputs(sim, MANGLE, "prerouting", [a, b])
    created = provider.create(props)
    assert created.outs["rule_tags"] == ["lab/web/a", "lab/web/b"]
    with by_hand(sim) as api:
        api.path(MANGLE).remove(b)

    with pytest.raises(ChainOrderError) as caught:
        provider.update(created.id, created.outs, props)
    assert f"rule {b} is not in {MANGLE} and no single rule carries its tag [lb:lab/web/b]" \
        in str(caught.value)
    assert "renumbers" not in str(caught.value)


@both_versions
def test_an_id_in_state_that_is_now_another_rule_is_followed_by_tag(sim: Simulator) -> None:
    """After a reboot renumbered the chain, a rule id in state may be another rule's (the
    admin's): ChainOrder follows the tag it recorded for that id and never moves the other."""
    [y, x, admin] = add_rules(sim, MANGLE, "prerouting", ["[lb:y]", "[lb:x]", "admin"])
    provider = ChainOrderProvider()
    stale = inputs(sim, MANGLE, "prerouting", [admin, y])  # x's id is now the admin's
    olds = {**provider.check({}, stale).inputs, "rule_tags": ["x", "y"], "drift": []}

    read = provider.read("id", olds)
    assert read.outs["rule_ids"] == [x, y]
    updated = provider.update("id", olds, stale)
    assert chain_ids(sim, MANGLE, "prerouting") == [x, y, admin]
    assert updated.outs["rule_ids"] == [x, y]


@both_versions
def test_rules_of_another_chain_or_a_missing_anchor_are_errors(sim: Simulator) -> None:
    [a] = add_rules(sim, MANGLE, "prerouting", ["a"])
    [f] = add_rules(sim, MANGLE, "forward", ["f"])
    provider = ChainOrderProvider()
    with pytest.raises(ChainOrderError, match=rf"rule \{f} is in chain forward, not prerouting"):
        provider.create(inputs(sim, MANGLE, "prerouting", [a, f]))
    with pytest.raises(ChainOrderError, match="no rule has the comment 'nope'"):
        provider.create(
            inputs(sim, MANGLE, "prerouting", [a], position="before", before_comment="nope"))


@both_versions
def test_a_trap_on_a_move_surfaces_with_path_and_command(sim: Simulator) -> None:
    [a, b] = add_rules(sim, MANGLE, "prerouting", ["a", "b"])
    sim.faults.trap_command(2, "not enough permissions (9)")  # the print, then the move
    with pytest.raises(RouterError) as caught:
        ChainOrderProvider().create(inputs(sim, MANGLE, "prerouting", [b, a]))
    assert (caught.value.path, caught.value.command) == (MANGLE, "move")
    assert caught.value.message == "not enough permissions (9)"
    assert PASSWORD not in str(caught.value)
    assert chain_ids(sim, MANGLE, "prerouting") == [a, b]


@both_versions
def test_delete_leaves_the_rules_where_they_are(sim: Simulator) -> None:
    [a, b] = add_rules(sim, MANGLE, "prerouting", ["a", "b"])
    provider = ChainOrderProvider()
    created = provider.create(inputs(sim, MANGLE, "prerouting", [b, a]))
    served = Served(sim)
    provider.delete(created.id, created.outs)
    assert served(MANGLE) == {}
    assert chain_ids(sim, MANGLE, "prerouting") == [b, a]


def test_check_names_the_property_at_fault() -> None:
    provider = ChainOrderProvider()
    router = {"host": "127.0.0.1", "port": 1}
    base = {"router": router, "path": MANGLE, "chain": "prerouting", "rule_ids": ["*1"]}

    def failures(**change: Any) -> dict[str, str]:
        result = provider.check({}, {**base, **change, "__provider": "x"})
        return {f.property: f.reason for f in result.failures}

    assert failures() == {}
    assert "path" in failures(path="/ip/firewall/filter")
    assert "rule_ids" in failures(rule_ids=["*1", "*1"])
    assert "before_comment" in failures(position="before")
    assert "position" in failures(position="middle")
    assert "chain" in failures(chain="")


def test_check_lets_unknown_values_through_and_fills_defaults() -> None:
    provider = ChainOrderProvider()
    unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    news = {"router": {"host": "127.0.0.1"}, "path": NAT, "chain": "dstnat",
            "rule_ids": [unknown, unknown]}
    assert provider.check({}, news).failures == []
    known = provider.check({}, {**news, "rule_ids": ["*1"]})
    assert known.inputs["router"]["port"] == 8728
    assert known.inputs["position"] == "top"


def test_diff_ignores_the_provider_and_replaces_on_another_router() -> None:
    provider = ChainOrderProvider()
    olds = {"router": {"host": "127.0.0.1", "port": 1}, "path": NAT, "chain": "dstnat",
            "rule_ids": ["*1"], "position": "top", "observed_ids": ["*1"], "drift": [],
            "__provider": "old"}
    news = {k: v for k, v in olds.items() if k not in ("observed_ids", "drift")}
    assert provider.diff("x", olds, {**news, "__provider": "new"}).changes is False
    moved = provider.diff("x", olds, {**news, "rule_ids": ["*1", "*2"]})
    assert (moved.changes, moved.replaces) == (True, [])
    other = provider.diff("x", olds, {**news, "router": {"host": "127.0.0.2", "port": 1}})
    assert (other.changes, other.replaces) == (True, ["router"])
    # another username reaches the same chain: an update, not a replace
    same = provider.diff("x", olds, {**news, "router": {"host": "127.0.0.1", "port": 1,
                                                         "username": "ops"}})
    assert (same.changes, same.replaces) == (True, [])
