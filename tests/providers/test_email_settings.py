"""EmailSettings, the /tool/e-mail singleton, on each of its three spellings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from providers.connection import forget_snapshots, password_source, reset_clients
from providers.errors import RouterError
from providers.menu_item import MenuItemProvider
from simulator import Simulator
from tests.lifecycle.routers import PASSWORD, by_hand, commands, running_simulator, settings_for

EMAIL = "/tool/e-mail"
SMTP_SECRET = "smtp-Secret-99"


@pytest.fixture(params=["6.49", "7.11", "7.20"])
def sim(request: pytest.FixtureRequest) -> Iterator[Simulator]:
    password_source.set(PASSWORD)
    with running_simulator(version=request.param) as simulator:
        yield simulator
    reset_clients()
    password_source.clear()


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
    start = commands(sim, EMAIL)
    created = provider.create(props)
    used = {v: n - start.get(v, 0) for v, n in commands(sim, EMAIL).items()}
    assert used == {"print": 1, "set": 1}
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
    props = provider.check({}, settings(sim, vrf="main", server="smtp.example.com")).inputs
    if sim.profile.number >= (7, 12):
        provider.create(props)
        assert printed(sim)["server"] == "smtp.example.com"
        return
    with pytest.raises(RouterError) as caught:
        provider.create(props)
    assert caught.value.kind == "version"
    message = str(caught.value)
    assert "server" in message  # a host name needs 7.12; before that it must be an address
    if not sim.profile.is_v7:
        assert "vrf needs RouterOS 7.0.0 or later" in message
    assert SMTP_SECRET not in message
    assert PASSWORD not in message


def test_bad_input_at_check(sim: Simulator) -> None:
    result = MenuItemProvider("email").check({}, settings(sim, tls="sometimes", port="99999"))
    assert {f.property for f in result.failures} == {"tls", "port"}
    assert sum(sim.stats.values()) == 0
