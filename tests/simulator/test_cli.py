"""`python -m simulator` as a user runs it: a subprocess on a free port, then a login."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import librouteros
import pytest

from simulator import Simulator
from simulator.server import ServerError

LINE = re.compile(r"listening on 127\.0\.0\.1:(\d+) \(RouterOS ([\d.]+)(, TLS, ca-file=(.+))?\)")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_cli() -> Iterator:
    started: list[subprocess.Popen[str]] = []

    def run(
        *args: str, env: dict[str, str] | None = None
    ) -> tuple[subprocess.Popen[str], re.Match[str]]:
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "simulator", "--port", "0", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **(env or {})},
        )
        started.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = LINE.fullmatch(line.strip())
        if match is None:
            stderr = proc.stderr.read() if proc.poll() is not None else ""
            pytest.fail(f"unexpected first line {line!r}; stderr: {stderr}")
        return proc, match

    yield run
    for proc in started:
        if proc.poll() is None:
            # SIGTERM, not SIGKILL: a killed simulator leaves its TLS key in the temp dir.
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()


def test_serves_and_stops_on_sigterm(run_cli) -> None:
    proc, match = run_cli(
        "--version", "6.49", "--user", "ops", env={"ROUTEROS_PASSWORD": "from-env"}
    )
    assert match.group(2).startswith("6.49")
    api = librouteros.connect("127.0.0.1", "ops", "from-env", port=int(match.group(1)), timeout=5)
    assert tuple(api("/ip/firewall/nat/print")) == ()
    api.close()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0
    assert "from-env" not in proc.stderr.read()


def test_tls_line_names_the_ca_file(run_cli) -> None:
    import ssl

    proc, match = run_cli("--tls")
    ca_file = match.group(4)
    context = ssl.create_default_context(cafile=ca_file)
    api = librouteros.connect(
        "127.0.0.1",
        "admin",
        "",
        port=int(match.group(1)),
        timeout=5,
        ssl_wrapper=lambda s: context.wrap_socket(s, server_hostname="localhost"),
    )
    assert tuple(api("/ip/firewall/nat/print")) == ()
    api.close()
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=10) == 0
    assert not Path(ca_file).parent.exists()  # the certificate and its key went with it


def test_state_survives_a_restart(run_cli, tmp_path: Path) -> None:
    state = tmp_path / "router.json"
    proc, match = run_cli("--state", str(state))
    api = librouteros.connect("127.0.0.1", "admin", "", port=int(match.group(1)), timeout=5)
    api.path("/ip/firewall/nat").add(chain="dstnat", comment="kept")
    api.close()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0

    _, match = run_cli("--state", str(state))
    api = librouteros.connect("127.0.0.1", "admin", "", port=int(match.group(1)), timeout=5)
    assert [row["comment"] for row in api.path("/ip/firewall/nat")] == ["kept"]
    api.close()


def test_seed_defconf_with_state_seeds_once(run_cli, tmp_path: Path) -> None:
    state = tmp_path / "router.json"
    dummy = "special dummy rule to show fasttrack counters"
    proc, match = run_cli("--version", "6.49", "--state", str(state), "--seed-defconf")
    api = librouteros.connect("127.0.0.1", "admin", "", port=int(match.group(1)), timeout=5)
    nat = api.path("/ip/firewall/nat")
    [top, masquerade] = nat
    assert (top["comment"], top["dynamic"]) == (dummy, True)
    assert (masquerade["comment"], masquerade["out-interface-list"]) == (
        "defconf: masquerade", "WAN")
    nat.add(chain="dstnat", comment="ours", **{"place-before": masquerade[".id"]})
    api.close()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0

    # Restarted: the dynamic rule is back on top, the saved configuration is not seeded again.
    proc, match = run_cli("--version", "6.49", "--state", str(state), "--seed-defconf")
    api = librouteros.connect("127.0.0.1", "admin", "", port=int(match.group(1)), timeout=5)
    assert [row["comment"] for row in api.path("/ip/firewall/nat")] == [
        dummy, "ours", "defconf: masquerade"]
    assert len(list(api.path("/ip/firewall/filter"))) == 9
    api.close()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0

    # Another version's menus differ: its state file is refused, not half loaded.
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "simulator", "--port", "0", "--state", str(state)],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 2
    assert "saved by RouterOS 6.49" in result.stderr


def _refused(*args: str) -> str:
    """Run the simulator with arguments it must refuse; what it said on stderr."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "simulator", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )
    assert result.returncode == 2, result.stdout + result.stderr
    return result.stderr


def test_non_loopback_host_is_refused() -> None:
    assert "loopback" in _refused("--host", "0.0.0.0", "--port", "0")  # noqa: S104


def test_a_port_out_of_range_is_refused_not_hung() -> None:
    assert "70000 is not a TCP port" in _refused("--port", "70000")


def test_a_corrupt_state_file_is_named(tmp_path: Path) -> None:
    state = tmp_path / "router.json"
    state.write_text("{half a file")
    assert f"state file {state} is not a saved configuration" in _refused(
        "--port", "0", "--state", str(state))


def test_the_python_api_refuses_a_port_out_of_range() -> None:
    with pytest.raises(ServerError, match="cannot listen"):
        Simulator(port=70000).start()
