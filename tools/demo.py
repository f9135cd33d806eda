"""`make demo`: the main job, `pulumi up --stack dev`, against a simulated router.

No Pulumi CLI and no real router are needed. A RouterOS 7 router is simulated on loopback with the
default configuration a new router ships; the program (`__main__.py`'s `declare_site`) runs with the
dev stack's config, and every resource goes through Pulumi's own dynamic-provider host exactly as
`pulumi up` would hand it over (the engine stand-in, `engine_standin/`, plays the engine).
Then it shows what a user sees next: a second `up` with nothing to do, drift made by hand found by
`refresh` and put right by `up`, an e-mail sent with the settings, and `destroy` restoring the
router's own settings.

The router password is made up per run and never printed.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import librouteros
import yaml

from components.program import declare_site
from engine_standin.capture import capture
from engine_standin.driver import Driver, Step
from simulator import Simulator

ROOT = Path(__file__).resolve().parents[1]
STACK = "dev"
EMAIL = "/tool/e-mail"


def stack_config(stack: str, port: int) -> dict[str, Any]:
    """The stack file's config, pointed at the simulator's port (picked free for this run)."""
    text = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
    config = dict(yaml.safe_load(text)["config"])
    config["routeros:port"] = port
    return config


def show_steps(title: str, steps: Iterable[Step]) -> None:
    print(f"\n== {title}")
    steps = list(steps)
    if all(step.op == "same" for step in steps):
        print("   no changes")
        return
    for step in steps:
        if step.op == "refresh" and not step.changed:
            print(f"   in sync  {step.urn.rsplit('::', 1)[-1]}")
        elif step.op != "same":
            detail = f" ({', '.join(step.changed)})" if step.changed else ""
            print(f"   {step.op:8} {step.urn.rsplit('::', 1)[-1]}{detail}")


def show_email(api: Any) -> None:
    (settings,) = tuple(api.path(EMAIL))
    shown = {k: v for k, v in settings.items() if k != "password"}
    print("   /tool e-mail: " + " ".join(f"{k}={v}" for k, v in shown.items()))


@contextmanager
def simulated_router(password: str) -> Iterator[Simulator]:
    with Simulator(version="7.20", password=password, seed_defconf=True) as sim:
        yield sim


def main() -> int:
    password = secrets.token_urlsafe(16)
    with simulated_router(password) as sim:
        print(f"Simulated router: RouterOS {sim.profile.version} on {sim.host}:{sim.port}")
        program = capture(declare_site, stack=STACK, config=stack_config(STACK, sim.port))
        # What `pulumi config set --secret routeros:password` hands the provider host.
        env = {k: v for k, v in os.environ.items() if k != "ROUTEROS_PASSWORD"}
        engine = Driver({"routeros:password": password}, env=env)
        api = librouteros.connect(sim.host, sim.username, password, port=sim.port)
        try:
            print("\n== the router before")
            show_email(api)
            show_steps("pulumi preview --diff", engine.preview(program))
            show_steps("pulumi up", engine.up(program))
            show_email(api)
            show_steps("pulumi up (again)", engine.up(program))

            print("\n== someone changes the SMTP port by hand")
            tuple(api("/tool/e-mail/set", port=2525))
            show_email(api)
            show_steps("pulumi refresh", engine.refresh())
            show_steps("pulumi up", engine.up(program))
            show_email(api)

            print("\n== the router e-mails with these settings")
            tuple(api("/tool/e-mail/send", to="admin@dev.example", subject="routeros-lb demo",
                      body="hello from the simulated router"))
            for mail in sim.outbox:
                print(f"   sent via {mail.server}:{mail.port} from {mail.sender} to {mail.to}: "
                      f"{mail.subject!r}")

            show_steps("pulumi destroy", engine.destroy())
            show_email(api)
        finally:
            api.close()
        leaked = [text for text in engine.logs if password in text]
    if leaked:
        print("the router password appeared in the provider host's output", file=sys.stderr)
        return 1
    print("\nDone. `make sim` keeps a simulated router running for `pulumi up --stack dev`.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
