"""`Simulator`: a router, its behaviour and its API server, as the in-process handle tests hold.

It assembles the parts (router, behaviour, faults, TLS certificate, server) and owns their
lifetime. It knows no protocol detail and no test framework.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

from simulator import behaviour
from simulator.faults import Faults
from simulator.profiles import Profile, profile
from simulator.router import Router
from simulator.server import Server, check_loopback
from simulator.tls import make_certificate


class Simulator:
    """A simulated RouterOS router serving its API on loopback.

    `with Simulator(version="6.49") as sim:` starts it; connect to `sim.host:sim.port` as
    `sim.username` / `sim.password`, verifying TLS against `sim.ca_file` when `tls=True`.
    """

    def __init__(
        self,
        version: str = "7.20",
        username: str = "admin",
        password: str = "",
        tls: bool = False,
        state_file: str | Path | None = None,
        seed_defconf: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.profile: Profile = profile(version)
        self.version = version
        self.username = username
        self.password = password
        self.tls = tls
        self.host = check_loopback(host)
        self.router = Router(
            self.profile,
            users={username: password},
            state_file=state_file,
            seed_defconf=seed_defconf,
        )
        self.behaviour: Any = behaviour.install(self.router)
        self.faults = Faults()
        self.ca_file: Path | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        ssl_context = None
        if tls:
            self._tmp = tempfile.TemporaryDirectory(prefix="routeros-sim-")
            try:
                certificate = make_certificate(Path(self._tmp.name))
                ssl_context = certificate.server_context()
            except BaseException:
                self._remove_certificate()
                raise
            self.ca_file = certificate.cert_file
        self._server = Server(
            self.router, self.faults, host=self.host, port=port, ssl_context=ssl_context
        )
        self.port = port
        self._started = False
        # A reboot ends every API session (`router.on_reboot` runs with the router's lock held,
        # so the drop is only queued there; `reboot` and `advance` wait for it afterwards).
        self._drops: list[Any] = []
        self.router.on_reboot.append(self._drop_sessions)

    @property
    def stats(self) -> Any:
        """Commands served, by full command (`/ip/firewall/nat/print`), including `/login`."""
        return self.router.stats

    @property
    def open_sessions(self) -> int:
        return self._server.open_sessions

    @property
    def sessions(self) -> list[Any]:
        """The open API sessions (`session.Session`: `user`, `queued_bytes`, `reading_paused`)."""
        return list(self._server.sessions)

    @property
    def peak_queued_bytes(self) -> int:
        """The most reply bytes any session, open or gone, held for its client at once."""
        live = [session.peak_queued_bytes for session in self._server.sessions]
        return max([self._server.peak_queued_bytes, *live])

    # The router's behaviour (simulator/behaviour.py); each call takes the router's lock.

    def advance(self, seconds: float) -> None:
        """Move the virtual clock forward, running netwatch, scheduler and expiry timers."""
        self.behaviour.advance(seconds)
        self._settle()

    def set_host(
        self, address: str, up: bool = True, port: int | None = None, http_code: int | None = None
    ) -> None:
        """Mark a host outside the router (or one of its ports) up or down."""
        self.behaviour.set_host(address, up=up, port=port, http_code=http_code)

    def open_connection(
        self,
        src: str,
        src_port: int,
        dst: str,
        dst_port: int,
        protocol: str = "tcp",
        in_interface: str = "ether1",
    ) -> Any:
        """A client's packet through the data plane: a `dataplane.ConnectionResult`."""
        return self.behaviour.open_connection(
            src, src_port, dst, dst_port, protocol=protocol, in_interface=in_interface
        )

    @property
    def outbox(self) -> list[Any]:
        """E-mails sent with `/tool/e-mail/send` (`mail.Email`), oldest first."""
        return self.behaviour.outbox

    def start_script(self, name: str) -> Any:
        """A run of script `name` paused before its first statement (`Behaviour.start_script`)."""
        return self.behaviour.start_script(name)

    def reboot(self) -> None:
        """Restart the router: ids renumbered, runtime state reset, every API session closed."""
        self.behaviour.reboot()
        self._settle()

    def _drop_sessions(self) -> None:
        future = self._server.drop_all()
        if future is not None:
            self._drops.append(future)

    def _settle(self) -> None:
        """Wait until the sessions a reboot dropped are gone (called without the router's lock)."""
        drops, self._drops = self._drops, []
        for future in drops:
            future.result(timeout=10)

    @property
    def log(self) -> list[dict[str, str]]:
        """`/log` lines (time, topics, message), oldest first."""
        return self.behaviour.log()

    def start(self) -> Simulator:
        if not self._started:
            try:
                self.port = self._server.start()
            except BaseException:
                # No `stop()` follows a failed start (`with` never enters): the key goes now.
                self._remove_certificate()
                raise
            self._started = True
        return self

    def stop(self) -> None:
        try:
            if self._started:
                self._started = False
                self._server.stop()
        finally:
            self._remove_certificate()

    def _remove_certificate(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        # Never the password.
        tls = ", TLS" if self.tls else ""
        return f"<Simulator RouterOS {self.profile.version} at {self.host}:{self.port}{tls}>"
