"""The connection layer against the simulator over TCP: login, TLS, errors, retries, threads."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest

from providers.connection import (
    PASSWORD_ENV,
    RouterSettings,
    client_for,
    password_source,
    reset_clients,
)
from providers.errors import RouterError
from providers.menu_item import MenuItemProvider
from simulator import Simulator
from simulator.tls import make_certificate
from tests.lifecycle.routers import PASSWORD, by_hand, settings_for

NAT = "/ip/firewall/nat"



def test_settings_pick_the_port_from_tls_and_hash() -> None:
    assert RouterSettings(host="r1").port == 8728
    assert RouterSettings(host="r1", tls=True).port == 8729
    assert RouterSettings(host="r1") == RouterSettings(host="r1", port=8728)
    assert len({RouterSettings(host="r1"), RouterSettings(host="r1", port=8728)}) == 1
    assert "password" not in RouterSettings.model_fields
    with pytest.raises(ValueError, match="password"):
        RouterSettings(host="r1", password="x")  # type: ignore[call-arg]


def test_missing_password_names_both_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    password_source.clear()
    with pytest.raises(RouterError, match=f"routeros:password.*{PASSWORD_ENV}"):
        password_source.get()


def test_configure_reads_stack_config_and_env_is_the_fallback(
        monkeypatch: pytest.MonkeyPatch) -> None:
    class Req:
        class config:  # noqa: N801 - mimics ConfigureRequest.config
            @staticmethod
            def get(key: str) -> str | None:
                return {"routeros:password": "from-config"}.get(key)

    monkeypatch.setenv(PASSWORD_ENV, "from-env")
    password_source.clear()
    assert password_source.get() == "from-env"
    password_source.configure(Req())
    assert password_source.get() == "from-config"
    password_source.clear()


def test_version_is_read_once_per_connection(sim: Simulator) -> None:
    client = client_for(settings_for(sim))
    assert client.version == (7, 20, 4)
    assert client.version_text.startswith("7.20.4")
    client.print(NAT)
    assert client.version == (7, 20, 4)
    assert sim.stats["/system/resource/print"] == 1
    assert client_for(settings_for(sim).as_inputs()) is client


def test_values_stay_the_routers_strings(sim: Simulator) -> None:
    client = client_for(settings_for(sim))
    id_ = client.add(NAT, chain="dstnat", comment="yes", log=True)
    [row] = client.print(NAT, **{".id": id_})
    assert row["comment"] == "yes"
    assert row["log"] == "true"
    assert row["bytes"] == "0"


def test_set_and_unset_in_one_sentence(sim: Simulator) -> None:
    client = client_for(settings_for(sim))
    id_ = client.add(NAT, chain="dstnat", comment="c", log_prefix="p")
    client.set(NAT, id_, unset=["comment"], log_prefix="q")
    [row] = client.print(NAT)
    assert "comment" not in row
    assert row["log-prefix"] == "q"
    assert sim.stats[f"{NAT}/set"] == 1


def test_a_trap_carries_message_category_path_and_command(sim: Simulator) -> None:
    client = client_for(settings_for(sim))
    with pytest.raises(RouterError) as caught:
        client.set(NAT, "*99", comment="x")
    assert caught.value.is_missing_item
    assert (caught.value.path, caught.value.command) == (NAT, "set")
    sim.faults.trap_command(1, "simulated failure")
    with pytest.raises(RouterError) as caught:
        client.print(NAT)
    assert caught.value.message == "simulated failure"
    assert caught.value.category == 4
    assert str(caught.value) == f"{NAT}/print: simulated failure (category 4)"
    assert client.print(NAT) == []  # the connection survives a trap


def test_a_dropped_connection_is_reopened_and_an_idempotent_call_retried(sim: Simulator) -> None:
    client = client_for(settings_for(sim))
    client.print(NAT)
    sim.faults.drop_after(0)
    assert client.print(NAT) == []
    assert sim.stats["/login"] == 2


def test_a_write_by_id_is_not_repeated_after_a_restart(sim: Simulator) -> None:
    sim.advance(3600)  # uptime 1h: after the restart it is smaller
    client = client_for(settings_for(sim))
    with by_hand(sim) as api:
        rule = api.path(NAT).add(chain="dstnat", action="accept", comment="admin's")
    client.version  # noqa: B018 - reads version and uptime on this connection
    sim.reboot()  # drops every session and gives every item a new id
    sets = sim.router.stats[f"{NAT}/set"]
    with pytest.raises(RouterError, match="restarted") as caught:
        client.set(NAT, rule, comment="ours")
    assert caught.value.kind == "connection"
    assert sim.router.stats[f"{NAT}/set"] == sets  # never sent to whatever holds that id now
    with by_hand(sim) as api:
        assert [row["comment"] for row in api.path(NAT)] == ["admin's"]


def test_a_read_is_repeated_after_a_restart(sim: Simulator) -> None:
    sim.advance(3600)
    client = client_for(settings_for(sim))
    client.version  # noqa: B018
    sim.reboot()
    assert client.print(NAT) == []


def test_add_is_not_retried_after_a_drop(sim: Simulator) -> None:
    client = client_for(settings_for(sim))
    client.print(NAT)
    sim.faults.drop_after(0)
    with pytest.raises(RouterError) as caught:
        client.add(NAT, chain="dstnat")
    assert caught.value.is_connection
    assert sim.stats[f"{NAT}/add"] == 1
    assert len(client.print(NAT)) == 1  # the add did happen; only its reply was lost


def test_a_create_whose_reply_was_lost_adopts_its_object_when_retried(sim: Simulator) -> None:
    """`add` is never retried by the connection layer: the router may have applied it. The
    engine retries the whole create on the next `up`, and create finds the object by its tag."""
    provider = MenuItemProvider("nat")
    props = provider.check({}, {"router": settings_for(sim).as_inputs(), "chain": "dstnat",
                                "action": "masquerade", "ownership_tag": "lost:1"}).inputs
    client_for(settings_for(sim)).snapshot(NAT)  # cached: create's next command is the add
    sim.faults.drop_after(0)  # the router applies the add, its reply never arrives
    with pytest.raises(RouterError) as caught:
        provider.create(props)
    assert caught.value.is_connection
    retried = provider.create(props)
    assert sim.stats[f"{NAT}/add"] == 1
    with by_hand(sim) as api:
        assert [(row[".id"], row["comment"]) for row in api.path(NAT)] == [
            (retried.id, "[lb:lost:1]")]


def test_without_a_password_check_passes_and_create_names_both_sources(
        sim: Simulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    password_source.clear()
    provider = MenuItemProvider("nat")
    checked = provider.check({}, {"router": settings_for(sim).as_inputs(), "chain": "srcnat"})
    assert checked.failures == []  # preview without secrets still works
    with pytest.raises(RouterError) as caught:
        provider.create(checked.inputs)
    assert caught.value.kind == "config"
    assert "routeros:password" in str(caught.value)
    assert PASSWORD_ENV in str(caught.value)
    assert sim.stats == {}


def test_refused_login_never_shows_the_password(
        sim: Simulator, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    sim.faults.refuse_logins = True
    with pytest.raises(RouterError) as caught:
        client_for(settings_for(sim)).print(NAT)
    assert caught.value.kind == "login"
    assert "invalid user name or password" in str(caught.value)
    sim.faults.refuse_logins = False
    client_for(settings_for(sim)).print(NAT)  # librouteros logs the login words at DEBUG
    out = capsys.readouterr()
    assert PASSWORD not in caplog.text + repr(caught.value) + out.out + out.err
    assert "=password=<redacted>" in caplog.text


def test_a_password_that_is_a_word_of_the_routers_message_leaves_the_message_whole(
        caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture) -> None:
    """Only the values we send are redacted: with the password `password` and a wrong user
    name, the router's "invalid user name or password" reaches the user as the router said it,
    and the login word still never shows the password."""
    caplog.set_level(logging.DEBUG)
    password_source.set("password")
    try:
        sim = Simulator(username="admin", password="password").start()  # noqa: S106 - the point
        try:
            wrong_user = RouterSettings(host=sim.host, port=sim.port, username="nobody",
                                        timeout=5)
            with pytest.raises(RouterError) as caught:
                client_for(wrong_user).print(NAT)
            assert "invalid user name or password" in str(caught.value)
            admin = RouterSettings(host=sim.host, port=sim.port, username="admin", timeout=5)
            client_for(admin).print(NAT)  # librouteros logs the login words at DEBUG
        finally:
            sim.stop()
    finally:
        reset_clients()
        password_source.clear()
    out = capsys.readouterr()
    shown = caplog.text + repr(caught.value) + out.out + out.err
    assert "=password=password" not in shown
    assert "<redacted>" not in str(caught.value)
    assert "=password=<redacted>" in caplog.text


def test_calls_one_after_another_share_one_connection(sim: Simulator) -> None:
    client = client_for(settings_for(sim))
    for i in range(5):
        client.add(NAT, chain="dstnat", comment=f"c{i}")
        client.snapshot(NAT)
    assert sim.stats["/login"] == 1
    assert client.connections == 1


def test_eight_threads_share_at_most_four_connections(sim: Simulator) -> None:
    """The provider host's workers each get a connection of their own, never more than four."""
    sim.faults.latency = 0.005  # calls overlap, as at a remote site
    client = client_for(settings_for(sim))
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(10):
                client.add(NAT, chain="dstnat", comment=f"t{n}-{i}")
                client.print(NAT, proplist=[".id"])
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(client.print(NAT)) == 80
    assert 1 <= sim.stats["/login"] <= 4
    assert client.connections == sim.stats["/login"]


