"""The rendered `.rsc` makes the same router whichever way a person loads it: as a script's source,
pasted into a terminal line by line (every terminal line a scope of its own: a continued line,
ending in `\\`, is one line), or by `/import`. And the router it makes sends the failure e-mails
(the site's e-mail settings are in the script)."""

from __future__ import annotations

import re

import pytest

from simulator.testing import VERSIONS
from tests.tools.conftest import SERVERS
from tests.tools.test_render import MENUS, run_as_script
from tools.rsc import render
from tools.site_plan import load_plan

EMAIL = "/tool/e-mail"
# Ids and counters differ between two routers built the same way; what they hold does not.
RUNTIME = {".id", "packets", "bytes", "status", "since", "done-tests", "failed-tests",
           "run-count", "last-started", "next-run", "invalid", "start-date", "creation-time"}


def terminal_lines(text: str) -> list[str]:
    """The script as a terminal reads it: `\\`-continued lines joined, comments and blanks out."""
    joined = re.sub(r" \\\n\s*", " ", text)
    return [line for line in joined.splitlines() if line.strip() and not line.startswith("#")]


def paste_into_terminal(api, text: str) -> None:
    """Each line run on its own, in a scope of its own (a script of one line), as a terminal
    runs what is pasted into it."""
    for line in terminal_lines(text):
        run_as_script(api, line)


def by_import(api, text: str) -> None:
    try:
        list(api.path("/file").add(name="lb.rsc", contents=text))
        list(api("/import", **{"file-name": "lb.rsc"}))
    except Exception as error:  # noqa: BLE001 - the simulator's refusal, whatever its class
        pytest.skip(f"the simulator has no /import or /file yet ({error})")


def state(api) -> dict[str, list[dict]]:
    return {path: [{k: v for k, v in row.items() if k not in RUNTIME} for row in api.path(path)]
            for path in (*MENUS, EMAIL)}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("way", ["terminal", "import"])
def test_every_way_of_loading_the_script_makes_the_same_router(
        stacks, simulator_factory, api_connect, version, way) -> None:
    loaded = load_plan("lab", version, stacks)
    text = render(loaded.plan, email=loaded.site.email)
    as_script = api_connect(simulator_factory(version=version, seed_defconf=True))
    run_as_script(as_script, text)
    other = api_connect(simulator_factory(version=version, seed_defconf=True))
    (paste_into_terminal if way == "terminal" else by_import)(other, text)
    assert state(other) == state(as_script)
    assert len(state(other)["/ip/firewall/mangle"]) > 5  # the load balancer is there


def test_the_script_keeps_no_variable_from_one_line_to_the_next(stacks) -> None:
    text = render(load_plan("lab", "7.20", stacks).plan)
    for line in terminal_lines(text):
        for name in re.findall(r":local (\w+)", line.split(" source=")[0]):
            assert line.count(f"${name}") >= 1  # declared and used on the same line
    assert all(not line.startswith(":local") for line in terminal_lines(text))


@pytest.mark.parametrize("version", VERSIONS)
def test_a_router_set_up_from_the_script_mails_a_failure(stacks, simulator_factory, api_connect,
                                                         version) -> None:
    loaded = load_plan("lab", version, stacks)
    sim = simulator_factory(version=version, seed_defconf=True)
    api = api_connect(sim)
    run_as_script(api, render(loaded.plan, email=loaded.site.email))
    settings = next(iter(api.path(EMAIL)))
    assert settings.get("server", settings.get("address")) == loaded.site.email.server
    assert [line for line in terminal_lines(render(loaded.plan, email=loaded.site.email))
            if "password" in line] == []
    sim.advance(15)
    sim.outbox.clear()
    sim.set_host(SERVERS["app1"], up=False)
    sim.advance(30)
    assert [mail.to for mail in sim.outbox] == ["admin@dev.example"]
    assert "app1" in sim.outbox[0].body
    assert "down" in sim.outbox[0].body
