"""The generic menu-item provider, resource by resource, against the simulator over TCP.

Every resource with a list menu (MangleRule, NatRule, Script, Scheduler, Netwatch) goes through
the same table-driven cases on RouterOS 6.49 and 7.20 (Netwatch's v7 probe fields on 7.20 only):
create, adopt, read, drift, update, unset, replace, delete, already-deleted, bad input at check
(including the router's version), traps. Round trips: `test_round_trips.py`; the e-mail
singleton, NatRule's runtime-owned flag and ChainOrder have their own modules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from providers.connection import client_for, forget_snapshots, reset_clients
from providers.errors import RouterError
from providers.menu_item import MenuItemProvider
from providers.schemas import menu
from providers.schemas.base import UNKNOWN
from simulator import Simulator
from tests.lifecycle.routers import PASSWORD, Served, by_hand, settings_for
from tests.providers.conftest import BOTH_VERSIONS


@dataclass
class Case:
    menu: str
    inputs: dict[str, Any]
    change: dict[str, Any]                  # an update
    drift: tuple[str, str, str, Any]        # (api name, value set by hand, input name, read as)
    bad: dict[str, Any]                     # rejected at check
    unset: str                              # an optional input the next run leaves out
    respelled: dict[str, Any] = field(default_factory=dict)  # same meaning, other spelling
    replace: dict[str, Any] = field(default_factory=dict)    # a change RouterOS cannot set
    versions: tuple[str, ...] = BOTH_VERSIONS


CASES = {
    "mangle": Case(
        "mangle",
        {"chain": "prerouting", "action": "mark-connection", "new_connection_mark": "b0",
         "per_connection_classifier": "src-address:2/0", "protocol": "tcp",
         "dst_port": "80,443", "comment": "bucket 0"},
        {"dst_port": "8080"},
        ("new-connection-mark", "other", "new_connection_mark", "other"),
        {"per_connection_classifier": "src-address:2/2"},
        "dst_port",  # no default: `=!dst-port=`, not `dst-port=""`
        {"dst_port": "443, 80", "action": "MARK-CONNECTION"},
    ),
    "nat": Case(
        "nat",
        {"chain": "dstnat", "action": "dst-nat", "to_addresses": "10.0.0.2", "to_ports": "8080",
         "protocol": "tcp", "dst_port": "80", "comment": "web"},
        {"to_addresses": "10.0.0.3"},
        ("dst-port", "81", "dst_port", "81"),
        {"to_addresses": "10.0.0.999"},
        "to_ports",
        {"to_addresses": "10.0.0.2/32", "disabled": "no"},
    ),
    "script": Case(
        "script",
        {"name": "lb-up", "source": ":log info up\n:log info again\n",
         "policy": "read,write,test", "comment": "up hook"},
        {"source": ":log info changed\n"},
        ("source", ":log info hand", "source", ":log info hand"),
        {"name": "my script"},
        "policy",  # back to the router's default policy set
        {"source": ":log info up\r\n:log info again\r\n", "policy": "test,read,write"},
    ),
    "scheduler": Case(
        "scheduler",
        {"name": "lb-sync", "on_event": "lb-sync", "interval": "00:05:00",
         "start_date": "2024-01-02", "comment": "resync"},
        {"interval": "10m"},
        ("interval", "1h", "interval", "1h"),
        {"interval": "5 minutes"},
        "interval",
        {"interval": "5m"},
    ),
    "netwatch": Case(
        "netwatch",
        {"host": "10.0.0.2", "interval": "30s", "up_script": "/system script run lb-up",
         "comment": "web-1"},
        {"interval": "1m"},
        ("interval", "2m", "interval", "2m"),
        {"host": "not an ip!"},
        "up_script",
        {"interval": "00:00:30"},
    ),
    "netwatch-v7": Case(
        "netwatch",
        {"host": "10.0.0.2", "name": "web-1", "type": "tcp-conn", "port": "443",
         "thr_tcp_conn_time": "2s", "start_delay": "5s", "interval": "30s", "comment": "web-1"},
        {"thr_tcp_conn_time": "3s", "port": "8443"},
        ("port", "9443", "port", "9443"),
        {"type": "ping"},
        "name",
        {"thr_tcp_conn_time": "00:00:02", "type": "TCP-CONN"},
        replace={"type": "icmp", "port": None, "thr_tcp_conn_time": None},
        versions=("7.20",),
    ),
}
# Each table test runs once per (case, router version): `name` picks the case, `sim` the router.
matrix = pytest.mark.parametrize(
    ("name", "sim"),
    [pytest.param(name, version, id=f"{name}-{version}")
     for name, case in CASES.items() for version in case.versions],
    indirect=["sim"],
)


def inputs_for(sim: Simulator, which: str, tag: str | None = "t1", **extra: Any) -> dict:
    return {"router": settings_for(sim).as_inputs(), "ownership_tag": tag,
            **CASES[which].inputs, **extra}


def checked(provider: MenuItemProvider, props: dict, olds: dict | None = None) -> dict:
    result = provider.check(olds or {}, props)
    assert [(f.property, f.reason) for f in result.failures] == []
    return result.inputs


def create(provider: MenuItemProvider, props: dict) -> tuple[str, dict]:
    result = provider.create(checked(provider, props))
    return result.id, result.outs


def setup(sim: Simulator, which: str, **extra: Any) -> tuple[MenuItemProvider, dict, str, dict]:
    """A provider, its checked inputs, and the object it created from them."""
    provider = MenuItemProvider(CASES[which].menu)
    props = checked(provider, inputs_for(sim, which, **extra))
    id_, outs = create(provider, props)
    return provider, props, id_, outs


def rows(sim: Simulator, name: str) -> list[dict]:
    with by_hand(sim) as api:
        return list(api.path(menu(CASES[name].menu).path))


def reread(provider: MenuItemProvider, id_: str, outs: dict) -> Any:
    forget_snapshots()  # a new refresh run
    return provider.read(id_, outs)


def quiet(provider: MenuItemProvider, id_: str, outs: dict, news: dict) -> bool:
    diff = provider.diff(id_, outs, news)
    return (diff.changes, diff.replaces) == (False, [])


@matrix
def test_create_reads_back_quiet_in_any_spelling(sim: Simulator, name: str) -> None:
    provider, props, id_, outs = setup(sim, name)
    assert id_.startswith("*")
    [row] = rows(sim, name)
    assert row["comment"].endswith("[lb:t1]")
    read = reread(provider, id_, outs)
    assert read.id == id_
    assert read.outs == outs
    assert outs["router_version"] == client_for(settings_for(sim)).version_text.split(" ")[0]
    respelled = checked(provider, {**inputs_for(sim, name), **CASES[name].respelled})
    assert quiet(provider, id_, read.outs, respelled)


@matrix
def test_create_adopts_the_object_carrying_its_tag(sim: Simulator, name: str) -> None:
    case = CASES[name]
    version = client_for(settings_for(sim)).version
    schema = menu(case.menu).for_version(version)
    values = schema.encode(schema.validate(case.inputs)[0], version)
    values["comment"] = "made by hand [lb:t1]"
    with by_hand(sim) as api:
        existing = api.path(schema.path).add(**values)
    served = Served(sim)
    provider = MenuItemProvider(case.menu)
    id_, outs = create(provider, inputs_for(sim, name))
    assert id_ == existing
    assert "add" not in served(schema.path)
    [row] = rows(sim, name)
    assert row["comment"] == f"{case.inputs['comment']} [lb:t1]"
    assert reread(provider, id_, outs).outs == outs


@matrix
def test_drift_shows_on_refresh_and_update_repairs_it(sim: Simulator, name: str) -> None:
    provider, props, id_, outs = setup(sim, name)
    api_name, value, input_name, read_as = CASES[name].drift
    with by_hand(sim) as api:
        api.path(menu(CASES[name].menu).path).update(**{".id": id_, api_name: value})
    read = reread(provider, id_, outs)
    assert read.outs[input_name] == read_as
    assert read.inputs is not None
    assert read.inputs[input_name] == read_as
    diff = provider.diff(id_, read.outs, props)
    assert (diff.changes, diff.replaces) == (True, [])
    provider.update(id_, read.outs, props)
    assert reread(provider, id_, outs).outs == outs


@matrix
def test_update_sets_what_changed_and_returns_full_outputs(sim: Simulator, name: str) -> None:
    provider, props, id_, outs = setup(sim, name)
    news = checked(provider, {**inputs_for(sim, name), **CASES[name].change})
    diff = provider.diff(id_, outs, news)
    assert (diff.changes, diff.replaces) == (True, [])
    result = provider.update(id_, outs, news)
    assert result.outs is not None
    for key, value in news.items():
        assert result.outs[key] == value
    assert reread(provider, id_, result.outs).outs == result.outs
    assert quiet(provider, id_, result.outs, news)


@matrix
def test_removing_an_optional_property_unsets_it(sim: Simulator, name: str) -> None:
    case = CASES[name]
    provider, props, id_, outs = setup(sim, name)
    prop = menu(case.menu).latest.by_name[case.unset]
    news = checked(provider, {k: v for k, v in inputs_for(sim, name).items() if k != case.unset})
    assert provider.diff(id_, outs, news).changes is True
    result = provider.update(id_, outs, news)
    [row] = rows(sim, name)
    if prop.default is None:
        assert prop.api_name not in row  # unset (`=!name=`), not set to ""
        assert case.unset not in result.outs
    else:
        assert prop.normalise(row[prop.api_name]) == prop.default
    read = reread(provider, id_, result.outs)
    assert read.outs == result.outs
    assert quiet(provider, id_, read.outs, news)


@matrix
def test_removing_the_comment_keeps_the_tag_until_the_tag_goes(
        sim: Simulator, name: str) -> None:
    provider, props, id_, outs = setup(sim, name)
    news = checked(provider, {k: v for k, v in inputs_for(sim, name).items() if k != "comment"})
    result = provider.update(id_, outs, news)
    [row] = rows(sim, name)
    assert row["comment"] == "[lb:t1]"  # the user's comment went, the tag stays
    assert "comment" not in result.outs
    provider.update(id_, result.outs, checked(provider, {**news, "ownership_tag": None}))
    [row] = rows(sim, name)
    assert "comment" not in row


@matrix
def test_replace(sim: Simulator, name: str) -> None:
    provider, props, id_, outs = setup(sim, name)
    moved = checked(provider, {**inputs_for(sim, name), "router": {"host": "192.0.2.1"}})
    diff = provider.diff(id_, outs, moved)
    assert diff.replaces == ["router"]
    assert diff.delete_before_replace is False  # another router: create first
    unknown = provider.diff(id_, outs, {**props, "router": UNKNOWN})
    assert unknown.replaces == ["router"]
    # a different username or TLS option is the same router
    same = checked(provider, {**inputs_for(sim, name),
                              "router": {**props["router"], "username": "ops"}})
    assert quiet(provider, id_, outs, same)
    change = CASES[name].replace
    if not change:
        return
    news = checked(provider, {k: v for k, v in {**inputs_for(sim, name), **change}.items()
                              if v is not None})
    diff = provider.diff(id_, outs, news)
    assert diff.replaces == sorted(k for k in change if k in diff.replaces)
    assert diff.delete_before_replace is True
    # as the engine takes it: delete first, so the new object does not adopt the old one
    provider.delete(id_, outs)
    new_id, new_outs = create(provider, news)
    assert new_id != id_
    [row] = rows(sim, name)
    assert row[".id"] == new_id
    assert reread(provider, new_id, new_outs).outs == new_outs


@matrix
def test_delete_and_delete_again(sim: Simulator, name: str) -> None:
    provider, props, id_, outs = setup(sim, name)
    provider.delete(id_, outs)
    assert rows(sim, name) == []
    provider.delete(id_, outs)  # already gone is success
    assert reread(provider, id_, outs).id == ""


# An item of each menu that is not ours (made by hand, no tag).
FOREIGN = {
    "mangle": {"chain": "input", "action": "accept", "comment": "admin"},
    "nat": {"chain": "srcnat", "action": "masquerade", "comment": "admin"},
    "script": {"name": "admin-script", "source": ":log info admin"},
    "scheduler": {"name": "admin-schedule", "interval": "1h"},
    "netwatch": {"host": "10.9.9.9", "comment": "admin"},
}


@pytest.mark.parametrize(
    ("name", "sim", "tag"),
    [pytest.param(name, version, tag, id=f"{name}-{version}-{'tagged' if tag else 'untagged'}")
     for name, case in CASES.items() for version in case.versions
     # Untagged only where a name identifies the item: without tag or name nothing can tell it
     # from another (only old state or a direct provider call; the resources always tag now).
     for tag in ("t1", None) if tag or "name" in case.inputs],
    indirect=["sim"],
)
def test_an_id_in_state_that_is_now_another_items_is_never_written(
        sim: Simulator, name: str, tag: str | None) -> None:
    """A reboot renumbers every item, so the `.id` in state (an `up` or `destroy` without a
    refresh) may by then be another item's, maybe the admin's. Read, update and delete find
    the resource's item by its tag (or name) and leave the other item alone."""
    provider, props, id_, outs = setup(sim, name, tag=tag)
    path = menu(CASES[name].menu).path
    with by_hand(sim) as api:
        stale = api.path(path).add(**FOREIGN[CASES[name].menu])
        foreign = next(row for row in api.path(path) if row[".id"] == stale)
    forget_snapshots()  # a new run, as after a reboot

    def untouched() -> None:
        assert next(row for row in rows(sim, name) if row[".id"] == stale) == foreign

    read = provider.read(stale, outs)
    assert (read.id, read.outs) == (id_, outs)
    news = checked(provider, {**inputs_for(sim, name, tag=tag), **CASES[name].change})
    result = provider.update(stale, outs, news)
    untouched()
    assert reread(provider, id_, result.outs).outs == result.outs
    forget_snapshots()
    provider.delete(stale, result.outs)
    untouched()
    assert [row[".id"] for row in rows(sim, name)] == [stale]


