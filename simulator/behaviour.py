"""The router's behaviour (data plane, conntrack, netwatch, scheduler, e-mail, scripts),
installed onto a Router.

`install(router)` wires everything through the router's plug points (`register`, `on_change`,
`script_runner`) and returns the `Behaviour`: the in-process handle a harness exposes to tests.
Every public method takes `router.lock`, because the API server's thread uses the router too.
"""

from __future__ import annotations

from typing import Any

from simulator.addresses import RouterAddresses
from simulator.api import CommandError, Request, Response
from simulator.conntrack import Conntrack
from simulator.dataplane import ConnectionResult, DataPlane
from simulator.hosts import Hosts
from simulator.jobs import Job, Jobs
from simulator.mail import Email, Mail
from simulator.netwatch import Netwatch
from simulator.scheduler_runner import Scheduler

# From `/system/reboot` to the reboot. A real router takes tens of seconds to come back; the
# simulator's reboot is instant, so only the shutdown's start is delayed.
SHUTDOWN_SECONDS = 1.0


class Behaviour:
    def __init__(self, router: Any) -> None:
        self.router = router
        self.hosts = Hosts()
        self.addresses = RouterAddresses()
        self.conntrack = Conntrack(router)
        self.dataplane = DataPlane(router, self.conntrack, self.hosts, self.addresses)
        self.netwatch = Netwatch(router, self.hosts)
        self.scheduler = Scheduler(router)
        self.mail = Mail(router)
        self.jobs = Jobs(router)

    def install(self) -> None:
        with self.router.lock:
            self.jobs.install()
            for part in (self.conntrack, self.dataplane, self.mail, self.netwatch, self.scheduler):
                part.install()
            self.router.register("/system", "reboot", self._reboot_command)

    @property
    def outbox(self) -> list[Email]:
        """Messages sent with `/tool/e-mail/send`, oldest first (tests may clear it)."""
        return self.mail.outbox

    def advance(self, seconds: float) -> None:
        """Move the virtual clock forward, running every timer that falls due."""
        with self.router.lock:
            self.router.clock.advance(seconds)

    def set_host(
        self, address: str, up: bool = True, port: int | None = None, http_code: int | None = None
    ) -> None:
        """Mark a host, or one of its ports, up or down (see `hosts.Hosts.set_host`)."""
        with self.router.lock:
            self.hosts.set_host(address, up=up, port=port, http_code=http_code)

    def open_connection(
        self,
        src: str,
        src_port: int,
        dst: str,
        dst_port: int,
        protocol: str = "tcp",
        in_interface: str = "ether1",
    ) -> ConnectionResult:
        """A packet from a client: opens a connection, or follows its conntrack entry."""
        with self.router.lock:
            return self.dataplane.open_connection(
                src, src_port, dst, dst_port, protocol=protocol, in_interface=in_interface
            )

    def start_script(self, name: str) -> Job:
        """A run of the script `name`, listed in `/system/script/job` and paused before its
        first statement: `job.step()` runs one statement, `job.finish()` the rest."""
        return self.jobs.start_named(name)

    def reboot(self) -> None:
        """Restart the router now. Configuration stays; everything else starts afresh:
        - every list menu's `.id`s change (same order, new numbers above any used before: an id
          held from before the reboot is gone, never another item's — `ListMenu.renumber`);
        - conntrack empties, rule counters are zero, dynamic address-list entries are gone;
        - running script jobs end; `:global` script variables are gone;
          `/system/resource` uptime restarts at 0;
        - netwatch starts over from unknown (v7 waits `startup-delay`, v6 probes at once);
        - `start-time=startup` scheduler events run 3 s later.
        Kept, so tests can read what happened before: `/log` (as if logging to disk), the
        outbox, the hosts' states. Every open API session ends (`router.on_reboot`: the server
        closes their sockets, as a rebooting router does)."""
        with self.router.lock:
            self.jobs.clear()
            self.conntrack.clear()
            self.dataplane.reboot()
            self.router.script_globals = {}
            self.router.renumber()
            self.router.booted_at = self.router.clock.now()
            self.router.log_message("system,info", "router rebooted")
            self.netwatch.reboot()
            self.scheduler.reboot()
            # Ids changed without a command: let the state file (and any listener) know.
            self.router.notify_change("/system", "reboot", [])
            for callback in list(self.router.on_reboot):
                callback()

    def _reboot_command(self, router: Any, request: Request) -> Response:
        """`/system/reboot` (API, or `/system reboot` in a script): answers, then reboots
        `SHUTDOWN_SECONDS` later on the clock (`sim.advance(1)` in a test) [decided]. A script
        that asks for it finishes first; and a boot loop (a v6 down-script that reboots, run
        again by the first probe after boot) costs virtual time instead of hanging `advance`."""
        for name in request.attributes:
            if name != ".tag":
                raise CommandError(f"unknown parameter {name}" if router.profile.is_v7
                                   else "unknown parameter")
        if "reboot" not in request.policies:
            raise CommandError("not enough permissions (9)")
        router.clock.call_later(SHUTDOWN_SECONDS, self.reboot)
        return Response()

    def log(self) -> list[dict[str, str]]:
        """`/log` as printed: dicts with time, topics and message, oldest first."""
        with self.router.lock:
            return [dict(item.props) for item in self.router.list_menu("/log").items]


def install(router: Any) -> Behaviour:
    behaviour = Behaviour(router)
    behaviour.install()
    return behaviour
