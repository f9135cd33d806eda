"""`routeros-lb:services` and `routeros-lb:site` through the entry point the program calls
(`stackconfig.read_site`, `stackconfig.plan_site`): valid specs parse; every error names the full
config key and what is allowed; hostile strings in every string field are refused naming their
key, or land on the router only in a form that cannot be read as script (hypothesis)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balancer.model import SitePlan
from simulator.script.parser import parse
from stackconfig import SiteConfigError, SiteSpec, plan_site, read_site

ISSUE_EXAMPLE = {
    "web": {
        "frontend": {"address": "203.0.113.2", "interface": "ether1", "protocol": "tcp",
                     "ports": [80, 443]},
        "servers": {"pi132": {"address": "192.168.1.132", "port": 8080},
                    "pi134": {"address": "192.168.1.134", "port": 8080, "weight": 2}},
        "classifier": "src-address",
        "health": {"type": "icmp", "interval": "10s", "timeout": "1s"},
        "slots": 8,
        "notify": ["admin@example.com"],
        "hairpin": ["192.168.1.0/24"],
        "allDown": "drop",
    }
}


def _service(**overrides: Any) -> dict:
    base = {"frontend": {"address": "203.0.113.2", "ports": 80},
            "servers": {"pi132": {"address": "192.168.1.132"}}}
    return {**base, **overrides}


EMAIL = {"server": "mail.example.com", "from": "router@example.com", "to": "admin@example.com"}


def _config(services: Any, **more: Any) -> dict[str, Any]:
    """Stack config as the engine hands it to the program (a mapping may come as a structure)."""
    return {"routeros:host": "r1", "routeros-lb:services": services, **more}


def _read(config: dict[str, Any]) -> SiteSpec:
    return read_site(config.get, config)


def _planned(config: dict[str, Any], stack: str = "dev") -> SitePlan:
    return plan_site(_read(config), stack)


def _problems(raw: Any) -> dict[str, str]:
    with pytest.raises(SiteConfigError) as caught:
        _read(_config(raw))
    return dict(caught.value.problems)


def test_the_issues_example_parses_with_ports_as_routeros_writes_them() -> None:
    web = _read(_config(ISSUE_EXAMPLE)).services["web"]
    assert web.frontend.ports == "80,443"
    assert web.servers["pi134"].weight == 2
    assert web.slots == 8


def test_config_values_stay_the_strings_the_user_wrote() -> None:
    web = _read(_config({"web": _service(servers={"a": {"address": "192.168.1.2",
                                                         "weight": "3", "port": "8080"}})})
                ).services
    assert web["web"].servers["a"].weight == 3
    assert web["web"].servers["a"].port == 8080
    assert _read(_config({"web": _service(frontend={"interface": "1.10", "ports": "80"})})
                 ).services["web"].frontend.interface == "1.10"


@pytest.mark.parametrize(
    ("raw", "key", "reason"),
    [
        ({"web": _service(servers={"pi134": {"address": "192.168.1.134", "weight": 200}})},
         "routeros-lb:services.web.servers.pi134.weight", "from 1 to 100"),
        ({"web": _service(servers={"pi134": {"address": "pi.local"}})},
         "routeros-lb:services.web.servers.pi134.address", "IPv4 address"),
        ({"web": _service(servers={"Pi134": {"address": "192.168.1.134"}})},
         "routeros-lb:services.web.servers.Pi134", "slugs"),
        ({"Web": _service()}, "routeros-lb:services.Web", "slugs"),
        ({"web": _service(servers={})}, "routeros-lb:services.web.servers", "1 to 64"),
        ({"web": _service(servers={f"s{i}": {"address": f"10.0.0.{i + 1}"} for i in range(65)})},
         "routeros-lb:services.web.servers", "1 to 64"),
        ({"web": _service(servers={"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.1"}})},
         "routeros-lb:services.web", "its own address"),
        ({"web": _service(frontend={"ports": 80})}, "routeros-lb:services.web.frontend",
         "address, an interface"),
        ({"web": _service(frontend={"address": "203.0.113.2", "ports": [0]})},
         "routeros-lb:services.web.frontend.ports", "1 to 65535"),
        ({"web": _service(frontend={"address": "203.0.113.2", "ports": "90-80"})},
         "routeros-lb:services.web.frontend.ports", "low to high"),
        ({"web": _service(frontend={"address": "203.0.113.2", "ports": 80, "protocol": "icmp"})},
         "routeros-lb:services.web.frontend.protocol", "'tcp' or 'udp'"),
        ({"web": _service(health={"type": "http", "path": "/health"})},
         "routeros-lb:services.web.health", "takes no path"),
        ({"web": _service(health={"interval": "often"})},
         "routeros-lb:services.web.health.interval", "duration"),
        ({"web": _service(health={"timeout": "1m"})},
         "routeros-lb:services.web.health.timeout", "between 20ms and 10s"),
        ({"web": _service(slots=12)}, "routeros-lb:services.web.slots", "power of two"),
        ({"web": _service(notify=["nobody"])}, "routeros-lb:services.web.notify.0",
         "e-mail address"),
        ({"web": _service(hairpin=["192.168.1.1/24"])}, "routeros-lb:services.web.hairpin.0",
         "IPv4 network"),
        ({"web": _service(allDown="reject")}, "routeros-lb:services.web.allDown",
         "filter rule"),
        ({"web": _service(colour="blue")}, "routeros-lb:services.web.colour",
         "not a known setting"),
    ],
)
def test_errors_name_the_full_key_and_what_is_allowed(raw: dict, key: str, reason: str) -> None:
    problems = _problems(raw)
    assert key in problems, problems
    assert reason in problems[key]


def test_health_types_are_checked_against_the_router_version() -> None:
    """The balancer's `PlanError` is reported under the key that caused it."""
    config = _config({"web": _service(health={"type": "tcp", "port": 80})},
                     **{"routeros-lb:site": "home"})
    with pytest.raises(SiteConfigError) as caught:
        _planned({**config, "routeros:version": "6.49"})
    problems = dict(caught.value.problems)
    assert list(problems) == ["routeros-lb:services.web.health.type"]
    assert "v7" in problems["routeros-lb:services.web.health.type"]
    site_plan = _planned({**config, "routeros:version": "7.20"})
    netwatch = [o for o in site_plan.services[0].objects if o.menu == "netwatch"]
    assert netwatch[0].properties["type"] == "tcp-conn"


