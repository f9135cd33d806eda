"""The simulator's terminal commands: parsed and refused with clear errors, then run against the
seed tutorial's hand-made setup (configured over the API) to break a server and watch it fail over;
and `python -m simulator` keeps serving after its stdin closes."""

from __future__ import annotations

import re
import subprocess
import sys

import librouteros
import pytest

from simulator.console import (
    Advance,
    Clients,
    Console,
    ConsoleError,
    HostState,
    ShowLog,
    client_addresses,
    parse,
)
from tests.simulator.test_cli import LINE, ROOT
from tests.simulator.test_seed_tutorial import INTERVAL, PIS, PUBLIC, configure


@pytest.mark.parametrize(("line", "command"), [
    ("down 192.168.1.132", HostState("192.168.1.132", up=False)),
    ("UP 192.168.1.132 8080", HostState("192.168.1.132", up=True, port=8080)),
    ("advance 1m30s", Advance(90.0)),
    ("advance 10", Advance(10.0)),
    ("clients 100 203.0.113.2 80", Clients(100, "203.0.113.2", 80)),
    ("clients 5 203.0.113.2 53 udp", Clients(5, "203.0.113.2", 53, "udp")),
    ("log", ShowLog(20)),
    ("log 5", ShowLog(5)),
    ("", None),
    ("   # a comment", None),
])
def test_commands_parse(line: str, command: object) -> None:
    assert parse(line) == command


@pytest.mark.parametrize(("line", "message"), [
    ("reboot", "unknown command 'reboot'; type `help` for the list"),
    ("down", "down: expected 1-2 argument(s), got 0 (usage: down <address> [<port>])"),
    ("down pi132", "down: 'pi132' is not an IPv4 address"),
    ("down 192.168.1.132 70000", "down: the port must be a whole number 1-65535, not '70000'"),
    ("advance soon", "advance: 'soon' is not a duration"),
    ("advance 0", "advance: the duration must be more than 0"),
    ("clients 0 203.0.113.2 80", "clients: N must be a whole number 1-10000, not '0'"),
    ("clients 10 203.0.113.2 80 icmp", "clients: the protocol must be tcp or udp, not 'icmp'"),
    ("clients 10 203.0.113.2", "clients: expected 3-4 argument(s), got 2"),
    ("mail now", "mail: expected 0 argument(s), got 1"),
    ('down "192.168.1.1', "cannot read that line: No closing quotation"),
])
def test_bad_commands_are_refused_saying_why(line: str, message: str) -> None:
    with pytest.raises(ConsoleError) as refused:
        parse(line)
    assert str(refused.value).startswith(message)


def test_clients_are_the_same_made_up_addresses_every_time() -> None:
    assert client_addresses(50) == client_addresses(100)[:50]
    assert len(set(client_addresses(1000))) == 1000
    assert not any(address.startswith("10.") for address in client_addresses(1000))


def servers_in(answer: str) -> dict[str, int]:
    return {server: int(count) for server, count in
            re.findall(r"^  (\d+\.\d+\.\d+\.\d+:\d+)\s+(\d+)", answer, re.MULTILINE)}


def test_break_a_server_and_watch_the_failover(sim_any_version, api_connect) -> None:
    sim = sim_any_version
    configure(api_connect(sim), sim.profile.is_v7, sim.profile.email_server_key)
    console = Console(sim, virtual_clock=True)
    assert "advanced 10s" in console.execute(f"advance {INTERVAL}")

    before = console.execute(f"clients 200 {PUBLIC} 80")
    split = servers_in(before)
    assert set(split) == {f"{address}:80" for address in PIS.values()}
    assert sum(split.values()) == 200

    assert "stops answering" in console.execute(f"down {PIS['Pi132']}")
    advanced = console.execute(f"advance {INTERVAL}")
    assert "mail" in advanced
    assert "Pi132 down" in advanced

    after = console.execute(f"clients 200 {PUBLIC} 80")
    assert servers_in(after) == {f"{PIS['Pi134']}:80": 200}
    assert f"moved since the last run: {split[PIS['Pi132'] + ':80']} of 200" in after

    assert "Pi132 down" in console.execute("mail")
    console.execute(f"up {PIS['Pi132']}")
    console.execute(f"advance {INTERVAL}")
    assert servers_in(console.execute(f"clients 200 {PUBLIC} 80")) == split
    assert "Pi132 up" in console.execute("mail")


def test_advance_is_refused_on_a_real_time_clock(sim) -> None:
    answer = Console(sim, virtual_clock=False).execute("advance 10")
    assert answer.startswith("error: advance: the clock follows real time here")
    assert sim.router.clock.now() == 0


def test_log_shows_the_last_lines_and_help_lists_every_command(sim) -> None:
    console = Console(sim, virtual_clock=True)
    assert console.execute("log") == "the log is empty"
    assert console.execute("mail") == "no e-mail sent yet"
    for n in range(3):
        sim.router.log_message("script,info", f"line {n}")
    assert console.execute("log 2").splitlines() == [
        f"log  {line['time']} script,info: {line['message']}" for line in sim.log[-2:]]
    help_text = console.execute("help")
    for word in ("down", "up", "advance", "clients", "mail", "log", "help"):
        assert re.search(rf"^  {word} ", help_text, re.MULTILINE)
    assert console.execute("nonsense").startswith("error: unknown command")


def test_the_command_line_router_takes_commands_and_outlives_its_stdin() -> None:
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "simulator", "--port", "0", "--clock", "virtual",
         "--seed-defconf"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdin is not None
        assert proc.stdout is not None
        match = LINE.fullmatch(proc.stdout.readline().strip())
        assert match is not None
        proc.stdin.write("down 192.168.1.132\nadvance nonsense\nadvance 5\n")
        proc.stdin.close()  # the terminal goes away: the router must stay
        answers = [proc.stdout.readline().strip() for _ in range(3)]
        assert answers[0].startswith("192.168.1.132 stops answering")
        assert answers[1].startswith("error: advance: 'nonsense' is not a duration")
        assert answers[2] == "advanced 5s (uptime 5s)"
        api = librouteros.connect("127.0.0.1", "admin", "", port=int(match.group(1)), timeout=5)
        try:
            # The clock is virtual: it stands where `advance` left it.
            assert next(iter(api("/system/resource/print")))["uptime"] == "5s"
        finally:
            api.close()
        assert proc.poll() is None
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
        proc.stderr.close()
