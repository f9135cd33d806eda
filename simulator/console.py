"""The simulator's terminal: commands a person types to break servers and watch the router react.

`parse(line)` turns one line into a command or raises `ConsoleError` saying what is wrong and how
the command is spelt; `Console.execute(line)` runs it against a `Simulator` and returns the text
to print. `Console.serve(stream, out)` reads lines until the stream ends; the router keeps running
after that (a closed stdin is not a request to stop).

Clients are made up, but the same ones every time: `clients 100 …` always means the same 100
client addresses, each opening a new connection (a fresh source port) per run, so two runs show
who moved in between.
"""

from __future__ import annotations

import ipaddress
import random
import shlex
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from simulator.schema import InvalidValue, format_seconds, parse_seconds

MAX_CLIENTS = 10_000
MAX_ADVANCE = 7 * 86400.0
DEFAULT_LOG_LINES = 20
CLIENT_SEED = 7
FIRST_CLIENT_PORT = 20_000


class ConsoleError(ValueError):
    """A command the console refuses: the message says what is wrong and the command's usage."""


@dataclass(frozen=True)
class HostState:
    address: str
    up: bool
    port: int | None = None


@dataclass(frozen=True)
class Advance:
    seconds: float


@dataclass(frozen=True)
class Clients:
    count: int
    destination: str
    port: int
    protocol: str = "tcp"


@dataclass(frozen=True)
class ShowMail:
    pass


@dataclass(frozen=True)
class ShowLog:
    lines: int = DEFAULT_LOG_LINES


@dataclass(frozen=True)
class Help:
    pass


Command = HostState | Advance | Clients | ShowMail | ShowLog | Help

USAGE = {
    "down": "down <address> [<port>]   the server stops answering (or only that port)",
    "up": "up <address> [<port>]     it answers again",
    "advance": "advance <duration>        move the virtual clock: 10, 30s, 1m30s",
    "clients": "clients <N> <dst> <port> [tcp|udp]  where N clients' new connections go",
    "mail": "mail                      the e-mails the router sent",
    "log": "log [<N>]                 the router's last N log lines (default 20)",
    "help": "help                      this list",
}


def _usage(name: str) -> str:
    return f"usage: {USAGE[name].split('  ')[0].strip()}"


def _address(name: str, text: str) -> str:
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        raise ConsoleError(f"{name}: {text!r} is not an IPv4 address ({_usage(name)})") from None


