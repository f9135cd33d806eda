"""Stack files (`stacks/Pulumi.<stack>.yaml`) as the tools read them, without the Pulumi engine.

`stack_config(stack)` is the file's `config:` map. `pointed_at(config, host, port, username)`
is the same config aimed at another router (the simulator): connection keys replaced, TLS off,
everything else (services, e-mail) untouched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
STACKS = ROOT / "stacks"


class StackFileError(Exception):
    """A stack that does not exist or whose file cannot be read; the message says which."""


def known_stacks(directory: Path = STACKS) -> list[str]:
    return sorted(path.name.split(".")[1] for path in directory.glob("Pulumi.*.yaml"))


def stack_file(stack: str, directory: Path = STACKS) -> Path:
    path = directory / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise StackFileError(f"no stack {stack!r}: {path} does not exist; known stacks: "
                             f"{', '.join(known_stacks(directory)) or 'none'}")
    return path


def stack_config(stack: str, directory: Path = STACKS) -> dict[str, Any]:
    path = stack_file(stack, directory)
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise StackFileError(f"{path} is not valid YAML: {error}") from None
    config = document.get("config", {}) if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise StackFileError(f"{path}: `config` must be a map of settings")
    return dict(config)


CONNECTION_KEYS = ("routeros:host", "routeros:port", "routeros:tls", "routeros:caFile",
                   "routeros:verifyTls", "routeros:username", "routeros:password")


def pointed_at(config: dict[str, Any], host: str, port: int, username: str) -> dict[str, Any]:
    """The stack's config aimed at the router at `host:port` (plain API, no TLS)."""
    kept = {key: value for key, value in config.items() if key not in CONNECTION_KEYS}
    return {**kept, "routeros:host": host, "routeros:port": port, "routeros:tls": False,
            "routeros:username": username}
