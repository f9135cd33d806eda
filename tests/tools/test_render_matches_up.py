"""What a reviewer reads in a render is what `up` applies: the rendered script run on one router
and `pulumi up` (the program through Pulumi's dynamic-provider host, played by the engine stand-in)
on another leave the same objects, in the same order, on 6.49 and 7.20."""

from __future__ import annotations

import os

import pytest

from components.program import declare_site
from engine_standin.capture import capture
from engine_standin.driver import Driver
from simulator.testing import VERSIONS
from tests.tools.test_render import MENUS, run_as_script
from tools.rsc import render
from tools.site_plan import load_plan
from tools.stack_files import pointed_at, stack_config

PASSWORD = "Render-Up-Pass-9"
# What the router fills in or changes by itself: not part of what either path declares.
RUNTIME = {".id", "packets", "bytes", "status", "since", "done-tests", "failed-tests",
           "run-count", "last-started", "next-run", "owner", "invalid", "dynamic",
           "start-date", "creation-time", "source"}


def objects(api) -> dict[str, list[dict]]:
    return {path: [{k: v for k, v in row.items() if k not in RUNTIME} for row in api.path(path)]
            for path in (*MENUS, "/tool/e-mail")}


@pytest.mark.parametrize("version", VERSIONS)
def test_render_and_up_leave_the_same_objects(stacks, simulator_factory, api_connect,
                                              version) -> None:
    rendered = simulator_factory(version=version, seed_defconf=True)
    deployed = simulator_factory(version=version, seed_defconf=True, password=PASSWORD)

    loaded = load_plan("lab", version, stacks)
    run_as_script(api_connect(rendered), render(loaded.plan, email=loaded.site.email))

    config = {**pointed_at(stack_config("lab", stacks), deployed.host, deployed.port, "admin"),
              "routeros:version": version}
    program = capture(declare_site, stack="lab", config=config)
    env = {k: v for k, v in os.environ.items() if k != "ROUTEROS_PASSWORD"}
    Driver({"routeros:password": PASSWORD}, env=env).up(program)

    by_render, by_up = objects(api_connect(rendered)), objects(api_connect(deployed))
    assert by_render == by_up
    assert len(by_up["/ip/firewall/mangle"]) > 5  # the load balancer is there, not two empties
    scripts = {row["name"]: row for row in api_connect(deployed).path("/system/script")}
    for row in api_connect(rendered).path("/system/script"):
        assert row["source"].replace("\r\n", "\n") == scripts[row["name"]]["source"].replace(
            "\r\n", "\n")
