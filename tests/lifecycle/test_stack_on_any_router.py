"""A stack's whole load balancer through Pulumi's dynamic-provider host, checked over the API only,
so it runs against a real router too (`ROUTEROS_TEST_HOST`, see tests/real_router.py): `up` makes
exactly the plan's objects in order, a second `up` changes nothing, `destroy` leaves nothing tagged
for the site. `home` (ICMP checks) on v6, `dev` (HTTP checks) on v7."""

from __future__ import annotations

import pytest

from components.program import declare_site
from engine_standin.capture import capture
from engine_standin.driver import Driver
from tests.lifecycle.routers import USERNAME, by_hand, running_simulator
from tools.router_diff import compare
from tools.site_plan import load_plan
from tools.stack_files import pointed_at, stack_config

MENUS = ("/ip/firewall/mangle", "/ip/firewall/nat", "/system/script", "/system/scheduler",
         "/tool/netwatch")


def router_rows(router) -> dict[str, list[dict]]:
    with by_hand(router) as api:
        return {path: list(api.path(path)) for path in MENUS}


@pytest.mark.parametrize(("version", "stack"), [("6.49", "home"), ("7.20", "dev")])
def test_up_again_and_destroy_on_any_router(version: str, stack: str, driver: Driver) -> None:
    with running_simulator(version=version) as router:
        routeros = ".".join(router.profile.version.split()[0].split(".")[:2])
        config = {**pointed_at(stack_config(stack), router.host, router.port, USERNAME),
                  "routeros:version": routeros}
        planned = load_plan(stack, config=config).plan
        program = capture(declare_site, stack=stack, config=config)

        driver.up(program)
        diff = compare(planned, router_rows(router))
        assert [(o.key, o.status, o.changes) for o in diff.objects if o.status != "same"] == []
        assert (diff.extra, diff.order) == ([], [])

        assert {step.op for step in driver.up(program)} == {"same"}

        driver.destroy()
        left = [row.get("comment") for rows in router_rows(router).values() for row in rows
                if f"[lb:{planned.site}/" in str(row.get("comment", ""))]
        assert left == []
