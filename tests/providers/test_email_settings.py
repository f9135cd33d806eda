"""EmailSettings, the /tool/e-mail singleton, on each of its three spellings."""

from __future__ import annotations

import pytest

from providers.connection import forget_snapshots
from providers.errors import RouterError
from providers.menu_item import MenuItemProvider
from simulator import Simulator
from tests.lifecycle.routers import PASSWORD, Served, by_hand, settings_for

EMAIL = "/tool/e-mail"
SMTP_SECRET = "smtp-Secret-99"


pytestmark = pytest.mark.parametrize("sim", ["6.49", "7.11", "7.20"], indirect=True)


def settings(sim: Simulator, **extra: object) -> dict:
    return {"router": settings_for(sim).as_inputs(), "server": "192.0.2.25", "port": "587",
            "from_": "router@example.com", "user": "router", "password": SMTP_SECRET,
            "tls": "starttls", **extra}


def printed(sim: Simulator) -> dict:
    with by_hand(sim) as api:
        [row] = list(api.path(EMAIL))
    return row


def test_create_update_refresh_and_delete_restores(sim: Simulator) -> None:
    provider = MenuItemProvider("email")
    before = printed(sim)
    props = provider.check({}, settings(sim)).inputs
    created = provider.create(props)
    row = printed(sim)
    server_key = "server" if sim.profile.number >= (7, 12) else "address"
    assert row[server_key] == "192.0.2.25"
    assert row["from"] == "router@example.com"
    if sim.profile.is_v7:
        assert row["tls"] == "starttls"
    else:
        assert row["start-tls"] is True  # v6 spells STARTTLS as start-tls=yes
    assert created.outs["previous"][server_key] == "0.0.0.0"  # noqa: S104 - a value
    forget_snapshots()
    read = provider.read(created.id, created.outs)
    assert read.outs == created.outs
    assert provider.diff(created.id, read.outs, props).changes is False

    changed = provider.check({}, settings(sim, port="465", tls="yes")).inputs
    updated = provider.update(created.id, created.outs, changed)
    assert printed(sim)["port"] == 465
    assert updated.outs["previous"] == created.outs["previous"]

    with by_hand(sim) as api:  # drift
        api.path(EMAIL).update(**{"from": "someone@else"})
    forget_snapshots()
    assert provider.read(created.id, updated.outs).outs["from_"] == "someone@else"

    provider.delete(created.id, updated.outs)
    after = printed(sim)
    assert {k: after[k] for k in before} == before


def test_v7_only_properties_on_older_routers(sim: Simulator) -> None:
    provider = MenuItemProvider("email")
    wanted = settings(sim, vrf="main", server="smtp.example.com")
    served = Served(sim)
    result = provider.check({}, wanted)
    assert served.writes() == {}
    if sim.profile.number >= (7, 12):
        assert result.failures == []
        provider.create(result.inputs)
        assert printed(sim)["server"] == "smtp.example.com"
        return
    # check reads the router's version and says it before anything is written ...
    failures = {f.property: f.reason for f in result.failures}
    assert set(failures) == ({"server"} if sim.profile.is_v7 else {"server", "vrf"})
    if not sim.profile.is_v7:
        assert failures["vrf"] == "vrf needs RouterOS 7.0.0 or later; the router runs 6.49.18"
    # ... and create says it too when check could not reach the router
    with pytest.raises(RouterError) as caught:
        provider.create({**wanted, **result.inputs})
    assert caught.value.kind == "version"
    message = str(caught.value)
    assert "server" in message  # a host name needs 7.12; before that it must be an address
    assert SMTP_SECRET not in message + repr(result.failures)
    assert PASSWORD not in message
    assert "set" not in served(EMAIL)


def test_settings_already_in_place_are_adopted_without_a_write(sim: Simulator) -> None:
    provider = MenuItemProvider("email")
    props = provider.check({}, settings(sim)).inputs
    provider.create(props)
    served = Served(sim)
    forget_snapshots()
    again = provider.create(props)  # a crashed run retried: nothing to change
    assert served(EMAIL) == {"print": 1}
    assert again.outs["previous"]["from"] == "router@example.com"


def test_removing_a_setting_restores_its_default(sim: Simulator) -> None:
    provider = MenuItemProvider("email")
    props = provider.check({}, settings(sim)).inputs
    created = provider.create(props)
    news = provider.check({}, {k: v for k, v in settings(sim).items() if k != "user"}).inputs
    assert provider.diff(created.id, created.outs, news).changes is True
    updated = provider.update(created.id, created.outs, news)
    assert printed(sim)["user"] == ""
    forget_snapshots()
    read = provider.read(created.id, updated.outs)
    assert provider.diff(created.id, read.outs, news).changes is False


def test_delete_twice_and_traps(sim: Simulator) -> None:
    provider = MenuItemProvider("email")
    before = printed(sim)
    props = provider.check({}, settings(sim)).inputs
    sim.faults.trap_command(2, "not enough permissions (9)")  # the bulk print, then the set
    with pytest.raises(RouterError) as caught:
        provider.create(props)
    assert (caught.value.path, caught.value.command) == (EMAIL, "set")
    assert caught.value.message == "not enough permissions (9)"
    created = provider.create(props)
    provider.delete(created.id, created.outs)
    provider.delete(created.id, created.outs)  # restoring again changes nothing
    after = printed(sim)
    assert {k: after[k] for k in before} == before


def test_bad_input_at_check(sim: Simulator) -> None:
    served = Served(sim)
    result = MenuItemProvider("email").check({}, settings(sim, tls="sometimes", port="99999"))
    assert {f.property for f in result.failures} == {"tls", "port"}
    assert served.writes() == {}


def test_an_undeclared_smtp_password_is_left_as_the_router_has_it(sim: Simulator) -> None:
    with by_hand(sim) as api:
        api.path(EMAIL).update(password=SMTP_SECRET, user="router")
    provider = MenuItemProvider("email")
    wanted = {k: v for k, v in settings(sim).items() if k != "password"}
    created = provider.create(provider.check({}, wanted).inputs)
    assert printed(sim)["password"] == SMTP_SECRET
    forget_snapshots()
    read = provider.read(created.id, created.outs)
    assert "password" not in read.outs
    assert provider.diff(created.id, read.outs, wanted).changes is False

    declared = provider.check({}, settings(sim, password="another-Secret-1")).inputs
    provider.update(created.id, created.outs, declared)
    assert printed(sim)["password"] == "another-Secret-1"
