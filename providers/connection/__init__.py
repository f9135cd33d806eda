"""The connection layer: how providers reach routers, assembled the way librouteros is.

- `settings`: `RouterSettings`, where a router is and how to reach it (never a password);
- `password`: the password source (`routeros:password`, else `ROUTEROS_PASSWORD`) and log redaction;
- `dial`: `librouteros.connect` with our reply reader and encoding, TLS as the settings ask;
- `reply`: replies read as the router's strings, librouteros' errors translated to `RouterError`;
- `identities`: the bulk prints and item identities a client keeps between calls;
- `pool`: up to four connections per router, each lent to one call at a time;
- `read_cache`: the bulk prints and identities, shared by parallel calls, dropped by writes;
- `client`: `RouterClient` (a pool per router, idempotent calls retried once) and `client_for`.

Nothing here imports load-balancing code, and importing it opens nothing.
"""

from providers.connection.client import (
    UNREACHABLE_RETRY_AFTER,
    RouterClient,
    client_for,
    forget_snapshots,
    reset_clients,
)
from providers.connection.identities import SNAPSHOT_MAX_AGE
from providers.connection.password import (
    PASSWORD_CONFIG_KEY,
    PASSWORD_ENV,
    PasswordSource,
    password_source,
)
from providers.connection.reply import Reply
from providers.connection.settings import API_PORT, API_SSL_PORT, RouterSettings

__all__ = [
    "API_PORT",
    "API_SSL_PORT",
    "PASSWORD_CONFIG_KEY",
    "PASSWORD_ENV",
    "SNAPSHOT_MAX_AGE",
    "UNREACHABLE_RETRY_AFTER",
    "PasswordSource",
    "Reply",
    "RouterClient",
    "RouterSettings",
    "client_for",
    "forget_snapshots",
    "password_source",
    "reset_clients",
]
