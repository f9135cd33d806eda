"""`/system script job`: every script runs as a job listed while it runs (manual, Scripting,
"Job" and `:jobname`), read over the API; overlapping runs see each other."""

from __future__ import annotations

import pytest
from librouteros.exceptions import MultiTrapError, TrapError

GUARDED = """:if ([:len [/system script job find script="lb-web-sync"]] > 1) do={
  :error "lb-web-sync is already running"
}
:log info "sync start"
:log info "sync end"
"""


def jobs(api):
    return list(api("/system/script/job/print"))


def add_script(api, name, source, **extra):
    list(api("/system/script/add", name=name, source=source, **extra))


def messages(sim, topic="script,info"):
    return [line["message"] for line in sim.log if line["topics"] == topic]


def test_a_running_job_is_listed_with_its_script_owner_policy_and_start(
        sim_any_version, api_connect):
    sim = sim_any_version
    api = api_connect(sim)
    add_script(api, "lb-web-sync", ":log info one\n:log info two", policy="read,write,test")
    sim.advance(90)
    job = sim.start_script("lb-web-sync")
    [row] = jobs(api)
    assert row[".id"] == job.id
    assert (row["script"], row["owner"], row["policy"]) == ("lb-web-sync", "admin",
                                                            "read,test,write")
    assert row["started"].endswith("00:01:30")
    assert ("type" in row) == sim.profile.is_v7  # type and parent are v7's columns
    assert job.step() is False  # paused before the first statement: nothing has run
    assert messages(sim) == []
    job.step()
    assert messages(sim) == ["one"]
    job.finish()
    assert messages(sim) == ["one", "two"]
    assert jobs(api) == []


def test_a_second_run_sees_the_first_and_refuses_itself(sim_any_version, api_connect):
    sim = sim_any_version
    api = api_connect(sim)
    add_script(api, "lb-web-sync", GUARDED)
    first = sim.start_script("lb-web-sync")
    first.step()
    first.step()  # inside its guard: the count was 1
    with pytest.raises(TrapError, match="lb-web-sync is already running"):
        list(api("/system/script/run", **{".id": "lb-web-sync"}))
    assert len(jobs(api)) == 1  # the refused run's job ended with it
    first.finish()
    assert messages(sim) == ["sync start", "sync end"]
    list(api("/system/script/run", **{".id": "lb-web-sync"}))  # alone now: it runs
    assert messages(sim) == ["sync start", "sync end"] * 2


def test_the_manuals_jobname_idiom_counts_instances(api_connect, sim):
    api = api_connect(sim)
    source = (':if ([/system script job print count-only as-value where script=[:jobname]] > 1)'
              ' do={ :error "script instance already running" }\n:put [:jobname]')
    add_script(api, "single", source)
    assert list(api("/system/script/run", **{".id": "single"})) == [{"ret": "single\n"}]
    waiting = sim.start_script("single")
    with pytest.raises(TrapError, match="script instance already running"):
        list(api("/system/script/run", **{".id": "single"}))
    assert waiting.finish() == "single\n"


def test_statement_by_statement_interleaving_of_two_runs(api_connect, sim):
    api = api_connect(sim)
    for name in "ab":
        add_script(api, name, f':global order\n:set order ($order . "{name}1")\n'
                              f':set order ($order . "{name}2")')
    a, b = sim.start_script("a"), sim.start_script("b")
    while not (a.done and b.done):
        a.step()
        b.step()
    add_script(api, "show", ":global order\n:put $order")
    assert list(api("/system/script/run", **{".id": "show"})) == [{"ret": "a1b1a2b2\n"}]


def test_a_script_run_by_a_script_is_a_child_job(api_connect, sim):
    api = api_connect(sim)
    add_script(api, "child", ':put [/system script job get [find script="child"] parent]')
    add_script(api, "parent", "/system script run child")
    outer = sim.start_script("parent")
    outer.step()
    assert outer.finish() == f"{outer.id}\n"


def test_background_jobs_overlap_while_one_waits_on_the_clock(api_connect, sim):
    api = api_connect(sim)
    add_script(api, "slow", ':log info ("start " . [:len [/system script job find '
                            'script="slow"]])\n:delay 25s\n:log info "end"')
    list(api("/system/scheduler/add", name="tick", interval="10s",
             **{"on-event": "slow", "start-time": "startup"}))
    sim.advance(10)
    assert messages(sim) == ["start 1"]
    assert [row["script"] for row in jobs(api)] == ["slow"]  # waiting in its :delay
    sim.advance(10)
    assert messages(sim) == ["start 1", "start 2"]
    sim.advance(10)
    assert messages(sim) == ["start 1", "start 2", "start 3"]
    sim.advance(5)  # 35 s: the first has waited its 25 s and ended
    assert messages(sim) == ["start 1", "start 2", "start 3", "end"]
    assert len(jobs(api)) == 2


def test_removing_a_job_stops_it(api_connect, sim):
    api = api_connect(sim)
    add_script(api, "slow", ':log info "before"\n:delay 1m\n:log info "after"')
    list(api("/system/scheduler/add", name="once",
             **{"on-event": "slow", "start-time": "startup"}))
    sim.reboot()  # a startup event runs 3 s after a boot
    sim.advance(3)
    [row] = jobs(api := api_connect(sim))
    list(api("/system/script/job/remove", **{".id": row[".id"]}))
    sim.advance(120)
    assert messages(sim) == ["before"]
    assert jobs(api) == []
    with pytest.raises(TrapError, match="no such item"):
        list(api("/system/script/job/remove", **{".id": row[".id"]}))


def test_a_reboot_ends_every_job(api_connect, sim):
    api = api_connect(sim)
    add_script(api, "s", ":log info x")
    sim.start_script("s")
    sim.reboot()
    assert jobs(api_connect(sim)) == []


def test_a_failing_background_job_is_logged_with_its_origin_and_ends(api_connect, sim):
    api = api_connect(sim)
    add_script(api, "bad", ':delay 5s\n:error "boom"')
    list(api("/system/scheduler/add", name="tick", interval="10s",
             **{"on-event": "bad", "start-time": "startup"}))
    sim.advance(15)
    assert messages(sim, "script,error") == [
        "boom (line 2 column 1)", "executing script from scheduler (tick) failed: boom "
                                  "(line 2 column 1)"]
    assert jobs(api) == []


def test_job_menu_is_read_only(api_connect, sim):
    api = api_connect(sim)
    with pytest.raises(MultiTrapError, match="no such command or directory \\(add\\)"):
        list(api("/system/script/job/add", script="x"))


def test_conntrack_entries_removed_one_by_one_survive_an_entry_already_gone(api_connect, sim):
    """The failover idiom: remove entry by entry inside `:do {} on-error={}`; an entry gone
    between `find` and `remove` raises the router's `no such item`, which on-error catches."""
    api = api_connect(sim)
    first = sim.open_connection("10.0.0.5", 40000, "192.168.1.132", 80).connection_id
    sim.open_connection("10.0.0.6", 40001, "192.168.1.132", 80)
    add_script(api, "flush", f""":local gone 0
:foreach c in=[/ip firewall connection find] do={{
  :if ($c = {first}) do={{ /ip firewall connection remove $c }}
  :do {{ /ip firewall connection remove $c }} on-error={{ :set gone ($gone + 1) }}
}}
:put $gone""")
    assert list(api("/system/script/run", **{".id": "flush"})) == [{"ret": "1\n"}]
    assert list(api("/ip/firewall/connection/print")) == []
    with pytest.raises(TrapError, match=r"^no such item \(4\)$"):
        list(api("/ip/firewall/connection/remove", **{".id": first}))
