"""ScriptRun: run a named `/system/script` on the router when, and only when, its trigger changes.

A deployment that changes a load balancer must leave the router converged at once, not at the
next scheduler tick: the component declares a ScriptRun of the service's sync script whose
`trigger` changes with everything the script reconciles. It owns no router object:

- create and update run the script (one `/system/script/run`, the only command it sends);
- diff reports a change only when `script` or `trigger` differ, or the router is another one,
  so a no-op `up` sends nothing;
- read changes nothing (there is nothing on the router to drift), delete does nothing.

A failed run (the script missing, not permitted, or failing) is a `RouterError` naming the
script; the run is not repeated on a dropped connection (a script is not idempotent in general),
and the engine's next `up` runs it again because the failed step left no state.

The module and class names are a stable interface (providers are pickled by reference).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from providers.connection import RouterSettings, client_for, password_source
from providers.dynamic_resource import RouterResource
from providers.router_input import check_router, router_target
from providers.schemas._system import object_name
from providers.schemas.base import is_unknown

SCRIPT_PATH = "/system/script"
INPUTS = ("router", "script", "trigger")


class ScriptRunProvider(ResourceProvider):
    """The dynamic provider behind `ScriptRun`. Holds no state."""

    def configure(self, req: ConfigureRequest) -> None:
        password_source.configure(req)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        inputs = {key: news.get(key) for key in INPUTS if news.get(key) is not None}
        failures = check_router(news, inputs)
        script = news.get("script")
        if script is None:
            failures.append(CheckFailure("script", "script is required: the name of a "
                                                   f"{SCRIPT_PATH} item to run"))
        elif not is_unknown(script):
            try:
                object_name(script)
            except ValueError as exc:
                failures.append(CheckFailure("script", str(exc)))
        trigger = news.get("trigger")
        if trigger is not None and not is_unknown(trigger) and not isinstance(trigger, str):
            failures.append(CheckFailure("trigger", "trigger must be a string; the script runs "
                                                    "whenever it changes"))
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in ("script", "trigger") if olds.get(key) != news.get(key)]
        if is_unknown(news.get("router")) or (
                router_target(olds.get("router")) != router_target(news.get("router"))):
            changed.append("router")
        # Nothing to replace: there is no object, only a run; an update runs the script again.
        return DiffResult(changes=bool(changed), replaces=[], stables=[],
                          delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        outputs = self._run(props)
        return CreateResult(str(props["script"]), outputs)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._run(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        inputs = {key: props[key] for key in INPUTS if props.get(key) is not None}
        return ReadResult(id_, dict(props), inputs)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Nothing to remove: the script belongs to its own resource."""

    @staticmethod
    def _run(props: dict[str, Any]) -> dict[str, Any]:
        client = client_for(RouterSettings.from_inputs(props["router"]))
        client.run(SCRIPT_PATH, "run", number=str(props["script"]))
        return {key: props.get(key) for key in INPUTS}


class ScriptRun(RouterResource, module="routeros", name="ScriptRun"):
    """Runs the script named `script` on create and whenever `trigger` (or `script`) changes.

    Give it `depends_on` everything the script reads, so it runs after they are in place.
    """

    script: pulumi.Output[str]
    trigger: pulumi.Output[str]

    def __init__(
        self,
        resource_name: str,
        *,
        router: pulumi.Input[RouterSettings | dict[str, Any]],
        script: pulumi.Input[str],
        trigger: pulumi.Input[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        if isinstance(router, RouterSettings):
            router = router.as_inputs()
        props = {"router": router, "script": script, "trigger": trigger}
        super().__init__(ScriptRunProvider(), resource_name, props, opts)
