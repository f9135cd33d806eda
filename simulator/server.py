"""The thin asyncio server around API sessions, running its own event loop in a background thread.

It accepts connections (plain or TLS) on a loopback address, moves bytes between each socket and
its `Session`, and applies the transport faults: latency, dropped connections, the session cap.
A misbehaving client ends its own session only. It knows nothing of the API beyond `Session`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import ipaddress
import logging
import ssl
import threading
import traceback
from collections.abc import Callable
from typing import Any

from simulator.faults import Faults
from simulator.session import Session

log = logging.getLogger(__name__)

READ_SIZE = 65536
# RouterOS 7's `/ip service` default `max-sessions` for the API: 20. A test may set another
# cap with `faults.max_sessions`.
DEFAULT_MAX_SESSIONS = 20


class ServerError(Exception):
    """The server cannot start as asked."""


def check_loopback(host: str) -> str:
    """The address to bind, if `host` is a loopback address; anything else is refused."""
    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ServerError(
            f"host {host!r} is not an IP address; the simulator binds loopback only"
        ) from None
    if not address.is_loopback:
        raise ServerError(
            f"host {host} is not a loopback address; the simulator binds loopback only"
        )
    return host


class Server:
    """Serves `router` on `host:port` (port 0 picks a free one) from a background thread."""

    def __init__(
        self,
        router: Any,
        faults: Faults | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.router = router
        self.faults = faults if faults is not None else Faults()
        self.host = check_loopback(host)
        self.port = port
        self._ssl = ssl_context
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.sessions: set[Session] = set()
        # The most reply bytes any session held for its client at once (backpressure's bound).
        self.peak_queued_bytes = 0

    @property
    def open_sessions(self) -> int:
        return len(self._writers)

    def start(self) -> int:
        """Bind and start serving; returns the bound port."""
        if self._thread is not None:
            raise ServerError("already started")
        started = threading.Event()
        failure: list[BaseException] = []
        loop = asyncio.new_event_loop()

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._serve, self.host, self.port)
                )
            except (OSError, OverflowError) as error:  # taken, not allowed, or no such port
                failure.append(error)
                started.set()
                loop.close()
                return
            self.port = self._server.sockets[0].getsockname()[1]
            started.set()
            try:
                loop.run_forever()
            finally:
                _finish_tasks(loop)
                loop.close()

        self._loop = loop
        self._thread = threading.Thread(target=run, name=f"routeros-sim:{self.port}", daemon=True)
        self._thread.start()
        started.wait()
        if failure:
            self._thread.join()
            self._thread = None
            raise ServerError(f"cannot listen on {self.host}:{self.port}: {failure[0]}")
        return self.port

    def stop(self) -> None:
        """Close the listener and every connection, then end the thread."""
        if self._thread is None or self._loop is None:
            return
        future = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        future.result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._thread = None

    def drop_all(self) -> concurrent.futures.Future[None] | None:
        """Close every open session's socket, as a rebooting router does; the listener stays.

        Safe from any thread and never blocks (the caller may hold `router.lock`, which a
        session on the server's thread may be waiting for). Returns a future that completes
        once the sessions are gone, or None when there was nothing to wait for. The drop is
        queued on the server's loop before anything a client sends afterwards, so no command
        sent after the reboot is answered on an old session.
        """
        loop = self._loop
        if self._thread is None or loop is None or loop.is_closed():
            return None
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._abort_sessions()
            return None
        return asyncio.run_coroutine_threadsafe(self._drop_all(), loop)

    def _abort_sessions(self) -> list[asyncio.Task[None]]:
        for writer in list(self._writers):
            writer.transport.abort()
        return list(self._connections)

    async def _drop_all(self) -> None:
        tasks = self._abort_sessions()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        limit = self.faults.max_sessions
        if limit is None:
            limit = DEFAULT_MAX_SESSIONS
        if len(self._writers) >= limit:
            # A router whose API session limit is reached closes the socket without a word.
            writer.transport.abort()
            return
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        self._writers.add(writer)
        loop = asyncio.get_running_loop()
        ready = asyncio.Event()
        session: Session | None = None
        sender: asyncio.Task[None] | None = None
        try:
            if self._ssl is not None:
                # Here, not in `start_server`: a peer that never finishes its handshake is then
                # already one of `_writers`, which `stop()` and `drop_all()` close.
                await writer.start_tls(self._ssl)
            session = Session(
                self.router, self.faults, wakeup=lambda: _wake(loop, ready),
                abort=lambda: _call(loop, writer.transport.abort),
            )
            self.sessions.add(session)
            sender = asyncio.create_task(self._send(session, writer, ready))
            await self._receive(session, reader, ready, sender)
            if session.closing and not sender.done():
                # Let the last replies (a `!fatal`, a failed login) reach the client first.
                await sender
        except (ConnectionError, ssl.SSLError, asyncio.IncompleteReadError, TimeoutError):
            pass
        except asyncio.CancelledError:
            # Only `stop()` cancels sessions. Ending normally spares asyncio's stream callback
            # (3.11) from logging the cancellation as an error.
            pass
        except Exception as error:
            # Frames without the exception's text, which might quote a value (a password).
            log.error(
                "session ended by an unexpected %s\n%s",
                type(error).__name__,
                "".join(traceback.format_tb(error.__traceback__)),
            )
        finally:
            if sender is not None:
                sender.cancel()
                with contextlib.suppress(BaseException):
                    await sender
            if session is not None:
                session.connection_lost()
                self.sessions.discard(session)
                self.peak_queued_bytes = max(self.peak_queued_bytes, session.peak_queued_bytes)
            self._writers.discard(writer)
            self._connections.discard(task)
            if not writer.transport.is_closing():
                writer.transport.abort()

    async def _receive(
        self,
        session: Session,
        reader: asyncio.StreamReader,
        ready: asyncio.Event,
        sender: asyncio.Task[None],
    ) -> None:
        while not session.closing and not sender.done():
            if session.reading_paused:
                # Backpressure: the client is not reading its replies, so its next commands
                # wait in its own socket buffers, not in our memory.
                drained = asyncio.ensure_future(self._drained(session))
                await asyncio.wait({drained, sender}, return_when=asyncio.FIRST_COMPLETED)
                if not drained.done():
                    drained.cancel()
                    return
                session.receive_data(b"")  # the commands that waited
                ready.set()
                continue
            read = asyncio.ensure_future(reader.read(READ_SIZE))
            # Wait on the sender too: when a fault drops the connection, stop reading at once.
            await asyncio.wait({read, sender}, return_when=asyncio.FIRST_COMPLETED)
            if not read.done():
                read.cancel()
                return
            data = read.result()
            if not data:
                return
            session.receive_data(data)
            ready.set()

    @staticmethod
    async def _drained(session: Session) -> None:
        while session.reading_paused and not session.closing:
            await asyncio.sleep(0.01)

    async def _send(
        self, session: Session, writer: asyncio.StreamWriter, ready: asyncio.Event
    ) -> None:
        while True:
            await ready.wait()
            ready.clear()
            while (batch := session.take_batch()) is not None:
                if self.faults.latency > 0:
                    await asyncio.sleep(self.faults.latency)
                for sentence in batch:
                    if writer.transport.is_closing():
                        return  # the client left mid-reply: nothing more to say to it
                    if self.faults.sentence_sent():
                        writer.transport.abort()
                        return
                    writer.write(sentence)
                await writer.drain()
            if session.closing and not session.has_output:
                writer.close()
                # A TLS peer that never answers close_notify must not hold the session open.
                with contextlib.suppress(ConnectionError, ssl.SSLError, TimeoutError):
                    await asyncio.wait_for(writer.wait_closed(), timeout=1)
                return


def _wake(loop: asyncio.AbstractEventLoop, ready: asyncio.Event) -> None:
    """Wake a session's sender from any thread; a stopped server has nobody to wake."""
    _call(loop, ready.set)


def _call(loop: asyncio.AbstractEventLoop, action: Callable[[], object]) -> None:
    """Run `action` on the server's loop, from any thread; a stopped loop runs nothing."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(action)


def _finish_tasks(loop: asyncio.AbstractEventLoop) -> None:
    """Cancel and await what `_shutdown` does not know of, as `asyncio.run` does on its way out.

    A TLS connection still in its handshake when the server stops has no session yet: only
    asyncio's own accept task holds it, and closing the loop under it would leak its socket.
    """
    tasks = asyncio.all_tasks(loop)
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    # One more turn runs the transports' close callbacks that the cancellations scheduled.
    loop.run_until_complete(asyncio.sleep(0))
