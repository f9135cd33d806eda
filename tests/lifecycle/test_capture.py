"""`capture` hands resources over in the order the program built them, whatever order their
registrations reach the mocks in (that one varies from run to run under load)."""

from engine_standin.capture import capture
from providers.chain_order import ChainOrder
from providers.connection import RouterSettings
from providers.resources import MangleRule

ROUTER = RouterSettings(host="127.0.0.1", port=8728)


def test_registrations_come_in_construction_order() -> None:
    names = [f"rule-{n:02}" for n in range(40)]

    def program() -> None:
        rules = [MangleRule(name, router=ROUTER, chain="prerouting", ownership_tag=name)
                 for name in reversed(names)]
        ChainOrder("order", router=ROUTER, path="/ip/firewall/mangle", chain="prerouting",
                   rule_ids=[rule.id for rule in rules], position="top")

    for _ in range(3):
        regs = capture(program)
        assert [reg.name for reg in regs] == [*reversed(names), "order"]
        order = regs[-1].inputs["rule_ids"]
        assert order == [f"<id:{reg.urn}>" for reg in regs[:-1]]


def test_registrations_carry_their_dependencies() -> None:
    """What an engine needs to run independent steps in parallel: ids used as inputs and
    `depends_on` both count; resources that use nothing of each other have none."""
    import pulumi

    def program() -> None:
        first = MangleRule("first", router=ROUTER, chain="prerouting", ownership_tag="first")
        MangleRule("alone", router=ROUTER, chain="prerouting", ownership_tag="alone")
        after = MangleRule("after", router=ROUTER, chain="prerouting", ownership_tag="after",
                           opts=pulumi.ResourceOptions(depends_on=[first]))
        ChainOrder("order", router=ROUTER, path="/ip/firewall/mangle", chain="prerouting",
                   rule_ids=[after.id], position="top")

    regs = {reg.name: reg for reg in capture(program)}
    assert regs["first"].dependencies == ()
    assert regs["alone"].dependencies == ()
    assert regs["after"].dependencies == (regs["first"].urn,)
    assert regs["order"].dependencies == (regs["after"].urn,)


def test_a_capture_runs_only_its_own_program_s_transformations() -> None:
    """Each capture starts from a new root stack: what one program registered (a stack
    transformation) never runs in the next."""
    import pulumi

    seen: list[str] = []

    def program() -> None:
        pulumi.runtime.register_stack_transformation(lambda args: seen.append(args.name))
        MangleRule("only", router=ROUTER, chain="prerouting", ownership_tag="only")

    for _ in range(3):
        seen.clear()
        capture(program)
        assert seen == ["only"]
