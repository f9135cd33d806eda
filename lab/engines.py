"""The two ways the demo deploys a stack: the real `pulumi` CLI when it is on PATH, else the engine
stand-in (`engine_standin/`: the program captured under mocks, Pulumi's own dynamic-provider host
driven with the engine's step semantics).

Both take the stack's config already aimed at the simulated router, and the router password, which
reaches the providers as secret stack config (`pulumi config set --secret routeros:password`, fed
on stdin to the CLI) and is never printed. Each command returns the lines to show.

The CLI runs on a copy of the project in a temporary directory (the program's packages, Pulumi.yaml,
a link to this virtualenv, and the stack file with the simulator's address), with its own
PULUMI_HOME, a local file backend in that directory (`pulumi login file://…`) and a throwaway
passphrase: nothing in the repository, in ~/.pulumi or in the user's Pulumi account changes, and
the directory goes when the demo ends.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from stackconfig.stack_file import write_stack_file
from tools.folding import compact

ROOT = Path(__file__).resolve().parents[1]
WIDTH = 78
# What the CLI's copy of the project leaves out: not the program's, or not source.
_NOT_COPIED = (".git", ".venv", ".github", ".ci", "tests", "bench", "docs", "stacks", "tools",
               "lab", "engine_standin", "simulator", "__pycache__", ".pytest_cache", ".hypothesis",
               ".ruff_cache", ".sim-state*.json", "*.pyc")
PASSWORD_ENV = "ROUTEROS_PASSWORD"  # noqa: S105 - the variable's name


class DeployError(Exception):
    """A deployment command failed; the message carries what the engine said."""


class Engine(Protocol):
    description: str

    def preview(self) -> list[str]: ...
    def up(self) -> list[str]: ...
    def up_no_changes(self) -> list[str]: ...
    def refresh(self) -> list[str]: ...
    def destroy(self) -> list[str]: ...
    def __enter__(self) -> Engine: ...
    def __exit__(self, *exc: object) -> None: ...


def pulumi_on_path() -> str | None:
    return shutil.which("pulumi")


def wrap(prefix: str, names: Sequence[str]) -> list[str]:
    """`prefix` and the names (numbered runs folded: `web/slot-0..63`), wrapped at 80 columns."""
    return textwrap.wrap(" ".join(compact(names)), width=WIDTH, initial_indent=f"  {prefix}",
                         subsequent_indent=" " * (len(prefix) + 2),
                         break_on_hyphens=False) or [f"  {prefix}"]


# ------------------------------------------------------------------------------ the stand-in


class EngineStandIn:
    """`pulumi preview/up/destroy` played by `engine_standin` against the router in `config`."""

    def __init__(self, program: Callable[[], Any], stack: str, config: dict[str, Any],
                 password: str) -> None:
        self.description = ("the engine stand-in (engine_standin/: the program under Pulumi's "
                            "mocks, Pulumi's own dynamic-provider host driven as the engine "
                            "drives it); the Pulumi CLI is not on PATH")
        self._program = program
        self._stack = stack
        self._config = config
        self._password = password
        self._driver: Any = None
        self._registrations: list[Any] = []

    def __enter__(self) -> EngineStandIn:
        from engine_standin.capture import capture
        from engine_standin.driver import Driver

        self._registrations = capture(self._program, stack=self._stack, config=self._config)
        env = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
        self._driver = Driver({"routeros:password": self._password}, env=env)
        return self

    def __exit__(self, *exc: object) -> None:
        leaked = [text for text in self._driver.logs if self._password in text]
        if leaked:
            raise DeployError("the router password appeared in the provider host's output")

    def preview(self) -> list[str]:
        return self._summary(self._run(lambda: self._driver.preview(self._registrations)))

    def up(self) -> list[str]:
        return self._summary(self._run(lambda: self._driver.up(self._registrations)))

    def up_no_changes(self) -> list[str]:
        steps = self._run(lambda: self._driver.up(self._registrations))
        changed = [step for step in steps if step.op != "same"]
        if changed:
            raise DeployError(f"a second `up` changed {len(changed)} resource(s): "
                              + ", ".join(_name(step.urn) for step in changed))
        return [f"  {len(steps)} resources unchanged, nothing written"]

    def refresh(self) -> list[str]:
        steps = self._run(self._driver.refresh)
        drifted = [f"  drift    {_name(step.urn)} ({', '.join(step.changed)})"
                   for step in steps if step.changed or step.op == "gone"]
        in_sync = sum(1 for step in steps if not step.changed and step.op != "gone")
        return [*drifted, f"  in sync  {in_sync} resources"]

    def destroy(self) -> list[str]:
        return self._summary(self._run(self._driver.destroy))

    def _run(self, command: Callable[[], list[Any]]) -> list[Any]:
        from engine_standin.driver import CheckFailedError

        try:
            return command()
        except CheckFailedError as error:
            raise DeployError(str(error)) from None

    @staticmethod
    def _summary(steps: list[Any]) -> list[str]:
        by_op: dict[str, list[str]] = defaultdict(list)
        for step in steps:
            by_op[step.op].append(_name(step.urn))
        if set(by_op) <= {"same"}:
            return ["  no changes"]
        lines = []
        for op, names in by_op.items():
            if op != "same":
                lines += wrap(f"{op} {len(names)}: ", names)
        if by_op.get("same"):
            lines.append(f"  same {len(by_op['same'])}")
        return lines


def _name(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


# ------------------------------------------------------------------------------ the real CLI


class PulumiCli:
    """The real `pulumi` on a throwaway copy of the project, backend and passphrase."""

    def __init__(self, executable: str, stack: str, config: dict[str, Any], password: str) -> None:
        self.executable = executable
        self.stack = stack
        self._config = config
        self._password = password
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self.project: Path | None = None
        self.description = f"the Pulumi CLI ({executable})"

    def __enter__(self) -> PulumiCli:
        self._tmp = tempfile.TemporaryDirectory(prefix="routeros-lb-demo-")
        base = Path(self._tmp.name)
        self.project = base / "project"
        shutil.copytree(ROOT, self.project, ignore=shutil.ignore_patterns(*_NOT_COPIED))
        (self.project / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
        (self.project / "stacks").mkdir()
        stack_file = self.project / "stacks" / f"Pulumi.{self.stack}.yaml"
        write_stack_file(stack_file, self._config)
        (base / "state").mkdir()
        # Its own PULUMI_HOME: `login` here must not change which backend the user is logged in to.
        self._env = {
            **{k: v for k, v in os.environ.items()
               if not k.startswith("PULUMI_") and k != PASSWORD_ENV},
            "PULUMI_HOME": str(base / "home"),
            "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
        }
        self.description += f", local backend in {base / 'state'}, a throwaway passphrase"
        # The README's steps: log in to a local backend, create the stack, set the password as
        # a secret (read from stdin, never on a command line), then preview and up.
        self._run("login", (base / "state").as_uri())
        self._run("stack", "init", self.stack, "--secrets-provider", "passphrase")
        self._run("config", "set", "--secret", "routeros:password", "--stack", self.stack,
                  stdin=self._password)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def preview(self) -> list[str]:
        return self._run("preview", "--stack", self.stack, "--diff")

    def up(self) -> list[str]:
        return self._run("up", "--stack", self.stack, "--yes", "--skip-preview")

    def up_no_changes(self) -> list[str]:
        return self._run("up", "--stack", self.stack, "--yes", "--skip-preview",
                         "--expect-no-changes")

    def refresh(self) -> list[str]:
        return self._run("refresh", "--stack", self.stack, "--yes", "--skip-preview")

    def destroy(self) -> list[str]:
        return self._run("destroy", "--stack", self.stack, "--yes", "--skip-preview")

    def _run(self, *args: str, stdin: str | None = None) -> list[str]:
        command = [self.executable, "--cwd", str(self.project), "--non-interactive",
                   "--color", "never", *args]
        result = subprocess.run(command, env=self._env, capture_output=True, text=True,  # noqa: S603
                                input=stdin if stdin is not None else "", check=False)
        output = (result.stdout + result.stderr).replace(self._password, "********")
        lines = [wrapped for line in output.splitlines() if line.strip()
                 for wrapped in textwrap.wrap(line, width=WIDTH, initial_indent="  ",
                                              subsequent_indent="      ",
                                              replace_whitespace=False, drop_whitespace=False)]
        if result.returncode != 0:
            raise DeployError(f"`pulumi {' '.join(args)}` failed (exit {result.returncode}):\n"
                              + "\n".join(lines[-20:]))
        return lines
