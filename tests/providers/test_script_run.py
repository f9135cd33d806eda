"""ScriptRun through its provider against the simulator over TCP: the script runs on create and
when the trigger changes, and a diff with nothing changed sends nothing at all."""

from __future__ import annotations

import base64

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from providers.errors import RouterError
from providers.script_run import ScriptRunProvider
from simulator import Simulator
from tests.lifecycle.routers import PASSWORD, Served, by_hand, settings_for
from tests.providers.conftest import BOTH_VERSIONS

SCRIPTS = "/system/script"
both_versions = pytest.mark.parametrize("sim", BOTH_VERSIONS, indirect=True)


def add_script(sim: Simulator, name: str, source: str) -> None:
    with by_hand(sim) as api:
        api.path(SCRIPTS).add(name=name, source=source, policy="read,write,test")


def run_count(sim: Simulator, name: str) -> int:
    with by_hand(sim) as api:
        [row] = [row for row in api.path(SCRIPTS) if row["name"] == name]
    return int(row["run-count"])


def inputs(sim: Simulator, **extra: object) -> dict:
    return {"router": settings_for(sim).as_inputs(), "script": "lb-web-sync",
            "trigger": "plan-1", **extra}


@both_versions
def test_runs_on_create_and_on_a_new_trigger_only(sim: Simulator) -> None:
    add_script(sim, "lb-web-sync", ':log info "synced"')
    provider = ScriptRunProvider()
    checked = provider.check({}, inputs(sim))
    assert checked.failures == []

    served = Served(sim)
    created = provider.create(checked.inputs)
    assert served(SCRIPTS) == {"run": 1}
    assert created.id == "lb-web-sync"
    assert run_count(sim, "lb-web-sync") == 1
    assert any(line["message"] == "synced" for line in sim.log)

    served = Served(sim)
    same = provider.diff(created.id, created.outs, provider.check({}, inputs(sim)).inputs)
    assert same.changes is False
    # Another user or timeout is the same router: no run either.
    other_user = {**inputs(sim), "router": {**settings_for(sim).as_inputs(), "timeout": 3}}
    assert provider.diff(created.id, created.outs, other_user).changes is False
    assert served() == {}

    news = provider.check({}, inputs(sim, trigger="plan-2")).inputs
    diff = provider.diff(created.id, created.outs, news)
    assert diff.changes is True
    assert diff.replaces == []
    served = Served(sim)
    updated = provider.update(created.id, created.outs, news)
    assert served(SCRIPTS) == {"run": 1}
    assert updated.outs["trigger"] == "plan-2"
    assert run_count(sim, "lb-web-sync") == 2


def test_read_and_delete_touch_nothing(sim: Simulator) -> None:
    add_script(sim, "lb-web-sync", ':log info "synced"')
    provider = ScriptRunProvider()
    created = provider.create(provider.check({}, inputs(sim)).inputs)
    served = Served(sim)
    read = provider.read(created.id, created.outs)
    provider.delete(created.id, created.outs)
    assert served() == {}
    assert read.id == created.id
    assert read.outs == created.outs
    assert run_count(sim, "lb-web-sync") == 1


def test_a_missing_script_fails_the_run_naming_it(sim: Simulator) -> None:
    provider = ScriptRunProvider()
    with pytest.raises(RouterError) as caught:
        provider.create(provider.check({}, inputs(sim)).inputs)
    assert caught.value.path == SCRIPTS
    assert PASSWORD not in str(caught.value)


def test_a_failing_script_fails_the_step(sim: Simulator) -> None:
    add_script(sim, "lb-web-sync", ":error \"no servers configured\"")
    provider = ScriptRunProvider()
    with pytest.raises(RouterError, match="no servers configured"):
        provider.create(provider.check({}, inputs(sim)).inputs)


@pytest.mark.parametrize(("extra", "prop", "reason"), [
    ({"script": "lb web sync"}, "script", "spaces"),
    ({"script": None}, "script", "required"),
    ({"trigger": 7}, "trigger", "string"),
    ({"router": {"host": ""}}, "router", "invalid router settings"),
])
def test_check_names_the_bad_property(sim: Simulator, extra: dict, prop: str,
                                      reason: str) -> None:
    failures = ScriptRunProvider().check({}, inputs(sim, **extra)).failures
    assert [(f.property, reason in f.reason) for f in failures] == [(prop, True)]


def test_the_provider_pickles_by_reference() -> None:
    blob = base64.b64decode(serialize_provider(ScriptRunProvider()))
    assert b"providers.script_run" in blob
    assert b"ScriptRunProvider" in blob
    assert len(blob) < 200