def test_snapshots_are_shared_until_a_write(sim: Simulator) -> None:
    client = client_for(settings_for(sim))
    client.snapshot(NAT)
    client.snapshot(NAT)
    assert sim.stats[f"{NAT}/print"] == 1
    client.add(NAT, chain="dstnat")
    assert len(client.snapshot(NAT)) == 1
    assert sim.stats[f"{NAT}/print"] == 2


def test_identities_follow_our_own_writes(sim: Simulator) -> None:
    """create's adoption lookup: ids, comments and names from one print, kept by our writes."""
    client = client_for(settings_for(sim))
    assert client.identities(NAT) == []
    a = client.add(NAT, chain="dstnat", comment="[lb:a]", log_prefix="p")
    b = client.add(NAT, chain="dstnat")
    assert client.identities(NAT) == [{".id": a, "comment": "[lb:a]"}, {".id": b}]
    client.set(NAT, a, comment="x [lb:b]")
    client.set(NAT, b, disabled=True)  # not an identity: nothing to follow
    client.move(NAT, [b], a)
    assert client.identities(NAT) == [{".id": a, "comment": "x [lb:b]"}, {".id": b}]
    client.set(NAT, a, unset=["comment"], log_prefix="q")
    client.remove(NAT, b)
    assert client.identities(NAT) == [{".id": a}]
    assert sim.stats[f"{NAT}/print"] == 1
    assert client.snapshot(NAT)[0]["log-prefix"] == "q"  # full rows: not kept, read again
    assert sim.stats[f"{NAT}/print"] == 2


