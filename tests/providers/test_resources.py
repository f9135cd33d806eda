"""The resource classes under Pulumi's mocks: type tokens, typed inputs, serialised providers."""

from __future__ import annotations

import base64
import inspect
from typing import Any

import dill
import pulumi
import pytest

from providers import resources
from providers.connection import RouterSettings
from providers.menu_item import MenuItemProvider

ROUTER = RouterSettings(host="192.0.2.1", username="admin")


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.seen: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        self.seen.append(args)
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        return {}, []


@pytest.fixture
def mocks() -> Mocks:
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project="routeros-lb", stack="test", preview=False)
    return mocks


MENU_KEYS = {"MangleRule": "mangle", "NatRule": "nat", "Script": "script",
             "Scheduler": "scheduler", "Netwatch": "netwatch", "EmailSettings": "email"}


@pulumi.runtime.test
def test_every_resource_registers_with_its_token(mocks: Mocks) -> Any:
    made = [
        resources.MangleRule("m", router=ROUTER, chain="prerouting", action="mark-connection",
                             new_connection_mark="b0", ownership_tag="m"),
        resources.NatRule("n", router=ROUTER, chain="dstnat", action="dst-nat",
                          to_addresses="10.0.0.2", runtime_owned=["disabled"],
                          ownership_tag="n"),
        resources.Script("s", router=ROUTER, name="lb-up", source=":log info up"),
        resources.Scheduler("c", router=ROUTER, name="lb-sync", on_event="lb-sync",
                            interval="5m"),
        resources.Netwatch("w", router=ROUTER, host="10.0.0.2", up_script="lb-up"),
        resources.EmailSettings("e", router={"host": "192.0.2.1"}, server="192.0.2.25",
                                password=pulumi.Output.secret("smtp")),
    ]

    def verify(_: Any) -> None:
        tokens = {args.typ for args in mocks.seen}
        assert tokens == {f"pulumi-python:dynamic/routeros:{name}" for name in (
            "MangleRule", "NatRule", "Script", "Scheduler", "Netwatch", "EmailSettings")}
        for args in mocks.seen:
            assert args.inputs["router"]["host"] == "192.0.2.1"
            assert "password" not in args.inputs["router"]
            serialised = args.inputs["__provider"]
            if isinstance(serialised, dict):  # a secret, as the engine stores it
                serialised = serialised["value"]
            provider = dill.loads(base64.b64decode(serialised))  # noqa: S301 - ours
            # By reference, with its one plain-data attribute (docs/providers.md's table).
            assert type(provider) is MenuItemProvider
            assert vars(provider) == {"menu_key": MENU_KEYS[args.typ.rsplit(":", 1)[1]]}
            assert len(serialised) < 300

    return pulumi.Output.all(*(r.id for r in made)).apply(verify)


RESOURCE_CLASSES = [resources.MangleRule, resources.NatRule, resources.Script,
                    resources.Scheduler, resources.Netwatch, resources.EmailSettings]


@pytest.mark.parametrize("cls", RESOURCE_CLASSES, ids=lambda cls: cls.__name__)
def test_every_keyword_of_a_resource_reaches_its_inputs(cls: type, mocks: Mocks) -> None:
    names = [name for name in inspect.signature(cls.__init__).parameters
             if name not in ("self", "resource_name", "router", "opts")]
    given = {name: ["disabled"] if name == "runtime_owned" else f"value-of-{name}"
             for name in names}

    @pulumi.runtime.test
    def declare() -> Any:
        cls("r", router=ROUTER, **given)
        return pulumi.Output.from_input(None).apply(lambda _: None)

    declare()
    (args,) = [a for a in mocks.seen if a.name == "r"]
    assert {name: args.inputs.get(name) for name in names} == given
    assert set(args.inputs) - set(names) - {"__provider"} <= {"router", "router_version",
                                                             "previous"}


def declared_inputs(mocks: Mocks, make: Any) -> dict[str, dict]:
    """The inputs each resource `make()` declares reached the engine with, by name."""

    @pulumi.runtime.test
    def declare() -> Any:
        make()
        return pulumi.Output.from_input(None).apply(lambda _: None)

    declare()
    return {args.name: dict(args.inputs) for args in mocks.seen}


