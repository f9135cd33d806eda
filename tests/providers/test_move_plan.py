"""The pure move planner: reaches the target, moves as few rules as possible, respects RouterOS."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from providers.move_plan import (
    Move,
    MovePlanError,
    Rule,
    apply_moves,
    plan_moves,
    target_order,
)


@st.composite
def scenarios(draw: st.DrawFn, max_rules: int = 12):
    """A chain of dynamic, unmanaged and our rules, a wanted order of ours, and a placement."""
    size = draw(st.integers(min_value=0, max_value=max_rules))
    kinds = draw(st.lists(st.sampled_from("duo"), min_size=size, max_size=size))
    leading = draw(st.integers(min_value=0, max_value=3))
    kinds = ["d"] * leading + kinds
    # Real routers keep dynamic rules at the head, but the planner must cope wherever they are.
    chain = [Rule(f"*{i + 1:X}", dynamic=kind == "d") for i, kind in enumerate(kinds)]
    ours = [rule.id for rule, kind in zip(chain, kinds, strict=True) if kind == "o"]
    wanted = draw(st.permutations(ours))
    anchors = [rule.id for rule, kind in zip(chain, kinds, strict=True) if kind == "u"]
    placements = ["top", "bottom"] + (["before"] if anchors else [])
    placement = draw(st.sampled_from(placements))
    anchor = draw(st.sampled_from(anchors)) if placement == "before" else None
    return chain, list(wanted), placement, anchor


def check_moves_are_legal(chain: list[Rule], moves: list[Move]) -> None:
    dynamic = {rule.id for rule in chain if rule.dynamic}
    for move in moves:
        assert move.rule not in dynamic
        assert move.destination not in dynamic
        assert move.rule != move.destination


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_moves_reach_the_target(scenario) -> None:
    chain, wanted, placement, anchor = scenario
    moves = plan_moves(chain, wanted, placement, anchor)
    check_moves_are_legal(chain, moves)
    result = apply_moves([rule.id for rule in chain], moves)
    assert result == target_order(chain, wanted, placement, anchor)


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_target_keeps_ours_contiguous_and_others_in_their_order(scenario) -> None:
    chain, wanted, placement, anchor = scenario
    target = target_order(chain, wanted, placement, anchor)
    ours = set(wanted)
    start = next((i for i, rid in enumerate(target) if rid in ours), len(target))
    assert target[start : start + len(wanted)] == wanted
    assert [rid for rid in target if rid not in ours] == [
        rule.id for rule in chain if rule.id not in ours
    ]
    if not wanted:
        return
    after = target[start + len(wanted) : start + len(wanted) + 1]
    dynamic = {rule.id for rule in chain if rule.dynamic}
    if placement == "bottom":
        assert after == []
    elif placement == "before":
        assert after == [anchor]
    else:
        assert all(rid in dynamic for rid in target[:start])
        assert not after or after[0] not in dynamic


@settings(max_examples=400, deadline=None)
@given(scenarios())
def test_planning_again_after_the_moves_needs_none(scenario) -> None:
    chain, wanted, placement, anchor = scenario
    moved = apply_moves([rule.id for rule in chain], plan_moves(chain, wanted, placement, anchor))
    dynamic = {rule.id for rule in chain if rule.dynamic}
    again = [Rule(rid, rid in dynamic) for rid in moved]
    assert plan_moves(again, wanted, placement, anchor) == []


def fewest_moves_by_search(chain: list[Rule], wanted, placement, anchor) -> int:
    """Breadth-first search over single legal moves: the true minimum, for tiny chains."""
    dynamic = {rule.id for rule in chain if rule.dynamic}
    start = tuple(rule.id for rule in chain)
    goal = tuple(target_order(chain, wanted, placement, anchor))
    frontier, seen, depth = {start}, {start}, 0
    while goal not in frontier:
        depth += 1
        nxt = set()
        for order in frontier:
            for rid in order:
                if rid in dynamic:
                    continue
                for dest in [*order, None]:
                    if dest == rid or dest in dynamic:
                        continue
                    moved = tuple(apply_moves(order, [Move(rid, dest)]))
                    if moved not in seen:
                        seen.add(moved)
                        nxt.add(moved)
        frontier = nxt
    return depth


def rules_before_a_dynamic_rule(chain: list[Rule], wanted, placement, anchor) -> int:
    """Movable rules whose place in the target is right before a dynamic rule."""
    dynamic = {rule.id for rule in chain if rule.dynamic}
    target = target_order(chain, wanted, placement, anchor)
    pairs = zip(target, target[1:], strict=False)
    return sum(1 for rid, nxt in pairs if nxt in dynamic and rid not in dynamic)


@settings(max_examples=300, deadline=None)
@given(scenarios(max_rules=5))
@example(([Rule("*1"), Rule("*2"), Rule("*3"), Rule("*4"), Rule("*5", dynamic=True)],
          ["*2", "*3", "*4"], "top", None))  # 3 moves; a search finds 2 (*1 before *4, *4 back)
def test_the_plan_is_minimal(scenario) -> None:
    chain, wanted, placement, anchor = scenario
    moves = plan_moves(chain, wanted, placement, anchor)
    fewest = fewest_moves_by_search(chain, wanted, placement, anchor)
    # The planner keeps a rule that must end right before a dynamic rule where it is; a search can
    # sometimes do one better by parking it and moving another rule in front of it. Where RouterOS
    # keeps dynamic rules (the head of the chain) that never arises and the plan is exact.
    assert fewest <= len(moves) <= fewest + rules_before_a_dynamic_rule(
        chain, wanted, placement, anchor)
    if rules_before_a_dynamic_rule(chain, wanted, placement, anchor) == 0:
        assert len(moves) == fewest


def test_rules_already_in_place_need_no_moves() -> None:
    chain = [Rule("*1", dynamic=True), Rule("*A"), Rule("*B"), Rule("*2")]
    assert plan_moves(chain, ["*A", "*B"], "top") == []


def test_top_means_after_the_leading_dynamic_rules() -> None:
    chain = [Rule("*1", dynamic=True), Rule("*2"), Rule("*A"), Rule("*B")]
    moves = plan_moves(chain, ["*A", "*B"], "top")
    # One unmanaged rule moved past the block beats moving both of ours.
    assert moves == [Move("*2", None)]
    assert apply_moves(["*1", "*2", "*A", "*B"], moves) == ["*1", "*A", "*B", "*2"]


def test_ties_move_our_rules_rather_than_unmanaged_ones() -> None:
    chain = [Rule("*2"), Rule("*A")]
    assert plan_moves(chain, ["*A"], "top") == [Move("*A", "*2")]


def test_a_reversed_block_keeps_one_rule_and_moves_the_rest() -> None:
    chain = [Rule(rid) for rid in ["*A", "*B", "*C", "*D"]]
    moves = plan_moves(chain, ["*D", "*C", "*B", "*A"], "bottom")
    assert len(moves) == 3


def test_scales_to_thousands_of_rules() -> None:
    ids = [f"*{i:X}" for i in range(1, 3001)]
    chain = [Rule(rid) for rid in ids]
    wanted = list(itertools.chain(ids[1000:2000:2], ids[1001:2000:2]))
    moves = plan_moves(chain, wanted, "before", ids[0])
    assert apply_moves(ids, moves) == target_order(chain, wanted, "before", ids[0])


@pytest.mark.parametrize(
    ("wanted", "placement", "anchor", "message"),
    [
        (["*A", "*Z"], "top", None, "rule *Z is not in the chain"),
        (["*A", "*A"], "top", None, "rule *A is listed twice"),
        (["*1"], "top", None, "rule *1 is dynamic"),
        (["*A"], "before", None, "needs an anchor"),
        (["*A"], "before", "*Z", "anchor rule *Z is not in the chain"),
        (["*A"], "before", "*A", "anchor rule *A is one of the ordered rules"),
        (["*A"], "before", "*1", "anchor rule *1 is dynamic"),
        (["*A"], "middle", None, "placement must be"),
    ],
)
def test_impossible_requests_name_the_rule(wanted, placement, anchor, message) -> None:
    chain = [Rule("*1", dynamic=True), Rule("*A"), Rule("*2")]
    with pytest.raises(MovePlanError, match=message.replace("*", r"\*")):
        plan_moves(chain, wanted, placement, anchor)