def _number(name: str, what: str, text: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise ConsoleError(f"{name}: {what} must be a whole number {low}-{high}, not {text!r} "
                           f"({_usage(name)})")
    return int(text)


def parse(line: str) -> Command | None:
    """One typed line as a command; None for a blank line or a `#` comment."""
    try:
        words = shlex.split(line, comments=True)
    except ValueError as error:
        raise ConsoleError(f"cannot read that line: {error}") from None
    if not words:
        return None
    name, args = words[0].lower(), words[1:]
    if name not in USAGE:
        raise ConsoleError(f"unknown command {words[0]!r}; type `help` for the list")

    def arity(low: int, high: int) -> None:
        if not low <= len(args) <= high:
            raise ConsoleError(f"{name}: expected {low if low == high else f'{low}-{high}'} "
                               f"argument(s), got {len(args)} ({_usage(name)})")

    if name in ("down", "up"):
        arity(1, 2)
        port = _number(name, "the port", args[1], 1, 65535) if len(args) == 2 else None
        return HostState(_address(name, args[0]), up=name == "up", port=port)
    if name == "advance":
        arity(1, 1)
        try:
            seconds = parse_seconds(args[0])
        except InvalidValue:
            raise ConsoleError(f"advance: {args[0]!r} is not a duration "
                               f"({_usage('advance')})") from None
        if not 0 < seconds <= MAX_ADVANCE:
            raise ConsoleError(f"advance: the duration must be more than 0 and at most "
                               f"{format_seconds(MAX_ADVANCE)}, not {args[0]!r}")
        return Advance(seconds)
    if name == "clients":
        arity(3, 4)
        count = _number(name, "N", args[0], 1, MAX_CLIENTS)
        destination = _address(name, args[1])
        port = _number(name, "the port", args[2], 1, 65535)
        protocol = args[3].lower() if len(args) == 4 else "tcp"
        if protocol not in ("tcp", "udp"):
            raise ConsoleError(f"clients: the protocol must be tcp or udp, not {args[3]!r}")
        return Clients(count, destination, port, protocol)
    if name == "log":
        arity(0, 1)
        return ShowLog(_number(name, "N", args[0], 1, 1000) if args else DEFAULT_LOG_LINES)
    arity(0, 0)
    return ShowMail() if name == "mail" else Help()


def client_addresses(count: int) -> list[str]:
    """The first `count` made-up clients, always the same ones (public-looking, never the router's
    own networks: 1.0.0.0-126.255.255.255 without 10/8)."""
    rng = random.Random(CLIENT_SEED)  # noqa: S311 - made-up clients, not secrets
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < count:
        first = rng.randint(1, 126)
        if first == 10:
            continue
        address = f"{first}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
        if address not in seen:
            seen.add(address)
            out.append(address)
    return out


class Console:
    """Runs typed commands against a started `Simulator` (`sim`).

    `virtual_clock`: the clock moves only by `advance` (else it follows real time and `advance`
    is refused)."""

    def __init__(self, sim: Any, *, virtual_clock: bool) -> None:
        self.sim = sim
        self.virtual_clock = virtual_clock
        self._next_port = FIRST_CLIENT_PORT
        self._last_seen: dict[tuple[str, int, str], dict[str, str]] = {}

    def execute(self, line: str) -> str:
        """The text to print for one typed line (an error's message included)."""
        try:
            command = parse(line)
            if command is None:
                return ""
            return self._run(command)
        except ConsoleError as error:
            return f"error: {error}"

    def serve(self, stream: IO[str], out: Callable[[str], None], prompt: str = "") -> None:
        """Read commands from `stream` until it ends, printing each answer with `out`."""
        if prompt:
            out(prompt)
        for line in stream:
            answer = self.execute(line)
            if answer:
                out(answer + "\n")
            if prompt:
                out(prompt)

    def _run(self, command: Command) -> str:
        if isinstance(command, HostState):
            return self._host(command)
        if isinstance(command, Advance):
            return self._advance(command.seconds)
        if isinstance(command, Clients):
            return self._clients(command)
        if isinstance(command, ShowMail):
            return self._mail(self.sim.outbox) or "no e-mail sent yet"
        if isinstance(command, ShowLog):
            lines = self.sim.log[-command.lines:]
            return "\n".join(_log_line(entry) for entry in lines) or "the log is empty"
        return "commands:\n" + "\n".join(f"  {text}" for text in USAGE.values())

    def _host(self, command: HostState) -> str:
        self.sim.set_host(command.address, up=command.up, port=command.port)
        what = command.address if command.port is None else f"{command.address} port {command.port}"
        state = "answers again" if command.up else "stops answering"
        when = "advance the clock" if self.virtual_clock else "wait"
        return f"{what} {state}; netwatch sees it at its next probe ({when}, then `log`, `mail`)"

    def _advance(self, seconds: float) -> str:
        if not self.virtual_clock:
            raise ConsoleError("advance: the clock follows real time here; start the simulator "
                               "with --clock virtual to move it by hand")
        log_before, mail_before = len(self.sim.log), len(self.sim.outbox)
        self.sim.advance(seconds)
        uptime = format_seconds(self.sim.router.clock.now() - self.sim.router.booted_at)
        lines = [f"advanced {format_seconds(seconds)} (uptime {uptime})"]
        lines += [_log_line(entry) for entry in self.sim.log[log_before:]]
        lines += [self._mail(self.sim.outbox[mail_before:])] if len(self.sim.outbox) > mail_before \
            else []
        return "\n".join(lines)

    def _clients(self, command: Clients) -> str:
        key = (command.destination, command.port, command.protocol)
        previous = self._last_seen.get(key, {})
        now: dict[str, str] = {}
        per_server: Counter[str] = Counter()
        unanswered: Counter[str] = Counter()
        rules = 0
        for client in client_addresses(command.count):
            result = self.sim.open_connection(client, self._source_port(), command.destination,
                                              command.port, protocol=command.protocol)
            now[client] = result.server
            per_server[result.server] += 1
            rules += result.rules_evaluated
            if not result.reachable:
                unanswered[result.server] += 1
        self._last_seen[key] = now
        moved = sum(1 for client, server in now.items()
                    if client in previous and previous[client] != server)
        compared = sum(1 for client in now if client in previous)
        lines = [f"{command.count} clients -> {command.destination}:{command.port}/"
                 f"{command.protocol}, one new connection each:"]
        for server, count in sorted(per_server.items(), key=lambda kv: (-kv[1], kv[0])):
            note = f"  ({unanswered[server]} unanswered: down)" if unanswered[server] else ""
            lines.append(f"  {server:<22} {count:>6}  {100 * count / command.count:5.1f}%{note}")
        lines.append(f"  rules met per first packet: {rules / command.count:.1f} on average")
        if compared:
            lines.append(f"  moved since the last run: {moved} of {compared}")
        return "\n".join(lines)

    def _source_port(self) -> int:
        port = self._next_port
        self._next_port = FIRST_CLIENT_PORT + (self._next_port + 1 - FIRST_CLIENT_PORT) % 40_000
        return port

    @staticmethod
    def _mail(messages: list[Any]) -> str:
        blocks = []
        for message in messages:
            body = "\n".join(f"    {line}" for line in message.body.splitlines())
            blocks.append(f"mail {message.sent_at} to {message.to}: {message.subject}"
                          + (f"\n{body}" if body else ""))
        return "\n".join(blocks)


def _log_line(entry: dict[str, str]) -> str:
    return f"log  {entry.get('time', '')} {entry.get('topics', '')}: {entry.get('message', '')}"
