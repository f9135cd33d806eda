"""During a preview the engine sends unknown values (ids of rules not created yet); Pulumi's dynamic
provider host hands them to `check` as `pulumi.output.Unknown`, at any depth. `check` must let them
through, not fail the preview (found by the demo: `preview` of a new stack failed on ChainOrder's
`rule_ids`)."""

from pulumi.output import Unknown

from providers.chain_order import ChainOrderProvider
from providers.schemas.base import UNKNOWN, is_unknown


def test_unknowns_are_recognised_as_the_host_delivers_them() -> None:
    assert is_unknown(Unknown())
    assert is_unknown([Unknown()])
    assert is_unknown({"rule_ids": ["*1", Unknown()]})
    assert is_unknown(UNKNOWN)
    assert not is_unknown(["*1", "*2"])


def test_chain_order_check_passes_unknown_rule_ids_in_a_preview() -> None:
    news = {"router": {"host": "127.0.0.1", "port": 8728}, "path": "/ip/firewall/nat",
            "chain": "dstnat", "rule_ids": [Unknown()], "position": "top"}
    result = ChainOrderProvider().check({}, news)
    assert result.failures == []
