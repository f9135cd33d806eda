"""Script jobs: every script runs as a job, listed in `/system/script/job` while it runs.

MikroTik's manual (Scripting, "Job"): the menu lists the scripts running now, with their owner,
policy and start time; `remove` stops one; `:jobname` is the running script's name, and the
manual's idiom for one instance at a time counts the jobs of that script.

How concurrency is modelled [decided]: the interpreter runs a script a statement at a time
(`script.interpreter.Execution`), and this runner decides when the next statement runs.
- A run asked for over the API, the console or by another script (`/system script run`) runs
  to its end before the command answers (the virtual clock does not move during a command, so
  its `:delay` is recorded, not waited for). A script run by a script is a job whose `parent`
  is the caller's job.
- A run the router starts itself (netwatch's up/down scripts, scheduler events, and the scripts
  they name) is a background job: it runs until its first `:delay`, then waits that long on
  the virtual clock while other jobs (another netwatch event, the next scheduler tick) start
  and run. So two runs of a script overlap exactly where a script waits, as on a router, and a
  run started meanwhile sees the waiting job listed.
- A test can also start a job paused before its first statement (`start_named`) and advance
  it statement by statement (`Job.step`), to interleave two runs anywhere.
Failures of background jobs go to `/log` (`script,error`, with the job's origin).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from simulator.api import CommandError, Request, Response
from simulator.menus.engine import ListMenu
from simulator.script import ScriptError, start_script
from simulator.script.interpreter import Delay, Execution

PATH = "/system/script/job"


@dataclass
class Job:
    """One running script. `step()` runs its next statement (tests); `finish()` the rest."""

    jobs: Jobs
    item_id: int
    execution: Execution
    origin: str | None  # a background job's source, for its failure's log line
    timer: Any = None
    stopping: bool = False
    error: ScriptError | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return f"*{self.item_id:X}"

    @property
    def done(self) -> bool:
        return self.execution.done

    @property
    def output(self) -> str:
        return self.execution.output

    def step(self) -> bool:
        """Run one statement (a `:delay` is not waited for); True once the job has ended."""
        with self.jobs.router.lock:
            self.jobs.advance(self, wait=False)
            return self.done

    def finish(self) -> str:
        with self.jobs.router.lock:
            while not self.done:
                self.jobs.advance(self, wait=False)
            return self.output


class Jobs:
    def __init__(self, router: Any) -> None:
        self.router = router
        self._jobs: dict[int, Job] = {}
        self._running: list[Job] = []  # the job whose statement runs now, innermost last
        self._background_origin: str | None = None

    def install(self) -> None:
        self.router.script_runner = self.run
        self.router.script_jobs = self
        self.router.register(PATH, "remove", self._remove)

    @property
    def menu(self) -> ListMenu:
        return self.router.list_menu(PATH)

    # starting jobs ---------------------------------------------------------------------------

    def run(self, router: Any, source: str, *, policies: frozenset[str], owner: str,
            dont_require_permissions: bool = False, script: str | None = None) -> str:
        """`router.script_runner`: run `source` as a job. From the API or a script it runs to
        its end and returns its output; named by a background launch (`launch_named`), it
        starts in the background and returns at once."""
        origin, self._background_origin = self._background_origin, None
        job = self._start(source, policies=policies, owner=owner, script=script,
                          origin=origin)
        if origin is not None:
            self.advance(job, wait=True)
            return ""
        return job.finish()

    def launch(self, source: str, *, policies: frozenset[str], owner: str, origin: str) -> None:
        """A background job (netwatch, scheduler): runs now until it ends or waits; a failure,
        even to start, becomes `script,error` lines in `/log`."""
        try:
            job = self._start(source, policies=policies, owner=owner, script=None,
                              origin=origin)
        except ScriptError as error:
            self._log_failure(origin, error)
            return
        self.advance(job, wait=True)

    def launch_named(self, name: str, *, policies: frozenset[str], owner: str,
                     origin: str) -> None:
        """`/system script run <name>` on the router's own behalf (the scheduler), as a
        background job: the run's policy check and counting are the script menu's."""
        request = Request("/system/script/run", {".id": name}, user=owner, policies=policies)
        self._background_origin = origin
        try:
            self.router.call(request)
        except (CommandError, ScriptError) as error:
            self._log_failure(origin, error)
        finally:
            self._background_origin = None

    def start_named(self, name: str) -> Job:
        """A run of script `name` with its own policies and owner, listed and paused before its
        first statement (for tests that interleave runs; nothing runs until `step`)."""
        with self.router.lock:
            scripts = self.router.list_menu("/system/script")
            item = scripts.resolve(name)
            policies = frozenset(p for p in item.props.get("policy", "").split(",") if p)
            item.props["run-count"] = str(int(item.props.get("run-count", "0")) + 1)
            item.props["last-started"] = self.router.now_text()
            return self._start(item.props.get("source", ""), policies=policies,
                               owner=item.props.get("owner", "admin"),
                               script=item.props.get("name"), origin=None)

    def _start(self, source: str, *, policies: frozenset[str], owner: str, script: str | None,
               origin: str | None) -> Job:
        execution = start_script(self.router, source, policies=policies, owner=owner)
        props = {"type": "script", "script": script, "owner": owner,
                 "policy": ",".join(sorted(policies)), "started": self.router.now_text(),
                 "parent": self._running[-1].id if self._running else None}
        schema = self.menu.schema
        shown = {k: v for k, v in props.items() if v is not None and k in schema}
        item = self.menu.add_internal(schema.ordered(shown), dynamic=False)
        job = Job(self, item.id, execution, origin)
        self._jobs[item.id] = job
        return job

    # running jobs ----------------------------------------------------------------------------

    def advance(self, job: Job, *, wait: bool) -> None:
        """Run `job`: one statement when `wait` is False; else until it ends or reaches a
        `:delay`, which it then waits out on the virtual clock."""
        while not job.done:
            self._running.append(job)
            try:
                paused = job.execution.step()
            except ScriptError as error:
                self._failed(job, error)
            except RecursionError:
                self._failed(job, ScriptError("script nested too deeply"))
            finally:
                self._running.pop()
            if job.stopping and not job.done:
                job.execution.stop()
            if job.done:
                self._end(job)
                return
            if not wait:
                return
            if isinstance(paused, Delay):
                job.timer = self.router.clock.call_later(
                    paused.seconds, lambda: self.advance(job, wait=True))
                return

    def _failed(self, job: Job, error: ScriptError) -> None:
        job.error = error
        self.router.log_message("script,error", error.located)
        if job.origin is not None:
            self._log_failure(job.origin, error)
        self._end(job)
        if job.origin is None:
            raise error

    def _end(self, job: Job) -> None:
        if self._jobs.pop(job.item_id, None) is not None:
            self.menu.remove_internal([job.item_id])
            self.router.clock.cancel(job.timer)

    def _log_failure(self, origin: str, error: Exception) -> None:
        from simulator.background import failed_line

        self.router.log_message("script,error", failed_line(origin, error))

    def current_script(self) -> str | None:
        """`:jobname`: the script the innermost running job runs (None for a bare source)."""
        for job in reversed(self._running):
            item = self.menu.get(job.item_id)
            if item is not None:
                return item.props.get("script")
        return None

    # the menu's remove, and reboots -----------------------------------------------------------

    def _remove(self, router: Any, request: Request) -> Response:
        """`/system script job remove`: stop the jobs (a job removing itself stops after the
        statement that asked)."""
        if "write" not in request.policies:
            raise CommandError("not enough permissions (9)")
        targets = self.menu.resolve_list(ListMenu.ids_argument(request) or "")
        for item in targets:
            job = self._jobs.get(item.id)
            if job is None:
                continue
            if job in self._running:
                job.stopping = True
            else:
                job.execution.stop()
                self._end(job)
        return Response()

    def clear(self) -> None:
        """A reboot ends every job."""
        for job in list(self._jobs.values()):
            if job not in self._running:
                job.execution.stop()
            else:
                job.stopping = True
            self._end(job)
