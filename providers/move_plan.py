"""Plan the fewest RouterOS `move`s that put our rules in order, contiguous, at a position.

Pure: input is a chain as it was printed, output is a list of moves. No I/O, no Pulumi.

The model of a chain is the list of its rules in evaluation order. A move is what RouterOS'
`move =numbers=<id> [=destination=<id>]` does with one id: take the rule out and put it right
before the destination, or at the end when there is no destination. Dynamic rules can be
neither moved nor used as a destination.

The target is unique once the chain, the wanted order and the position are known:
the rules that are not ours (dynamic or unmanaged) keep their relative order, and our rules form
one block in the wanted order, inserted
- `top`: before the first rule that is neither ours nor dynamic (so after the dynamic rules RouterOS
  keeps at the head of a chain), or at the end when there is none;
- `bottom`: at the end;
- `before`: right before the anchor rule (which must be neither ours nor dynamic).
The block is therefore always followed by a movable rule or by the end, so a destination exists.

"Fewest" means the fewest single-rule moves. A rule that is not moved keeps its place relative to
every other unmoved rule, so the unmoved rules form a common subsequence of the current and the
target order; the fewest moves is the chain length minus the longest such subsequence that keeps
every dynamic rule in place (and every rule whose target successor is dynamic, as nothing can be
moved in front of a dynamic rule). That last rule is conservative: a rule that must end right
before a dynamic rule could be parked before another misplaced rule that later moves in front of
it, which can save a move; the plan then uses at most one extra move per such rule. RouterOS keeps
its dynamic rules at the head of a chain, where this never arises. Among equally short plans we
prefer moving our own rules over unmanaged ones. Unmanaged rules may be moved (then only across
our block: their order among themselves never changes), because moving one unmanaged rule past a
block is cheaper than moving the whole block. Moves go from the end of the target backwards, each
before its target successor, which is already in its final place.

RouterOS' `move` takes a list of ids, and a command is what a remote site pays for, so
`plan_list_moves` turns a plan into the fewest commands: none or one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from providers.errors import ProviderError

Placement = Literal["top", "bottom", "before"]
# (dynamic or pinned rules kept, rules kept, unmanaged rules kept), compared in that order.
Weight = tuple[int, int, int]


@dataclass(frozen=True)
class Rule:
    """One rule of the chain as printed: its `.id`, whether RouterOS made it (dynamic)."""

    id: str
    dynamic: bool = False


@dataclass(frozen=True)
class Move:
    """`move =numbers=<rule> [=destination=<destination>]`; None means "to the end"."""

    rule: str
    destination: str | None


class PlanError(ProviderError, ValueError):
    """The wanted order cannot be reached; the message names the rule at fault."""


def target_order(
    chain: Sequence[Rule],
    wanted: Sequence[str],
    placement: Placement,
    anchor: str | None = None,
) -> list[str]:
    """The chain's ids as they must end up (see the module docstring). Validates the request."""
    by_id = {rule.id: rule for rule in chain}
    _validate(by_id, wanted, placement, anchor)
    ours = set(wanted)
    others = [rule for rule in chain if rule.id not in ours]
    if placement == "bottom":
        cut = len(others)
    elif placement == "top":
        cut = next((i for i, rule in enumerate(others) if not rule.dynamic), len(others))
    else:
        cut = next(i for i, rule in enumerate(others) if rule.id == anchor)
    ids = [rule.id for rule in others]
    return ids[:cut] + list(wanted) + ids[cut:]


def plan_moves(
    chain: Sequence[Rule],
    wanted: Sequence[str],
    placement: Placement,
    anchor: str | None = None,
) -> list[Move]:
    """The fewest single-rule moves that turn `chain` into `target_order(...)`."""
    target = target_order(chain, wanted, placement, anchor)
    dynamic = {rule.id for rule in chain if rule.dynamic}
    ours = set(wanted)
    successor: dict[str, str | None] = dict(zip(target, [*target[1:], None], strict=False))
    pinned = dynamic | {rid for rid, nxt in successor.items() if nxt in dynamic}
    kept = _heaviest_common_subsequence(
        [rule.id for rule in chain],
        {rid: i for i, rid in enumerate(target)},
        lambda rid: (int(rid in pinned), 1, int(rid not in ours)),
    )
    return [
        Move(rid, successor[rid]) for rid in reversed(target) if rid not in kept
    ]


@dataclass(frozen=True)
class ListMove:
    """`move =numbers=<rules, comma-separated> [=destination=<destination>]`: the rules, in
    this order, right before the destination, or at the end when it is None."""

    rules: tuple[str, ...]
    destination: str | None


