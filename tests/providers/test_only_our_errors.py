"""Every public entry point, fed arbitrary strings, numbers and unicode, raises nothing but its
boundary's root exception: check returns `CheckFailure`s (it raises nothing at all), create and
update raise `ProviderError`, the config reader `SiteConfigError`. Against the simulator over TCP
(one per module: hypothesis runs many examples against the same router)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.program import declare_site
from components.router_site import router_settings
from engine_standin.capture import capture
from providers.chain_order import ChainOrderProvider
from providers.connection import password_source, reset_clients
from providers.errors import ProviderError
from providers.menu_item import META_INPUTS, MenuItemProvider
from providers.schemas import MENUS
from simulator import Simulator
from stackconfig import EMAIL_KEY, ROUTER_KEYS, SiteConfigError, read_site
from tests.lifecycle.routers import PASSWORD, running_simulator, settings_for

TRICKY = st.sampled_from([
    "", " ", "\n", "x\n", "Zürich", "Störung", "\x00", "[lb:x]", "10.0.0.1-::1", "::1",
    "2001:db8::1", "10.0.0.0/33", "0", "-1", "1" * 400, "9" * 30, "1e999", "nan", "inf",
    "yes", "null", "1.10", "a=b", "=.id=*1", "!", "$x", "\"", "\\", "*1", "1d2h", "80,443",
])
SCALARS = st.one_of(
    TRICKY, st.text(max_size=20), st.integers(), st.floats(), st.booleans(), st.none(),
)
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=8), SCALARS, max_size=2),
)
SLOW = settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def router() -> Iterator[Simulator]:
    password_source.set(PASSWORD)
    try:
        with running_simulator() as simulator:
            yield simulator
    finally:
        reset_clients()
        password_source.clear()


def _router_inputs(sim: Simulator, draw: st.DrawFn) -> Any:
    """The simulator's settings, some fields drawn; the host always loopback (no traffic
    elsewhere, no DNS), never TLS against the plain simulator (a handshake would wait)."""
    inputs: dict[str, Any] = settings_for(sim).as_inputs()
    how = draw(st.sampled_from(["as is", "as is", "fields", "anything"]))
    if how == "fields":
        for name in draw(st.sets(st.sampled_from(["port", "username", "ca_file", "verify_tls",
                                                  "surprise"]), min_size=1, max_size=2)):
            inputs[name] = draw(VALUES)
    return draw(VALUES) if how == "anything" else inputs


# Valid inputs to start from, so that some examples get past create to update.
VALID = {
    "mangle": {"chain": "prerouting", "action": "mark-connection", "new_connection_mark": "m"},
    "nat": {"chain": "dstnat", "action": "dst-nat", "to_addresses": "10.0.0.2"},
    "script": {"name": "fuzzed", "source": ":log info x"},
    "scheduler": {"name": "fuzzed", "interval": "1m"},
    "netwatch": {"host": "10.0.0.9"},
    "email": {"server": "10.0.0.25"},
}


@st.composite
def menu_inputs(draw: st.DrawFn, sim: Simulator, key: str) -> dict[str, Any]:
    names = sorted(MENUS[key].all_props())
    valid = draw(st.booleans())
    chosen = draw(st.sets(st.one_of(st.sampled_from(names), st.sampled_from(META_INPUTS[1:]),
                                    st.text(max_size=8)), max_size=1 if valid else 6))
    news = dict(VALID[key]) if valid else {}
    news.update({name: draw(VALUES) for name in chosen})
    news["router"] = _router_inputs(sim, draw)
    return news


def _only_ours(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except ProviderError:
        return None


@pytest.mark.parametrize("key", sorted(MENUS))
def test_menu_items_raise_only_provider_errors(router: Simulator, key: str) -> None:
    provider = MenuItemProvider(key)
    created_count = []

    @SLOW
    @given(st.data())
    def run(data: st.DataObject) -> None:
        news = data.draw(menu_inputs(router, key))
        again = data.draw(menu_inputs(router, key))  # drawn whatever the router answers
        result = provider.check({}, news)  # never raises
        assert all(isinstance(f.reason, str) and f.reason for f in result.failures)
        created = _only_ours(provider.create, dict(news))
        if created is None:
            return
        created_count.append(created.id)
        _only_ours(provider.update, created.id, created.outs, again)
        _only_ours(provider.delete, created.id, created.outs)

    run()
    assert created_count, "no example got past create: update was never driven"


def test_chain_order_raises_only_provider_errors(router: Simulator) -> None:
    provider = ChainOrderProvider()
    fields = ("path", "chain", "rule_ids", "position", "before_comment")

    @SLOW
    @given(st.data())
    def run(data: st.DataObject) -> None:
        news = {name: data.draw(VALUES) for name in data.draw(st.sets(st.sampled_from(fields)))}
        if data.draw(st.booleans()):
            news["path"] = data.draw(st.sampled_from(["/ip/firewall/nat", "/ip/firewall/mangle"]))
        news["router"] = _router_inputs(router, data.draw)
        provider.check({}, news)
        created = _only_ours(provider.create, dict(news))
        if created is not None:
            _only_ours(provider.update, created.id, created.outs, dict(news))
            _only_ours(provider.read, created.id, created.outs)

    run()


CONFIG_KEYS = (*ROUTER_KEYS.values(), EMAIL_KEY)
EMAIL_FIELDS = ("server", "port", "from", "to", "tls", "user")


@st.composite
def stack_config(draw: st.DrawFn) -> dict[str, Any]:
    config = {key: draw(VALUES) for key in draw(st.sets(st.sampled_from(CONFIG_KEYS)))}
    if draw(st.booleans()):
        config[EMAIL_KEY] = {name: draw(VALUES) for name in
                             draw(st.sets(st.one_of(st.sampled_from(EMAIL_FIELDS),
                                                    st.text(max_size=6))))}
    if draw(st.booleans()):
        config[draw(st.sampled_from(["routeros:", "routeros-lb:"])) + draw(st.text(max_size=6))] \
            = draw(VALUES)
    return {k: v for k, v in config.items() if v is not None}


@settings(max_examples=150)
@given(stack_config(), st.booleans())
def test_the_config_reader_raises_only_site_config_errors(config: dict[str, Any],
                                                          files_exist: bool) -> None:
    try:
        site = read_site(config.get, config, is_file=lambda _path: files_exist)
    except SiteConfigError:
        return
    router_settings(site.router)  # what the program builds from it is valid too


@SLOW
@given(stack_config())
def test_the_program_raises_only_site_config_errors(config: dict[str, Any]) -> None:
    """As the engine hands config over: scalars as text, objects as JSON."""
    with contextlib.suppress(SiteConfigError):
        capture(declare_site, config=config)
