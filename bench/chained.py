"""`python -m bench.chained`: first deploys with the component as it is, and with each planned
order's rules created one after another (`bench.program.chain_planned_orders`): moves, commands
against the lower bound, wall time. Writes `bench/results/chained.json`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from bench.lifecycle import run_ours
from bench.program import chain_planned_orders, component_program
from bench.services import plan_for

RESULTS = Path(__file__).resolve().parent / "results"


def chained_program(plan: Any, router: dict[str, Any]) -> Any:
    return chain_planned_orders(component_program(plan, router), plan)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.chained", description=__doc__)
    parser.add_argument("--sizes", default="2,4,8,16,32")
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--out", type=Path, default=RESULTS / "chained.json")
    args = parser.parse_args()
    rows = []
    print(f"first deploy at {args.latency * 1000:.0f} ms: wall s / commands (moves); lower bound")
    for n in (int(s) for s in args.sizes.split(",")):
        row: dict[str, Any] = {"servers": n}
        for label, program in (("as_is", component_program), ("chained", chained_program)):
            step = run_ours(plan_for, program, [1] * n, args.latency)["first deploy"]
            commands = step.ours.commands
            moves = sum(c for cmd, c in commands.items() if cmd.endswith("/move"))
            row[label] = {"seconds": round(step.ours.seconds, 3), "commands": step.ours.total,
                          "moves": moves}
            row["lower_bound"] = step.lower_bound(args.latency)
        rows.append(row)
        bound = row["lower_bound"]["commands"]
        print(f"  N={n:<3} as is {row['as_is']['seconds']:5.2f} / {row['as_is']['commands']:4} "
              f"({row['as_is']['moves']:3}) {row['as_is']['commands'] / bound:.2f}x   "
              f"chained {row['chained']['seconds']:5.2f} / {row['chained']['commands']:4} "
              f"({row['chained']['moves']:3}) {row['chained']['commands'] / bound:.2f}x   "
              f"lower bound {bound}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"latency": args.latency, "rows": rows}, indent=1) + "\n")


if __name__ == "__main__":
    main()
