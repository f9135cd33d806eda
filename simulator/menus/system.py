"""The `/system` menus (`script` with `run`, `scheduler`, `resource`, `identity`) and `/log`.

This module knows what these menus hold and refuse; the script language itself is the
behaviour's (reached through `router.script_runner`), and so is running scheduled events.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from simulator.api import ALL_POLICIES, Category, CommandError, Request, Response
from simulator.menus.engine import Handler, Item, ListMenu, SingletonMenu
from simulator.profiles import Profile
from simulator.schema import (
    Bool,
    Date,
    Duration,
    InvalidValue,
    Name,
    PolicyList,
    Prop,
    Schema,
    Source,
    Text,
    TimeOfDay,
    format_date,
    format_datetime,
    format_seconds,
    parse_seconds,
)

if TYPE_CHECKING:
    from simulator.router import Router

ALL_POLICY_TEXT = PolicyList().parse(",".join(ALL_POLICIES))
EPOCH = datetime(1970, 1, 1)

# [uncertain] the reference has this text for duplicate names on v7 but not for these menus.
DUPLICATE_NAME = "failure: item with this name already exists"


class NamedMenu(ListMenu):
    """A list whose items have unique names, which `.id` also accepts; unnamed items get
    `<stem>N` as RouterOS does."""

    key = "name"
    stem = "item"

    def on_add(self, router: Router, request: Request, props: dict[str, str]) -> None:
        if "name" not in props:
            taken = {item.props.get("name") for item in self.items}
            n = 1
            while f"{self.stem}{n}" in taken:
                n += 1
            props["name"] = f"{self.stem}{n}"

    def check(self, router: Router, props: dict[str, str], item: Item | None) -> None:
        super().check(router, props, item)
        name = props.get("name", "")
        if any(other is not item and other.props.get("name") == name for other in self.items):
            raise CommandError(DUPLICATE_NAME)


NOT_ENOUGH_PERMISSIONS = "not enough permissions (9)"


def _policy_set(text: str | None) -> frozenset[str]:
    return frozenset(p for p in (text or "").split(",") if p)


class PolicyGuarded(NamedMenu):
    """Scripts and scheduler entries run with the policies they hold: a requester (a script
    run from netwatch holds only read, write, test, reboot) may not give one more than it holds
    itself, nor change one that already holds more (its source, its event, enabling it), nor
    waive the check with `dont-require-permissions`.

    [decided] RouterOS documents that a script cannot run another with more policies; what it
    answers to these writes is not in our references. Refusing with the run's own text keeps a
    deployment from depending on an escalation a real router may refuse. An add without
    `policy` gets the requester's policies instead of all of them.
    """

    def on_add(self, router: Router, request: Request, props: dict[str, str]) -> None:
        super().on_add(router, request, props)
        if "policy" in request.attributes:
            self._refuse_beyond(request, _policy_set(props.get("policy")))
        else:
            props["policy"] = PolicyList().parse(",".join(request.policies))
        if props.get("dont-require-permissions") == "true":
            self._refuse_beyond(request, _policy_set(props.get("policy")))

    def _edit(self, router: Router, request: Request, verb: str,
              changes: dict[str, str | None]) -> Response:
        ids = self.ids_argument(request)
        for item in self.resolve_list(ids) if ids else []:
            self._refuse_beyond(request, _policy_set(item.props.get("policy")))
        if changes.get("policy") is not None:
            self._refuse_beyond(request, _policy_set(changes["policy"]))
        return super()._edit(router, request, verb, changes)

    @staticmethod
    def _refuse_beyond(request: Request, policies: frozenset[str]) -> None:
        if not policies <= request.policies:
            raise CommandError(NOT_ENOUGH_PERMISSIONS)


class ScriptMenu(PolicyGuarded):
    stem = "script"

    def __init__(self, profile: Profile) -> None:
        super().__init__("/system/script", Schema(profile, [
            Prop("name", Name()),
            Prop("owner", Name()),
            Prop("policy", PolicyList(), default=ALL_POLICY_TEXT),
            Prop("dont-require-permissions", Bool(), default="false"),
            Prop("last-started", read_only=True, runtime=True),
            Prop("run-count", read_only=True, runtime=True, default="0"),
            Prop("source", Source(), default=""),
            Prop("invalid", Bool(), read_only=True, default="false"),
            Prop("comment", Text()),
        ]))

    def on_add(self, router: Router, request: Request, props: dict[str, str]) -> None:
        super().on_add(router, request, props)
        props.setdefault("owner", request.user)

    def check(self, router: Router, props: dict[str, str], item: Item | None) -> None:
        if router.profile.is_v7 and " " in props.get("name", ""):
            # [uncertain] the reference says v7 rejects spaces, not with which words; we answer
            # like any other malformed value.
            raise InvalidValue().for_argument("name")
        super().check(router, props, item)

    def extra_verbs(self) -> dict[str, Handler]:
        return {"run": self.run}

    def run(self, router: Router, request: Request) -> Response:
        """Check policies, count the run, hand the source to the installed interpreter."""
        target = request.attributes.get(".id", request.attributes.get("number"))
        if target is None:
            raise CommandError("missing =.id=")
        item = self.resolve(target)
        policies = frozenset(p for p in item.props.get("policy", "").split(",") if p)
        dont_require = item.props.get("dont-require-permissions") == "true"
        if not dont_require and not policies <= request.policies:
            raise CommandError(NOT_ENOUGH_PERMISSIONS)
        item.props["run-count"] = str(int(item.props.get("run-count", "0")) + 1)
        item.props["last-started"] = router.now_text()
        item.props = self.schema.ordered(item.props)
        if router.script_runner is None:
            # [decided] the interpreter is part 2; until it is installed, `run` says so.
            raise CommandError("failure: script interpreter is not available",
                               Category.SCRIPT_FAILURE)
        try:
            output = router.script_runner(
                router,
                item.props.get("source", ""),
                policies=policies,
                owner=item.props.get("owner", request.user),
                dont_require_permissions=dont_require,
                script=item.props.get("name"),
            )
        except CommandError:
            raise
        except Exception as error:  # the interpreter's failure is the script's, not ours
            raise CommandError(str(error), Category.SCRIPT_FAILURE) from None
        return Response(ret=output or None)


class JobMenu(ListMenu):
    """`/system script job`: the scripts running now, listed by the job runner
    (simulator/jobs.py), which also answers `remove` (it stops the job).

    Fields from MikroTik's manual (Scripting, "Job": owner, policy, started; the script's name
    in `script`); `type` and `parent` on v7 (7.20's print). [uncertain] the `type` of a job
    that runs a netwatch or scheduler source rather than a named script; we print `script`.
    Login sessions, which a real router lists here too, are not modelled.
    """

    writable = False

    def __init__(self, profile: Profile) -> None:
        super().__init__("/system/script/job", Schema(profile, [
            Prop("type", read_only=True, since=(7, 0)),
            Prop("script", read_only=True),
            Prop("owner", read_only=True),
            Prop("policy", read_only=True),
            Prop("started", read_only=True),
            Prop("parent", read_only=True, since=(7, 0)),
        ]))


class SchedulerMenu(PolicyGuarded):
    stem = "schedule"

    def __init__(self, profile: Profile) -> None:
        super().__init__("/system/scheduler", Schema(profile, [
            Prop("name", Name()),
            Prop("start-date", Date(profile.iso_dates)),
            Prop("start-time", TimeOfDay()),
            Prop("interval", Duration(), default="0s"),
            Prop("owner", read_only=True),
            Prop("policy", PolicyList(), default=ALL_POLICY_TEXT),
            Prop("run-count", read_only=True, runtime=True, default="0"),
            Prop("next-run", read_only=True, runtime=True),
            Prop("on-event", Text(), default=""),
            Prop("disabled", Bool(), default="false"),
            Prop("comment", Text()),
        ]))

    def on_add(self, router: Router, request: Request, props: dict[str, str]) -> None:
        super().on_add(router, request, props)
        props["owner"] = request.user
        now = router.clock.wallclock()
        props.setdefault("start-date", format_date(now, router.profile.iso_dates))
        props.setdefault("start-time", f"{now:%H:%M:%S}")

    def check(self, router: Router, props: dict[str, str], item: Item | None) -> None:
        super().check(router, props, item)
        if props.get("start-time") == "startup":
            # A startup entry has no date of its own: RouterOS prints the epoch.
            props["start-date"] = format_date(EPOCH, router.profile.iso_dates)

    def printed(self, router: Router, item: Item) -> dict[str, str]:
        row = super().printed(router, item)
        next_run = self.next_run(router, item)
        if next_run is not None:
            row["next-run"] = format_datetime(next_run, router.profile.iso_dates)
        return row

    def next_run(self, router: Router, item: Item) -> datetime | None:
        """When the event runs next by the clock, or None (disabled, `startup`, a one-off past)."""
        props = item.props
        if props.get("disabled") == "true" or props.get("start-time", "startup") == "startup":
            return None
        start = _start_of(props, router.clock.wallclock().tzinfo)
        if start is None:
            return None
        now = router.clock.wallclock()
        if start > now:
            return start
        interval = parse_seconds(props.get("interval", "0s"))
        if interval <= 0:
            return None
        periods = math.floor((now - start).total_seconds() / interval) + 1
        return start + timedelta(seconds=periods * interval)


def _start_of(props: dict[str, str], tz: object) -> datetime | None:
    date = Date(iso=True).parse(props["start-date"]) if "start-date" in props else None
    if date is None:
        return None
    when = datetime.fromisoformat(f"{date}T{props['start-time']}")
    return when.replace(tzinfo=tz)  # type: ignore[arg-type]


class ResourceMenu(SingletonMenu):
    writable = False

    def __init__(self, profile: Profile) -> None:
        board, architecture = ("RB450", "mipsbe") if not profile.is_v7 else ("RB5009UG+S+", "arm64")
        self.facts = {
            "version": profile.version,
            "build-time": "2025-01-01 00:00:00" if profile.iso_dates else "jan/01/2025 00:00:00",
            "free-memory": "207323136", "total-memory": "268435456",
            "cpu": "ARM64" if profile.is_v7 else "MIPS 24Kc V7.4",
            "cpu-count": "4" if profile.is_v7 else "1",
            "cpu-frequency": "1400" if profile.is_v7 else "680",
            "cpu-load": "1",
            "free-hdd-space": "941039616" if profile.is_v7 else "50761728",
            "total-hdd-space": "1073741824" if profile.is_v7 else "67108864",
            "architecture-name": architecture, "board-name": board, "platform": "MikroTik",
        }
        super().__init__("/system/resource", Schema(profile, [
            Prop(name, read_only=True) for name in ("uptime", *self.facts)
        ]))

    def printed(self, router: Router) -> dict[str, str]:
        uptime = router.clock.now() - router.booted_at
        return {"uptime": format_seconds(int(uptime)), **self.facts}


class IdentityMenu(SingletonMenu):
    def __init__(self, profile: Profile) -> None:
        super().__init__("/system/identity",
                         Schema(profile, [Prop("name", Name(), default="MikroTik")]))


class LogMenu(ListMenu):
    """The log: the router appends (`router.log_message`); clients print it, and may add a line
    with `/log/info` (warning, error, debug) as scripts do."""

    writable = False

    def __init__(self, profile: Profile) -> None:
        super().__init__("/log", Schema(profile, [
            Prop(name, read_only=True) for name in ("time", "topics", "message")
        ]))

    def extra_verbs(self) -> dict[str, Handler]:
        def level(topic: str) -> Handler:
            def write(router: Router, request: Request) -> Response:
                router.log_message(f"script,{topic}", request.attributes.get("message", ""))
                return Response()
            return write
        return {topic: level(topic) for topic in ("info", "warning", "error", "debug")}


def menus(profile: Profile) -> list[ListMenu | SingletonMenu]:
    return [ScriptMenu(profile), JobMenu(profile), SchedulerMenu(profile), ResourceMenu(profile),
            IdentityMenu(profile), LogMenu(profile)]