def test_a_server_without_a_port_beside_one_with_is_reported_under_its_port_key() -> None:
    services = {"web": _service(frontend={"address": "203.0.113.2", "ports": "80,443"},
                                servers={"a": {"address": "10.0.0.1", "port": 8080},
                                         "b": {"address": "10.0.0.2"}})}
    with pytest.raises(SiteConfigError) as caught:
        _planned(_config(services))
    assert "routeros-lb:services.web.servers.b.port" in dict(caught.value.problems)


def test_a_version_the_balancer_cannot_read_names_routeros_version() -> None:
    # The model refuses it first, under the same key the balancer's error would be reported.
    with pytest.raises(SiteConfigError) as caught:
        _read(_config({}, **{"routeros:version": "8.1"}))
    assert "routeros:version" in dict(caught.value.problems)


def test_site_config_reads_services_and_site_name_with_full_keys() -> None:
    config = _config({"web": _service()})
    assert _planned(config, "dev").site == "dev"
    assert _planned({**config, "routeros-lb:site": "home"}, "dev").site == "home"
    with pytest.raises(SiteConfigError) as caught:
        _read(_config({"web": _service(slots=3)}))
    assert "routeros-lb:services.web.slots" in dict(caught.value.problems)
    with pytest.raises(SiteConfigError) as caught:
        _planned(config, "a stack name with spaces")
    problems = dict(caught.value.problems)
    assert "routeros-lb:site" in problems
    assert "unset, so the stack's name" in problems["routeros-lb:site"]


@pytest.mark.parametrize("address", ["o'brien@example.com", "admin@exa_mple.com",
                                     "jörg@example.com", "a" * 65 + "@example.com"])
@pytest.mark.parametrize("where", ["email.to", "notify"])
def test_an_address_is_judged_once_and_reported_under_its_own_key(address: str,
                                                                   where: str) -> None:
    """One e-mail rule for every address: refused under the key that holds it (never under
    `routeros-lb:site`), saying what is allowed."""
    email = {**EMAIL, "to": address} if where == "email.to" else EMAIL
    notify = {"notify": [address]} if where == "notify" else {}
    config = _config({"web": _service(**notify)}, **{"routeros-lb:email": email})
    with pytest.raises(SiteConfigError) as caught:
        _planned(config)
    key = ("routeros-lb:email.to.0" if where == "email.to"
           else "routeros-lb:services.web.notify.0")
    problems = dict(caught.value.problems)
    assert list(problems) == [key]
    assert "before the @" in problems[key]


