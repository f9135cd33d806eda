"""`/system/script` (names, CRLF, owner, `run` and its policy check), `/system/scheduler`,
`/system/resource`, `/system/identity` and `/log`, on both profiles."""

from __future__ import annotations

import pytest

from simulator.api import ALL_POLICIES, Category, CommandError, Request
from simulator.router import Router

SCRIPT = "/system/script"
NETWATCH_POLICIES = frozenset({"read", "write", "test", "reboot"})


@pytest.fixture(params=("6.49", "7.20"))
def router(request: pytest.FixtureRequest) -> Router:
    return Router(request.param, users={"admin": "", "ops": "pw"})


def call(router: Router, command: str, *queries: str, user: str = "admin",
         policies: frozenset[str] = ALL_POLICIES, **attributes: str):
    attrs = {k.replace("_", "-"): v for k, v in attributes.items()}
    return router.call(Request(command, attrs, tuple(queries), user=user, policies=policies))


def refused(router: Router, command: str, **kwargs) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call(router, command, **kwargs)
    return caught.value


def test_script_defaults_owner_and_crlf(router: Router) -> None:
    call(router, f"{SCRIPT}/add", name="lb-up", source=":log info up\n:put done", user="ops")
    [row] = call(router, f"{SCRIPT}/print").items
    assert row == {
        ".id": "*1", "name": "lb-up", "owner": "ops",
        "policy": "ftp,reboot,read,write,policy,test,password,sniff,sensitive,romon",
        "dont-require-permissions": "false", "run-count": "0",
        "source": ":log info up\r\n:put done", "invalid": "false",
    }


def test_script_names_are_unique_and_accepted_as_ids(router: Router) -> None:
    call(router, f"{SCRIPT}/add", name="a")
    assert refused(router, f"{SCRIPT}/add", name="a").message == \
        "failure: item with this name already exists"
    call(router, f"{SCRIPT}/add", name="b")
    assert refused(router, f"{SCRIPT}/set", **{".id": "b", "name": "a"}).message == \
        "failure: item with this name already exists"
    call(router, f"{SCRIPT}/set", **{".id": "a", "comment": "by name"})
    assert call(router, f"{SCRIPT}/print", "?comment=by name").items[0]["name"] == "a"
    call(router, f"{SCRIPT}/add")
    assert call(router, f"{SCRIPT}/print", "?.id=*3").items[0]["name"] == "script1"


def test_script_names_with_spaces(router: Router) -> None:
    if router.profile.is_v7:
        error = refused(router, f"{SCRIPT}/add", name="my script")
        assert error.category == Category.ARGUMENT_VALUE
    else:
        call(router, f"{SCRIPT}/add", name="my script")
        call(router, f"{SCRIPT}/set", **{".id": "my script", "comment": "ok"})


def test_run_without_an_interpreter_traps_but_counts(router: Router) -> None:
    call(router, f"{SCRIPT}/add", name="s")
    error = refused(router, f"{SCRIPT}/run", **{".id": "s"})
    assert "interpreter" in error.message
    [row] = call(router, f"{SCRIPT}/print").items
    assert row["run-count"] == "1"
    assert "last-started" in row


def test_run_hands_the_source_and_the_script_policies_to_the_runner(router: Router) -> None:
    calls: list[tuple[str, frozenset[str], str, bool]] = []

    def runner(r: Router, source: str, *, policies, owner, dont_require_permissions,
               script=None) -> str:
        calls.append((source, policies, owner, dont_require_permissions))
        return "out"

    router.script_runner = runner
    call(router, f"{SCRIPT}/add", name="s", source="a\nb", policy="read,write", user="ops")
    assert call(router, f"{SCRIPT}/run", **{".id": "*1"}).ret == "out"
    assert call(router, f"{SCRIPT}/run", number="s").ret == "out"
    assert calls == [("a\r\nb", frozenset({"read", "write"}), "ops", False)] * 2
    assert call(router, f"{SCRIPT}/print").items[0]["run-count"] == "2"


def test_run_checks_policies_unless_dont_require_permissions(router: Router) -> None:
    router.script_runner = lambda r, source, **kw: ""
    call(router, f"{SCRIPT}/add", name="full")  # every policy, more than netwatch has
    call(router, f"{SCRIPT}/add", name="small", policy="read,write,test")
    call(router, f"{SCRIPT}/add", name="trusted", dont_require_permissions="yes")
    error = refused(router, f"{SCRIPT}/run", policies=NETWATCH_POLICIES, **{".id": "full"})
    assert error.message == "not enough permissions (9)"
    call(router, f"{SCRIPT}/run", policies=NETWATCH_POLICIES, **{".id": "small"})
    call(router, f"{SCRIPT}/run", policies=NETWATCH_POLICIES, **{".id": "trusted"})
    assert call(router, f"{SCRIPT}/print", "?name=full").items[0]["run-count"] == "0"


def test_a_failing_script_becomes_a_trap(router: Router) -> None:
    def runner(r: Router, source: str, **kw) -> str:
        raise RuntimeError("expected end of command (line 1 column 3)")

    router.script_runner = runner
    call(router, f"{SCRIPT}/add", name="bad", source="x y z")
    error = refused(router, f"{SCRIPT}/run", **{".id": "bad"})
    assert error.message == "expected end of command (line 1 column 3)"
    assert error.category == Category.SCRIPT_FAILURE


def test_scheduler(router: Router) -> None:
    router.clock.advance(90)
    call(router, "/system/scheduler/add", name="lb-sync", interval="00:01:00",
         on_event="/system script run lb-sync", user="ops")
    [row] = call(router, "/system/scheduler/print").items
    iso = router.profile.iso_dates
    assert row["owner"] == "ops"
    assert row["interval"] == "1m"
    assert row["run-count"] == "0"
    assert row["start-date"] == ("2026-01-01" if iso else "jan/01/2026")
    assert row["start-time"] == "00:01:30"
    assert row["next-run"] == ("2026-01-01 00:02:30" if iso else "jan/01/2026 00:02:30")
    router.clock.advance(100)
    assert call(router, "/system/scheduler/print").items[0]["next-run"].endswith("00:03:30")
    call(router, "/system/scheduler/add", name="boot", start_time="startup", on_event=":log info")
    assert "next-run" not in call(router, "/system/scheduler/print", "?name=boot").items[0]
    assert refused(router, "/system/scheduler/add", name="boot").message == \
        "failure: item with this name already exists"
    assert refused(router, "/system/scheduler/set", **{".id": "boot", "owner": "x"}) \
        .message.startswith("unknown parameter")
    call(router, "/system/scheduler/disable", **{".id": "lb-sync"})
    assert "next-run" not in call(router, "/system/scheduler/print").items[0]


def test_resource_identity_and_log(router: Router) -> None:
    router.clock.advance(3725)
    [resource] = call(router, "/system/resource/print").items
    assert resource["version"] == router.profile.version
    assert resource["uptime"] == "1h2m5s"
    assert resource["board-name"] == ("RB5009UG+S+" if router.profile.is_v7 else "RB450")
    assert ".id" not in resource
    assert refused(router, "/system/resource/set", cpu="x").message == \
        "no such command or directory (set)"
    assert call(router, "/system/identity/print").items == [{"name": "MikroTik"}]
    call(router, "/system/identity/set", name="edge-1")
    assert call(router, "/system/identity/get", value_name="name").ret == "edge-1"
    call(router, "/log/warning", message="careful")
    assert call(router, "/log/print", "?topics=script,warning").items[0]["message"] == "careful"
    assert refused(router, "/log/add", message="x").message == "no such command or directory (add)"
