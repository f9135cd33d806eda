"""A stand-in for the Pulumi engine: Pulumi's step semantics over the real dynamic provider host.

`Driver(config)` holds a state dict like the engine's checkpoint (urn → id, type, inputs, outputs)
and applies programs captured by `capture.capture` (or hand-made `Registration`s). Like the CLI,
each command starts its own provider host (so nothing cached in one run survives into the next),
configures it with the stack config, and stops it; what the hosts printed is kept in `logs`.

- `up(resources)`: for each resource in order, Check (old inputs, new inputs) → for a new one
  Create; for an existing one Diff (old outputs, checked inputs) → nothing (`same`), Update, or
  Replace: create the new object first and delete the old one at the end of the run, unless the
  provider or the registration asks for delete-before-replace. Resources in the state but no longer
  in the program are deleted, dependents first (reverse registration order).
- `preview(resources)`: Check and Diff only; ids of resources not created yet are unknown;
  resources in the state but no longer in the program show as `delete`.
- `refresh()`: Read every resource; outputs (and inputs, when the provider returns them) are
  replaced by what the router shows; an empty id drops the resource from the state.
- `destroy()`: Delete everything, dependents first.

Each returns the `Step`s taken, so a test can assert that a no-op `up` is all `same`.
What is left out of the engine: parallelism, resource options beyond delete-before-replace,
ignore-changes and aliases.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from pulumi.runtime.rpc import UNKNOWN

from engine_standin.capture import Registration, resolve
from engine_standin.host import ProviderHost

Op = Literal["create", "update", "replace", "same", "delete", "refresh", "gone"]


class CheckFailedError(Exception):
    def __init__(self, urn: str, failures: list[tuple[str, str]]) -> None:
        text = "; ".join(f"{prop}: {reason}" for prop, reason in failures)
        super().__init__(f"{urn}: {text}")
        self.urn = urn
        self.failures = failures


@dataclass
class ResourceState:
    """One checkpoint entry."""

    urn: str
    type: str
    id: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass(frozen=True)
class Step:
    op: Op
    urn: str
    # The properties that differ: for update/replace the provider's view, for refresh the outputs.
    changed: tuple[str, ...] = field(default=())


def _changed_keys(old: dict[str, Any], new: dict[str, Any]) -> tuple[str, ...]:
    keys = (set(old) | set(new)) - {"__provider"}
    return tuple(sorted(k for k in keys if old.get(k) != new.get(k)))


class Driver:
    """The engine's steps against the provider host; `state` is the checkpoint."""

    def __init__(self, config: dict[str, str], env: dict[str, str] | None = None) -> None:
        self.config = dict(config)
        self.env = env
        self.state: dict[str, ResourceState] = {}
        self.logs: list[str] = []
        self._host: ProviderHost | None = None

    @property
    def host(self) -> ProviderHost:
        if self._host is None:
            raise RuntimeError("no command is running")
        return self._host

    @contextmanager
    def _command(self) -> Iterator[ProviderHost]:
        host = ProviderHost(config=self.config, env=self.env)
        self._host = host.start()
        try:
            yield host
        finally:
            self._host = None
            host.stop()
            self.logs += [host.stdout, host.stderr]

    # -- the commands -------------------------------------------------------------------------

    def up(self, resources: Iterable[Registration]) -> list[Step]:
        with self._command():
            return self._up(resources)

    def preview(self, resources: Iterable[Registration]) -> list[Step]:
        """The steps `up` would take, calling only Check and Diff."""
        with self._command():
            return self._preview(resources)

    def refresh(self) -> list[Step]:
        with self._command():
            return self._refresh()

    def destroy(self) -> list[Step]:
        with self._command():
            return self._destroy()

    # -- the steps ----------------------------------------------------------------------------

    def _up(self, resources: Iterable[Registration]) -> list[Step]:
        steps: list[Step] = []
        replaced: list[ResourceState] = []
        wanted = list(resources)
        for reg in wanted:
            news = resolve(reg.inputs, self._ids())
            old = self.state.get(reg.urn)
            checked = self._check(reg.urn, old.inputs if old else {}, news)
            if old is None:
                self._create(reg, checked)
                steps.append(Step("create", reg.urn))
                continue
            diff = self.host.diff(reg.urn, old.id, old.outputs, checked, old.inputs)
            changed = _changed_keys(old.inputs, checked)
            if not diff.changes:
                # The engine keeps the outputs and records the new inputs.
                old.inputs = checked
                steps.append(Step("same", reg.urn))
            elif diff.replaces:
                if diff.delete_before_replace or reg.delete_before_replace:
                    self._delete(old)
                else:
                    replaced.append(old)
                self._create(reg, checked)
                steps.append(Step("replace", reg.urn, tuple(diff.replaces)))
            else:
                old.outputs = self.host.update(reg.urn, old.id, old.outputs, checked, old.inputs)
                old.inputs = checked
                steps.append(Step("update", reg.urn, changed or ("drift",)))
        for old in reversed(replaced):
            self.host.delete(old.urn, old.id, old.outputs, old.inputs)
        keep = {reg.urn for reg in wanted}
        for urn in reversed(list(self.state)):
            if urn not in keep:
                self._delete(self.state[urn])
                steps.append(Step("delete", urn))
        return steps

    def _preview(self, resources: Iterable[Registration]) -> list[Step]:
        steps: list[Step] = []
        ids = self._ids()
        wanted = list(resources)
        for reg in wanted:
            news = resolve(reg.inputs, ids, unknown=UNKNOWN)
            old = self.state.get(reg.urn)
            checked = self._check(reg.urn, old.inputs if old else {}, news)
            if old is None:
                steps.append(Step("create", reg.urn))
                continue
            diff = self.host.diff(reg.urn, old.id, old.outputs, checked, old.inputs)
            if not diff.changes:
                steps.append(Step("same", reg.urn))
            else:
                op: Op = "replace" if diff.replaces else "update"
                steps.append(Step(op, reg.urn, tuple(diff.replaces)
                                  or _changed_keys(old.inputs, checked)))
        # What `up` would delete: in the state, no longer in the program.
        keep = {reg.urn for reg in wanted}
        steps += [Step("delete", urn) for urn in reversed(list(self.state)) if urn not in keep]
        return steps

    def _refresh(self) -> list[Step]:
        steps: list[Step] = []
        for urn, entry in list(self.state.items()):
            id_, outputs, inputs = self.host.read(urn, entry.id, entry.outputs, entry.inputs)
            if not id_:
                del self.state[urn]
                steps.append(Step("gone", urn))
                continue
            changed = _changed_keys(entry.outputs, outputs)
            entry.id, entry.outputs = id_, outputs
            if inputs is not None:
                entry.inputs = inputs
            steps.append(Step("refresh", urn, changed))
        return steps

    def _destroy(self) -> list[Step]:
        steps = []
        for urn in reversed(list(self.state)):
            self._delete(self.state[urn])
            steps.append(Step("delete", urn))
        return steps

    # -- helpers ------------------------------------------------------------------------------

    def _ids(self) -> dict[str, str]:
        return {urn: entry.id for urn, entry in self.state.items()}

    def _check(self, urn: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        outcome = self.host.check(urn, olds, news)
        if outcome.failures:
            raise CheckFailedError(urn, outcome.failures)
        return outcome.inputs

    def _create(self, reg: Registration, inputs: dict[str, Any]) -> None:
        id_, outputs = self.host.create(reg.urn, inputs)
        self.state[reg.urn] = ResourceState(reg.urn, reg.type, id_, inputs, outputs)

    def _delete(self, entry: ResourceState) -> None:
        self.host.delete(entry.urn, entry.id, entry.outputs, entry.inputs)
        self.state.pop(entry.urn, None)
