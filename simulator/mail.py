"""`/tool/e-mail/send`: send with the `/tool/e-mail` settings, into an outbox tests read.

The command's own arguments (server, port, user, password, from, tls / v6 start-tls) override
the settings. Nothing leaves the process: a sent message is appended to `Mail.outbox`. The SMTP
password is used for nothing and kept nowhere (not in the outbox, not in `/log`).

Failure model [decided]: with no server (unset or `0.0.0.0` in the settings and none given), the
send fails: `last-status=failed`, an `e-mail,error` line in `/log`, and the command traps
`failure: e-mail server is not set`. A real router sends in the background and only records the
failure; trapping makes the failure visible to an API client, and inside a script it stops the
script at that line — which is why generated scripts e-mail last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.api import Category, CommandError, Request, Response

PATH = "/tool/e-mail"
_COMMON = ("to", "cc", "subject", "body", "file", "from", "server", "port", "user", "password")
_TLS_VALUES = {"tls": ("no", "yes", "starttls"), "start-tls": ("yes", "no", "tls-only")}


@dataclass(frozen=True)
class Email:
    """One sent message, as the SMTP server would have received it (no password)."""

    to: str
    subject: str
    body: str
    sender: str
    server: str
    port: int
    user: str
    tls: str
    cc: str = ""
    file: str = ""
    sent_at: str = ""


class Mail:
    def __init__(self, router: Any) -> None:
        self.router = router
        self.outbox: list[Email] = []

    def install(self) -> None:
        self.router.register(PATH, "send", self.send)

    def send(self, router: Any, request: Request) -> Response:
        profile = router.profile
        tls_key = "tls" if profile.is_v7 else "start-tls"
        allowed = set(_COMMON) | {tls_key} | ({"vrf"} if profile.is_v7 else set())
        args = {k: v for k, v in request.attributes.items() if k != ".tag"}
        for name in args:
            if name not in allowed:
                raise CommandError(f"unknown parameter {name}" if profile.is_v7
                                   else "unknown parameter")
        if tls_key in args and args[tls_key] not in _TLS_VALUES[tls_key]:
            raise CommandError(f"input does not match any value of {tls_key}",
                               Category.ARGUMENT_VALUE)
        if not args.get("to"):
            # [uncertain] the text RouterOS gives for a send without a recipient.
            raise CommandError("missing value(s) of argument(s) to", Category.ARGUMENT_VALUE)
        settings = router.menus[PATH].props
        server = args.get("server") or settings.get(profile.email_server_key, "")
        subject = args.get("subject", "")
        if server in ("", "0.0.0.0"):  # noqa: S104 - the "no server" value, not a bind
            settings["last-status"] = "failed"
            router.log_message("e-mail,error", f"Error sending e-mail <{subject}>: "
                                               "server is not set")
            raise CommandError("failure: e-mail server is not set")
        try:
            port = int(args.get("port") or settings.get("port", "25"))
        except ValueError:
            raise CommandError("invalid value for argument port", Category.ARGUMENT_VALUE) from None
        message = Email(
            to=args["to"],
            cc=args.get("cc", ""),
            subject=subject,
            body=args.get("body", ""),
            sender=args.get("from") or settings.get("from", "<>"),
            server=server,
            port=port,
            user=args.get("user") or settings.get("user", ""),
            tls=args.get(tls_key) or settings.get(tls_key, "no"),
            file=args.get("file", ""),
            sent_at=router.now_text(),
        )
        self.outbox.append(message)
        settings["last-status"] = "succeeded"
        settings["last-address"] = server
        router.log_message("e-mail,info", f"sent <{subject}> to {message.to}")
        return Response()
