"""`python -m bench` (`make bench`): the load balancer against the simulator, Ansible and the
lower bound. Prints a table, writes the same figures as JSON and a PNG chart.

For each N (equal weights, and one mixed-weight service) and each latency per reply: the
lifecycle of one service (first deploy, no-op deploy, refresh, add one server, change one
weight, destroy) by routeros-lb through Pulumi's dynamic-provider host with the engine's
parallelism (`bench.engine`), the same by Ansible's `community.routeros.api_modify`, and the
lower bound. Then the data plane's rule evaluations, failover convergence on the virtual clock,
the provider host's memory, and the program's build time. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import importlib.util
import json
import os
import platform
import sys
from pathlib import Path
from typing import Any

from bench import report
from bench.ansible_peer import AnsiblePeer, Target
from bench.build import Size, build
from bench.lifecycle import (
    PASSWORD,
    USERNAME,
    observe,
    run_ours,
    run_peer,
    startup_seconds,
)
from bench.program import component_program, spread_over_connections
from bench.services import MIXED, plan_for
from simulator import Simulator

MENU_PATHS = ("/ip/firewall/mangle", "/ip/firewall/nat", "/system/script", "/system/scheduler",
              "/tool/netwatch")
RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    def version(package: str) -> str | None:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo
                          if line.startswith("model name")), "")
    except OSError:
        pass
    collection = None
    try:
        spec = importlib.util.find_spec("ansible_collections.community.routeros")
        if spec is not None and spec.submodule_search_locations:
            manifest = Path(list(spec.submodule_search_locations)[0]) / "MANIFEST.json"
            collection = json.loads(manifest.read_text())["collection_info"]["version"]
    except (ImportError, OSError, KeyError, ValueError):
        pass
    return {"platform": platform.platform(), "cpu": model or platform.processor(),
            "cpus": os.cpu_count(), "python": platform.python_version(),
            "pulumi": version("pulumi"), "ansible": version("ansible"),
            "ansible-core": version("ansible-core"), "community.routeros": collection,
            "librouteros": version("librouteros"),
            "simulator": "RouterOS 7.20 profile"}


def ansible_startup() -> float:
    with Simulator(username=USERNAME, password=PASSWORD) as sim, \
            AnsiblePeer(Target(sim.host, sim.port, USERNAME, PASSWORD)) as peer:
        return min(peer.startup().seconds for _ in range(3))


def lifecycle(weights: list[int], case: str, latency: float, connections: int,
              with_peer: bool) -> dict[str, Any]:
    def program(plan: Any, router: dict[str, Any]) -> Any:
        return spread_over_connections(component_program(plan, router), connections)

    ours = run_ours(plan_for, program, weights, latency)
    peer = run_peer(plan_for, weights, latency) if with_peer else {}
    steps = {}
    for name, figures in ours.items():
        steps[name] = {"ours": figures.ours.as_json(),
                       "ours_reads_by_path": figures.ours.reads_by_path(),
                       "peer": peer[name].as_json() if name in peer else None,
                       "lower_bound": figures.lower_bound(latency),
                       "engine_steps": figures.ops,
                       "provider_host_peak_rss": figures.peak_rss}
    return {"case": case, "servers": len(weights), "weights": weights, "latency": latency,
            "connections": connections, "steps": steps}


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    runs = [run for run in results["lifecycle"] if run["connections"] == 1]

    def add(target: str, met: bool, detail: str) -> None:
        out.append({"target": target, "met": met, "detail": detail})

    ratios = {(run["servers"], run["case"]): run["steps"]["first deploy"]["ours"]["commands"]
              / run["steps"]["first deploy"]["lower_bound"]["commands"]
              for run in runs if run["latency"] == max(r["latency"] for r in runs)}
    add("first deploy commands within 1.25x of the lower bound",
        all(r <= 1.25 for r in ratios.values()),
        ", ".join(f"N={n}{' mixed' if c == 'mixed' else ''}: {r:.2f}x"
                  for (n, c), r in sorted(ratios.items())))
    noop = [(run["servers"], run["steps"]["no-op deploy"]) for run in runs]
    add("no-op deploy: zero writes and at most one read per menu path",
        all(s["ours"]["writes"] == 0
            and all(n <= 1 for n in s["ours_reads_by_path"].values()) for _, s in noop),
        "; ".join(f"N={n}: {s['ours']['writes']} writes, reads {s['ours_reads_by_path']}"
                  for n, s in noop[:1]) + " (the same for every N)"
        if len({str(s["ours_reads_by_path"]) for _, s in noop}) == 1 else
        "; ".join(f"N={n}: reads {s['ours_reads_by_path']}" for n, s in noop))
    refresh = [(run["servers"], run["steps"]["refresh"]["ours_reads_by_path"]) for run in runs]
    add("refresh: one read per menu path whatever N",
        all(all(reads.get(path) == 1 for path in MENU_PATHS) for _, reads in refresh),
        ", ".join(f"N={n}: {sum(r.values())} reads" for n, r in refresh))
    slow = []
    for run in runs:
        if run["latency"] != 0.02:
            continue
        for step, figures in run["steps"].items():
            peer = figures.get("peer")
            if peer and figures["ours"]["seconds"] >= peer["seconds"]:
                slow.append(f"N={run['servers']} {step}: {figures['ours']['seconds']:.2f} s vs "
                            f"{peer['seconds']:.2f} s")
    add("wall time at 20 ms below Ansible's for every N and step", not slow,
        "; ".join(slow) or "every step of every N")
    for row in results.get("failover", []):
        add(f"failover within one interval plus timeout (N={row['servers']})",
            row["seconds"]["max"] <= row["target"],
            f"{row['seconds']['max']:.2f} s worst of {len(row.get('phases', [])) or 'several'} "
            f"phases, target {row['target']:.0f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="2,4,8,16,32", help="numbers of servers")
    parser.add_argument("--latencies", default="0.02,0", help="seconds per reply")
    parser.add_argument("--no-peer", action="store_true", help="leave Ansible out")
    parser.add_argument("--no-build", action="store_true", help="leave the build sizes out")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where JSON and PNG go")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    latencies = [float(s) for s in args.latencies.split(",")]
    with_peer = not args.no_peer

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    results: dict[str, Any] = {
        "command": "python -m bench " + " ".join(sys.argv[1:]),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(), "lifecycle": [], "dataplane": [], "failover": []}
    say("fixed costs ...")
    results["startup"] = {"provider_host_seconds": round(startup_seconds(), 3),
                          "ansible_noop_play_seconds":
                              round(ansible_startup(), 3) if with_peer else None}
    for latency in latencies:
        cases = [([1] * n, "equal") for n in sizes] + [(list(MIXED), "mixed")]
        for weights, case in cases:
            say(f"lifecycle N={len(weights)} {case} at {latency * 1000:.0f} ms ...")
            results["lifecycle"].append(lifecycle(weights, case, latency, 1, with_peer))
        if latency > 0:
            for n in sizes:
                say(f"lifecycle N={n} over 4 connections at {latency * 1000:.0f} ms ...")
                results["lifecycle"].append(lifecycle([1] * n, "equal", latency, 4, False))
    for n in sizes:
        say(f"data plane and failover N={n} ...")
        objects, seen, moved = observe(plan_for, component_program, [1] * n)
        results["dataplane"].append({"servers": n, "objects": objects, **seen})
        results["failover"].append({"servers": n, **moved})
    largest = max(sizes)
    peaks = [run["steps"][step]["provider_host_peak_rss"] for run in results["lifecycle"]
             if run["servers"] == largest and run["case"] == "equal"
             and run["connections"] == 1 for step in run["steps"]]
    results["memory"] = {"servers": largest, "peak_rss_mib": round(max(peaks) / 2**20, 1)}
    if not args.no_build:
        results["build"] = []
        for size in [*(Size(n) for n in sizes), Size(64), Size(64, 1, 1024),
                     Size(64, 4, 1024)]:
            say(f"build {size} ...")
            results["build"].append(build(size))
        for size in (Size(32), Size(64, 1, 1024)):
            say(f"build {size} with the SDK as it is ...")
            results["build"].append(build(size, sdk_as_is=True))
    results["targets"] = targets(results)
    report.write_json(results, args.out / "bench.json")
    if 0.02 in latencies:
        report.chart(results, args.out / "bench.png", latency=0.02)
    print(report.table(results))
    print(f"\nJSON: {args.out / 'bench.json'}" +
          (f"\nchart: {args.out / 'bench.png'}" if 0.02 in latencies else ""))


if __name__ == "__main__":
    main()