# ------------------------------------------------------------------ hostile input

HOSTILE = st.text(
    alphabet=st.sampled_from(list("\"'$[]{};\\\n\r\t` ?#:=/.-_aZ09é€\u202e\U0001f600")),
    min_size=1, max_size=40,
) | st.sampled_from(['"; /system reset-configuration; "', "$[/system reboot]", "{", "a" * 5000,
                     "pi132\n/ip firewall nat remove [find]", "\\", "ether1\"", "80;81"])

# (path into the raw spec, the key named in errors)
FIELDS = [
    (("<service>",), "routeros-lb:services"),
    (("servers", "<server>"), "routeros-lb:services.web.servers"),
    (("servers", "pi132", "address"), "routeros-lb:services.web.servers.pi132.address"),
    (("servers", "pi132", "port"), "routeros-lb:services.web.servers.pi132.port"),
    (("servers", "pi132", "weight"), "routeros-lb:services.web.servers.pi132.weight"),
    (("frontend", "address"), "routeros-lb:services.web.frontend.address"),
    (("frontend", "interface"), "routeros-lb:services.web.frontend.interface"),
    (("frontend", "protocol"), "routeros-lb:services.web.frontend.protocol"),
    (("frontend", "ports"), "routeros-lb:services.web.frontend.ports"),
    (("classifier",), "routeros-lb:services.web.classifier"),
    (("health", "type"), "routeros-lb:services.web.health.type"),
    (("health", "interval"), "routeros-lb:services.web.health.interval"),
    (("health", "timeout"), "routeros-lb:services.web.health.timeout"),
    (("notify",), "routeros-lb:services.web.notify"),
    (("hairpin",), "routeros-lb:services.web.hairpin"),
    (("allDown",), "routeros-lb:services.web.allDown"),
    (("<site>",), "routeros-lb:site"),
]
# What an accepted value may look like on the router: nothing a script could read as code.
HARMLESS = re.compile(r"^[A-Za-z0-9 .,:/@_%+-]*$")


def _with(path: tuple[str, ...], value: str) -> tuple[str, dict]:
    service = _service(frontend={"address": "203.0.113.2", "interface": "ether1", "ports": 80},
                       notify=["admin@example.com"])
    site, name = "home", "web"
    if path == ("<service>",):
        name = value
    elif path == ("<site>",):
        site = value
    elif path == ("servers", "<server>"):
        service["servers"] = {value: {"address": "192.168.1.132"}}
    else:
        target = service
        for part in path[:-1]:
            target[part] = dict(target.get(part, {}))
            target = target[part]
        target[path[-1]] = value
    return site, {name: service}


@settings(max_examples=60)
@given(st.sampled_from(FIELDS), HOSTILE)
def test_hostile_strings_are_refused_naming_the_key_or_harmless(field, value: str) -> None:
    path, key = field
    site_name, raw = _with(path, value)
    config = _config(raw, **{"routeros-lb:site": site_name, "routeros-lb:email": EMAIL})
    try:
        site = _read(config)
    except SiteConfigError as error:
        keys = [problem_key for problem_key, _ in error.problems]
        assert any(k.startswith(key) for k in keys), (keys, key)
        return
    for version in ("6.49", "7.20"):
        try:
            site_plan = plan_site(site.model_copy(update={
                "router": site.router.model_copy(update={"version": version})}), "dev")
        except SiteConfigError as error:
            refused = [k for k, _ in error.problems]
            assert all(k.startswith("routeros-lb:services.") for k in refused), refused
            continue
        for service in site_plan.services:
            for obj in service.objects:
                for name, text in obj.properties.items():
                    if name in ("source", "up-script", "down-script", "on-event"):
                        parse(text)  # a generated script: it must parse
                    else:
                        assert HARMLESS.match(text), (name, text)
                assert obj.tag is None or HARMLESS.match(obj.tag)


def test_services_come_as_json_text_from_the_engine_and_scalars_stay_text() -> None:
    import json

    config = {"routeros:host": "r1", "routeros-lb:site": "1.10",
              "routeros-lb:services": json.dumps(ISSUE_EXAMPLE)}
    site = read_site(config.get, config)
    assert site.site == "1.10"
    assert site.services["web"].servers["pi134"].weight == 2
    assert plan_site(site, "dev").site == "1.10"
