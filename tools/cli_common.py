"""What the command-line tools share: the stack options, reaching a router read-only, errors as
one line on stderr (exit 2) instead of a traceback, and progress on a terminal."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from tools.site_plan import StackError
from tools.stack_files import STACKS

EXIT_ERROR = 2


class ToolError(Exception):
    """Anything a tool cannot do, said in one message a person can act on."""


def add_stack_options(parser: argparse.ArgumentParser, *, version_help: str | None = None) -> None:
    parser.add_argument("--stack", required=True, help="the stack: stacks/Pulumi.<stack>.yaml")
    parser.add_argument("--version", default=None,
                        help=version_help or "RouterOS version to plan for, such as 6.49 or 7.20 "
                                             "(default: the stack's routeros:version)")
    parser.add_argument("--stacks", type=Path, default=STACKS, metavar="DIR",
                        help="where the stack files are (default: stacks/)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def add_router_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "router", "default: the stack's routeros:* settings; the password comes from "
                  "ROUTEROS_PASSWORD (as for the providers)")
    group.add_argument("--host", help="the router's address (e.g. 127.0.0.1 for `make sim`)")
    group.add_argument("--port", type=int, help="its API port")
    group.add_argument("--user", help="API user")


def run(main: Callable[[], int]) -> int:
    """Run a tool's body: known errors become one line on stderr and exit 2."""
    try:
        return main()
    except (ToolError, StackError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python's exit flush quiet too.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


@contextmanager
def router_client(site: Any, args: argparse.Namespace) -> Iterator[Any]:
    """A read-only use of the providers' connection layer to the stack's router (or --host)."""
    from pydantic import ValidationError

    from providers.connection import RouterClient, RouterSettings
    from providers.errors import RouterError

    router = site.router
    try:
        settings = RouterSettings(
            host=args.host or router.host,
            port=args.port or (0 if args.host else router.effective_port),
            tls=False if args.host else router.tls,
            verify_tls=router.verify_tls,
            ca_file=None if args.host else router.ca_file,
            username=args.user or router.username,
        )
    except ValidationError as error:
        raise ToolError(_router_option_problems(error, args)) from None
    client = RouterClient(settings)
    try:
        yield client
    except RouterError as error:
        raise ToolError(f"router {settings.label}: {error}") from None
    finally:
        client.close()


# The router options and the stack keys they stand in for (the stack's values are validated with
# the stack, so a bad one here came from an option).
_ROUTER_OPTIONS = {"host": ("--host", "routeros:host"), "port": ("--port", "routeros:port"),
                   "username": ("--user", "routeros:username")}


def _router_option_problems(error: Any, args: argparse.Namespace) -> str:
    """One line naming each wrong option and what it allows (not pydantic's dump)."""
    parts = []
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else ""
        option, key = _ROUTER_OPTIONS.get(field, (field, field))
        given = getattr(args, option.removeprefix("--"), None)
        where = option if given is not None else key
        reason = str(item["msg"]).removeprefix("Value error, ")
        if field == "port":
            reason = f"{given} is not a port (1 to 65535)"
        parts.append(f"{where}: {reason}")
    return "; ".join(parts)


def router_version(client: Any) -> str:
    from providers.errors import RouterError

    try:
        major, minor, _ = client.version
    except RouterError as error:
        raise ToolError(f"router {client.settings.label}: {error}") from None
    return f"{major}.{minor}"


class Progress:
    """`done/total` on one line of a terminal (stderr); silent when stderr is not a terminal."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty()
        self.done = 0

    def step(self, count: int = 1) -> None:
        self.done += count
        if self.enabled:
            self.stream.write(f"\r{self.label}: {self.done}/{self.total}")
            self.stream.flush()

    def finish(self) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (len(self.label) + 24) + "\r")
            self.stream.flush()
