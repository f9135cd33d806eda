"""The generic menu-item provider, resource by resource, against the simulator over TCP.

Every resource with a list menu (MangleRule, NatRule, Script, Scheduler, Netwatch) goes through
the same table-driven cases: create, adopt, read, drift, update, unset, replace, delete,
already-deleted, bad input at check, traps, and the round trips each step may cost. The e-mail
singleton and NatRule's runtime-owned flag have their own modules.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from providers.connection import forget_snapshots, password_source, reset_clients
from providers.errors import RouterError
from providers.menu_item import MenuItemProvider
from providers.schemas import menu
from providers.schemas.base import UNKNOWN
from simulator import Simulator
from tests.lifecycle.routers import PASSWORD, by_hand, commands, running_simulator, settings_for


@dataclass
class Case:
    inputs: dict[str, Any]
    change: dict[str, Any]                  # an update
    drift: tuple[str, str, str, Any]        # (api name, value set by hand, input name, read as)
    bad: dict[str, Any]                     # rejected at check
    respelled: dict[str, Any] = field(default_factory=dict)  # same meaning, other spelling


CASES = {
    "mangle": Case(
        {"chain": "prerouting", "action": "mark-connection", "new_connection_mark": "b0",
         "per_connection_classifier": "src-address:2/0", "protocol": "tcp",
         "dst_port": "80,443", "comment": "bucket 0"},
        {"dst_port": "8080"},
        ("new-connection-mark", "other", "new_connection_mark", "other"),
        {"per_connection_classifier": "src-address:2/2"},
        {"dst_port": "443, 80", "action": "MARK-CONNECTION"},
    ),
    "nat": Case(
        {"chain": "dstnat", "action": "dst-nat", "to_addresses": "10.0.0.2", "to_ports": "8080",
         "protocol": "tcp", "dst_port": "80", "comment": "web"},
        {"to_addresses": "10.0.0.3"},
        ("dst-port", "81", "dst_port", "81"),
        {"to_addresses": "10.0.0.999"},
        {"to_addresses": "10.0.0.2/32", "disabled": "no"},
    ),
    "script": Case(
        {"name": "lb-up", "source": ":log info up\n:log info again\n",
         "policy": "read,write,test", "comment": "up hook"},
        {"source": ":log info changed\n"},
        ("source", ":log info hand", "source", ":log info hand"),
        {"name": "my script"},
        {"source": ":log info up\r\n:log info again\r\n", "policy": "test,read,write"},
    ),
    "scheduler": Case(
        {"name": "lb-sync", "on_event": "lb-sync", "interval": "00:05:00", "comment": "resync"},
        {"interval": "10m"},
        ("interval", "1h", "interval", "1h"),
        {"interval": "5 minutes"},
        {"interval": "5m"},
    ),
    "netwatch": Case(
        {"host": "10.0.0.2", "interval": "30s", "up_script": "/system script run lb-up",
         "comment": "web-1"},
        {"interval": "1m"},
        ("interval", "2m", "interval", "2m"),
        {"host": "not an ip!"},
        {"interval": "00:00:30"},
    ),
}
KEYS = sorted(CASES)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    password_source.set(PASSWORD)
    with running_simulator() as simulator:
        yield simulator
    reset_clients()
    password_source.clear()


def inputs_for(sim: Simulator, key: str, tag: str | None = "t1", **extra: Any) -> dict:
    return {"router": settings_for(sim).as_inputs(), "ownership_tag": tag,
            **CASES[key].inputs, **extra}


def checked(provider: MenuItemProvider, props: dict, olds: dict | None = None) -> dict:
    result = provider.check(olds or {}, props)
    assert [(f.property, f.reason) for f in result.failures] == []
    return result.inputs


def create(provider: MenuItemProvider, props: dict) -> tuple[str, dict]:
    result = provider.create(checked(provider, props))
    return result.id, result.outs


def rows(sim: Simulator, key: str) -> list[dict]:
    with by_hand(sim) as api:
        return list(api.path(menu(key).path))


def start_counting(sim: Simulator, key: str) -> dict[str, int]:
    return commands(sim, menu(key).path)


def since(sim: Simulator, key: str, start: dict[str, int]) -> dict[str, int]:
    now = commands(sim, menu(key).path)
    return {verb: n - start.get(verb, 0) for verb, n in now.items() if n - start.get(verb, 0)}


@pytest.mark.parametrize("key", KEYS)
def test_create_costs_at_most_two_round_trips_and_reads_back_quiet(
        sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    props = inputs_for(sim, key)
    start = start_counting(sim, key)
    id_, outs = create(provider, props)
    assert sum(since(sim, key, start).values()) <= 2
    assert id_.startswith("*")
    [row] = rows(sim, key)
    assert row["comment"].endswith("[lb:t1]")
    forget_snapshots()
    read = provider.read(id_, outs)
    assert read.id == id_
    assert {k: v for k, v in read.outs.items()} == outs
    again = provider.diff(id_, read.outs, checked(provider, {**props, **CASES[key].respelled}))
    assert (again.changes, again.replaces) == (False, [])


@pytest.mark.parametrize("key", KEYS)
def test_create_adopts_the_object_carrying_its_tag(sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    values = menu(key).latest.encode(
        menu(key).latest.validate(CASES[key].inputs)[0], (7, 20, 4))
    values["comment"] = "made by hand [lb:t1]"
    with by_hand(sim) as api:
        existing = api.path(menu(key).path).add(**values)
    start = start_counting(sim, key)
    id_, outs = create(provider, inputs_for(sim, key))
    assert id_ == existing
    assert "add" not in since(sim, key, start)
    assert sum(since(sim, key, start).values()) <= 2
    [row] = rows(sim, key)
    assert row["comment"] == f"{CASES[key].inputs['comment']} [lb:t1]"


@pytest.mark.parametrize("key", KEYS)
def test_drift_shows_on_refresh_and_update_repairs_it(sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    props = inputs_for(sim, key)
    id_, outs = create(provider, props)
    api_name, value, name, read_as = CASES[key].drift
    with by_hand(sim) as api:
        api.path(menu(key).path).update(**{".id": id_, api_name: value})
    forget_snapshots()
    read = provider.read(id_, outs)
    assert read.outs[name] == read_as
    assert read.inputs is not None
    assert read.inputs[name] == read_as
    news = checked(provider, props)
    diff = provider.diff(id_, read.outs, news)
    assert (diff.changes, diff.replaces) == (True, [])
    provider.update(id_, read.outs, news)
    forget_snapshots()
    assert provider.read(id_, outs).outs == outs


@pytest.mark.parametrize("key", KEYS)
def test_update_sets_only_what_changed_in_one_round_trip(sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    props = inputs_for(sim, key)
    id_, outs = create(provider, props)
    news = checked(provider, {**props, **CASES[key].change})
    diff = provider.diff(id_, outs, news)
    assert diff.changes is True
    assert diff.replaces == []
    start = start_counting(sim, key)
    result = provider.update(id_, outs, news)
    assert since(sim, key, start) == {"set": 1}
    assert result.outs is not None
    for name, value in news.items():
        if name != "__provider":
            assert result.outs[name] == value
    forget_snapshots()
    assert provider.read(id_, result.outs).outs == result.outs


@pytest.mark.parametrize("key", KEYS)
def test_removing_an_optional_property_unsets_it(sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    props = inputs_for(sim, key)
    id_, outs = create(provider, props)
    news = checked(provider, {k: v for k, v in props.items() if k != "comment"})
    assert (provider.diff(id_, outs, news).changes, provider.diff(id_, outs, news).replaces) == (
        True, [])
    result = provider.update(id_, outs, news)
    [row] = rows(sim, key)
    assert row["comment"] == "[lb:t1]"  # the user's comment went, the tag stays
    assert "comment" not in result.outs
    # without a tag either, the comment itself is unset
    untagged = checked(provider, {**news, "ownership_tag": None})
    provider.update(id_, result.outs, untagged)
    [row] = rows(sim, key)
    assert "comment" not in row


@pytest.mark.parametrize("key", KEYS)
def test_a_new_router_replaces(sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    props = inputs_for(sim, key)
    id_, outs = create(provider, props)
    moved = checked(provider, {**props, "router": {"host": "192.0.2.1"}})
    diff = provider.diff(id_, outs, moved)
    assert diff.replaces == ["router"]
    assert diff.delete_before_replace is False
    unknown = provider.diff(id_, outs, {**checked(provider, props), "router": UNKNOWN})
    assert unknown.replaces == ["router"]
    # a different username is the same router
    same = checked(provider, {**props, "router": {**props["router"], "username": "ops"}})
    assert provider.diff(id_, outs, same).changes is False


@pytest.mark.parametrize("key", KEYS)
def test_delete_and_delete_again(sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    id_, outs = create(provider, inputs_for(sim, key))
    provider.delete(id_, outs)
    assert rows(sim, key) == []
    provider.delete(id_, outs)  # already gone is success
    forget_snapshots()
    assert provider.read(id_, outs).id == ""


@pytest.mark.parametrize("key", KEYS)
def test_bad_input_fails_at_check_naming_the_property(sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    result = provider.check({}, {**inputs_for(sim, key), **CASES[key].bad})
    [failure] = result.failures
    assert failure.property == next(iter(CASES[key].bad))
    assert failure.reason
    assert sum(sim.stats.values()) == 0  # check never touches the router


@pytest.mark.parametrize("key", KEYS)
def test_unknowns_pass_check_and_diff_during_preview(sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    props = inputs_for(sim, key)
    id_, outs = create(provider, props)
    first = next(iter(CASES[key].change))
    preview = provider.check(outs, {**props, first: UNKNOWN})
    assert preview.failures == []
    assert preview.inputs[first] == UNKNOWN
    before = sum(sim.stats.values())
    diff = provider.diff(id_, outs, preview.inputs)
    assert diff.changes is True
    assert sum(sim.stats.values()) == before


@pytest.mark.parametrize("key", KEYS)
def test_a_trap_from_the_router_surfaces_with_its_message(sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    props = checked(provider, inputs_for(sim, key, tag=None))
    provider.create({**props, **{"comment": "warm-up"}})  # version read, connection open
    sim.faults.trap_command(1, "not enough permissions (9)")
    with pytest.raises(RouterError) as caught:
        provider.create(props)
    assert caught.value.message == "not enough permissions (9)"
    assert caught.value.path == menu(key).path
    assert PASSWORD not in str(caught.value)


@pytest.mark.parametrize("key", KEYS)
def test_refresh_of_many_reads_each_path_once(sim: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    created = []
    for n in range(5):
        extra = {"name": f"lb-{n}"} if "name" in CASES[key].inputs else {}
        created.append(create(provider, inputs_for(sim, key, tag=f"t{n}", **extra)))
    forget_snapshots()
    start = start_counting(sim, key)
    for id_, outs in created:
        assert provider.read(id_, outs).id == id_
    assert since(sim, key, start) == {"print": 1}


def test_v7_only_fields_on_a_v6_router_fail_clearly() -> None:
    password_source.set(PASSWORD)
    try:
        with running_simulator(version="6.49") as sim:
            provider = MenuItemProvider("netwatch")
            props = checked(provider, {**inputs_for(sim, "netwatch"), "type": "tcp-conn",
                                       "port": "443"})
            with pytest.raises(RouterError) as caught:
                provider.create(props)
            assert caught.value.kind == "version"
            wanted = "type needs RouterOS 7.0.0 or later; the router runs 6.49.18"
            assert wanted in str(caught.value)
            assert "netwatch/add" not in " ".join(sim.stats)
            # and the v6 schema works there
            id_, outs = create(provider, inputs_for(sim, "netwatch"))
            assert rows(sim, "netwatch")[0]["interval"] == "30s"
            forget_snapshots()
            assert provider.read(id_, outs).outs == outs
    finally:
        reset_clients()
        password_source.clear()


def test_netwatch_probe_type_change_replaces_delete_first(sim: Simulator) -> None:
    provider = MenuItemProvider("netwatch")
    props = inputs_for(sim, "netwatch", type="icmp")
    id_, outs = create(provider, props)
    diff = provider.diff(id_, outs, checked(provider, {**props, "type": "tcp-conn",
                                                        "port": "80"}))
    assert diff.replaces == ["type"]
    assert diff.delete_before_replace is True


def test_a_same_named_untagged_script_is_not_overwritten(sim: Simulator) -> None:
    with by_hand(sim) as api:
        api.path("/system/script").add(name="lb-up", source="hand-made")
    with pytest.raises(RouterError, match=r"add \[lb:t1\] to its comment to adopt it"):
        create(MenuItemProvider("script"), inputs_for(sim, "script"))


def test_the_provider_pickles_by_reference_in_a_few_dozen_bytes() -> None:
    import base64

    import dill

    text = serialize_provider(MenuItemProvider("nat"))
    assert len(base64.b64decode(text)) < 200
    loaded = dill.loads(base64.b64decode(text))  # noqa: S301 - our own pickle
    assert type(loaded) is MenuItemProvider
    assert loaded.menu_key == "nat"


def test_outputs_and_errors_never_hold_the_password(sim: Simulator) -> None:
    provider = MenuItemProvider("nat")
    id_, outs = create(provider, inputs_for(sim, "nat"))
    assert PASSWORD not in repr(outs)
    sim.faults.refuse_logins = True
    reset_clients()
    with pytest.raises(RouterError) as caught:
        provider.read(id_, outs)
    assert PASSWORD not in repr(caught.value) + str(caught.value)
