"""Round trips for every resource type, counted by the simulated router (`sim.router.stats`):
create ≤ 2 on its menu, N tagged creates on one path = 1 print + N adds, update = 1 write + at
most 1 read, refresh of N = 1 print per path, check = 0 writes (at most the version read, once per
connection), diff = 0 commands.

Each type runs on 6.49 and 7.20. Wall times are `python -m bench`'s business, never asserted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi.dynamic import ResourceProvider

from providers.chain_order import ChainOrderProvider
from providers.connection import client_for, forget_snapshots
from providers.menu_item import MenuItemProvider
from simulator import Simulator
from tests.lifecycle.routers import Served, by_hand, settings_for
from tests.providers.conftest import BOTH_VERSIONS

MANGLE = "/ip/firewall/mangle"
VERSION_READ = {"/login", "/system/resource/print"}


@dataclass(frozen=True)
class Kind:
    provider: Callable[[], ResourceProvider]
    path: str
    inputs: Callable[[Simulator, int], dict[str, Any]]  # the n-th resource of this type
    change: Callable[[dict[str, Any]], dict[str, Any]]  # its next inputs
    update_writes: tuple[str, int] = ("set", 1)
    many: int = 3  # how many a refresh reads (one singleton per router)


def menu_item(key: str, path: str, values: Callable[[int], dict[str, Any]],
              change: dict[str, Any], **kw: Any) -> Kind:
    return Kind(lambda: MenuItemProvider(key), path,
                lambda sim, n: {"router": settings_for(sim).as_inputs(), **values(n)},
                lambda props: {**props, **change}, **kw)


def chain_order_inputs(sim: Simulator, n: int) -> dict[str, Any]:
    with by_hand(sim) as api:
        ids = [api.path(MANGLE).add(chain=f"c{n}", action="accept") for _ in range(2)]
    return {"router": settings_for(sim).as_inputs(), "path": MANGLE, "chain": f"c{n}",
            "rule_ids": ids, "position": "top"}


KINDS = {
    "MangleRule": menu_item(
        "mangle", MANGLE, lambda n: {"chain": "prerouting", "ownership_tag": f"rt:{n}"},
        {"comment": "changed"}),
    "NatRule": menu_item(
        "nat", "/ip/firewall/nat",
        lambda n: {"chain": "dstnat", "action": "dst-nat", "to_addresses": f"10.0.0.{n + 2}",
                   "ownership_tag": f"rt:{n}", "runtime_owned": ["disabled"]},
        {"to_addresses": "10.0.0.99"}),
    "Script": menu_item(
        "script", "/system/script",
        lambda n: {"name": f"rt-{n}", "source": ":log info x", "ownership_tag": f"rt:{n}"},
        {"source": ":log info y"}),
    "Scheduler": menu_item(
        "scheduler", "/system/scheduler",
        lambda n: {"name": f"rt-{n}", "on_event": "rt", "interval": "1m",
                   "ownership_tag": f"rt:{n}"},
        {"interval": "2m"}),
    "Netwatch": menu_item(
        "netwatch", "/tool/netwatch",
        lambda n: {"host": f"10.0.0.{n + 2}", "ownership_tag": f"rt:{n}"},
        {"interval": "5m"}),
    "EmailSettings": menu_item(
        "email", "/tool/e-mail", lambda n: {"server": "192.0.2.25", "port": "587"},
        {"port": "465"}, many=1),
    "ChainOrder": Kind(
        ChainOrderProvider, MANGLE, chain_order_inputs,
        lambda props: {**props, "rule_ids": props["rule_ids"][::-1]},
        update_writes=("move", 1)),
}

every_type = pytest.mark.parametrize(
    ("kind", "sim"),
    [pytest.param(name, version, id=f"{name}-{version}")
     for name in KINDS for version in BOTH_VERSIONS],
    indirect=["sim"],
)


def create(sim: Simulator, kind: Kind, n: int = 0) -> tuple[ResourceProvider, dict, str, dict]:
    provider = kind.provider()
    checked = provider.check({}, kind.inputs(sim, n))
    assert checked.failures == []
    created = provider.create(checked.inputs)
    return provider, checked.inputs, created.id, created.outs


@every_type
def test_check_reads_at_most_the_version_and_create_costs_at_most_two(
        sim: Simulator, kind: str) -> None:
    kind_ = KINDS[kind]
    provider = kind_.provider()
    props = kind_.inputs(sim, 0)
    served = Served(sim)
    checked = provider.check({}, props)
    assert served.writes() == {}
    assert set(served()) <= VERSION_READ
    served = Served(sim)
    provider.create(checked.inputs)
    assert sum(served(kind_.path).values()) <= 2
    assert set(served()) - VERSION_READ == {f"{kind_.path}/{v}" for v in served(kind_.path)}


@every_type
def test_update_is_one_write_and_at_most_one_read(sim: Simulator, kind: str) -> None:
    kind_ = KINDS[kind]
    provider, props, id_, outs = create(sim, kind_)
    news = provider.check(props, kind_.change(props)).inputs
    served = Served(sim)
    assert provider.diff(id_, outs, news).changes is True
    assert served() == {}  # diff: no command at all
    provider.update(id_, outs, news)
    verb, count = kind_.update_writes
    assert served.writes() == {f"{kind_.path}/{verb}": count}
    assert served(kind_.path).get("print", 0) <= 1
    assert set(served()) <= {f"{kind_.path}/{verb}", f"{kind_.path}/print"}


@every_type
def test_refresh_of_many_reads_each_path_once(sim: Simulator, kind: str) -> None:
    kind_ = KINDS[kind]
    made = [create(sim, kind_, n) for n in range(kind_.many)]
    forget_snapshots()  # a new refresh run
    served = Served(sim)
    for provider, _, id_, outs in made:
        assert provider.read(id_, outs).id == id_
    assert served() == {f"{kind_.path}/print": 1}


TAGGED = [name for name in KINDS if name not in ("EmailSettings", "ChainOrder")]
every_tagged_type = pytest.mark.parametrize(
    ("kind", "sim"),
    [pytest.param(name, version, id=f"{name}-{version}")
     for name in TAGGED for version in BOTH_VERSIONS],
    indirect=["sim"],
)


@every_tagged_type
def test_creates_on_one_path_share_one_read(sim: Simulator, kind: str) -> None:
    """The adoption lookup shares one bulk print across a run's creates: our own adds keep the
    path's tags and names current, so 10 creates are 1 print + 10 adds, not 10 + 10."""
    kind_ = KINDS[kind]
    provider = kind_.provider()
    checked = [provider.check({}, kind_.inputs(sim, n)).inputs for n in range(10)]
    served = Served(sim)
    made = [provider.create(props) for props in checked]
    assert served(kind_.path) == {"print": 1, "add": 10}
    # Refresh right after is not served from anything the creates kept: it sees every new item.
    served = Served(sim)
    assert [provider.read(c.id, c.outs).id for c in made] == [c.id for c in made]
    assert served() == {f"{kind_.path}/print": 1}
    # Creating the same ones again (a crashed run retried) adopts every one: no duplicate.
    assert [provider.create(props).id for props in checked] == [c.id for c in made]
    with by_hand(sim) as api:
        assert len(list(api.path(kind_.path))) == 10


