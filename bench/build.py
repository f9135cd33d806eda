"""The program itself: how long building the resource graph takes, and how large it can get.

Building means what `pulumi up` does before any provider call: run the program, which constructs
one dynamic resource per planned object (each serialises its provider), under Pulumi's mocks
here (`engine_standin.capture`). Each size runs in a fresh interpreter, so one size's leftovers
(and, before `providers.dynamic_resource`, the SDK's pickle wrappers) never inflate the next.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from engine_standin.host import PROJECT_ROOT

# One run: plan a site of `services` services of `servers` servers each (`slots` when given),
# capture the component program, print the figures as JSON.
_ONE = """
import json, sys, time
from bench.program import component_program
from bench.services import SERVICE, site, VERSION
from balancer.plan import plan
from balancer.spec import LbSite
from engine_standin.capture import capture
servers, services, slots = (int(a) for a in sys.argv[1:4])
if sys.argv[4] == "sdk-as-is":  # for comparison: the SDK's serialisation without our restore
    import pulumi.dynamic
    from providers.dynamic_resource import RouterResource
    RouterResource.__init__ = pulumi.dynamic.Resource.__init__
one = site([1] * servers).services[SERVICE]
if slots:
    one = one.model_copy(update={"slots": slots})
lb = LbSite(name="bench", services={f"{SERVICE}{i}": one for i in range(services)})
started = time.perf_counter()
planned = plan(lb, VERSION)
planned_at = time.perf_counter()
try:
    resources = len(capture(component_program(planned, {"host": "127.0.0.1", "port": 8728})))
    error = None
except RecursionError as exc:
    resources, error = None, f"RecursionError: {exc}"
done = time.perf_counter()
print(json.dumps({"mode": sys.argv[4], "servers": servers, "services": services, "slots": slots,
                  "objects": sum(len(s.objects) for s in planned.services),
                  "resources": resources, "error": error,
                  "plan_seconds": round(planned_at - started, 3),
                  "build_seconds": round(done - planned_at, 3)}))
"""


@dataclass(frozen=True)
class Size:
    servers: int
    services: int = 1
    slots: int = 0  # 0: the plan's own choice


def build(size: Size, *, sdk_as_is: bool = False, timeout: float = 600) -> dict[str, Any]:
    """Build one program; `sdk_as_is` leaves out `RouterResource`'s repair (for comparison)."""
    mode = "sdk-as-is" if sdk_as_is else "ours"
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _ONE, str(size.servers), str(size.services), str(size.slots),
         mode],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
        return {"mode": mode, "servers": size.servers, "services": size.services,
                "slots": size.slots, "error": last}
    return json.loads(done.stdout.strip().splitlines()[-1])
