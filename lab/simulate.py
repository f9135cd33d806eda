"""`python -m lab.simulate --stack S`: what the stack's load balancers do with clients, before and
after servers fail, measured in a fresh simulated router (no router, no Pulumi needed).

The plan is loaded into a new simulator (`lab/sim_loader.py`), then for each service N made-up
clients (`--clients`, default 1000, the same ones for the same `--seed`) open one connection each:
- baseline: every server up;
- each server down alone, then back up; for services of up to 6 servers, also each pair down
  together, then back up.
A server is taken down by making it stop answering and letting netwatch notice (one health-check
interval), as on a real router; the router's own scripts do the rest.

Figures per scenario (JSON names in brackets; shares and moves are fractions of all clients):
- share per server [`share`: server name → fraction], and [`unserved`]: connections that reached a
  server that does not answer, or the router;
- clients moved against the baseline [`moved`], of them clients of servers that stayed up
  [`movedOthers`: property 3 says 0];
- worst ratio of a server's share to its weight-fair share among the servers up
  [`worstRatioToFairShare`: 1.0 is perfectly fair];
- after a recovery, the clients back on their original server [`backToOriginal`];
- e-mails the router sent during the scenario [`emailsSent`];
- rules a new connection's first packet met [`rulesPerFirstPacket`: `mean`, `max`]; in the
  baseline also for traffic that is not for the service [`rulesOtherTraffic`].
Each scenario also has [`name`], [`kind`] (`baseline`, `failure`, `recovery`) and [`down`]: the
servers down during it. Top level: [`stack`], [`site`], [`version`], [`clients`], [`seed`],
[`services`]: each with [`service`], [`frontend`], [`servers`] (name → address, weight) and
[`scenarios`].
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import textwrap
from dataclasses import dataclass, field
from typing import Any

from lab import sim_loader
from lab.traffic import UNSERVED, Frontend, Outcome, clients, moved, send
from simulator import Simulator
from tools.cli_common import Progress, ToolError, add_stack_options, run
from tools.site_plan import LoadedStack, load_plan

MAX_CLIENTS = 100_000
PAIRS_UP_TO = 6
WIDTH = 80
# A port nothing listens on behind the frontend: "other traffic" for the cost figure.
OTHER_PORT = 2222


@dataclass
class Scenario:
    name: str
    kind: str
    down: tuple[str, ...]
    share: dict[str, float]
    unserved: float
    moved: float
    moved_others: float
    worst_ratio: float
    emails: int
    rules_mean: float
    rules_max: int
    back_to_original: float | None = None
    rules_other: float | None = None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name, "kind": self.kind, "down": list(self.down),
            "share": self.share, "unserved": self.unserved, "moved": self.moved,
            "movedOthers": self.moved_others, "worstRatioToFairShare": self.worst_ratio,
            "emailsSent": self.emails,
            "rulesPerFirstPacket": {"mean": round(self.rules_mean, 2), "max": self.rules_max},
        }
        if self.back_to_original is not None:
            out["backToOriginal"] = self.back_to_original
        if self.rules_other is not None:
            out["rulesOtherTraffic"] = self.rules_other
        return out


@dataclass
class ServiceReport:
    service: str
    frontend: Frontend
    servers: dict[str, tuple[str, int]]  # name → (address, weight)
    scenarios: list[Scenario] = field(default_factory=list)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m lab.simulate",
        description="Where clients go, before and after servers fail, in a simulated router.",
        epilog="The JSON names are documented in lab/simulate.py and the README.",
    )
    add_stack_options(parser)
    parser.add_argument("--clients", type=int, default=1000, metavar="N",
                        help=f"clients per scenario, 1-{MAX_CLIENTS} (default 1000)")
    parser.add_argument("--seed", type=int, default=1, help="which made-up clients (default 1)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= MAX_CLIENTS:
        parser.error(f"--clients must be 1-{MAX_CLIENTS}, not {args.clients}")
    return args


def scenarios_for(names: list[str]) -> list[tuple[str, ...]]:
    singles: list[tuple[str, ...]] = [(name,) for name in names]
    pairs: list[tuple[str, ...]] = (
        list(itertools.combinations(names, 2)) if 2 < len(names) <= PAIRS_UP_TO else [])
    return singles + pairs


def fair_ratio(outcome: Outcome, servers: dict[str, tuple[str, int]],
               down: tuple[str, ...]) -> float:
    up = {name: servers[name] for name in servers if name not in down}
    total_weight = sum(weight for _, weight in up.values())
    if not up or not outcome.served_by:
        return 0.0
    return max(outcome.share(address) / (weight / total_weight) for address, weight in up.values())


def measure(sim: Any, report: ServiceReport, addresses: list[str], baseline: Outcome | None,
            name: str, kind: str, down: tuple[str, ...], mails_before: int,
            progress: Progress) -> tuple[Scenario, Outcome]:
    outcome = send(sim, addresses, report.frontend, progress.step)
    by_address = {address: server for server, (address, _) in report.servers.items()}
    share = {server: round(outcome.share(address), 4)
             for server, (address, _) in report.servers.items()}
    unserved = round(outcome.share(UNSERVED), 4)
    total = len(addresses)
    if baseline is None:
        moved_all = moved_others = 0.0
    else:
        others = [c for c, addr in baseline.served_by.items() if by_address.get(addr) not in down]
        moved_all = round(moved(baseline, outcome) / total, 4)
        moved_others = round(moved(baseline, outcome, others) / total, 4)
    scenario = Scenario(
        name=name, kind=kind, down=down, share=share, unserved=unserved, moved=moved_all,
        moved_others=moved_others, worst_ratio=round(fair_ratio(outcome, report.servers, down), 3),
        emails=len(sim.outbox) - mails_before, rules_mean=outcome.rules_mean,
        rules_max=outcome.rules_max,
    )
    if kind == "recovery" and baseline is not None:
        scenario.back_to_original = round(1 - moved(baseline, outcome) / total, 4)
    return scenario, outcome


def simulate_service(sim: Any, loaded: LoadedStack, service: str, addresses: list[str],
                     progress: Progress) -> ServiceReport:
    spec = loaded.site.services[service]
    report = ServiceReport(service, sim_loader.frontend(sim, loaded, service),
                           {name: (server.address, server.weight)
                            for name, server in sorted(spec.servers.items())})
    wait = sim_loader.health_interval(loaded, service) + 1
    baseline_scenario, baseline = measure(sim, report, addresses, None, "baseline", "baseline",
                                          (), len(sim.outbox), progress)
    other = Frontend(report.frontend.address, OTHER_PORT, report.frontend.protocol,
                     report.frontend.interface)
    baseline_scenario.rules_other = send(sim, addresses[:50], other).rules_mean
    report.scenarios.append(baseline_scenario)
    for down in scenarios_for(sorted(spec.servers)):
        label = " + ".join(down)
        mails = len(sim.outbox)
        for name in down:
            sim.set_host(report.servers[name][0], up=False)
        sim.advance(wait)
        failed, _ = measure(sim, report, addresses, baseline, f"{label} down", "failure", down,
                            mails, progress)
        report.scenarios.append(failed)
        mails = len(sim.outbox)
        for name in down:
            sim.set_host(report.servers[name][0], up=True)
        sim.advance(wait)
        back, _ = measure(sim, report, addresses, baseline, f"{label} back", "recovery", (),
                          mails, progress)
        report.scenarios.append(back)
    return report


def simulate(loaded: LoadedStack, count: int, seed: int) -> list[ServiceReport]:
    addresses = clients(count, seed)
    steps = sum(1 + 2 * len(scenarios_for(sorted(loaded.site.services[s].servers)))
                for s in loaded.site.services)
    progress = Progress("simulating", steps * count)
    try:
        with Simulator(version=sim_loader.simulator_version(loaded.plan.version),
                       seed_defconf=True) as sim:
            sim_loader.load(sim, loaded)
            return [simulate_service(sim, loaded, service, addresses, progress)
                    for service in sim_loader.services(loaded)]
    finally:
        progress.finish()


def _percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def text_report(loaded: LoadedStack, reports: list[ServiceReport], count: int) -> str:
    lines = [f"stack {loaded.stack} (site {loaded.plan.site}), RouterOS {loaded.plan.version}, "
             f"{count} clients per scenario"]
    for report in reports:
        fe = report.frontend
        servers = ", ".join(f"{name} {address} (weight {weight})"
                            for name, (address, weight) in report.servers.items())
        lines += ["", f"service {report.service}: clients to {fe.address}:{fe.port}/{fe.protocol}"]
        lines += textwrap.wrap(f"servers: {servers}", WIDTH, initial_indent="  ",
                               subsequent_indent="           ")
        head = (f"  {'scenario':<21}{'moved':>7}{'others':>7}{'worst':>7}{'mails':>6}"
                f"{'rules':>10}{'unserved':>9}{'back':>8}")
        lines += ["", head, "  " + "-" * (len(head) - 2)]
        for s in report.scenarios:
            rules = f"{s.rules_mean:.1f}/{s.rules_max}"
            back = _percent(s.back_to_original) if s.back_to_original is not None else "-"
            lines.append(f"  {s.name[:20]:<21}{_percent(s.moved):>7}"
                         f"{_percent(s.moved_others):>7}{s.worst_ratio:>7.2f}{s.emails:>6}"
                         f"{rules:>10}{_percent(s.unserved):>9}{back:>8}")
        baseline = report.scenarios[0]
        lines.append(f"  other traffic meets {baseline.rules_other:.1f} rules per first packet")
        lines += ["", "  share of clients per server:"]
        names = list(report.servers)
        for chunk in (names[i:i + 6] for i in range(0, len(names), 6)):
            lines.append(f"  {'scenario':<21}" + "".join(f"{name[:9]:>9}" for name in chunk))
            for s in report.scenarios:
                if s.kind == "recovery":
                    continue
                lines.append(f"  {s.name[:20]:<21}"
                             + "".join(f"{_percent(s.share[name]):>9}" for name in chunk))
    lines += ["", "moved: clients on another server than in the baseline; others: of them, clients",
              "of servers that stayed up; worst: the busiest server's share over its weight's",
              "fair share; rules: mean/max rules a new connection's first packet met; back:",
              "clients on their original server after the recovery."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    loaded = load_plan(args.stack, args.version, args.stacks)
    if not loaded.site.services:
        raise ToolError(f"stack {args.stack} declares no service (routeros-lb:services)")
    reports = simulate(loaded, args.clients, args.seed)
    if args.json:
        print(json.dumps({
            "stack": loaded.stack, "site": loaded.plan.site, "version": loaded.plan.version,
            "clients": args.clients, "seed": args.seed,
            "services": [{
                "service": r.service,
                "frontend": {"address": r.frontend.address, "port": r.frontend.port,
                             "protocol": r.frontend.protocol},
                "servers": {name: {"address": address, "weight": weight}
                            for name, (address, weight) in r.servers.items()},
                "scenarios": [s.as_json() for s in r.scenarios],
            } for r in reports],
        }, indent=2))
    else:
        print(text_report(loaded, reports, args.clients))
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
