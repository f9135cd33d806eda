"""The state file: configuration survives a restart with its ids; runtime values start afresh."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulator.api import Request
from simulator.router import Router


def call(router: Router, command: str, *queries: str, **attributes: str):
    attrs = {k.replace("_", "-"): v for k, v in attributes.items()}
    return router.call(Request(command, attrs, tuple(queries)))


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_configuration_round_trips_through_a_restart(tmp_path: Path, version: str) -> None:
    state = tmp_path / "router.json"
    first = Router(version, state_file=state)
    a = call(first, "/ip/firewall/nat/add", chain="dstnat", comment="a").ret
    b = call(first, "/ip/firewall/nat/add", chain="dstnat", comment="b").ret
    call(first, "/ip/firewall/nat/add", chain="dstnat", comment="gone")
    call(first, "/ip/firewall/nat/remove", **{".id": "*3"})
    call(first, "/ip/firewall/nat/move", numbers=b, destination=a)
    call(first, "/system/script/add", name="s", source="x\ny")
    call(first, "/system/identity/set", name="edge")
    call(first, "/tool/e-mail/set", port="587")
    first.update_props("/ip/firewall/nat", 1, bytes="999")
    first.script_runner = lambda r, source, **kw: ""
    call(first, "/system/script/run", **{".id": "s"})

    second = Router(version, state_file=state)
    rows = call(second, "/ip/firewall/nat/print").items
    assert [(r[".id"], r["comment"]) for r in rows] == [("*2", "b"), ("*1", "a")]
    assert rows[1]["bytes"] == "0"  # counters restart, as on a reboot
    [script] = call(second, "/system/script/print").items
    assert script["source"] == "x\r\ny"
    assert script["run-count"] == "0"
    assert "last-started" not in script
    assert call(second, "/system/identity/print").items == [{"name": "edge"}]
    assert call(second, "/tool/e-mail/get", value_name="port").ret == "587"
    # ids are never reused, even across a restart
    assert call(second, "/ip/firewall/nat/add", chain="dstnat").ret == "*4"


def test_state_is_saved_after_each_write_and_skips_dynamic_items(tmp_path: Path) -> None:
    state = tmp_path / "router.json"
    router = Router("7.20", state_file=state, seed_defconf=True)
    saved = json.loads(state.read_text())["menus"]["/ip/firewall/nat"]
    assert [i["props"]["comment"] for i in saved["items"]] == ["defconf: masquerade"]
    call(router, "/ip/firewall/nat/add", chain="dstnat", comment="ours")
    saved = json.loads(state.read_text())["menus"]["/ip/firewall/nat"]
    assert len(saved["items"]) == 2

    # restarted with defconf: the dynamic rule is back on top, the config is not seeded twice
    again = Router("7.20", state_file=state, seed_defconf=True)
    comments = [r.get("comment") for r in call(again, "/ip/firewall/nat/print").items]
    assert comments == ["special dummy rule to show fasttrack counters",
                        "defconf: masquerade", "ours"]
    assert len({r[".id"] for r in call(again, "/ip/firewall/nat/print").items}) == 3