def test_rules_and_probes_carry_a_default_tag_from_project_stack_and_name(mocks: Mocks) -> None:
    inputs = declared_inputs(mocks, lambda: [
        resources.MangleRule("mark-0", router=ROUTER, chain="prerouting"),
        resources.NatRule("nat 0", router=ROUTER, chain="srcnat", action="masquerade"),
        resources.Netwatch("watch", router=ROUTER, host="10.0.0.2"),
        resources.MangleRule("mine", router=ROUTER, chain="prerouting", ownership_tag="site:a"),
        resources.Script("s", router=ROUTER, name="lb-up"),
        resources.Scheduler("c", router=ROUTER, name="lb-sync"),
        resources.EmailSettings("e", router=ROUTER, server="192.0.2.25"),
    ])
    assert inputs["mark-0"]["ownership_tag"] == "routeros-lb:test:MangleRule:mark-0"
    assert inputs["nat 0"]["ownership_tag"].startswith("routeros-lb:test:NatRule:nat-0-")
    assert inputs["watch"]["ownership_tag"] == "routeros-lb:test:Netwatch:watch"
    assert inputs["mine"]["ownership_tag"] == "site:a"  # a declared tag wins
    # Scripts and schedulers are identified by their unique name; the e-mail is a singleton.
    assert inputs["s"].get("ownership_tag") is None
    assert inputs["c"].get("ownership_tag") is None
    assert "ownership_tag" not in inputs["e"]


def test_two_stacks_sharing_a_router_get_different_default_tags() -> None:
    tags = []
    for stack in ("site-a", "site-b"):
        mocks = Mocks()
        pulumi.runtime.set_mocks(mocks, project="routeros-lb", stack=stack, preview=False)
        inputs = declared_inputs(mocks, lambda: resources.MangleRule(
            "mark-0", router=ROUTER, chain="prerouting"))
        tags.append(inputs["mark-0"]["ownership_tag"])
    assert tags == ["routeros-lb:site-a:MangleRule:mark-0", "routeros-lb:site-b:MangleRule:mark-0"]


def test_constructing_resources_leaves_pickle_as_it_was(mocks: Mocks) -> None:
    """Pulumi's serialize_provider wraps `pickle._Pickler._batch_setitems` on every call and
    never unwraps it (1 000 resources: RecursionError); ours put it back, bytes unchanged."""
    import pickle

    from providers.chain_order import ChainOrder

    before = dict(vars(pickle._Pickler))  # type: ignore[attr-defined]

    def make() -> None:
        for n in range(30):
            resources.MangleRule(f"rule-{n}", router=ROUTER, chain="prerouting")
        ChainOrder("order", router=ROUTER, path="/ip/firewall/mangle", chain="prerouting",
                   rule_ids=["*1"])

    inputs = declared_inputs(mocks, make)
    assert dict(vars(pickle._Pickler)) == before  # type: ignore[attr-defined]
    providers = {inputs[f"rule-{n}"]["__provider"]["value"] for n in range(30)}
    assert len(providers) == 1  # every serialisation is the same, the first as the thirtieth


def test_every_dynamic_resource_of_the_providers_derives_from_router_resource() -> None:
    """A resource class built on `pulumi.dynamic.Resource` directly would bring the leak back."""
    import importlib
    import pkgutil

    import providers
    from providers.dynamic_resource import RouterResource

    for module in pkgutil.iter_modules(providers.__path__):
        importlib.import_module(f"providers.{module.name}")
    pending, found = list(pulumi.dynamic.Resource.__subclasses__()), []
    while pending:
        cls = pending.pop()
        pending += cls.__subclasses__()
        if cls.__module__.startswith("providers.") and cls is not RouterResource:
            found.append(cls)
    assert {cls.__name__ for cls in found} >= {"MangleRule", "ChainOrder", "ScriptRun"}
    assert [cls.__name__ for cls in found if not issubclass(cls, RouterResource)] == []


def test_nat_rule_offers_no_connection_state() -> None:
    # NAT has no connection-state matcher on a real router: the resource must not offer one.
    with pytest.raises(TypeError, match="connection_state"):
        resources.NatRule("n", router=ROUTER, chain="dstnat",  # type: ignore[call-arg]
                          connection_state="new")
