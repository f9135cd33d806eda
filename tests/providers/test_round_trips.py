"""Round trips for every resource type, counted by the simulated router (`sim.router.stats`):
create ≤ 2 on its menu, update = 1 write + at most 1 read, refresh of N = 1 print per path,
check = 0 writes (at most the version read, once per connection), diff = 0 commands.

Each type runs on 6.49 and 7.20. Wall times are `python -m bench`'s business, never asserted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pulumi.dynamic import ResourceProvider

from providers.chain_order import ChainOrderProvider
from providers.connection import forget_snapshots
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
