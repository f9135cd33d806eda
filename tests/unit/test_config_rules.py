"""Cross-field rules of the stack config (`stackconfig/rules.py`), through the program's entry
point: what values cannot mean together is refused before anything is declared, naming both keys."""

from __future__ import annotations

from typing import Any

import pytest

from stackconfig import SiteConfigError, read_site


def _service(address: str | None = "203.0.113.2", ports: Any = 80, protocol: str = "tcp",
             interface: str | None = None, **more: Any) -> dict[str, Any]:
    frontend = {"ports": ports, "protocol": protocol}
    frontend |= {"address": address} if address else {}
    frontend |= {"interface": interface} if interface else {}
    return {"frontend": frontend, "servers": {"a": {"address": "192.168.1.2"}}, **more}


def _problems(services: dict[str, Any], **config: Any) -> dict[str, str]:
    values = {"routeros:host": "192.168.88.1", "routeros-lb:services": services, **config}
    with pytest.raises(SiteConfigError) as caught:
        read_site(values.get, values)
    return dict(caught.value.problems)


def _accepted(services: dict[str, Any], **config: Any) -> None:
    values = {"routeros:host": "192.168.88.1", "routeros-lb:services": services, **config}
    read_site(values.get, values)


@pytest.mark.parametrize(("web", "dns"), [
    (_service(ports="80,443"), _service(ports="443-450")),
    (_service(), _service(address=None, interface="ether1")),
    (_service(interface="ether1"), _service(address=None, interface="ether1")),
])
def test_overlapping_frontends_are_refused_naming_both(web: dict, dns: dict) -> None:
    problems = _problems({"web": web, "www": dns})
    assert list(problems) == ["routeros-lb:services.www.frontend"]
    assert "routeros-lb:services.web.frontend" in problems["routeros-lb:services.www.frontend"]


@pytest.mark.parametrize(("web", "dns"), [
    (_service(ports=80), _service(ports=80, protocol="udp")),
    (_service(ports=80), _service(ports=81)),
    (_service(ports=80), _service(address="203.0.113.3", ports=80)),
    (_service(interface="ether1"), _service(interface="ether2")),
])
def test_frontends_that_cannot_take_the_same_connection_coexist(web: dict, dns: dict) -> None:
    _accepted({"web": web, "dns": dns})


@pytest.mark.parametrize(("service", "config"), [
    (_service(address="192.168.88.1", ports="8000-9000"), {}),
    (_service(address="192.168.88.1", ports=8729), {"routeros:port": "8729"}),
    (_service(address=None, interface="ether1", ports=8728), {}),
])
def test_a_frontend_on_the_routers_api_port_is_refused(service: dict, config: dict) -> None:
    problems = _problems({"web": service}, **config)
    reason = problems["routeros-lb:services.web.frontend.ports"]
    assert "routeros:port" in reason
    assert "routeros:host" in reason
    assert "routeros-lb:services.web.frontend.address" in reason


def test_the_api_port_elsewhere_is_fine() -> None:
    _accepted({"web": _service(address="203.0.113.2", ports=8728)})
    _accepted({"web": _service(address="192.168.88.1", ports=8728)}, **{"routeros:port": "8729"})
    _accepted({"web": _service(address="192.168.88.1", ports=8728, protocol="udp")})


def test_a_hairpin_network_of_everything_is_refused_naming_the_key() -> None:
    problems = _problems({"web": _service(hairpin=["192.168.1.0/24", "0.0.0.0/0"])})
    assert list(problems) == ["routeros-lb:services.web.hairpin.1"]
    assert "every client" in problems["routeros-lb:services.web.hairpin.1"]
