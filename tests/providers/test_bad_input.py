"""Inputs a new user or an attacker would try: each is refused at check naming the property (or,
when check was skipped, by create with a `RouterError` before anything is written), and text
the providers write reads back as written, so a plan settles. Against the simulator over TCP."""

from __future__ import annotations

from typing import Any

import librouteros
import pytest

from providers.connection import client_for, forget_snapshots
from providers.errors import RouterError
from providers.menu_item import MenuItemProvider
from simulator import Simulator
from tests.lifecycle.routers import PASSWORD, USERNAME, Served, settings_for

NAT = {"chain": "dstnat", "action": "dst-nat", "to_addresses": "10.0.0.2"}


def _inputs(sim: Simulator, **props: Any) -> dict[str, Any]:
    return {"router": settings_for(sim).as_inputs(), **props}


def _failures(provider: MenuItemProvider, news: dict[str, Any]) -> dict[str, str]:
    result = provider.check({}, news)
    return {f.property: f.reason for f in result.failures}


@pytest.mark.parametrize(("menu", "props", "wrong"), [
    ("nat", {**NAT, "comment": "Zürich"}, "comment"),
    ("script", {"name": "s", "source": ':log warning "Störung"'}, "source"),
    ("nat", {**NAT, "comment": "a\nb"}, "comment"),
    ("nat", {**NAT, "ownership_tag": "web\n"}, "ownership_tag"),
    ("script", {"name": "lb-up\n"}, "name"),
    ("nat", {**NAT, "src_address": "10.0.0.1-::1"}, "src_address"),
    ("nat", {**NAT, "dst_address": "2001:db8::1"}, "dst_address"),
    ("nat", {**NAT, "to_addresses": "2001:db8::2"}, "to_addresses"),
    ("netwatch", {"host": "10.0.0.2", "interval": "1" * 400}, "interval"),
    ("netwatch", {"host": "10.0.0.2", "interval": float("inf")}, "interval"),
    ("netwatch", {"host": "10.0.0.2", "packet_count": "9" * 5000}, "packet_count"),
    ("netwatch", {"host": "10.0.0.2", "type": "tcp-conn", "port": "0"}, "port"),
    ("scheduler", {"name": "s", "on_event": {"not": "text"}}, "on_event"),
    ("nat", {**NAT, "runtime_owned": 7}, "runtime_owned"),
])
def test_refused_at_check_naming_the_property(sim: Simulator, menu: str, props: dict[str, Any],
                                              wrong: str) -> None:
    provider = MenuItemProvider(menu)
    served = Served(sim)
    failures = _failures(provider, _inputs(sim, **props))
    assert wrong in failures, failures
    assert served.writes() == {}


def test_create_refuses_non_ascii_when_check_was_skipped(sim: Simulator) -> None:
    served = Served(sim)
    with pytest.raises(RouterError) as caught:
        MenuItemProvider("script").create(_inputs(sim, name="s", source=':log warning "Störung"'))
    assert caught.value.kind == "input"
    assert "source" in str(caught.value)
    assert served.writes() == {}


@pytest.mark.parametrize("comment", ["", "   ", "web  ", "web\n", "web \r\n"])
def test_comments_settle_after_a_refresh(sim: Simulator, comment: str) -> None:
    provider = MenuItemProvider("nat")
    checked = provider.check({}, _inputs(sim, **NAT, comment=comment, ownership_tag="t1"))
    assert checked.failures == []
    created = provider.create(checked.inputs)
    forget_snapshots()
    read = provider.read(created.id, created.outs)
    again = provider.check(read.inputs, _inputs(sim, **NAT, comment=comment, ownership_tag="t1"))
    assert provider.diff(created.id, read.outs, again.inputs).changes is False
    assert read.outs.get("ownership_tag") == "t1"


