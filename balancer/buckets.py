"""Slots and failover groups: which server gets which PCC bucket.

Two levels of PCC on one classifier: `hash mod D` (D a power of two) picks the primary from the
slot table; `hash mod M` (M odd, so coprime with D: a client's group is independent of its slot)
picks where a dead primary's clients go.

- D: the smallest power of two ≥ N at which every server has a slot and every server's share of
  slots is within 2 percentage points of its weight's share (capped at max(64, 4N rounded up));
  `slots` overrides it.
- Slot counts: Webster's divisor method with a first signpost of 0 (every server gets a slot,
  then each further slot goes to the highest weight / (slots + 0.5)). A divisor method never
  gives an old server more slots when a server is added (no new-state paradox).
- Which slots: a greedy matching on per-(server, slot) hash scores, highest first, each server up
  to its count, so a server keeps most of its slots when others come and go.
- M = 1 for N ≤ 2, else 2N + 1. First choices of the groups are apportioned by weight like slots;
  each server's groups get second choices that top the survivors up towards their weight-fair
  share of its clients when it fails. Deeper failures fall to `fallback` (by weight, then name).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from balancer.model import BucketTable

MAX_SHARE_ERROR = 0.02
MAX_SLOTS = 1024


def _pow2_at_least(n: int) -> int:
    power = 1
    while power < n:
        power *= 2
    return power


def apportion(weights: Mapping[str, int], seats: int) -> dict[str, int]:
    """Webster with every server getting one seat first (needs seats ≥ len(weights))."""
    names = sorted(weights)
    counts = dict.fromkeys(names, 1)
    for _ in range(seats - len(names)):
        best = max(names, key=lambda s: (weights[s] / (counts[s] + 0.5), -names.index(s)))
        counts[best] += 1
    return counts


def share_error(weights: Mapping[str, int], counts: Mapping[str, int]) -> float:
    total_weight = sum(weights.values())
    total = sum(counts.values())
    return max(abs(counts[s] / total - weights[s] / total_weight) for s in weights)


def slot_count(weights: Mapping[str, int], requested: int | None = None) -> int:
    if requested is not None:
        return requested
    cap = min(MAX_SLOTS, max(64, _pow2_at_least(4 * len(weights))))
    slots = _pow2_at_least(len(weights))
    while slots < cap and share_error(weights, apportion(weights, slots)) > MAX_SHARE_ERROR:
        slots *= 2
    return slots


def group_count(servers: int) -> int:
    return 1 if servers <= 2 else 2 * servers + 1


def _score(name: str, index: int, kind: str) -> int:
    digest = hashlib.blake2b(f"{kind}/{name}/{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def assign_slots(weights: Mapping[str, int], slots: int) -> tuple[str, ...]:
    counts = apportion(weights, slots)
    pairs = sorted(
        ((_score(name, r, "slot"), name, r) for name in weights for r in range(slots)),
        reverse=True,
    )
    table: list[str | None] = [None] * slots
    taken = dict.fromkeys(weights, 0)
    for _score_value, name, r in pairs:
        if table[r] is None and taken[name] < counts[name]:
            table[r] = name
            taken[name] += 1
    return tuple(name for name in table if name is not None)


def fallback_order(weights: Mapping[str, int]) -> tuple[str, ...]:
    return tuple(sorted(weights, key=lambda s: (-weights[s], s)))


def assign_groups(weights: Mapping[str, int], groups: int) -> tuple[tuple[str, ...], ...]:
    order = fallback_order(weights)
    if groups == 1:
        return (order[:2],)
    counts = apportion(weights, groups)
    firsts: list[str] = []
    # Round-robin over servers by weight so a server's groups are spread over j.
    remaining = dict(counts)
    while len(firsts) < groups:
        for name in order:
            if remaining[name]:
                firsts.append(name)
                remaining[name] -= 1
    total = sum(weights.values())
    table: list[tuple[str, ...]] = []
    seconds: dict[str, dict[str, int]] = {}
    for first in firsts:
        load = seconds.setdefault(first, {s: counts[s] for s in weights if s != first})
        fair = {s: groups * weights[s] / (total - weights[first]) for s in load}
        second = min(load, key=lambda s: ((load[s] + 1) / fair[s], order.index(s)))
        load[second] += 1
        table.append((first, second))
    return tuple(table)


def bucket_table(
    weights: Mapping[str, int], requested_slots: int | None = None
) -> BucketTable:
    slots = slot_count(weights, requested_slots)
    groups = group_count(len(weights))
    return BucketTable(
        slots=assign_slots(weights, slots),
        groups=assign_groups(weights, groups),
        fallback=fallback_order(weights),
    )


def server_of(table: BucketTable, up: Iterable[str], slot: int, group: int) -> str | None:
    """Where a client in `slot` and `group` goes with the servers `up` up (None: none up)."""
    alive = set(up)
    primary = table.slots[slot]
    if primary in alive:
        return primary
    for name in (*table.groups[group], *table.fallback):
        if name in alive:
            return name
    return None