def plan_list_moves(
    chain: Sequence[Rule],
    wanted: Sequence[str],
    placement: Placement,
    anchor: str | None = None,
) -> list[ListMove]:
    """The fewest `move` commands that turn `chain` into `target_order(...)`: none when it is
    there already, else one. That one carries the rules of the fewest single-rule moves when
    they form one run of the target (each right before the next, the last before a rule that
    stays), and otherwise our whole block in the wanted order, before the first rule after it
    in the target (never dynamic: see the module docstring), which puts every rule in place.

    Assumed, as the simulator does: RouterOS places the listed rules in the order listed.
    """
    moves = plan_moves(chain, wanted, placement, anchor)
    if not moves:
        return []
    runs = _runs(moves)
    if len(runs) == 1:
        return runs
    target = target_order(chain, wanted, placement, anchor)
    after = target.index(wanted[-1]) + 1
    return [ListMove(tuple(wanted), target[after] if after < len(target) else None)]


def _runs(moves: Sequence[Move]) -> list[ListMove]:
    """Single-rule moves (as `plan_moves` orders them: from the end of the target backwards)
    joined where each goes right before the one moved just before it."""
    runs: list[list[Move]] = []
    for move in moves:
        if runs and move.destination == runs[-1][0].rule:
            runs[-1].insert(0, move)
        else:
            runs.append([move])
    return [ListMove(tuple(m.rule for m in run), run[-1].destination) for run in runs]


def apply_list_moves(order: Iterable[str], moves: Iterable[ListMove]) -> list[str]:
    """What RouterOS does with these list moves, on a plain list of ids."""
    result = list(order)
    for move in moves:
        rest = [rid for rid in result if rid not in move.rules]
        at = len(rest) if move.destination is None else rest.index(move.destination)
        result = rest[:at] + list(move.rules) + rest[at:]
    return result


def apply_moves(order: Iterable[str], moves: Iterable[Move]) -> list[str]:
    """What RouterOS does with these moves, on a plain list of ids (for tests and drift checks)."""
    result = list(order)
    for move in moves:
        result.remove(move.rule)
        if move.destination is None:
            result.append(move.rule)
        else:
            result.insert(result.index(move.destination), move.rule)
    return result


def _validate(
    by_id: dict[str, Rule], wanted: Sequence[str], placement: Placement, anchor: str | None
) -> None:
    seen: set[str] = set()
    for rid in wanted:
        if rid in seen:
            raise PlanError(f"rule {rid} is listed twice")
        seen.add(rid)
        if rid not in by_id:
            raise PlanError(f"rule {rid} is not in the chain (deleted on the router?)")
        if by_id[rid].dynamic:
            raise PlanError(f"rule {rid} is dynamic: RouterOS cannot move it")
    if placement == "before":
        if anchor is None:
            raise PlanError("placement 'before' needs an anchor rule")
        if anchor not in by_id:
            raise PlanError(f"anchor rule {anchor} is not in the chain")
        if anchor in seen:
            raise PlanError(f"anchor rule {anchor} is one of the ordered rules")
        if by_id[anchor].dynamic:
            raise PlanError(f"anchor rule {anchor} is dynamic: RouterOS cannot move before it")
    elif placement not in ("top", "bottom"):
        raise PlanError(f"placement must be top, bottom or before, not {placement!r}")



def _heaviest_common_subsequence(
    current: list[str], rank: dict[str, int], weight: Callable[[str], Weight]
) -> set[str]:
    """Ids of the heaviest subsequence of `current` whose ranks increase.

    A heaviest increasing subsequence over target ranks, with a Fenwick tree of prefix maxima:
    O(n log n) for chains of thousands of rules.
    """
    size = len(current)
    tree: list[tuple[Weight, int]] = [((0, 0, 0), -1)] * (size + 1)
    best: list[Weight] = [(0, 0, 0)] * size
    parent: list[int] = [-1] * size

    def query(pos: int) -> tuple[Weight, int]:
        found: tuple[Weight, int] = ((0, 0, 0), -1)
        while pos > 0:
            found = max(found, tree[pos])
            pos -= pos & -pos
        return found

    def update(pos: int, value: tuple[Weight, int]) -> None:
        while pos <= size:
            tree[pos] = max(tree[pos], value)
            pos += pos & -pos

    for i, rid in enumerate(current):
        r = rank[rid] + 1
        (prefix, before) = query(r - 1)
        own = weight(rid)
        best[i] = (prefix[0] + own[0], prefix[1] + own[1], prefix[2] + own[2])
        parent[i] = before
        update(r, (best[i], i))

    kept: set[str] = set()
    node = max(range(size), key=best.__getitem__, default=-1)
    while node != -1:
        kept.add(current[node])
        node = parent[node]
    return kept

