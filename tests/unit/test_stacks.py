"""The committed stacks under Pulumi's mocks: one PccLoadBalancer per service, planned for the
RouterOS version each stack declares, the exports per service, and no secret in any stack file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.program import declare_site
from components.router_site import RouterSite
from engine_standin.capture import Registration, capture
from stackconfig import SiteConfigError
from stackconfig.stack_file import read_stack_file

ROOT = Path(__file__).resolve().parents[2]
STACKS = ("home", "staging", "dev")
DYNAMIC = "pulumi-python:dynamic/routeros:"


def config_of(stack: str) -> dict[str, Any]:
    return read_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml").config


@pytest.fixture(autouse=True)
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The CA files the stacks name, in a project directory of their own (each site brings its
    own; they are not in the repository)."""
    for stack in STACKS:
        ca_file = config_of(stack).get("routeros:caFile")
        if ca_file:
            (tmp_path / ca_file).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / ca_file).write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def of_type(registrations: list[Registration], kind: str) -> list[Registration]:
    return [reg for reg in registrations if reg.type == DYNAMIC + kind]


@pytest.mark.parametrize("stack", STACKS)
def test_every_service_is_a_load_balancer_under_the_site(stack: str) -> None:
    registrations = capture(declare_site, stack=stack, config=config_of(stack))
    services = config_of(stack)["routeros-lb:services"]
    for service in services:
        mine = [reg for reg in registrations if reg.name.startswith(f"{service}/")]
        assert mine, service
        assert all("routeros-lb:index:PccLoadBalancer$" in reg.urn for reg in mine)
    (run,) = of_type(registrations, "ScriptRun")
    assert run is registrations[-1]  # after everything it reconciles, the e-mail settings too
    for reg in registrations:
        assert "password" not in reg.inputs.get("router", {})


@pytest.mark.parametrize(("stack", "probe"), [
    ("home", {}),  # v6: netwatch only pings, and has no `type`
    ("staging", {"type": "tcp-conn", "port": "443"}),
    ("dev", {"type": "http-get", "port": "80"}),
])
def test_health_checks_are_planned_for_the_declared_version(stack: str, probe: dict) -> None:
    registrations = capture(declare_site, stack=stack, config=config_of(stack))
    watches = of_type(registrations, "Netwatch")
    assert len(watches) == len(config_of(stack)["routeros-lb:services"]["web"]["servers"])
    for watch in watches:
        assert {key: watch.inputs.get(key) for key in ("type", "port")} == {
            "type": probe.get("type"), "port": probe.get("port")}


def test_staging_has_hairpin_for_its_lan() -> None:
    registrations = capture(declare_site, stack="staging", config=config_of("staging"))
    (hairpin,) = [reg for reg in of_type(registrations, "NatRule")
                  if reg.inputs["chain"] == "srcnat"]
    assert hairpin.inputs["action"] == "masquerade"
    assert hairpin.inputs["src_address"] == "10.20.1.0/24"


def test_the_site_exports_frontend_servers_and_buckets_per_service() -> None:
    made: list[RouterSite] = []
    capture(lambda: made.append(declare_site()), stack="staging", config=config_of("staging"))
    web = made[0].services["web"]
    assert web["frontend"] == {"address": "198.51.100.10", "protocol": "tcp", "ports": "80,443"}
    assert web["servers"]["app4"] == {"address": "10.20.1.14", "weight": 4}
    slots = web["buckets"]["slots"]
    assert set(slots.values()) == {"app1", "app2", "app3", "app4"}
    assert all(len(group) >= 1 for group in web["buckets"]["groups"].values())


def test_no_stack_file_holds_a_secret() -> None:
    for stack in STACKS:
        text = (ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text()
        config = config_of(stack)
        assert "routeros:password" not in config
        assert "routeros-lb:smtpPassword" not in config
        assert "secure:" not in text
        assert "password" not in config.get("routeros-lb:email", {})


def test_a_bad_router_version_names_its_key() -> None:
    config = {**config_of("dev"), "routeros:version": "seven"}
    with pytest.raises(SiteConfigError) as caught:
        capture(declare_site, config=config)
    assert [key for key, _ in caught.value.problems] == ["routeros:version"]
    assert "6.49 or 7.20" in str(caught.value)


def test_a_v7_health_check_on_a_v6_router_is_refused_before_anything_is_declared() -> None:
    config = config_of("home")
    config["routeros-lb:services"]["web"]["health"] = {"type": "tcp", "port": 80}
    declared: list[str] = []

    def program() -> None:
        # Records every resource as it is constructed: the engine creates resources as they
        # are registered, so one declared before the error would reach the router.
        def record(args: pulumi.ResourceTransformationArgs) -> None:
            declared.append(args.name)

        pulumi.runtime.register_stack_transformation(record)
        declare_site()

    with pytest.raises(SiteConfigError,
                       match=r"routeros-lb:services\.web\.health\.type: tcp needs"):
        capture(program, stack="home", config=config)
    assert [name for name in declared if name != "home"] == []
