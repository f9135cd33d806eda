"""The engine stand-in with the engine's parallelism, for timing what `pulumi up` would do.

`engine_standin.Driver` runs every step in turn; the Pulumi engine does not. Its step generator
handles registrations one at a time (Check, then Diff, calls to the provider in that order), but a
resource registers only once the outputs it uses are known, and the steps themselves (Create,
Update, Delete, Read) run in parallel, unbounded by default (`--parallel`), each as soon as the
resources it depends on are done. The Python dynamic-provider host serves them on four worker
threads. `ParallelDriver` does the same over the same host:

- up: each resource waits for its dependencies, then Check and Diff under one lock (the step
  generator), then Create or Update on a pool of `parallel` threads; resources gone from the
  program are deleted afterwards, dependents first, independent ones in parallel;
- refresh: every Read at once;
- destroy: a resource is deleted once everything that depends on it is.

Replace steps are not modelled (the benchmark's changes do not replace); the serial `Driver`
remains the reference for step semantics, and tests use it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import psutil

from engine_standin.capture import Registration, resolve
from engine_standin.driver import Driver, ResourceState, Step, _changed_keys
from engine_standin.host import ProviderHost

# The engine's default: unbounded. Threads here only wait on gRPC; the host's four workers are
# what actually bounds the provider calls in flight.
DEFAULT_PARALLEL = 64


class ParallelDriver(Driver):
    def __init__(self, config: dict[str, str], env: dict[str, str] | None = None,
                 parallel: int = DEFAULT_PARALLEL) -> None:
        super().__init__(config, env)
        self.parallel = parallel
        self._generator = threading.Lock()  # the step generator: one registration at a time
        self._state_lock = threading.Lock()
        # registration dependencies of what is in the state, for deletes in dependency order
        self.dependencies: dict[str, tuple[str, ...]] = {}
        # the provider host's largest resident set during the last command, in bytes
        self.peak_rss = 0

    @contextmanager
    def _command(self) -> Iterator[ProviderHost]:
        with super()._command() as host:
            process = psutil.Process(host._process.pid)  # type: ignore[union-attr]
            stop = threading.Event()
            peak = [process.memory_info().rss]

            def sample() -> None:
                while not stop.wait(0.02):
                    try:
                        peak[0] = max(peak[0], process.memory_info().rss)
                    except psutil.Error:
                        return

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            try:
                yield host
            finally:
                stop.set()
                sampler.join()
                self.peak_rss = peak[0]

    # -- up -----------------------------------------------------------------------------------

    def _up(self, resources: Iterable[Registration]) -> list[Step]:
        wanted = list(resources)
        known = {reg.urn for reg in wanted}
        steps: dict[str, Step] = {}

        def step(reg: Registration) -> None:
            with self._generator:
                with self._state_lock:
                    news = resolve(reg.inputs, self._ids())
                    old = self.state.get(reg.urn)
                checked = self._check(reg.urn, old.inputs if old else {}, news)
                diff = (None if old is None else
                        self.host.diff(reg.urn, old.id, old.outputs, checked, old.inputs))
            if old is None:
                id_, outputs = self.host.create(reg.urn, checked)
                with self._state_lock:
                    self.state[reg.urn] = ResourceState(reg.urn, reg.type, id_, checked, outputs)
                steps[reg.urn] = Step("create", reg.urn)
            elif diff is None or not diff.changes:
                old.inputs = checked
                steps[reg.urn] = Step("same", reg.urn)
            elif diff.replaces:
                raise NotImplementedError(f"{reg.urn}: replace is not modelled by the bench")
            else:
                changed = _changed_keys(old.inputs, checked)
                old.outputs = self.host.update(reg.urn, old.id, old.outputs, checked, old.inputs)
                old.inputs = checked
                steps[reg.urn] = Step("update", reg.urn, changed or ("drift",))
            self.dependencies[reg.urn] = reg.dependencies

        graph = {reg.urn: tuple(d for d in reg.dependencies if d in known) for reg in wanted}
        by_urn = {reg.urn: reg for reg in wanted}
        self._run_graph(graph, lambda urn: step(by_urn[urn]))
        ordered = [steps[reg.urn] for reg in wanted]
        gone = [urn for urn in self.state if urn not in known]
        ordered += self._delete_all(gone)
        return ordered

    # -- refresh and destroy ------------------------------------------------------------------

    def _refresh(self) -> list[Step]:
        results: dict[str, Step] = {}

        def read(urn: str) -> None:
            entry = self.state[urn]
            id_, outputs, inputs = self.host.read(urn, entry.id, entry.outputs, entry.inputs)
            if not id_:
                with self._state_lock:
                    del self.state[urn]
                results[urn] = Step("gone", urn)
                return
            changed = _changed_keys(entry.outputs, outputs)
            entry.id, entry.outputs = id_, outputs
            if inputs is not None:
                entry.inputs = inputs
            results[urn] = Step("refresh", urn, changed)

        urns = list(self.state)
        self._run_graph({urn: () for urn in urns}, read)
        return [results[urn] for urn in urns]

    def _destroy(self) -> list[Step]:
        return self._delete_all(list(self.state))

    def _delete_all(self, urns: list[str]) -> list[Step]:
        """Delete `urns`, each after every one of them that depends on it."""
        doomed = set(urns)
        dependents: dict[str, list[str]] = {urn: [] for urn in urns}
        for urn in urns:
            for dep in self.dependencies.get(urn, ()):
                if dep in doomed:
                    dependents[dep].append(urn)

        def delete(urn: str) -> None:
            entry = self.state[urn]
            self.host.delete(urn, entry.id, entry.outputs, entry.inputs)
            with self._state_lock:
                self.state.pop(urn, None)
                self.dependencies.pop(urn, None)

        self._run_graph({urn: tuple(dependents[urn]) for urn in urns}, delete)
        return [Step("delete", urn) for urn in reversed(urns)]

    # -- scheduling ---------------------------------------------------------------------------

    def _run_graph(self, graph: dict[str, tuple[str, ...]], work: Callable[[str], None]) -> None:
        """Run `work(node)` for every node once all of `graph[node]` are done, in parallel."""
        done: dict[str, Future[None]] = {}
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            def submit(urn: str) -> Future[None]:
                if urn not in done:
                    waits = [submit(dep) for dep in graph[urn]]
                    done[urn] = pool.submit(_after, waits, work, urn)
                return done[urn]

            for urn in graph:
                submit(urn)
            for future in done.values():
                future.result()


def _after(waits: list[Future[None]], work: Callable[[str], None], urn: str) -> None:
    for wait in waits:
        wait.result()
    work(urn)
