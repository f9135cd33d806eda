"""`/tool/e-mail`: the SMTP settings singleton (`address` before 7.12, `server` from 7.12;
`start-tls` on v6, `tls` and `vrf` on v7). Sending is the behaviour's (`/tool/e-mail/send`)."""

from __future__ import annotations

from simulator.menus.engine import SingletonMenu
from simulator.profiles import Profile
from simulator.schema import Enum, Host, Int, IPv4, Name, Prop, Schema, Text


class EmailMenu(SingletonMenu):
    def __init__(self, profile: Profile) -> None:
        server_type = Host() if profile.email_server_key == "server" else IPv4()
        super().__init__("/tool/e-mail", Schema(profile, [
            Prop(profile.email_server_key, server_type, default="0.0.0.0"),  # noqa: S104 - an unset server, as printed
            Prop("port", Int(1, 65535), default="25"),
            Prop("start-tls", Enum("yes", "no", "tls-only"), default="no", until=(7, 0)),
            Prop("tls", Enum("no", "yes", "starttls"), default="no", since=(7, 0)),
            Prop("vrf", Name(), default="main", since=(7, 0)),
            Prop("certificate-verification", Enum("yes", "no"), default="no", since=(7, 21)),
            Prop("from", Text(), default="<>"),
            Prop("user", Text(), default=""),
            Prop("password", Text(), default=""),
            Prop("last-status", read_only=True, runtime=True, default="none"),
            Prop("last-address", read_only=True, runtime=True),
        ]))


def menus(profile: Profile) -> list[SingletonMenu]:
    return [EmailMenu(profile)]
