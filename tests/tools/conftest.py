"""Stack files for the tools' tests: a service of three servers (weights 1, 1, 2), written into a
temporary stacks directory so the tests do not depend on how the repository's stacks evolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackconfig.stack_file import write_stack_file

FRONTEND = "203.0.113.2"
SERVERS = {"app1": "192.168.1.11", "app2": "192.168.1.12", "app3": "192.168.1.13"}


def stack_document(**service_overrides: object) -> dict:
    service = {
        "frontend": {"address": FRONTEND, "protocol": "tcp", "ports": [80, 443]},
        "servers": {"app1": {"address": SERVERS["app1"]}, "app2": {"address": SERVERS["app2"]},
                    "app3": {"address": SERVERS["app3"], "weight": 2}},
        "health": {"type": "icmp", "interval": "10s", "timeout": "1s"},
        **service_overrides,
    }
    return {"config": {
        "routeros:host": "127.0.0.1",
        "routeros:port": 8728,
        "routeros:username": "admin",
        "routeros:version": "7.20",
        "routeros-lb:email": {"server": "127.0.0.1", "port": 25, "from": "router@dev.example",
                              "to": "admin@dev.example"},
        "routeros-lb:services": {"web": service},
    }}


def write_stack(directory: Path, name: str, document: dict) -> Path:
    path = directory / f"Pulumi.{name}.yaml"
    return write_stack_file(path, document["config"])


@pytest.fixture
def stacks(tmp_path: Path) -> Path:
    """A stacks directory with `lab` (the three-server service)."""
    directory = tmp_path / "stacks"
    directory.mkdir()
    write_stack(directory, "lab", stack_document())
    return directory
