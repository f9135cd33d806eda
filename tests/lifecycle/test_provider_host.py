"""Providers serialised with Pulumi's own `serialize_provider`, loaded by the real provider host in
a fresh Python process, and used against the simulator; the password stays out of everything."""

from __future__ import annotations

import base64

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from engine_standin.host import ProviderCallError, ProviderHost
from providers.chain_order import ChainOrderProvider
from simulator import Simulator
from tests.lifecycle.routers import (
    PASSWORD,
    by_hand,
    chain_ids,
    commands,
    host_env,
    settings_for,
)

MANGLE = "/ip/firewall/mangle"


def test_the_chain_order_provider_pickles_by_reference() -> None:
    blob = base64.b64decode(serialize_provider(ChainOrderProvider()))
    assert b"providers.chain_order" in blob
    assert b"ChainOrderProvider" in blob
    # By reference: a few dozen bytes, no code.
    assert len(blob) < 200
    assert PASSWORD.encode() not in blob


def test_chain_order_through_a_fresh_host(host: ProviderHost, router: Simulator) -> None:
    with by_hand(router) as api:
        [a, b] = [api.path(MANGLE).add(chain="prerouting", action="accept") for _ in "ab"]
    urn = "urn:pulumi:dev::routeros-lb::pulumi-python:dynamic/routeros:ChainOrder::order"
    provider = serialize_provider(ChainOrderProvider())
    news = {"__provider": provider, "router": settings_for(router).as_inputs(), "path": MANGLE,
            "chain": "prerouting", "rule_ids": [b, a]}

    checked = host.check(urn, {}, news)
    assert checked.failures == []
    id_, outputs = host.create(urn, checked.inputs)

    assert chain_ids(router, MANGLE, "prerouting") == [b, a]
    assert commands(router, MANGLE) == {"add": 2, "print": 1, "move": 1}
    assert outputs["observed_ids"] == [b, a]
    assert outputs["__provider"] == provider
    assert PASSWORD not in repr(outputs)
    assert host.diff(urn, id_, outputs, checked.inputs, checked.inputs).changes is False


def test_errors_from_the_host_name_the_rule_and_not_the_password(
    host: ProviderHost, router: Simulator
) -> None:
    urn = "urn:pulumi:dev::routeros-lb::pulumi-python:dynamic/routeros:ChainOrder::gone"
    news = {"__provider": serialize_provider(ChainOrderProvider()),
            "router": settings_for(router).as_inputs(), "path": MANGLE,
            "chain": "prerouting", "rule_ids": ["*99"], "position": "top"}
    with pytest.raises(ProviderCallError) as caught:
        host.create(urn, news)
    assert (r"rule *99 is not in /ip/firewall/mangle: its id may have changed"
            in caught.value.details)
    assert PASSWORD not in str(caught.value)


def test_a_refused_login_does_not_echo_the_password(router: Simulator) -> None:
    wrong = "Wrong-Zebra-Quartz-do-not-leak"
    urn = "urn:pulumi:dev::routeros-lb::pulumi-python:dynamic/routeros:ChainOrder::refused"
    news = {"__provider": serialize_provider(ChainOrderProvider()),
            "router": settings_for(router).as_inputs(), "path": MANGLE,
            "chain": "prerouting", "rule_ids": [], "position": "top"}
    refused = ProviderHost(config={"routeros:password": wrong}, env=host_env())
    with refused, pytest.raises(ProviderCallError) as caught:
        refused.create(urn, news)
    assert "invalid user name or password" in caught.value.details
    for text in (str(caught.value), refused.stdout, refused.stderr):
        assert wrong not in text
        assert PASSWORD not in text
