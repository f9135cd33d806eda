"""The sync script's text: every command it gives exists in RouterOS 7.20's command tree, and the
forms a real router could trip on at run time are absent (what it does is held on simulated
routers in tests/balancer and tests/loadbalancer)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from balancer.plan import plan
from balancer.spec import LbSite

# RouterOS 7.20's command tree (`/console/inspect` on a CHR; its source is in the file).
TREE = json.loads((Path(__file__).parent / "data" / "routeros-7.20-tree.json").read_text())["tree"]
COMMAND = re.compile(r"(/[a-z-]+(?: [a-z-]+)*) (find|get|set|enable|disable|remove|send|run)\b"
                     r"([^;\]}]*)")
RECIPIENTS = ["ops@example.com", "oncall@example.com"]


def _lb_site(name: str, services: dict, notify: list[str]) -> LbSite:
    return LbSite.model_validate({"name": name, "services": services, "notify": notify})


def _script(ports: bool, version: str = "7.20") -> str:
    servers = {f"s{i}": {"address": f"192.168.1.{10 + i}", "weight": 1 + i % 3,
                         **({"port": 8080 + i} if ports else {})} for i in range(5)}
    site = _lb_site("home", {"web": {
        "frontend": {"address": "203.0.113.2", "interface": "ether1", "ports": 80},
        "servers": servers}}, RECIPIENTS)
    return plan(site, version).services[0].sync_script


@pytest.mark.parametrize("ports", [False, True])
def test_every_command_and_argument_is_in_the_7_20_tree(ports: bool) -> None:
    seen = set()
    for path, verb, rest in COMMAND.findall(_script(ports)):
        menu = TREE
        for word in path.strip("/").split(" "):
            menu = menu[word]
        assert verb in menu, (path, verb)
        if verb in ("set", "send"):
            for name in re.findall(r"([a-z-]+)=", rest):
                assert name in menu[verb], (path, verb, name)
        seen.add((path, verb))
    assert {("/ip firewall nat", "set"), ("/ip firewall connection", "remove"),
            ("/tool e-mail", "send"), ("/tool netwatch", "get")} <= seen


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_no_run_time_error_from_entries_that_come_and_go(version: str) -> None:
    script = _script(True, version)
    removes = re.findall(r"(.{0,5})/ip firewall connection remove", script)
    assert removes
    assert all(before == ":do {" for before in removes)
    assert "remove [find" not in script
    # Values are compared as `get` reads them, never inside a `find where`.
    for where in re.findall(r"find where ([^\]]*)\]", script):
        assert "to-addresses" not in where
        assert "to-ports" not in where
        assert "!=" not in where
    assert script.count("[:tostr [/ip firewall nat get $rule to-addresses]]") == \
        script.count("packet-mark=") + 1


def test_one_guarded_send_per_recipient() -> None:
    script = _script(False)
    sends = re.findall(r":do \{/tool e-mail send to=\"([^\"]+)\"[^\n]*on-error=", script)
    assert sends == RECIPIENTS
    assert script.count("/tool e-mail send") == len(RECIPIENTS)
