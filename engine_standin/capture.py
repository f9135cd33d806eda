"""Run a Pulumi program under `pulumi.runtime.set_mocks` and capture its resource registrations.

The driver applies what a program declares without the Pulumi CLI. Under mocks no provider runs,
so a resource's id is not known while the program runs: each custom resource gets a placeholder id
(`<id:URN>`), which flows into the inputs of the resources that use it (`rule_ids=[rule.id]`,
even inside formatted strings). The driver replaces placeholders with real ids as it creates
resources, in the order the program constructed them (a dependency order).

Mocked outputs are the resource's own inputs; outputs only a provider computes are not known
here and must not be needed to build other resources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from engine_standin.host import PROJECT

PLACEHOLDER = re.compile(r"<id:([^>]+)>")


@dataclass(frozen=True)
class Registration:
    """One custom resource as the program declared it: what the engine would hand to Check.

    `inputs` include `__provider` (the serialized provider, unwrapped from its secret).
    """

    urn: str
    type: str
    name: str
    inputs: dict[str, Any]
    delete_before_replace: bool = False
    # URNs of the custom resources this one depends on (`depends_on` and the inputs' outputs),
    # as the engine receives them: what lets an engine run independent steps in parallel.
    dependencies: tuple[str, ...] = ()


@dataclass
class _Recorder(pulumi_mocks.Mocks):
    calls: list[tuple[str, str, dict[str, Any], bool]] = field(default_factory=list)
    # (type, name) in the order the program constructed them. Registrations reach the mocks
    # asynchronously, in an order that varies from run to run; construction order does not, and
    # it is a dependency order (a resource can only use the id of one built before it).
    constructed: list[tuple[str, str]] = field(default_factory=list)

    def record_construction(
        self, args: pulumi.ResourceTransformationArgs
    ) -> pulumi.ResourceTransformationResult | None:
        self.constructed.append((args.type_, args.name))
        return None

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> tuple[str | None, dict]:
        if not args.custom:
            return None, {}
        placeholder = f"<id:{args.typ}::{args.name}>"
        self.calls.append((args.typ, args.name, dict(args.inputs), True))
        return placeholder, dict(args.inputs)

    def call(self, args: pulumi_mocks.MockCallArgs) -> tuple[dict, list | None]:
        return {}, None


class _Monitor(pulumi_mocks.MockMonitor):
    """The mock monitor, keeping each registration's dependencies (the mocks never see them)."""

    def __init__(self, mocks: pulumi_mocks.Mocks) -> None:
        super().__init__(mocks)
        self.dependencies: dict[tuple[str, str], list[str]] = {}

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC's name
        self.dependencies[(request.type, request.name)] = list(request.dependencies)
        return super().RegisterResource(request)


def capture(
    program: Callable[[], Any],
    *,
    stack: str = "dev",
    project: str = PROJECT,
    config: Mapping[str, Any] | None = None,
    secret_keys: Iterable[str] = (),
) -> list[Registration]:
    """Run `program` under mocks; the custom resources it registered, in construction order.

    `config` is the stack config the program reads (`{"routeros:host": ...}`, as
    `stackconfig.stack_file` reads a stack file); values that are not strings reach the program
    JSON-encoded, as the engine passes a stack file's objects. `secret_keys` are the keys the
    engine marks secret (set with `pulumi config set --secret`, `secure:` in the file).
    """
    recorder = _Recorder()
    monitor = _Monitor(recorder)
    # `set_mocks` keeps the root stack resource of an earlier run, and with it every stack
    # transformation registered there: each capture would run all earlier captures' ones too
    # (and a program's own transformation would leak into the next program). A new root each time.
    settings.set_root_resource(None)  # type: ignore[arg-type]
    pulumi.runtime.set_mocks(recorder, project=project, stack=stack, preview=False,
                             monitor=monitor)
    pulumi.runtime.set_all_config(
        {k: v if isinstance(v, str) else json.dumps(v) for k, v in (config or {}).items()},
        list(secret_keys),
    )

    def recorded_program() -> Any:
        pulumi.runtime.register_stack_transformation(recorder.record_construction)
        return program()

    _sync_await(run_pulumi_func(recorded_program))
    position = {key: index for index, key in enumerate(recorder.constructed)}
    recorder.calls.sort(key=lambda call: position[(call[0], call[1])])

    # The engine leaves the root stack's type out of its children's URNs; the mock monitor does not.
    def engine_urn(urn: str) -> str:
        return urn.replace("::pulumi:pulumi:Stack$", "::", 1)

    urn_of = {reg.id: engine_urn(urn) for urn, reg in monitor.get_registered_resources().items()}
    placeholders = {f"<id:{typ}::{name}>": urn_of[f"<id:{typ}::{name}>"]
                    for typ, name, _, _ in recorder.calls}

    def rewrite(value: Any) -> Any:
        if rpc.is_rpc_secret(value):
            return rewrite(value["value"])
        if isinstance(value, str):
            return PLACEHOLDER.sub(lambda m: f"<id:{placeholders[m.group(0)]}>", value)
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        if isinstance(value, dict):
            return {k: rewrite(v) for k, v in value.items()}
        return value

    return [
        Registration(urn=placeholders[f"<id:{typ}::{name}>"], type=typ, name=name,
                     inputs=rewrite(inputs),
                     dependencies=tuple(engine_urn(urn) for urn
                                        in monitor.dependencies.get((typ, name), ())))
        for typ, name, inputs, _ in recorder.calls
    ]


def resolve(value: Any, ids: dict[str, str], unknown: str | None = None) -> Any:
    """Replace `<id:URN>` placeholders with the ids in `ids`.

    A placeholder whose resource has no id yet becomes `unknown` (Pulumi's sentinel, as in a
    preview) when given, and is an error otherwise.
    """
    if isinstance(value, str):
        if unknown is not None and any(m.group(1) not in ids for m in PLACEHOLDER.finditer(value)):
            return unknown

        def substitute(match: re.Match[str]) -> str:
            urn = match.group(1)
            if urn not in ids:
                raise KeyError(f"{urn} has no id yet: is it registered after its dependents?")
            return ids[urn]

        return PLACEHOLDER.sub(substitute, value)
    if isinstance(value, list):
        return [resolve(v, ids, unknown) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, ids, unknown) for k, v in value.items()}
    return value
