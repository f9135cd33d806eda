"""Netwatch: probe each `/tool/netwatch` entry on the virtual clock and run its scripts.

Probe semantics, against the hosts the test describes (`hosts.py`):
- v6, and v7 `simple`/`icmp`/`dns`: up when the host answers ICMP;
- v7 `tcp-conn`: up when `port` is open;
- v7 `http-get`/`https-get`: up when `port` is open and the host's HTTP code is in
  `http-codes` (a comma list of codes and ranges such as `200-299,301`); without `http-codes`,
  100..299 is up (the manual's http-code-min/max defaults; a redirect is down).
A probe's result applies at the probe's time: no round trip or timeout is modelled.

Timing: a new or edited entry probes first after `start-delay` (v7, default 3s; at once on v6),
then every `interval`. After a reboot, v7 waits `startup-delay` (default 5m) instead.
On each status change (including the first from unknown) the up-script or down-script runs as
`*sys` with netwatch's policies (read, write, test, reboot); failures land in `/log`.
An edit, enable or disable resets the entry to unknown (the menu does it) and restarts probing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.background import NETWATCH_POLICIES, run_source
from simulator.hosts import Hosts
from simulator.schema import parse_seconds

PATH = "/tool/netwatch"
RUNTIME = frozenset({"status", "since", "done-tests", "failed-tests"})
HTTP_TYPES = ("http-get", "https-get")


@dataclass
class _Watch:
    fingerprint: tuple[tuple[str, str], ...]
    timer: Any = None


class Netwatch:
    def __init__(self, router: Any, hosts: Hosts) -> None:
        self.router = router
        self.hosts = hosts
        self._watches: dict[int, _Watch] = {}

    def install(self) -> None:
        self.router.on_change.append(self._changed)
        self.sync(booting=True)  # entries loaded from a state file start as after a reboot

    def _changed(self, path: str, verb: str, ids: list[int]) -> None:
        if path != PATH:
            return
        if verb != "add":
            # An edit restarts probing even when it changed nothing (the menu reset the status).
            for item_id in ids:
                watch = self._watches.pop(item_id, None)
                if watch is not None:
                    self.router.clock.cancel(watch.timer)
        self.sync()

    def sync(self, *, booting: bool = False) -> None:
        """Start probing new entries, restart edited ones, forget removed ones."""
        menu = self.router.list_menu(PATH)
        seen = set()
        for item in menu.items:
            seen.add(item.id)
            fingerprint = tuple((k, v) for k, v in item.props.items() if k not in RUNTIME)
            watch = self._watches.get(item.id)
            if watch is not None and watch.fingerprint == fingerprint and not booting:
                continue
            if watch is not None:
                self.router.clock.cancel(watch.timer)
            watch = _Watch(fingerprint)
            self._watches[item.id] = watch
            if booting:
                self.router.update_props(PATH, item.id, status="unknown", since=None)
            if item.props.get("disabled") == "true":
                continue
            delay_name = "startup-delay" if booting else "start-delay"
            delay = self._seconds(item, delay_name, 0.0) if self.router.profile.is_v7 else 0.0
            watch.timer = self.router.clock.call_later(delay, lambda i=item.id: self._probe(i))
        for gone in set(self._watches) - seen:
            self.router.clock.cancel(self._watches.pop(gone).timer)

    def reboot(self) -> None:
        for watch in self._watches.values():
            self.router.clock.cancel(watch.timer)
        self._watches.clear()
        self.sync(booting=True)

    def _seconds(self, item: Any, name: str, fallback: float) -> float:
        value = self.router.effective(PATH, item, name)
        return parse_seconds(value) if value else fallback

    def _probe(self, item_id: int) -> None:
        item = self.router.list_menu(PATH).get(item_id)
        watch = self._watches.get(item_id)
        if item is None or watch is None:
            return
        # Schedule the next probe first: the script below may edit this entry, which restarts it.
        interval = max(self._seconds(item, "interval", 60.0), 0.1)
        watch.timer = self.router.clock.call_later(interval, lambda: self._probe(item_id))
        up = self._is_up(item)
        updates: dict[str, str | None] = {}
        if self.router.profile.is_v7:
            updates["done_tests"] = str(int(item.props.get("done-tests", "0")) + 1)
            if not up:
                updates["failed_tests"] = str(int(item.props.get("failed-tests", "0")) + 1)
        status = "up" if up else "down"
        changed = item.props.get("status") != status
        if changed:
            updates.update(status=status, since=self.router.now_text())
        self.router.update_props(PATH, item_id, **updates)
        if changed:
            script = item.props.get("up-script" if up else "down-script", "")
            host = item.props.get("host", "")
            run_source(self.router, script, policies=NETWATCH_POLICIES, owner="*sys",
                       origin=f"netwatch ({host} {status}-script)")

    def _is_up(self, item: Any) -> bool:
        host = item.props.get("host", "").partition("@")[0]  # the vrf routes, not the host
        if not self.router.profile.is_v7:
            return self.hosts.reachable(host)
        kind = self.router.effective(PATH, item, "type") or "simple"
        port = int(self.router.effective(PATH, item, "port") or "80")  # 443 for https-get
        if kind == "tcp-conn":
            return self.hosts.port_open(host, port)
        if kind in HTTP_TYPES:
            code = self.hosts.http_code(host, port)
            return code is not None and code_accepted(code, item.props.get("http-codes", ""))
        return self.hosts.reachable(host)


# Without `http-codes`, the manual's pass range for http-get: [http-code-min, http-code-max]
# with their documented defaults 100 and 299 (see docs/simulator-internals.md).
DEFAULT_PASS = (100, 299)


def code_accepted(code: int, accepted: str) -> bool:
    """Whether `code` is in a comma list of codes and ranges; empty means 100..299."""
    if not accepted.strip():
        return DEFAULT_PASS[0] <= code <= DEFAULT_PASS[1]
    for part in accepted.split(","):
        first, _, last = part.strip().partition("-")
        if first.isdigit() and int(first) <= code <= int(last if last.isdigit() else first):
            return True
    return False
