"""The peer: the same router objects applied by Ansible's `community.routeros.api_modify`.

One task per menu path with the plan's entries as the providers would write them (the ownership
tag in the comment), `ensure_order` where order matters (firewall chains), `restrict` to our own
entries (by the tag in the comment, by name for scripts and schedulers) so that
`handle_absent_entries: remove` removes what left the plan and nothing else, as a careful
playbook would. A destroy is the same tasks with no entries.

Ansible runs as a person runs it: `ansible-playbook` against localhost with `connection: local`,
the module on the venv's interpreter (librouteros is there). The password travels in a vars file
in a private temporary directory, never on the command line or in the output.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from balancer.model import MENU_PATHS, Menu, PlannedObject, PlannedOrder
from routeros_vocabulary.tags import compose_comment

# RouterOS prints a script's policy in this order; an entry that lists it otherwise is "changed"
# on every run (api_modify compares strings).
POLICY_ORDER = ("ftp", "reboot", "read", "write", "policy", "test", "password", "sniff",
                "sensitive", "romon")
BOOLEANS = {"yes": True, "no": False, "true": True, "false": False}
ORDERED: frozenset[Menu] = frozenset({"mangle", "nat"})
NAMED: frozenset[Menu] = frozenset({"script", "scheduler"})
MENU_ORDER: tuple[Menu, ...] = ("script", "scheduler", "mangle", "nat", "netwatch")


class AnsibleError(Exception):
    """ansible-playbook failed; the message carries its output (which never holds the password)."""


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    username: str
    password: str


def ansible_playbook() -> str:
    """The `ansible-playbook` next to this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("ansible-playbook")
    if beside.exists():
        return str(beside)
    found = shutil.which("ansible-playbook")
    if found is None:
        raise AnsibleError("ansible-playbook not found: `pip install -r requirements-bench.txt`")
    return found


def entry(obj: PlannedObject) -> dict[str, Any]:
    """The entry api_modify is given for one planned object."""
    props: dict[str, Any] = dict(obj.properties)
    comment = compose_comment(props.pop("comment", None), obj.tag)
    if comment is not None:
        props["comment"] = comment
    if "policy" in props:
        wanted = set(props["policy"].split(","))
        props["policy"] = ",".join(p for p in POLICY_ORDER if p in wanted)
    if "source" in props:
        # RouterOS stores a script's lines with CRLF; api_modify compares strings.
        props["source"] = props["source"].replace("\r\n", "\n").replace("\n", "\r\n")
    # librouteros hands api_modify booleans for `yes`/`no`: compare like with like.
    return {k: BOOLEANS.get(v, v) if isinstance(v, str) else v for k, v in props.items()}


def menu_entries(objects: Sequence[PlannedObject], orders: Sequence[PlannedOrder],
                 menu: Menu) -> list[dict[str, Any]]:
    """`menu`'s entries, ordered chains first in their wanted order, then the rest."""
    mine = [obj for obj in objects if obj.menu == menu]
    by_key = {obj.key: obj for obj in mine}
    ordered = [by_key[key] for order in orders if order.menu == menu
               for key in order.members if key in by_key]
    placed = {obj.key for obj in ordered}
    return [entry(obj) for obj in [*ordered, *(o for o in mine if o.key not in placed)]]


def restrict(menu: Menu, tag_prefix: str, name_prefix: str) -> list[dict[str, Any]]:
    if menu in NAMED:
        return [{"field": "name", "regex": f"^{_escape(name_prefix)}"}]
    # api_modify matches a restrict regex at the start of the value (`re.match`).
    return [{"field": "comment", "regex": rf".*\[lb:{_escape(tag_prefix)}[^\]]*\]$"}]


def _escape(text: str) -> str:
    return "".join(f"\\{c}" if not c.isalnum() else c for c in text)


def playbook(objects: Sequence[PlannedObject], orders: Sequence[PlannedOrder],
             tag_prefix: str, name_prefix: str, menus: Iterable[Menu] = MENU_ORDER,
             *, destroy: bool = False) -> list[dict[str, Any]]:
    tasks = []
    for menu in menus:
        data = [] if destroy else menu_entries(objects, orders, menu)
        tasks.append({
            "name": MENU_PATHS[menu],
            "community.routeros.api_modify": {
                "path": MENU_PATHS[menu].strip("/").replace("/", " "),
                "data": data,
                "handle_absent_entries": "remove",
                "handle_entries_content": "remove_as_much_as_possible",
                "ensure_order": menu in ORDERED and not destroy,
                "restrict": restrict(menu, tag_prefix, name_prefix),
            },
        })
    return _play(tasks)


def info_playbook(menus: Iterable[Menu] = MENU_ORDER) -> list[dict[str, Any]]:
    """What the peer has for a refresh: read every path (`api_info`), change nothing."""
    return _play([{"name": MENU_PATHS[menu], "community.routeros.api_info": {
        "path": MENU_PATHS[menu].strip("/").replace("/", " ")}} for menu in menus])


def _play(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{
        "hosts": "localhost",
        "gather_facts": False,
        "module_defaults": {"group/community.routeros.api": {
            "hostname": "{{ router_host }}", "port": "{{ router_port }}",
            "username": "{{ router_user }}", "password": "{{ router_password }}",
            "tls": False,
        }},
        "tasks": tasks,
    }]


@dataclass
class PlayResult:
    seconds: float
    changed: int
    output: str


class AnsiblePeer:
    """Runs plays against one router from a private working directory."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self._dir = Path(tempfile.mkdtemp(prefix="bench-ansible-"))
        os.chmod(self._dir, 0o700)
        variables = {"router_host": target.host, "router_port": target.port,
                     "router_user": target.username, "router_password": target.password}
        (self._dir / "vars.json").write_text(json.dumps(variables))
        (self._dir / "inventory").write_text("localhost ansible_connection=local\n")

    def close(self) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> AnsiblePeer:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def run(self, play: list[dict[str, Any]]) -> PlayResult:
        path = self._dir / "play.json"  # YAML is a superset of JSON
        path.write_text(json.dumps(play))
        env = dict(os.environ,
                   ANSIBLE_PYTHON_INTERPRETER=sys.executable,
                   ANSIBLE_LOCALHOST_WARNING="False", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_RETRY_FILES_ENABLED="False", ANSIBLE_HOST_KEY_CHECKING="False",
                   ANSIBLE_LOCAL_TEMP=str(self._dir / "tmp"),
                   ANSIBLE_REMOTE_TEMP=str(self._dir / "tmp"))
        start = time.perf_counter()
        done = subprocess.run(  # noqa: S603 - our own playbook, fixed arguments
            [ansible_playbook(), "-i", str(self._dir / "inventory"),
             "-e", f"@{self._dir / 'vars.json'}", str(path)],
            cwd=self._dir, env=env, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        output = done.stdout + done.stderr
        if self.target.password:
            output = output.replace(self.target.password, "<redacted>")
        if done.returncode != 0:
            raise AnsibleError(f"ansible-playbook exited {done.returncode}:\n{output[-4000:]}")
        return PlayResult(seconds, _recap_changed(output), output)

    def startup(self) -> PlayResult:
        """A play with no task: what every run pays before its first module."""
        return self.run([{"hosts": "localhost", "gather_facts": False, "tasks": []}])


def _recap_changed(output: str) -> int:
    for line in output.splitlines():
        if line.startswith("localhost") and "changed=" in line:
            return int(line.split("changed=", 1)[1].split()[0])
    return 0
