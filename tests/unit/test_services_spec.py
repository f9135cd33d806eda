"""`routeros-lb:services` and `routeros-lb:site`: valid specs parse; every error names the full
config key and what is allowed; hostile strings in every string field are refused naming their
key, or land on the router only in a form that cannot be read as script (hypothesis)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balancer.plan import PlanError, plan
from balancer.spec import ServiceConfigError, parse_lb_site, parse_services
from components.site import SiteConfigError, lb_site, read_site
from simulator.script.parser import parse

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


def _problems(raw: Any) -> dict[str, str]:
    with pytest.raises(ServiceConfigError) as caught:
        parse_services(raw)
    return dict(caught.value.problems)


def test_the_issues_example_parses_with_ports_as_routeros_writes_them() -> None:
    web = parse_services(ISSUE_EXAMPLE)["web"]
    assert web.frontend.ports == "80,443"
    assert web.servers["pi134"].weight == 2
    assert web.slots == 8


def test_config_values_stay_the_strings_the_user_wrote() -> None:
    web = parse_services({"web": _service(servers={"a": {"address": "192.168.1.2",
                                                          "weight": "3", "port": "8080"}})})
    assert web["web"].servers["a"].weight == 3
    assert web["web"].servers["a"].port == 8080
    assert parse_services({"web": _service(frontend={"interface": "1.10", "ports": "80"})}
                          )["web"].frontend.interface == "1.10"


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
    site = parse_lb_site("home", {"web": _service(health={"type": "tcp", "port": 80})})
    with pytest.raises(PlanError) as caught:
        plan(site, "6.49")
    assert caught.value.key == "routeros-lb:services.web.health.type"
    assert "v7" in str(caught.value)
    netwatch = [o for o in plan(site, "7.20").services[0].objects if o.menu == "netwatch"]
    assert netwatch[0].properties["type"] == "tcp-conn"


def test_site_config_reads_services_and_site_name_with_full_keys() -> None:
    config = {"routeros:host": "r1", "routeros-lb:services": {"web": _service()}}
    site = read_site(config.get, config)
    assert lb_site(site, "dev").name == "dev"
    named = read_site({**config, "routeros-lb:site": "home"}.get)
    assert lb_site(named, "dev").name == "home"
    bad = {**config, "routeros-lb:services": {"web": _service(slots=3)}}
    with pytest.raises(SiteConfigError) as caught:
        read_site(bad.get)
    assert "routeros-lb:services.web.slots" in dict(caught.value.problems)
    with pytest.raises(SiteConfigError) as caught:
        lb_site(read_site(config.get), "a stack name with spaces")
    assert "routeros-lb:site" in dict(caught.value.problems)


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
    try:
        site = parse_lb_site(site_name, raw, ["admin@example.com"])
    except ServiceConfigError as error:
        keys = [problem_key for problem_key, _ in error.problems]
        site = None
    if site is None:
        assert any(k.startswith(key) for k in keys), (keys, key)
        return
    for version in ("6.49", "7.20"):
        try:
            site_plan = plan(site, version)
        except PlanError as error:
            refused = error.key
            assert refused.startswith("routeros-lb:services.")
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
    assert lb_site(site, "dev").name == "1.10"
