"""`python -m bench` (`make bench`): the load balancer against the simulator, Ansible and the
lower bound. Prints a table, writes the same figures as JSON and a PNG chart.

For each N (equal weights, and one mixed-weight service) and each latency per reply: the
lifecycle of one service (first deploy, no-op deploy, refresh, add one server, change one
weight, destroy) by routeros-lb through Pulumi's dynamic-provider host with the engine's
parallelism (`bench.engine`), the same by Ansible's `community.routeros.api_modify`, and two lower
bounds (serial, and the critical path over the host's four workers). Then the data plane's rule
evaluations, failover convergence on the virtual clock, the provider host's memory, and the
program's build time. Nothing here asserts a time.
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
from bench.program import component_program
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


def lifecycle(weights: list[int], case: str, latency: float, with_peer: bool) -> dict[str, Any]:
    ours = run_ours(plan_for, component_program, weights, latency)
    peer = run_peer(plan_for, weights, latency) if with_peer else {}
    steps = {}
    for name, figures in ours.items():
        steps[name] = {"ours": figures.ours.as_json(),
                       "ours_reads_by_path": figures.ours.reads_by_path(),
                       "peer": peer[name].as_json() if name in peer else None,
                       "lower_bound": figures.lower_bound(latency),
                       "critical_path": figures.critical_path(latency),
                       "engine_steps": figures.ops,
                       "provider_host_peak_rss": figures.peak_rss}
    return {"case": case, "servers": len(weights), "weights": weights, "latency": latency,
            "connections": 1, "steps": steps}


SPED_UP = ("first deploy", "add one server", "destroy")
SPEED_UP_FROM = 8  # servers: below, fixed costs (the login, the sync run) dominate
SPEED_UP = 0.4  # of the baseline's wall time


def baseline_targets(results: dict[str, Any], baseline: dict[str, Any]) -> list[dict[str, Any]]:
    """Against an earlier run (`--baseline`): from N = 8, first deploy, add one server and
    destroy at most 0.4x its wall time; no step slower than it at any N (both at the latencies
    both runs measured)."""
    def index(run_list: list[dict[str, Any]]) -> dict[tuple[int, str, float], dict[str, Any]]:
        return {(run["servers"], run["case"], run["latency"]): run for run in run_list
                if run.get("connections", 1) == 1}

    now, before = index(results["lifecycle"]), index(baseline["lifecycle"])
    shared = sorted(key for key in now if key in before and key[2] > 0)
    ratios: list[str] = []
    missed: list[str] = []
    slower: list[str] = []
    for key in shared:
        servers, case, latency = key
        label = f"N={servers}{' mixed' if case == 'mixed' else ''} {latency * 1000:.0f} ms"
        for step, figures in now[key]["steps"].items():
            old = before[key]["steps"].get(step)
            if old is None:
                continue
            ratio = figures["ours"]["seconds"] / max(old["ours"]["seconds"], 1e-9)
            if ratio > 1:
                slower.append(f"{label} {step}: {ratio:.2f}x")
            if step in SPED_UP and case == "equal" and servers >= SPEED_UP_FROM:
                ratios.append(f"{label} {step}: {ratio:.2f}x")
                if ratio > SPEED_UP:
                    missed.append(ratios[-1])
    return [
        {"target": f"from N={SPEED_UP_FROM}, {', '.join(SPED_UP)} at most {SPEED_UP}x the "
                   f"baseline's wall time ({baseline.get('command', '?')}, "
                   f"{baseline.get('date', '?')})",
         "met": bool(ratios) and not missed, "detail": "; ".join(ratios) or "nothing to compare"},
        {"target": "no step slower than the baseline at any N and latency",
         "met": not slower, "detail": "; ".join(slower) or f"{len(shared)} runs compared"},
    ]


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
        if run["latency"] == 0:
            continue
        for step, figures in run["steps"].items():
            peer = figures.get("peer")
            if peer and figures["ours"]["seconds"] >= peer["seconds"]:
                slow.append(f"N={run['servers']} {run['latency'] * 1000:.0f} ms {step}: "
                            f"{figures['ours']['seconds']:.2f} s vs {peer['seconds']:.2f} s")
    add("wall time below Ansible's for every N, step and latency", not slow,
        "; ".join(slow) or "every step of every N")
    near = []
    for run in runs:
        if run["latency"] == 0 or run["case"] != "equal":
            continue
        for step in SPED_UP:
            figures = run["steps"][step]
            near.append(f"N={run['servers']} {run['latency'] * 1000:.0f} ms {step}: "
                        f"{figures['ours']['seconds'] / figures['critical_path']['seconds']:.2f}x")
    add("how close to the critical-path bound (a measure, not a target)", True, "; ".join(near))
    for row in results.get("failover", []):
        add(f"failover within one interval plus timeout (N={row['servers']})",
            row["seconds"]["max"] <= row["target"],
            f"{row['seconds']['max']:.2f} s worst of {len(row.get('phases', [])) or 'several'} "
            f"phases, target {row['target']:.0f} s")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="2,4,8,16,32", help="numbers of servers")
    parser.add_argument("--latencies", default="0.02,0.1", help="seconds per reply")
    parser.add_argument("--baseline", type=Path, default=None,
                        help="an earlier run's bench.json, for the speed-up targets")
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
            results["lifecycle"].append(lifecycle(weights, case, latency, with_peer))
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
    if args.baseline is not None:
        results["targets"] += baseline_targets(results, json.loads(args.baseline.read_text()))
    report.write_json(results, args.out / "bench.json")
    charted = 0.02 if 0.02 in latencies else max(latencies)
    if charted > 0:
        report.chart(results, args.out / "bench.png", latency=charted)
    print(report.table(results))
    print(f"\nJSON: {args.out / 'bench.json'}" +
          (f"\nchart: {args.out / 'bench.png'}" if charted > 0 else ""))


if __name__ == "__main__":
    main()
