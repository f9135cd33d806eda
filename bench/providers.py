"""`python -m bench.providers [--rules N] [--latency SECONDS]`: provider figures alone.

Round trips are the commands the simulated router served (logins excluded); wall times include
the simulated latency paid per reply, as a remote site's round trip would be.
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

from providers.chain_order import ChainOrderProvider
from providers.connection import client_for, forget_snapshots, password_source, reset_clients
from providers.menu_item import MenuItemProvider
from providers.move_plan import Rule, plan_moves
from simulator import Simulator
from simulator.menus.engine import ListMenu

MANGLE = "/ip/firewall/mangle"
PASSWORD = "bench-only"


def measure(sim: Simulator, work: Callable[[], Any]) -> tuple[int, float, Any]:
    before = Counter(sim.router.stats)
    start = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - start
    delta = Counter(sim.router.stats) - before
    return sum(n for cmd, n in delta.items() if cmd != "/login"), elapsed, result


def report(label: str, round_trips: int, seconds: float, extra: str = "") -> None:
    print(f"  {label:<46} {round_trips:>6} round trips {seconds * 1000:>9.1f} ms  {extra}")


def rule_inputs(sim: Simulator, tag: str) -> dict[str, Any]:
    return {"router": {"host": sim.host, "port": sim.port, "username": "admin"},
            "chain": "prerouting", "action": "accept", "ownership_tag": tag}


def create_rules(sim: Simulator, count: int,
                 prefix: str = "bench") -> list[tuple[str, dict[str, Any]]]:
    provider = MenuItemProvider("mangle")
    made = []
    for n in range(count):
        checked = provider.check({}, rule_inputs(sim, f"{prefix}:{n}")).inputs
        result = provider.create(checked)
        made.append((result.id, result.outs or {}))
    return made


def bench_rules(count: int, latency: float) -> None:
    print(f"MangleRule create and refresh, {count} rules, latency {latency * 1000:.0f} ms")
    with Simulator(password=PASSWORD) as sim:
        client_for({"host": sim.host, "port": sim.port}).version  # noqa: B018 - login outside
        sim.faults.latency = latency
        trips, secs, made = measure(sim, lambda: create_rules(sim, count))
        report(f"create {count}", trips, secs, f"{trips / count:.2f} per rule")
        provider = MenuItemProvider("mangle")

        def refresh() -> None:
            forget_snapshots()
            for id_, outs in made:
                provider.read(id_, outs)

        trips, secs, _ = measure(sim, refresh)
        report(f"refresh {count} (bulk read per path)", trips, secs)
    reset_clients()


def bench_bulk_refresh(count: int, latency: float) -> None:
    print(f"Refresh of {count} rules, latency {latency * 1000:.0f} ms")
    with Simulator(password=PASSWORD) as sim:
        made = create_rules(sim, count)
        sim.faults.latency = latency
        provider = MenuItemProvider("mangle")

        def bulk() -> None:
            forget_snapshots()
            for id_, outs in made:
                provider.read(id_, outs)

        def one_print_each() -> None:
            client = client_for(made[0][1]["router"])
            for id_, _ in made:
                client.print(MANGLE, **{".id": id_})

        trips, secs, _ = measure(sim, bulk)
        report("bulk: one print per path, shared", trips, secs)
        trips, secs, _ = measure(sim, one_print_each)
        report("for comparison: one print per resource", trips, secs)
    reset_clients()


def bench_chain_order(count: int, latency: float) -> None:
    print(f"ChainOrder of {count} rules, latency {latency * 1000:.0f} ms")
    rng = random.Random(7)
    cases: list[tuple[str, Callable[[list[str]], list[str]], bool]] = [
        ("already in order", lambda ids: ids, False),
        ("one rule out of place", lambda ids: [*ids[1:], ids[0]], False),
        ("reversed", lambda ids: ids[::-1], False),
        ("shuffled", lambda ids: rng.sample(ids, len(ids)), False),
        ("in order, below an admin's rule (position top)", lambda ids: ids, True),
    ]
    for label, order, admin_rule_first in cases:
        with Simulator(password=PASSWORD) as sim:
            router = {"host": sim.host, "port": sim.port, "username": "admin"}
            if admin_rule_first:
                create_rules(sim, 1, prefix="admin")
            wanted = order([id_ for id_, _ in create_rules(sim, count)])
            sim.faults.latency = latency
            menu = sim.router.menus[MANGLE]
            assert isinstance(menu, ListMenu)
            chain = [Rule(item.printed_id) for item in menu.items]
            naive = len(wanted) if plan_moves(chain, wanted, "top") else 0
            props = {"router": router, "path": MANGLE, "chain": "prerouting",
                     "rule_ids": wanted, "position": "top"}
            trips, secs, _ = measure(sim, partial(ChainOrderProvider().create, props))
            moves = sim.router.stats[f"{MANGLE}/move"]
            report(label, trips, secs, f"{moves} moves (one per rule: {naive})")
        reset_clients()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.providers", description=__doc__)
    parser.add_argument("--rules", type=int, default=50)
    parser.add_argument("--refresh-rules", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.005, help="seconds per reply")
    args = parser.parse_args()
    password_source.set(PASSWORD)
    bench_rules(args.rules, args.latency)
    bench_bulk_refresh(args.refresh_rules, args.latency)
    bench_chain_order(args.rules, args.latency)


if __name__ == "__main__":
    main()
