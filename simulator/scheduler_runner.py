"""Run `/system/scheduler` events on the virtual clock.

An enabled entry with a start date and time runs at the time the menu prints as `next-run`, then
every `interval` (a zero interval runs once). `start-time=startup` entries with a zero interval run
`STARTUP_DELAY` seconds after each boot (the simulator's start and every `reboot`); with an
interval they do not run at boot ("If the interval is set to value other than 0 scheduler will
not run at startup", manual) but every `interval` from the boot, or from the add or edit.
`on-event` naming a `/system/script` runs that script as `/system script run` would, with the
entry's policies; any other text runs as a script source. Each run bumps `run-count`; failures
land in `/log`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.background import run_named, run_source
from simulator.schema import parse_seconds

PATH = "/system/scheduler"
RUNTIME = frozenset({"run-count", "next-run"})
# RouterOS: "startup - execute the script 3 seconds after the system startup".
STARTUP_DELAY = 3.0


@dataclass
class _Event:
    fingerprint: tuple[tuple[str, str], ...]
    timer: Any = None


class Scheduler:
    def __init__(self, router: Any) -> None:
        self.router = router
        self._events: dict[int, _Event] = {}

    def install(self) -> None:
        self.router.on_change.append(self._changed)
        self.sync(booting=True)

    def reboot(self) -> None:
        for event in self._events.values():
            self.router.clock.cancel(event.timer)
        self._events.clear()
        self.sync(booting=True)

    def _changed(self, path: str, verb: str, ids: list[int]) -> None:
        if path == PATH:
            self.sync()

    def sync(self, *, booting: bool = False) -> None:
        menu = self.router.list_menu(PATH)
        seen = set()
        for item in menu.items:
            seen.add(item.id)
            fingerprint = tuple((k, v) for k, v in item.props.items() if k not in RUNTIME)
            event = self._events.get(item.id)
            if event is not None and event.fingerprint == fingerprint:
                continue
            if event is not None:
                self.router.clock.cancel(event.timer)
            event = _Event(fingerprint)
            self._events[item.id] = event
            if item.props.get("disabled") == "true":
                continue
            if item.props.get("start-time") == "startup":
                interval = parse_seconds(item.props.get("interval", "0s"))
                if interval > 0:
                    # "If the interval is set to value other than 0 scheduler will not run at
                    # startup" (manual): every interval from boot (or from the edit) instead.
                    event.timer = self.router.clock.call_later(
                        interval, lambda i=item.id: self._fire(i))
                elif booting:
                    event.timer = self.router.clock.call_later(
                        STARTUP_DELAY, lambda i=item.id: self._fire(i))
            else:
                self._schedule(item.id, event)
        for gone in set(self._events) - seen:
            self.router.clock.cancel(self._events.pop(gone).timer)

    def _schedule(self, item_id: int, event: _Event) -> None:
        menu = self.router.list_menu(PATH)
        item = menu.get(item_id)
        when = menu.next_run(self.router, item) if item is not None else None
        if when is not None:
            due = self.router.clock.at_wallclock(when)
            event.timer = self.router.clock.call_at(due, lambda: self._fire(item_id))

    def _fire(self, item_id: int) -> None:
        item = self.router.list_menu(PATH).get(item_id)
        event = self._events.get(item_id)
        if item is None or event is None:
            return
        if item.props.get("start-time") == "startup":
            interval = parse_seconds(item.props.get("interval", "0s"))
            if interval > 0:
                event.timer = self.router.clock.call_later(interval, lambda: self._fire(item_id))
        else:
            self._schedule(item_id, event)
        self.router.update_props(
            PATH, item_id, run_count=str(int(item.props.get("run-count", "0")) + 1))
        self._run(item)

    def _run(self, item: Any) -> None:
        name = item.props.get("name", "")
        policies = frozenset(p for p in item.props.get("policy", "").split(",") if p)
        owner = item.props.get("owner", "*sys")
        event = item.props.get("on-event", "")
        origin = f"scheduler ({name})"
        scripts = self.router.list_menu("/system/script").items
        if any(script.props.get("name") == event for script in scripts):
            run_named(self.router, event, policies=policies, owner=owner, origin=origin)
        else:
            run_source(self.router, event, policies=policies, owner=owner, origin=origin)
