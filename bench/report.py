"""The figures as a terminal table, as JSON, and as a PNG chart (matplotlib)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

STEPS = ("first deploy", "no-op deploy", "refresh", "add one server", "change one weight",
         "destroy")


def _runs(results: dict[str, Any], *, latency: float, connections: int = 1,
          case: str = "equal") -> list[dict[str, Any]]:
    return sorted((run for run in results["lifecycle"]
                   if run["latency"] == latency and run["connections"] == connections
                   and run["case"] == case), key=lambda run: run["servers"])


def table(results: dict[str, Any]) -> str:
    lines: list[str] = []
    say = lines.append
    start = results["startup"]
    ansible = start.get("ansible_noop_play_seconds")
    say(f"Fixed costs per command: provider host start {start['provider_host_seconds']:.2f} s"
        + (f"; Ansible, an empty play {ansible:.2f} s" if ansible is not None else ""))
    latencies = sorted({run["latency"] for run in results["lifecycle"]})
    say("")
    say("Lifecycle: API commands and writes (ours, at the first latency), then wall seconds per "
        "latency: ours / Ansible / serial lower bound / critical-path lower bound "
        "(four workers)")
    header = f"{'step':<18}{'N':>8} | {'cmds':>5} {'wr':>4} |"
    for latency in latencies:
        header += f" {latency * 1000:>4.0f} ms: {'ours':>6} {'Ans.':>6} {'ser.':>6} {'crit':>6} |"
    say(header)
    by_key = {(run["servers"], run["case"], run["latency"]): run
              for run in results["lifecycle"] if run.get("connections", 1) == 1}
    keys = sorted({(n, case) for n, case, _ in by_key}, key=lambda k: (k[1] != "equal", k[0]))
    for step in STEPS:
        for servers, case in keys:
            runs = [by_key.get((servers, case, latency)) for latency in latencies]
            first = next((run for run in runs if run is not None), None)
            if first is None or step not in first["steps"]:
                continue
            ours = first["steps"][step]["ours"]
            label = f"{servers}{' mixed' if case == 'mixed' else ''}"
            line = f"{step:<18}{label:>8} | {ours['commands']:5} {ours['writes']:4} |"
            for run in runs:
                figures = run["steps"].get(step) if run else None
                if figures is None:
                    line += f" {'':>7}{'-':>27} |"
                    continue
                peer = figures.get("peer")
                peer_text = f"{peer['seconds']:6.2f}" if peer else f"{'-':>6}"
                line += (f" {'':>7}{figures['ours']['seconds']:6.2f} {peer_text} "
                         f"{figures['lower_bound']['seconds']:6.2f} "
                         f"{figures.get('critical_path', {}).get('seconds', 0):6.2f} |")
            say(line)
    if results.get("dataplane"):
        say("")
        say("Data plane: rules a new connection's first packet is checked against")
        say(f"{'N':>4} {'router objects':>15} {'service mean':>13} {'max':>5} {'other':>6}")
        for row in results["dataplane"]:
            say(f"{row['servers']:>4} {row['objects']:>15} {row['service']['mean']:>13} "
                f"{row['service']['max']:>5} {row['other']['total']:>6}")
    if results.get("failover"):
        say("")
        say("Failover convergence (virtual seconds, failure at 8 phases of the probe interval)")
        for row in results["failover"]:
            say(f"  N={row['servers']:<3} max {row['seconds']['max']:.2f} s, mean "
                f"{row['seconds']['mean']:.2f} s; target interval + timeout = "
                f"{row['target']:.0f} s ({row['clients_moved']} clients moved)")
    if results.get("memory"):
        memory = results["memory"]
        say("")
        say(f"Provider host memory at N={memory['servers']}: peak RSS "
            f"{memory['peak_rss_mib']:.1f} MiB (first deploy)")
    if results.get("build"):
        say("")
        say("Program build (capture under mocks), fresh interpreter per size")
        for row in results["build"]:
            what = row.get("error") or f"{row['build_seconds']:.2f} s"
            say(f"  {row['mode']:<10} N={row['servers']:<3} x{row['services']} services, slots "
                f"{row['slots'] or 'auto'}: {row.get('resources') or '-'} resources, {what}")
    if results.get("targets"):
        say("")
        say("Targets")
        for target in results["targets"]:
            say(f"  [{'met' if target['met'] else 'MISSED'}] {target['target']}: "
                f"{target['detail']}")
    return "\n".join(lines)


def write_json(results: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")


def chart(results: dict[str, Any], path: Path, latency: float = 0.02) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = _runs(results, latency=latency)
    steps = ("first deploy", "add one server", "destroy")
    fig, axes = plt.subplots(2, len(steps), figsize=(5 * len(steps), 8), constrained_layout=True)
    for column, step in enumerate(steps):
        for row, (metric, unit) in enumerate((("seconds", "wall time (s)"),
                                              ("commands", "API commands"))):
            ax = axes[row][column]
            _line(ax, runs, step, "ours", metric, "routeros-lb", "o-", "C0")
            _line(ax, runs, step, "peer", metric, "Ansible api_modify", "s-", "C2")
            _line(ax, runs, step, "lower_bound", metric,
                  "serial lower bound (a round trip per write, and the login)", "--", "k")
            if metric == "seconds":
                _line(ax, runs, step, "critical_path", metric,
                      "critical-path lower bound (four workers, dependency depth)", ":", "k")
            ax.set_title(f"{step}, {latency * 1000:.0f} ms per reply")
            ax.set_xlabel("servers (N)")
            ax.set_ylabel(unit)
            ax.set_xscale("log", base=2)
            ax.set_xticks([run["servers"] for run in runs], [str(run["servers"]) for run in runs])
            ax.grid(True, alpha=0.3)
            ax.set_ylim(bottom=0)
    axes[0][0].legend(loc="upper left", fontsize=8)
    fig.suptitle("routeros-lb against Ansible community.routeros.api_modify and the lower bound")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _line(ax: Any, runs: Iterable[dict[str, Any]], step: str, who: str, metric: str,
          label: str, style: str, color: str) -> None:
    points = [(run["servers"], run["steps"][step][who][metric]) for run in runs
              if run["steps"].get(step, {}).get(who)]
    if points:
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, style, label=label, color=color)