@matrix
def test_bad_input_fails_at_check_naming_the_property(sim: Simulator, name: str) -> None:
    provider = MenuItemProvider(CASES[name].menu)
    served = Served(sim)
    result = provider.check({}, {**inputs_for(sim, name), **CASES[name].bad})
    [failure] = result.failures
    assert failure.property == next(iter(CASES[name].bad))
    assert failure.reason
    assert served.writes() == {}


@matrix
def test_unknowns_pass_check_and_diff_during_preview(sim: Simulator, name: str) -> None:
    provider, props, id_, outs = setup(sim, name)
    first = next(iter(CASES[name].change))
    preview = provider.check(outs, {**inputs_for(sim, name), first: UNKNOWN})
    assert preview.failures == []
    assert preview.inputs[first] == UNKNOWN
    served = Served(sim)
    assert provider.diff(id_, outs, preview.inputs).changes is True
    assert served() == {}


@matrix
def test_traps_from_the_router_surface_with_message_path_and_command(
        sim: Simulator, name: str) -> None:
    provider, props, id_, outs = setup(sim, name)
    path = menu(CASES[name].menu).path
    news = checked(provider, {**inputs_for(sim, name), **CASES[name].change})
    untagged = checked(provider, inputs_for(sim, name, tag=None, comment="second",
                                            **({"name": "lb-2"} if "name" in props else {})))
    forget_snapshots()

    def read_then(call: Any) -> Any:
        # A successful read caches the path (and its identities, which create, update and
        # delete consult), so the trap meets the command under test.
        return lambda: (provider.read(id_, outs), call())

    for command, call in (
        ("print", lambda: provider.read(id_, outs)),
        ("add", read_then(lambda: provider.create(untagged))),
        ("set", read_then(lambda: provider.update(id_, outs, news))),
        # not "already gone": it must fail
        ("remove", read_then(lambda: provider.delete(id_, outs))),
    ):
        sim.faults.trap_command(1 if command == "print" else 2,
                                "not enough permissions (9)")
        with pytest.raises(RouterError) as caught:
            call()
        assert caught.value.message == "not enough permissions (9)"
        assert (caught.value.path, caught.value.command) == (path, command)
        assert PASSWORD not in str(caught.value)
    assert [row[".id"] for row in rows(sim, name)] == [id_]


