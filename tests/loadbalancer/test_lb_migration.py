"""The README's way from the tutorial's hand-made setup to the home stack, on a simulated RB450
(RouterOS 6.49) configured as the tutorial says: the README's commands, taken from the README
itself and run as a script on the router, then `up`."""

from __future__ import annotations

import re
from collections import Counter

from tests.loadbalancer.harness import (
    ROOT,
    Deployment,
    by_hand,
    connect,
    expected_servers,
    random_clients,
    servers,
    stack_router,
)
from tests.simulator.test_seed_tutorial import configure as configure_tutorial

SETTLE = 60
TUTORIAL_SCRIPTS = ("pi132-up", "pi132-down", "pi134-up", "pi134-down")


def readme_commands() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Moving from the tutorial's hand-made setup", 1)[1]
    (block,) = re.findall(r"```rsc\n(.*?)```", section.split("\n## ", 1)[0], flags=re.S)
    return block


def test_the_readme_commands_clear_the_tutorial_and_the_home_stack_takes_over() -> None:
    clients = random_clients(400, seed=8)
    with stack_router("home", seed_defconf=True) as sim:
        with by_hand(sim) as api:
            configure_tutorial(api, sim.profile.is_v7, sim.profile.email_server_key)
        sim.advance(SETTLE)
        sim.outbox.clear()
        deployment = Deployment("home", sim)

        # As the README warns: left in place, the tutorial's marks win and one Pi takes everyone.
        trial = Deployment("home", sim)
        trial.up()
        reached = servers(connect(sim, clients, "203.0.113.2", 80, 30000))
        assert len(set(reached.values())) == 1
        trial.destroy()

        removal = readme_commands() + "".join(
            f'/system script remove [find name="{name}"]\n' for name in TUTORIAL_SCRIPTS)
        with by_hand(sim) as api:
            api.path("/system/script").add(name="migrate", source=removal,
                                           policy="read,write,test")
            tuple(api("/system/script/run", number="migrate"))
            api.path("/system/script").remove(
                next(row[".id"] for row in api.path("/system/script") if row["name"] == "migrate"))
        for path in ("/ip/firewall/mangle", "/ip/firewall/nat", "/tool/netwatch",
                     "/system/script"):
            assert not any(item.props.get("comment", "").startswith(("Pi132", "Pi134"))
                           or item.props.get("name") in TUTORIAL_SCRIPTS
                           or item.props.get("host", "").startswith("192.168.1.13")
                           for item in sim.router.menus[path].items), path

        deployment.up()
        sim.advance(SETTLE)
        pis = {name: s["address"] for name, s in deployment.service()["servers"].items()}
        reached = servers(connect(sim, clients, "203.0.113.2", 80, 30001))
        assert reached == expected_servers(deployment.service_plan(), pis, clients, pis,
                                           "203.0.113.2", 80, 0)
        assert all(n > 100 for n in Counter(reached.values()).values())

        sim.set_host(pis["pi132"], up=False)
        sim.advance(SETTLE)
        assert [mail.to for mail in sim.outbox] == ["admin@home.example"]
        after = servers(connect(sim, clients, "203.0.113.2", 80, 30002))
        assert set(after.values()) == {pis["pi134"]}