def _prints_for_identities(sim: Simulator, path: str, **kw: bool) -> int:
    before = sim.stats[f"{path}/print"]
    client_for(settings_for(sim)).identities(path, **kw)
    return sim.stats[f"{path}/print"] - before


def test_identities_are_read_again_after_what_we_cannot_account_for(sim: Simulator) -> None:
    client = client_for(settings_for(sim))
    rule = client.add(NAT, chain="dstnat")
    client.identities(NAT)
    with pytest.raises(RouterError):
        client.add(NAT, chain="dstnat", action="no-such-action")  # failed: may have applied
    assert _prints_for_identities(sim, NAT) == 1
    with pytest.raises(RouterError):
        client.remove(NAT, "*99")
    assert _prints_for_identities(sim, NAT) == 1
    sim.faults.drop_after(0)  # a dropped connection may have been a reboot: new ids
    client.set(NAT, rule, disabled=True)  # retried on a new connection
    assert _prints_for_identities(sim, NAT) == 1
    script = "/system/script"
    client.add(script, name="s", source=":log info x")
    client.run(script, "run", number="s")  # a script may write to any path
    assert _prints_for_identities(sim, NAT) == 1
    # RouterOS names unnamed scripts itself (`script1`): an add without a name cannot be kept.
    assert _prints_for_identities(sim, script, names_itself=True) == 1
    client.add(script, name="t", source="")
    assert _prints_for_identities(sim, script, names_itself=True) == 0
    client.add(script, source="")
    assert _prints_for_identities(sim, script, names_itself=True) == 1
    assert {row.get("name") for row in client.identities(script)} == {"s", "t", "script1"}


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_tls_verifies_the_certificate_by_default(  # type: ignore[no-untyped-def]
        simulator_factory, tmp_path: Path, version: str) -> None:
    sim = simulator_factory(version=version, password=PASSWORD, tls=True)
    password_source.set(PASSWORD)
    try:
        base = {"host": sim.host, "port": sim.port, "tls": True, "timeout": 5}
        with pytest.raises(RouterError, match="certificate verify failed") as caught:
            client_for(base).print(NAT)
        assert caught.value.is_connection
        other_ca = make_certificate(tmp_path).cert_file  # another router's certificate
        with pytest.raises(RouterError, match="certificate verify failed"):
            client_for({**base, "ca_file": str(other_ca)}).print(NAT)
        assert client_for({**base, "ca_file": str(sim.ca_file)}).version[0] == int(version[0])
        assert client_for({**base, "verify_tls": False}).print(NAT) == []
    finally:
        reset_clients()
        password_source.clear()


def test_by_hand_changes_show_after_snapshots_are_forgotten(sim: Simulator) -> None:
    from providers.connection import forget_snapshots

    client = client_for(settings_for(sim))
    assert client.snapshot(NAT) == []
    with by_hand(sim) as api:
        api.path(NAT).add(chain="srcnat", action="masquerade")
    forget_snapshots()
    assert len(client.snapshot(NAT)) == 1