@pytest.mark.parametrize("sim", ["6.49"], indirect=True)
def test_v7_only_fields_on_a_v6_router_fail_at_check_and_at_create(sim: Simulator) -> None:
    provider = MenuItemProvider("netwatch")
    served = Served(sim)
    v7 = {**inputs_for(sim, "netwatch"), "type": "tcp-conn", "port": "443"}
    result = provider.check({}, v7)
    assert {f.property: f.reason for f in result.failures} == {
        "type": "type needs RouterOS 7.0.0 or later; the router runs 6.49.18",
        "port": "port needs RouterOS 7.0.0 or later; the router runs 6.49.18",
    }
    assert served.writes() == {}
    assert served() == {"/login": 1, "/system/resource/print": 1}
    # an unknown v7-only value is still a v7-only property
    assert [f.property for f in provider.check({}, {**v7, "port": UNKNOWN}).failures] == [
        "type", "port"]
    # create catches it too (a check that could not reach the router)
    with pytest.raises(RouterError) as caught:
        provider.create(checked_offline(provider, v7))
    assert caught.value.kind == "version"
    assert "type needs RouterOS 7.0.0 or later; the router runs 6.49.18" in str(caught.value)
    assert "add" not in served("/tool/netwatch")


def checked_offline(provider: MenuItemProvider, props: dict) -> dict:
    """The inputs a check that could not reach the router lets through (newest schema)."""
    schema = menu(provider.menu_key).latest
    values, issues = schema.validate({k: v for k, v in props.items() if k != "router"
                                      and k != "ownership_tag"})
    assert issues == []
    return {**props, **values}


def test_an_unreachable_router_at_check_falls_back_to_the_newest_schema(sim: Simulator) -> None:
    provider = MenuItemProvider("netwatch")
    closed = {**settings_for(sim).as_inputs(), "port": 1}  # nothing listens there
    props = {**inputs_for(sim, "netwatch"), "router": closed, "type": "tcp-conn", "port": "443"}
    result = provider.check({}, props)
    assert result.failures == []  # preview offline still works; create checks the version
    assert result.inputs["type"] == "tcp-conn"
    assert provider.check({}, {**props, "type": "ping"}).failures[0].property == "type"


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


def test_outputs_and_errors_never_hold_the_password(sim: Simulator) -> None:
    provider = MenuItemProvider("nat")
    id_, outs = create(provider, inputs_for(sim, "nat"))
    assert PASSWORD not in repr(outs)
    sim.faults.refuse_logins = True
    reset_clients()
    with pytest.raises(RouterError) as caught:
        provider.read(id_, outs)
    assert PASSWORD not in repr(caught.value) + str(caught.value)
