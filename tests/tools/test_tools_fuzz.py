"""No router content ends `render --diff` or `status` in a traceback: random hand-edits (what an
admin might do in Winbox or a terminal: set, unset, move, disable, remove, add rules and address
lists) applied through the API to a router that holds the lab stack, then both tools run against it
(in this process, over TCP), each giving one of its documented exit statuses."""

from __future__ import annotations

import contextlib
import io

import librouteros.exceptions
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.tools.test_render import MANGLE, NAT, run_as_script
from tools import render as render_tool
from tools import status as status_tool
from tools.cli_common import run
from tools.rsc import render
from tools.site_plan import load_plan

PASSWORD = "Fuzz-Pass-5"
MENUS = (NAT, MANGLE, "/tool/netwatch", "/system/script", "/system/scheduler")
VALUES = {
    "chain": st.sampled_from(["dstnat", "srcnat", "prerouting", "forward", "lb-web", "mine"]),
    "dst-address": st.sampled_from(["203.0.113.2", "203.0.113.0/29", "203.0.113.1-203.0.113.9",
                                    "!203.0.113.2", "10.0.0.0/8", "::1", "nonsense", ""]),
    "dst-address-list": st.sampled_from(["public", "!public", "none", ""]),
    "dst-port": st.sampled_from(["80", "1-65535", "!80", "80,443", "8080", "x-y", ""]),
    "to-ports": st.sampled_from(["8080", "1-2", ""]),
    "to-addresses": st.sampled_from(["192.168.1.99", "0.0.0.0", ""]),  # noqa: S104
    "protocol": st.sampled_from(["tcp", "udp", "icmp", ""]),
    "comment": st.sampled_from(["", "mine", "[lb:lab/web/ghost]", "[lb:lab/web/slot-0]",
                                "web entry [lb:lab/web/nat-jump]", "[lb:", "ünïcode ✓"]),
    "disabled": st.sampled_from(["yes", "no"]),
    "host": st.sampled_from(["192.168.1.11", "8.8.8.8"]),
    "interval": st.sampled_from(["1s", "1d", "00:00:05"]),
    "name": st.sampled_from(["lb-web-sync", "other", "x"]),
    "new-connection-mark": st.sampled_from(["lb-web.app1", "other"]),
    "action": st.sampled_from(["dst-nat", "accept", "mark-connection", "redirect", "log"]),
}
edit = st.one_of(
    st.tuples(st.just("set"), st.sampled_from(MENUS), st.integers(0, 200),
              st.sampled_from(sorted(VALUES)), st.data()),
    st.tuples(st.just("unset"), st.sampled_from(MENUS), st.integers(0, 200),
              st.sampled_from(["to-ports", "dst-address", "comment", "dst-port", "protocol"]),
              st.none()),
    st.tuples(st.just("remove"), st.sampled_from(MENUS), st.integers(0, 200), st.none(),
              st.none()),
    st.tuples(st.just("move"), st.sampled_from((NAT, MANGLE)), st.integers(0, 200),
              st.integers(0, 200), st.none()),
    st.tuples(st.just("add"), st.sampled_from((NAT, MANGLE)), st.none(),
              st.dictionaries(st.sampled_from(["dst-address", "dst-address-list", "dst-port",
                                               "protocol", "comment", "to-addresses"]),
                              st.none(), max_size=4), st.data()),
    st.tuples(st.just("list"), st.just("/ip/firewall/address-list"), st.none(),
              st.sampled_from(["203.0.113.0/24", "203.0.113.2", "1.2.3.4-1.2.3.9",
                               "example.com"]), st.none()),
)


def apply(api, operation) -> None:
    kind, path, index, what, data = operation
    menu = api.path(path)
    rows = list(menu)
    row = rows[index % len(rows)] if rows and index is not None else None
    # The router refusing an edit is fine (so is librouteros refusing to encode one for 6.49).
    with contextlib.suppress(librouteros.exceptions.LibRouterosError, UnicodeEncodeError):
        if kind == "set" and row is not None:
            menu.update(**{".id": row[".id"], what: data.draw(VALUES[what])})
        elif kind == "unset" and row is not None:
            tuple(api(f"{path}/unset", **{"numbers": row[".id"], "value-name": what}))
        elif kind == "remove" and row is not None:
            menu.remove(row[".id"])
        elif kind == "move" and row is not None:
            target = rows[what % len(rows)]
            tuple(api(f"{path}/move", numbers=row[".id"], destination=target[".id"]))
        elif kind == "add":
            chain = "dstnat" if path == NAT else "prerouting"
            action = "dst-nat" if path == NAT else "mark-connection"
            props = {name: data.draw(VALUES[name]) for name in what}
            if action == "dst-nat":
                props.setdefault("to-addresses", "192.168.1.77")
            else:
                props["new-connection-mark"] = "other"
            menu.add(chain=chain, action=action, **{k: v for k, v in props.items() if v != ""})
        elif kind == "list":
            menu.add(list="public", address=what)


def run_tool(module, argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = run(lambda: module.main(argv))
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("version", ["6.49", "7.20"])
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(edits=st.lists(edit, min_size=1, max_size=8))
def test_no_hand_edit_makes_the_tools_crash(stacks, simulator_factory, api_connect, monkeypatch,
                                            version, edits) -> None:
    monkeypatch.setenv("ROUTEROS_PASSWORD", PASSWORD)
    sim = simulator_factory(version=version, password=PASSWORD, seed_defconf=True)
    api = api_connect(sim, password=PASSWORD)
    run_as_script(api, render(load_plan("lab", version, stacks).plan))
    for operation in edits:
        apply(api, operation)
    router = ["--stack", "lab", "--stacks", str(stacks), "--host", "127.0.0.1",
              "--port", str(sim.port)]
    code, text = run_tool(render_tool, [*router, "--diff"])
    assert code in (0, 1), text
    code, text = run_tool(status_tool, [*router, "--check"])
    assert code in (0, 1, 2), text
    assert text.startswith("LB ")
    code, text = run_tool(status_tool, [*router, "--json"])
    assert code == 0, text
    sim.stop()