def test_non_ascii_bytes_on_the_router_read_back_whole(sim: Simulator) -> None:
    """A comment written by hand in UTF-8 is shown byte for byte (one character per byte), not
    with its non-ASCII bytes dropped, and the ownership tag after it is still found."""
    api = librouteros.connect(sim.host, USERNAME, PASSWORD, port=sim.port, timeout=5,
                              encoding="utf-8")
    try:
        id_ = api.path("ip", "firewall", "nat").add(
            chain="dstnat", action="dst-nat", **{"to-addresses": "10.0.0.2"},
            comment="Zürich [lb:t2]")
    finally:
        api.close()
    rows = client_for(settings_for(sim)).snapshot("/ip/firewall/nat")
    stored = next(row["comment"] for row in rows if row[".id"] == id_)
    assert stored.encode("latin-1") == "Zürich [lb:t2]".encode()
    read = MenuItemProvider("nat").read(id_, _inputs(sim, **NAT, ownership_tag="t2"))
    assert read.outs["ownership_tag"] == "t2"
    assert read.outs["comment"].encode("latin-1") == b"Z\xc3\xbcrich"


def test_tls_options_without_tls_are_refused(sim: Simulator) -> None:
    router = {**settings_for(sim).as_inputs(), "ca_file": "ca.pem"}
    failures = _failures(MenuItemProvider("nat"), {"router": router, **NAT})
    assert "ca_file" in failures["router"]
    assert "tls" in failures["router"]
    router = {**settings_for(sim).as_inputs(), "verify_tls": False}
    failures = _failures(MenuItemProvider("nat"), {"router": router, **NAT})
    assert "verify_tls" in failures["router"]


def test_non_ascii_password_is_a_clear_error(sim: Simulator) -> None:
    from providers.connection import password_source

    password_source.set("pässword")
    try:
        with pytest.raises(RouterError, match="non-ASCII") as caught:
            client_for(settings_for(sim)).version  # noqa: B018
        assert "pässword" not in str(caught.value)
    finally:
        password_source.set(PASSWORD)


def test_a_refused_smtp_password_is_not_quoted(sim: Simulator) -> None:
    failures = _failures(MenuItemProvider("email"),
                         _inputs(sim, server="10.0.0.25", password="pässwörd-Kiwi\n"))
    assert "password" in failures
    assert "ä" not in failures["password"]
    assert "Kiwi" not in failures["password"]


def test_settings_found_with_non_ascii_bytes_are_restored_byte_for_byte(sim: Simulator) -> None:
    """The e-mail settings a create finds go back at delete as the bytes they were."""
    api = librouteros.connect(sim.host, USERNAME, PASSWORD, port=sim.port, timeout=5,
                              encoding="utf-8")
    try:
        tuple(api("/tool/e-mail/set", **{"from": "Störung <r@example.com>"}))
    finally:
        api.close()
    provider = MenuItemProvider("email")
    created = provider.create(provider.check({}, _inputs(sim, server="10.0.0.25")).inputs)
    provider.delete(created.id, created.outs)
    rows = client_for(settings_for(sim)).print("/tool/e-mail")
    assert rows[0]["from"].encode("latin-1") == "Störung <r@example.com>".encode()


@pytest.mark.parametrize(("field", "value"), [
    ("rule_ids", ["*1,*2"]), ("rule_ids", ["1"]), ("chain", "pre routing"),
    ("before_comment", "Zürich"),
])
def test_chain_order_refuses_at_check(sim: Simulator, field: str, value: Any) -> None:
    from providers.chain_order import ChainOrderProvider

    news = {"router": settings_for(sim).as_inputs(), "path": "/ip/firewall/nat",
            "chain": "dstnat", "rule_ids": ["*1"], "position": "before", "before_comment": "x",
            field: value}
    result = ChainOrderProvider().check({}, news)
    assert field in {f.property for f in result.failures}


@pytest.mark.parametrize(("field", "value"), [
    ("host", "1.10"), ("host", "r1\n"), ("host", "bücher.example"), ("username", "ädmin"),
    ("username", "ad min"), ("timeout", 1e9),
])
def test_router_settings_are_refused_at_check_naming_the_field(sim: Simulator, field: str,
                                                                value: Any) -> None:
    router = {**settings_for(sim).as_inputs(), field: value}
    failures = _failures(MenuItemProvider("nat"), {"router": router, **NAT})
    assert f"router.{field}" in failures["router"]
