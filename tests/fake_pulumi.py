"""A stand-in `pulumi` executable for the demo's real-CLI path: it records every call (arguments,
the backend, whether a passphrase and the router password were given, the stack file it found) to
the JSON-lines file named by `FAKE_PULUMI_RECORD`, and carries out `login <file://…>`, `stack
init`, `config set --secret routeros:password` (value on stdin), `preview`, `up` (with
`--expect-no-changes`), `refresh` and `destroy` with the engine stand-in on the project directory
it is given (`--cwd`), keeping the checkpoint and the secret in the file backend — so the demo's
screens after `up` have a deployed router to show.

The test writes a `pulumi` script that runs this module with the project's interpreter.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
VALUED = frozenset({"--cwd", "--color", "--stack", "-s", "--secrets-provider", "--config-file"})


def option(argv: list[str], name: str) -> str | None:
    return argv[argv.index(name) + 1] if name in argv else None


def positional(argv: list[str]) -> list[str]:
    words, skip = [], False
    for word in argv:
        if skip:
            skip = False
        elif word in VALUED:
            skip = True
        elif not word.startswith("-"):
            words.append(word)
    return words


def main(argv: list[str]) -> int:
    # Run as a script, this file's directory is on the path, not the repository's.
    sys.path.append(str(ROOT))
    from stackconfig.stack_file import read_stack_file

    project = Path(option(argv, "--cwd") or ".")
    home = Path(os.environ["PULUMI_HOME"])
    words = positional(argv)
    if words[:1] == ["login"]:
        home.mkdir(parents=True, exist_ok=True)
        (home / "fake-backend").write_text(words[1])
    backend = (home / "fake-backend").read_text() if (home / "fake-backend").exists() else ""
    stack = option(argv, "--stack") or (words[2] if words[:2] == ["stack", "init"] else "")
    stack_file = project / "stacks" / f"Pulumi.{stack}.yaml"
    record = {
        "argv": argv,
        "backend": backend,
        "passphrase": bool(os.environ.get("PULUMI_CONFIG_PASSPHRASE")),
        "passwordInEnvironment": "ROUTEROS_PASSWORD" in os.environ,
        "home": str(home),
        "project": sorted(p.name for p in project.iterdir()) if project.is_dir() else None,
        "stackConfig": read_stack_file(stack_file).config
        if stack_file.is_file() else None,
    }
    with open(os.environ["FAKE_PULUMI_RECORD"], "a") as out:
        out.write(json.dumps(record) + "\n")

    if words[:1] == ["login"]:
        print(f"Logged in to {backend}")
        return 0
    state_file = Path(urlparse(backend).path) / f"{stack}.pickle"
    secret_file = Path(urlparse(backend).path) / f"{stack}.secrets.json"
    if words[:3] == ["config", "set", "routeros:password"] and "--secret" in argv:
        secret_file.write_text(json.dumps({"routeros:password": sys.stdin.read()}))
        return 0
    if words[:2] == ["stack", "init"]:
        state_file.write_bytes(pickle.dumps({}))
        print(f"Created stack '{stack}'")
        return 0

    # The program as `pulumi` would run it: from the project directory it was given (the engine
    # stand-in, playing the engine, comes from this repository).
    sys.path.insert(0, str(project))
    sys.path.append(str(ROOT))
    from components.program import declare_site
    from engine_standin.capture import capture
    from engine_standin.driver import Driver

    driver = Driver(json.loads(secret_file.read_text()), env=dict(os.environ))
    driver.state = pickle.loads(state_file.read_bytes())  # noqa: S301 - our own checkpoint
    command = words[0]
    if command in ("preview", "up"):
        program = capture(declare_site, stack=stack, config=record["stackConfig"])
        steps = driver.preview(program) if command == "preview" else driver.up(program)
    elif command == "refresh":
        steps = driver.refresh()
    elif command == "destroy":
        steps = driver.destroy()
    else:
        print(f"fake pulumi: {command} is not played", file=sys.stderr)
        return 1
    changed = [step for step in steps if step.op not in ("same", "refresh") or step.changed]
    if "--expect-no-changes" in argv and changed:
        print(f"error: {len(changed)} changes", file=sys.stderr)
        return 1
    if command != "preview":
        state_file.write_bytes(pickle.dumps(driver.state))
    for step in changed:
        print(f"    {step.op} {step.urn.rsplit('::', 1)[-1]}")
    print(f"Resources: {len(changed)} changed, {len(steps) - len(changed)} unchanged")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
