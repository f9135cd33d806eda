"""The router model: its menus, users, log, command counters and state file, behind
`Router.call(Request) -> Response`.

Everything that changes the router's configuration goes through `call` (the API session, the
script interpreter, tests). The behaviour (part 2) plugs in through `register`, `script_runner`,
`on_change` and the small internal API at the end of the class. This module knows no bytes,
sockets or wire format.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from simulator.api import Request, Response
from simulator.clock import Clock
from simulator.menus import build_menus
from simulator.menus.engine import Handler, Item, ListMenu, Menu, no_such_command
from simulator.profiles import Profile
from simulator.profiles import profile as find_profile
from simulator.schema import format_datetime

__all__ = ["Item", "Router"]

ChangeCallback = Callable[[str, str, list[int]], None]
# RouterOS keeps the last 1000 lines of `/log` in memory (`/system logging action` memory-lines
# default 1000); older lines go first.
LOG_LINES = 1000
# And each line's length [decided: RouterOS's limit is not documented; 1000 lines of scripts'
# 4 MiB strings would otherwise be gigabytes].
LOG_LINE_CHARS = 4096
ScriptRunner = Callable[..., str]


class Router:
    def __init__(
        self,
        profile: Profile | str,
        users: dict[str, str] | None = None,
        clock: Clock | None = None,
        state_file: str | Path | None = None,
        seed_defconf: bool = False,
    ) -> None:
        self.profile = find_profile(profile) if isinstance(profile, str) else profile
        self.users: dict[str, str] = dict(users) if users is not None else {"admin": ""}
        self.clock = clock or Clock()
        self.lock = threading.RLock()
        self.stats: Counter[str] = Counter()
        self.on_change: list[ChangeCallback] = []
        # Run after each (simulated) reboot, with `lock` held: the server drops every API
        # session here. A callback must not wait for another thread that may need `lock`.
        self.on_reboot: list[Callable[[], None]] = []
        # `(router, source, *, policies, owner, dont_require_permissions) -> output`;
        # installed by the behaviour.
        self.script_runner: ScriptRunner | None = None
        self.menus: dict[str, Menu] = {m.path: m for m in build_menus(self.profile)}
        self._handlers: dict[tuple[str, str], Handler] = {}
        self.state_file = Path(state_file) if state_file is not None else None
        self.booted_at = 0.0  # the clock's reading at the last (simulated) boot: uptime's zero
        self._boot(seed_defconf)

    def _boot(self, seed_defconf: bool) -> None:
        from simulator import defconf, state

        loaded = self.state_file is not None and state.load(self, self.state_file)
        if seed_defconf:
            # Dynamic rules belong to the running system, not the configuration: they are
            # there after every start; the default configuration only on a fresh router.
            defconf.seed_dynamic(self)
            if not loaded:
                defconf.seed_config(self)
            # Seeding goes through `call`, which counts; the counters are for what clients and
            # the router's scripts are served, so a fresh router starts them at zero.
            self.stats.clear()
        if self.state_file is not None:
            path = self.state_file
            state.save(self, path)
            self.on_change.append(lambda *_: state.save(self, path))

    # the call surface -------------------------------------------------------------------------

    def call(self, request: Request) -> Response:
        with self.lock:
            self.stats[request.command] += 1
            handler = self._handlers.get((request.path, request.verb))
            if handler is not None:
                return handler(self, request)
            menu = self.menus.get(request.path)
            if menu is None:
                raise no_such_command(self.first_unknown_word(request.command))
            return menu.handle(self, request)

    def first_unknown_word(self, command: str) -> str:
        """The word of `command` where it leaves every known path (what the trap names)."""
        known = set(self.menus) | {path for path, _ in self._handlers}
        prefixes = {"/".join(p.split("/")[:n]) for p in known for n in range(1, p.count("/") + 2)}
        words = command.strip("/").split("/")
        for n in range(1, len(words) + 1):
            if "/" + "/".join(words[:n]) not in prefixes:
                return words[n - 1]
        return words[-1]

    def stats_for(self, path: str) -> int:
        """Commands served on `path` (`/ip/firewall/nat` counts `/ip/firewall/nat/print` …)."""
        prefix = path.rstrip("/") + "/"
        return sum(n for command, n in self.stats.items()
                   if command.startswith(prefix) and "/" not in command[len(prefix):])

    def register(self, path: str, verb: str, handler: Handler) -> None:
        """Answer `path/verb` with `handler(router, request)`, before any menu's own verb."""
        self._handlers[(path, verb)] = handler

    def notify_change(self, path: str, verb: str, ids: list[int]) -> None:
        for callback in list(self.on_change):
            callback(path, verb, ids)

    # the behaviour's internal API ----------------------------------------------------------

    def list_menu(self, path: str) -> ListMenu:
        menu = self.menus[path]
        if not isinstance(menu, ListMenu):
            raise TypeError(f"{path} is not a list menu")
        return menu

    def add_dynamic(self, path: str, props: dict[str, str], *, top: bool = False) -> Item:
        """Add an item as the router itself does (unvalidated, no on_change): conntrack entries,
        dynamic rules. `top` places it before every other item."""
        with self.lock:
            return self.list_menu(path).add_internal(props, dynamic=True,
                                                     index=0 if top else None)

    def update_props(self, path: str, item_id: int, **props: str | None) -> None:
        """Write read-only values (counters, status) in place; `None` removes one. Keyword
        names use `_` for `-` (`run_count=...`)."""
        with self.lock:
            item = self.list_menu(path).get(item_id)
            if item is None:
                raise KeyError(f"{path} has no item *{item_id:X}")
            for name, value in props.items():
                key = name.replace("_", "-")
                if value is None:
                    item.props.pop(key, None)
                else:
                    item.props[key] = value

    def remove_items(self, path: str, ids: Iterable[int]) -> None:
        """Remove items as the router itself does (expired conntrack entries)."""
        with self.lock:
            self.list_menu(path).remove_internal(ids)

    def renumber(self) -> None:
        """New ids for the items of every list menu (a reboot; see `ListMenu.renumber`)."""
        with self.lock:
            for menu in self.menus.values():
                if isinstance(menu, ListMenu):
                    menu.renumber()

    def effective(self, path: str, item: Item, name: str) -> str | None:
        """A property's value with unprinted defaults applied (v7 netwatch's interval)."""
        if name in item.props:
            return item.props[name]
        return self.list_menu(path).default_for(item, name)

    def now_text(self) -> str:
        """The clock's time as this version prints dates."""
        return format_datetime(self.clock.wallclock(), self.profile.iso_dates)

    def log_message(self, topics: str, message: str) -> None:
        with self.lock:
            log = self.list_menu("/log")
            log.add_internal(
                {"time": self.now_text(), "topics": topics, "message": message[:LOG_LINE_CHARS]},
                dynamic=False,
            )
            if len(log.items) > LOG_LINES:
                del log.items[: len(log.items) - LOG_LINES]
