"""Four workers on the connection pool while the router drops connections: creates and deletes
run in parallel, fail where a reply was lost, and when retried (as the engine's next `up` or
`destroy` would) converge with every object once; a trap still names the path and command."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from providers.connection import client_for
from providers.errors import RouterError
from providers.menu_item import MenuItemProvider
from simulator import Simulator
from tests.lifecycle.routers import by_hand, settings_for

MANGLE = "/ip/firewall/mangle"
WORKERS = 4
RULES = 24


def in_parallel(items: list[Any], work: Callable[[Any], None]) -> list[BaseException]:
    """`work` on every item, spread over four threads; the errors raised, in no order."""
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(batch: list[Any]) -> None:
        for item in batch:
            try:
                work(item)
            except BaseException as exc:  # noqa: BLE001 - returned to the test
                with lock:
                    errors.append(exc)

    threads = [threading.Thread(target=worker, args=(items[w::WORKERS],))
               for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def tags_on_router(sim: Simulator) -> Counter[str]:
    with by_hand(sim) as api:
        return Counter(row.get("comment", "") for row in api.path(MANGLE))


def rule_props(sim: Simulator, provider: MenuItemProvider) -> list[dict[str, Any]]:
    router = settings_for(sim).as_inputs()
    return [provider.check({}, {"router": router, "chain": "prerouting", "action": "accept",
                                "ownership_tag": f"pool:{n}"}).inputs for n in range(RULES)]


@pytest.mark.parametrize("after", [0, 1, 3, 7, 20])
def test_parallel_creates_under_drops_converge_without_duplicates(sim: Simulator,
                                                                  after: int) -> None:
    """Each run drops the connection that would send the `after`-th reply sentence from its
    start: the login, the version, the path's print, or some add's reply (then that create
    fails, and its retry must adopt what the add left)."""
    provider = MenuItemProvider("mangle")
    pending = rule_props(sim, provider)
    made: dict[str, str] = {}

    def create(props: dict[str, Any]) -> None:
        made[props["ownership_tag"]] = provider.create(props).id

    runs = 0
    while pending:
        runs += 1
        assert runs <= RULES + 1, "the retries do not converge"
        sim.faults.drop_after(after + runs)
        errors = in_parallel(pending, create)
        assert all(isinstance(e, RouterError) and e.is_connection for e in errors), errors
        pending = [p for p in pending if p["ownership_tag"] not in made]
    sim.faults.reset()
    assert tags_on_router(sim) == Counter({f"[lb:pool:{n}]": 1 for n in range(RULES)})
    with by_hand(sim) as api:
        assert sorted(made.values()) == sorted(row[".id"] for row in api.path(MANGLE))
    assert client_for(settings_for(sim)).connections <= WORKERS


@pytest.mark.parametrize("after", [0, 2, 5, 11])
def test_parallel_deletes_under_drops_remove_everything_once(sim: Simulator, after: int) -> None:
    provider = MenuItemProvider("mangle")
    made = [(provider.create(props).id, props) for props in rule_props(sim, provider)]
    with by_hand(sim) as api:
        admins = api.path(MANGLE).add(chain="prerouting", action="accept", comment="admin's")
    gone: set[str] = set()

    def delete(item: tuple[str, dict[str, Any]]) -> None:
        id_, props = item
        provider.delete(id_, props)
        gone.add(id_)

    pending, runs = made, 0
    while pending:
        runs += 1
        assert runs <= RULES + 1, "the retries do not converge"
        sim.faults.drop_after(after + runs)
        errors = in_parallel(pending, delete)
        assert all(isinstance(e, RouterError) and e.is_connection for e in errors), errors
        pending = [item for item in pending if item[0] not in gone]
    sim.faults.reset()
    with by_hand(sim) as api:
        assert [row[".id"] for row in api.path(MANGLE)] == [admins]  # the admin's rule stays


def test_a_trap_among_parallel_creates_names_its_path_and_command(sim: Simulator) -> None:
    provider = MenuItemProvider("mangle")
    pending = rule_props(sim, provider)
    client_for(settings_for(sim)).identities(MANGLE)  # the creates' next commands are adds
    sim.faults.trap_command(5, "not enough permissions (9)")
    errors = in_parallel(pending, provider.create)
    assert len(errors) == 1
    [error] = errors
    assert isinstance(error, RouterError)
    assert (error.path, error.command, error.message) == (
        MANGLE, "add", "not enough permissions (9)")
    assert sum(tags_on_router(sim).values()) == RULES - 1


def test_a_parallel_refresh_reads_the_path_once(sim: Simulator) -> None:
    """The engine reads every resource at once: the four workers wait for one print."""
    provider = MenuItemProvider("mangle")
    made = [(provider.create(props).id, props) for props in rule_props(sim, provider)]
    client_for(settings_for(sim)).forget_snapshots()
    prints = sim.stats[f"{MANGLE}/print"]
    sim.faults.latency = 0.005  # the reads overlap, as at a remote site
    errors = in_parallel(made, lambda item: provider.read(*item))
    assert errors == []
    assert sim.stats[f"{MANGLE}/print"] - prints == 1
