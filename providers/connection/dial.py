"""Opening a logged-in connection to a router, and telling whether the router has closed it.

`dial(settings, password)` is `librouteros.connect` with our reply reader (`subclass`), our
encoding, and TLS as the settings ask; it keeps the socket it opened (the `ssl_wrapper` hook sees
every socket, TLS or not) so that `Connection.peer_closed` can look at it without reaching into
librouteros.
"""

from __future__ import annotations

import select
import socket
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import librouteros

from providers.connection.reply import ENCODING, StringApi
from providers.connection.settings import RouterSettings
from providers.errors import RouterError


@dataclass
class Connection:
    api: StringApi
    sock: socket.socket

    def peer_closed(self) -> bool:
        """Whether the router closed this idle connection (a reboot ends every API session).
        Between commands the router sends nothing, so anything to read — the end of the
        stream — means the session is over."""
        try:
            return bool(select.select([self.sock], [], [], 0)[0])
        except (OSError, ValueError):
            return True

    def close(self) -> None:
        self.api.close()


def tls_context(settings: RouterSettings) -> ssl.SSLContext:
    if settings.ca_file is not None and not Path(settings.ca_file).is_file():
        raise RouterError(f"ca_file {settings.ca_file!r} does not exist (relative paths are "
                          "read from the project directory)", kind="config")
    if settings.verify_tls:
        return ssl.create_default_context(cafile=settings.ca_file)
    # An explicit opt-out for routers with their factory self-signed certificate.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def dial(settings: RouterSettings, password: str) -> Connection:
    """Connect and log in; raises what librouteros and the socket raise (see `map_exceptions`)."""
    context = tls_context(settings) if settings.tls else None
    opened: list[socket.socket] = []

    def wrap(sock: socket.socket) -> socket.socket:
        if context is not None:
            sock = context.wrap_socket(sock, server_hostname=settings.host)
        opened.append(sock)
        return sock

    api = librouteros.connect(
        settings.host,
        settings.username,
        password,
        port=settings.port,
        timeout=settings.timeout,
        subclass=StringApi,
        encoding=ENCODING,
        ssl_wrapper=wrap,
    )
    return Connection(cast(StringApi, api), opened[0])
