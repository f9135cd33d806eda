"""`plan_list_moves`: the fewest `move` commands (none or one, with a list of rules)."""

from __future__ import annotations

from hypothesis import given, settings

from providers.move_plan import (
    ListMove,
    Rule,
    apply_list_moves,
    plan_list_moves,
    plan_moves,
    target_order,
)
from tests.providers.test_move_plan import scenarios


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_one_command_at_most_reaches_the_target(scenario) -> None:
    chain, wanted, placement, anchor = scenario
    moves = plan_list_moves(chain, wanted, placement, anchor)
    assert len(moves) == (1 if plan_moves(chain, wanted, placement, anchor) else 0)
    dynamic = {rule.id for rule in chain if rule.dynamic}
    for move in moves:
        assert not dynamic & set(move.rules)
        assert move.destination not in dynamic
        assert move.destination not in move.rules
    result = apply_list_moves([rule.id for rule in chain], moves)
    assert result == target_order(chain, wanted, placement, anchor)


def test_one_run_moves_only_the_rules_out_of_place() -> None:
    chain = [Rule(i) for i in ("*1", "*2", "*3", "*4", "*5")]
    # *4 and *5 were created last but belong before *2: one run, two rules moved.
    assert plan_list_moves(chain, ["*1", "*4", "*5", "*2", "*3"], "top") == [
        ListMove(("*4", "*5"), "*2")]


def test_scattered_rules_move_as_one_block() -> None:
    chain = [Rule("*A", dynamic=True), *(Rule(i) for i in ("*1", "*2", "*3", "*4", "*5"))]
    wanted = ["*2", "*1", "*4", "*3"]  # two runs of single moves; "*5" is the admin's
    assert plan_list_moves(chain, wanted, "top") == [ListMove(tuple(wanted), "*5")]