def test_a_replace_on_the_same_router_adds_without_reading(sim: Simulator) -> None:
    """delete-before-replace: the remove keeps the index, the replacement's create is one add,
    and it does not adopt the object it replaces."""
    kind_ = KINDS["MangleRule"]
    provider, props, id_, outs = create(sim, kind_)
    served = Served(sim)
    provider.delete(id_, outs)
    new_id = provider.create({**props, "action": "accept"}).id
    assert served(kind_.path) == {"remove": 1, "add": 1}
    assert new_id != id_
    with by_hand(sim) as api:
        assert [row[".id"] for row in api.path(MANGLE)] == [new_id]


def test_a_tag_moved_by_update_is_found_by_the_next_create(sim: Simulator) -> None:
    """An update that rewrites the comment updates the index: the old tag is free again (a
    create with it adds) and the new one is adopted, not duplicated."""
    kind_ = KINDS["MangleRule"]
    provider, props, id_, outs = create(sim, kind_)
    moved = provider.check(props, {**props, "ownership_tag": "rt:moved"}).inputs
    provider.update(id_, outs, moved)
    served = Served(sim)
    assert provider.create(props).id != id_  # rt:0 is nobody's now
    assert served(kind_.path) == {"add": 1}
    assert provider.create(moved).id == id_  # rt:moved is adopted, with full rows
    with by_hand(sim) as api:
        assert len(list(api.path(MANGLE))) == 2


