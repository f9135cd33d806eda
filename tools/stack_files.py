"""Stack files (`stacks/Pulumi.<stack>.yaml`) as the tools read them, without the Pulumi engine.

`read_stack(stack)` is the file read as the Pulumi CLI reads it (`stackconfig.stack_file`), and
`stack_config(stack)` its `config:` map. `pointed_at(config, host, port, username)` is the same
config aimed at another router (the simulator): connection keys replaced, TLS off, everything else
(services, e-mail) untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stackconfig.stack_file import StackFile, StackFileError, read_stack_file

ROOT = Path(__file__).resolve().parents[1]
STACKS = ROOT / "stacks"

__all__ = ["STACKS", "StackFileError", "known_stacks", "pointed_at", "read_stack", "stack_config",
           "stack_file"]


def known_stacks(directory: Path = STACKS) -> list[str]:
    return sorted(path.name.split(".")[1] for path in directory.glob("Pulumi.*.yaml"))


def stack_file(stack: str, directory: Path = STACKS) -> Path:
    path = directory / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        known = ", ".join(known_stacks(directory)) or "none"
        raise StackFileError([(f"no stack {stack!r}",
                               f"{path} does not exist; known stacks: {known}")])
    return path


def read_stack(stack: str, directory: Path = STACKS) -> StackFile:
    return read_stack_file(stack_file(stack, directory))


def stack_config(stack: str, directory: Path = STACKS) -> dict[str, Any]:
    return dict(read_stack(stack, directory).config)


CONNECTION_KEYS = ("routeros:host", "routeros:port", "routeros:tls", "routeros:caFile",
                   "routeros:verifyTls", "routeros:username", "routeros:password")


def pointed_at(config: dict[str, Any], host: str, port: int, username: str) -> dict[str, Any]:
    """The stack's config aimed at the router at `host:port` (plain API, no TLS)."""
    kept = {key: value for key, value in config.items() if key not in CONNECTION_KEYS}
    return {**kept, "routeros:host": host, "routeros:port": str(port), "routeros:tls": "false",
            "routeros:username": username}
