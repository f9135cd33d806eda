"""/tool/e-mail: the router's SMTP settings (a singleton: one item, no `.id`).

Three spellings: v6 (`address`, `start-tls`), v7 before 7.12 (`address`, `tls`, `vrf`), and 7.12
on (`server` instead of `address`). Inputs use one spelling: `server`, `tls` (no | yes |
starttls), `from_`. On v6, `tls` maps to `start-tls`: starttls → yes, yes → tls-only, no → no
(the v6 values are [uncertain] in the reference).
"""

from __future__ import annotations

from functools import partial

from providers import normalise as n
from providers.schemas.base import Canonical, Menu, MenuSchema, Prop, Version
from routeros_vocabulary.menus import EMAIL

TLS = ("no", "yes", "starttls")
_TO_V6 = {"no": "no", "yes": "tls-only", "starttls": "yes"}
_FROM_V6 = {v: k for k, v in _TO_V6.items()}


def _start_tls_decode(raw: str, version: Version) -> Canonical:
    text = raw.strip().lower()
    if text in ("true", "yes"):
        return "starttls"
    if text in ("false", "no"):
        return "no"
    return _FROM_V6.get(text, text)


def _start_tls_encode(value: Canonical, version: Version) -> str:
    return _TO_V6[str(value)]


def _common() -> tuple[Prop, ...]:
    return (
        Prop("port", n.single_port, default="25"),
        Prop("from_", n.text, default="<>"),
        Prop("user", n.text, default=""),
        # Taking over the e-mail settings must not wipe an SMTP password the program was not given:
        # the router would silently stop sending failure notices.
        Prop("password", n.text, default="", secret=True, kept_unless_declared=True),
    )


V6_SCHEMA = MenuSchema(
    key="email",
    path=EMAIL.path,
    kind="singleton",
    props=(
        Prop("server", n.plain_address, default="0.0.0.0", api="address"),  # noqa: S104
        *_common(),
        Prop("tls", partial(n.choice, allowed=TLS), default="no", api="start-tls"),
    ),
    encoders={"tls": _start_tls_encode},
    decoders={"tls": _start_tls_decode},
)

V7_SCHEMA = MenuSchema(
    key="email",
    path=EMAIL.path,
    kind="singleton",
    props=(
        Prop("server", n.plain_address, default="0.0.0.0", api="address"),  # noqa: S104
        *_common(),
        Prop("tls", partial(n.choice, allowed=TLS), default="no"),
        Prop("vrf", n.text, default="main", since=(7, 0, 0)),
    ),
)

V712_SCHEMA = MenuSchema(
    key="email",
    path=EMAIL.path,
    kind="singleton",
    props=(
        Prop("server", n.host, default="0.0.0.0"),  # noqa: S104
        *_common(),
        Prop("tls", partial(n.choice, allowed=TLS), default="no"),
        Prop("vrf", n.text, default="main", since=(7, 0, 0)),
        Prop("certificate_verification", partial(n.choice, allowed=("yes", "no")),
             since=(7, 21, 0), kept_unless_declared=True),
    ),
)

MENU = Menu("email", (((0, 0, 0), V6_SCHEMA), ((7, 0, 0), V7_SCHEMA), ((7, 12, 0), V712_SCHEMA)))
