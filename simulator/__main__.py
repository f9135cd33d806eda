"""`python -m simulator`: serve a simulated RouterOS router on loopback until SIGINT or SIGTERM.

The router's clock follows real time (`--clock real`, the default) or moves only when told
(`--clock virtual`: the `advance` command). Commands typed on stdin (`help` lists them; see
`simulator/console.py`) break and repair servers and show where clients go; when stdin ends the
router keeps serving. The password may come from `ROUTEROS_PASSWORD` so that it need not show in
`ps`; it is never printed.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from types import FrameType

from simulator.console import Console
from simulator.harness import Simulator
from simulator.profiles import DEFAULT_PROFILE, PROFILES
from simulator.server import ServerError

PASSWORD_ENV = "ROUTEROS_PASSWORD"  # noqa: S105 - the variable's name, not a password
TICK = 1.0


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0-65535; 0 picks a free one)")
    return port


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulator", description="A simulated RouterOS router on loopback."
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument("--port", type=_port, default=8728, help="0 picks a free port")
    parser.add_argument(
        "--version", default=DEFAULT_PROFILE, help=f"RouterOS profile: {', '.join(PROFILES)}"
    )
    parser.add_argument("--user", default="admin")
    parser.add_argument("--password", default=None, help=f"default: ${PASSWORD_ENV}, else empty")
    parser.add_argument("--tls", action="store_true", help="serve API-SSL with a new certificate")
    parser.add_argument("--state", metavar="FILE", help="keep the configuration in FILE")
    parser.add_argument("--seed-defconf", action="store_true", help="start from a default config")
    parser.add_argument(
        "--clock", choices=("real", "virtual"), default="real",
        help="real: the clock follows real time; virtual: it moves only with `advance`",
    )
    parser.epilog = "Commands on stdin: " + ", ".join(
        ("down <address>", "up <address>", "advance <seconds>", "clients <N> <dst> <port>",
         "mail", "log", "help")) + ". Ctrl-C stops the router."
    return parser.parse_args(argv)


def start_console(console: Console) -> None:
    """Serve typed commands from stdin on a daemon thread; its end (EOF) stops only the console."""
    interactive = sys.stdin is not None and sys.stdin.isatty()

    def out(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    def serve() -> None:
        if interactive:
            out("type `help` for commands; Ctrl-C stops the router\n")
        console.serve(sys.stdin, out, prompt="> " if interactive else "")

    if sys.stdin is not None:
        threading.Thread(target=serve, name="console", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    password = args.password if args.password is not None else os.environ.get(PASSWORD_ENV, "")
    try:
        sim = Simulator(
            version=args.version,
            username=args.user,
            password=password,
            tls=args.tls,
            state_file=args.state,
            seed_defconf=args.seed_defconf,
            host=args.host,
            port=args.port,
        ).start()
    except (ServerError, ValueError) as error:
        print(f"simulator: {error}", file=sys.stderr)
        return 2

    # A signal handler runs in the main thread between any two bytecodes, possibly while that
    # thread holds a lock (an Event's own, inside `wait`): taking any lock there can deadlock.
    # So the handler only flips a flag, which the loop below reads every tick.
    stopping: list[bool] = []

    def request_stop(_signum: int, _frame: FrameType | None) -> None:
        stopping.append(True)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    extra = f", TLS, ca-file={sim.ca_file}" if sim.tls else ""
    version = sim.profile.version.split()[0]
    print(f"listening on {sim.host}:{sim.port} (RouterOS {version}{extra})", flush=True)
    start_console(Console(sim, virtual_clock=args.clock == "virtual"))

    try:
        last = time.monotonic()
        while not stopping:
            time.sleep(TICK)
            now = time.monotonic()
            if args.clock == "real":
                sim.advance(now - last)
            last = now
    finally:
        sim.stop()
        if sim.router.state_file is not None:
            # The router saves on every change; this catches what changed without a command.
            from simulator import state

            with sim.router.lock:
                state.save(sim.router, sim.router.state_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