def test_concurrent_creates_share_one_read_and_never_duplicate(sim: Simulator) -> None:
    """The provider host's four workers: the index is read and kept under the client's lock."""
    provider = MenuItemProvider("mangle")
    router = settings_for(sim).as_inputs()
    checked = [provider.check({}, {"router": router, "chain": "prerouting",
                                   "ownership_tag": f"w{w}:{n}"}).inputs
               for w in range(4) for n in range(10)]
    client_for(settings_for(sim)).version  # noqa: B018 - the login outside the count
    served = Served(sim)
    ids: list[str] = []
    errors: list[BaseException] = []

    def work(batch: list[dict[str, Any]]) -> None:
        try:
            for props in batch:
                ids.append(provider.create(props).id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(checked[w * 10:(w + 1) * 10],))
               for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert served(MANGLE) == {"print": 1, "add": 40}
    # Again, concurrently: all 40 adopted (their tags are in the index), none added.
    ids_before, ids[:] = sorted(ids), []
    threads = [threading.Thread(target=work, args=(checked[w::4],)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(ids) == ids_before
    assert served(MANGLE)["add"] == 40


def test_a_tagged_rule_added_by_hand_mid_run_is_adopted_in_the_next_run(sim: Simulator) -> None:
    """The documented limit: a hand edit between two creates of one run is not seen until the
    index expires (SNAPSHOT_MAX_AGE) or the next run; then the tag is adopted, not duplicated."""
    kind_ = KINDS["MangleRule"]
    provider = kind_.provider()
    create(sim, kind_, 0)
    with by_hand(sim) as api:
        by_hand_id = api.path(MANGLE).add(chain="prerouting", comment="[lb:rt:1]")
    forget_snapshots()  # the next run
    served = Served(sim)
    assert provider.create(provider.check({}, kind_.inputs(sim, 1)).inputs).id == by_hand_id
    assert served.writes() == {}


@pytest.mark.parametrize("sim", BOTH_VERSIONS, indirect=True)
def test_an_untagged_rule_in_old_state_still_works_and_its_next_up_tags_it(
        sim: Simulator) -> None:
    """MangleRule, NatRule and Netwatch now always send a tag (the default one when none is
    declared), but state written before may hold untagged rules, and the provider may be called
    directly without one: that still works by `.id`, as before. The first `up` with the default
    tag then writes it into the comment with one `set`, in place: no duplicate, no replace."""
    provider = MenuItemProvider("mangle")
    router = settings_for(sim).as_inputs()
    old = provider.check({}, {"router": router, "chain": "prerouting"}).inputs
    served = Served(sim)
    made = provider.create(old)
    assert served(MANGLE) == {"add": 1}  # nothing to adopt by: a single add, as before
    assert "ownership_tag" not in made.outs
    forget_snapshots()
    assert provider.read(made.id, made.outs).id == made.id
    tagged = provider.check(old, {**old, "ownership_tag": "routeros-lb:dev:MangleRule:r"}).inputs
    diff = provider.diff(made.id, made.outs, tagged)
    assert (diff.changes, diff.replaces) == (True, [])
    served = Served(sim)
    outs = provider.update(made.id, made.outs, tagged).outs
    assert served() == {f"{MANGLE}/set": 1}  # by `.id`: an untagged item cannot be checked
    with by_hand(sim) as api:
        assert [(row[".id"], row.get("comment")) for row in api.path(MANGLE)] == [
            (made.id, "[lb:routeros-lb:dev:MangleRule:r]")]
    # From now on it is a tagged rule: a retried create adopts it.
    assert provider.create(tagged).id == made.id
    # An untagged one deleted by `.id` goes, as before.
    other = provider.create(old)
    provider.delete(other.id, other.outs)
    provider.delete(made.id, outs)
    with by_hand(sim) as api:
        assert list(api.path(MANGLE)) == []
