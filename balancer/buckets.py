"""Slots and failover groups: which server gets which PCC bucket.

Two levels of PCC on one classifier: `hash mod D` (D a power of two) picks the primary from the
slot table; `hash mod M` (M odd, so coprime with D: a client's group is independent of its slot)
picks where a dead primary's clients go.

- D: 64 slots, doubled while a server's share of slots is more than 2 percentage points off its
  weight's share (at most max(256, 4N rounded up to a power of two)); `slots` overrides it. A
  fixed floor keeps D the same from 3 up to about 48 servers (measured: 64 for every weighting
  drawn with weights 1-100), so adding or removing a server re-deals no slot count. One or two
  servers whose weights split exactly at a smaller power of two take that (the seed: D = 2).
- Slot counts: Webster's divisor method with a first signpost of 0 (every server gets a slot,
  then each further slot goes to the highest weight / (slots + 0.5)). A divisor method never
  gives an old server more slots when a server is added (no new-state paradox).
- Which slots: up to 64, a greedy matching on per-(server, slot) hash scores, highest first, each
  server up to its count, so a server keeps most of its slots when others come and go (not all:
  exact shares and no needless move cannot both hold for a table that depends only on the
  current servers; measured in tests/unit/test_buckets.py). Beyond 64, the table of D/2 copied
  and only as many slots re-dealt as the counts require (doubling D moves only those clients).
- M = 1 for N ≤ 2, else 2N + 1. First choices of the groups are apportioned by weight (Webster,
  where a light server may get none: one group of M is then more than its fair share);
  each server's groups get second choices that top the survivors up towards their weight-fair
  share of its clients when it fails. Deeper failures fall to `fallback` (by weight, then name).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Mapping

from balancer.model import BucketTable

MAX_SHARE_ERROR = 0.02
FLOOR_SLOTS = 64


def _pow2_at_least(n: int) -> int:
    power = 1
    while power < n:
        power *= 2
    return power


def apportion(weights: Mapping[str, int], seats: int, *, one_each: bool = True) -> dict[str, int]:
    """Webster's divisor method (each seat to the highest weight / (seats + 0.5)); with
    `one_each`, every server gets a seat first (needs seats ≥ len(weights))."""
    names = sorted(weights)
    counts = dict.fromkeys(names, 1 if one_each else 0)
    for _ in range(seats - sum(counts.values())):
        best = max(names, key=lambda s: (weights[s] / (counts[s] + 0.5), -names.index(s)))
        counts[best] += 1
    return counts


def share_error(weights: Mapping[str, int], counts: Mapping[str, int]) -> float:
    total_weight = sum(weights.values())
    total = sum(counts.values())
    return max(abs(counts[s] / total - weights[s] / total_weight) for s in weights)


def slot_count(weights: Mapping[str, int], requested: int | None = None) -> int:
    """D: `requested`, else 64 (more while a share is off by over 2 pp, up to max(256, 4N));
    one or two servers take the smallest power of two that splits them exactly when there is
    one (the seed's two equal servers: D = 2, as few rules as the hand-made setup)."""
    if requested is not None:
        return requested
    if len(weights) <= 2:
        exact = _pow2_at_least(len(weights))
        while exact < FLOOR_SLOTS:
            if share_error(weights, apportion(weights, exact)) == 0:
                return exact
            exact *= 2
    cap = max(4 * FLOOR_SLOTS, _pow2_at_least(4 * len(weights)))
    slots = max(FLOOR_SLOTS, _pow2_at_least(len(weights)))
    while slots < cap and share_error(weights, apportion(weights, slots)) > MAX_SHARE_ERROR:
        slots *= 2
    return slots


def group_count(servers: int) -> int:
    return 1 if servers <= 2 else 2 * servers + 1


def _score(name: str, index: int, kind: str) -> int:
    digest = hashlib.blake2b(f"{kind}/{name}/{index}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def assign_slots(weights: Mapping[str, int], slots: int) -> tuple[str, ...]:
    """Up to FLOOR_SLOTS: a greedy matching on (server, slot) scores, highest first, each server
    up to its count. Beyond: the table of half as many slots, copied (slot r + D/2 keeps slot r's
    server), then only as many slots re-dealt as the counts require."""
    if slots > FLOOR_SLOTS:
        return _refine(weights, assign_slots(weights, slots // 2))
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


def _refine(weights: Mapping[str, int], half: tuple[str, ...]) -> tuple[str, ...]:
    slots = 2 * len(half)
    counts = apportion(weights, slots)
    table: list[str | None] = [*half, *half]
    held = Counter(table)
    for name in weights:
        surplus = held[name] - counts[name]
        if surplus > 0:
            mine = sorted((r for r in range(slots) if table[r] == name),
                          key=lambda r: _score(name, r, "slot"))
            for r in mine[:surplus]:
                table[r] = None
            held[name] = counts[name]
    free = [r for r in range(slots) if table[r] is None]
    pairs = sorted(((_score(name, r, "slot"), name, r) for name in weights for r in free),
                   reverse=True)
    for _score_value, name, r in pairs:
        if table[r] is None and held[name] < counts[name]:
            table[r] = name
            held[name] += 1
    return tuple(name for name in table if name is not None)


def fallback_order(weights: Mapping[str, int]) -> tuple[str, ...]:
    return tuple(sorted(weights, key=lambda s: (-weights[s], s)))


def assign_groups(weights: Mapping[str, int], groups: int) -> tuple[tuple[str, ...], ...]:
    order = fallback_order(weights)
    if groups == 1:
        return (order[:2],)
    # No seat for everyone here: a light server's one group could be more than twice its fair
    # share of a failed server's clients (weights 1, 1, 14 over 7 groups).
    counts = apportion(weights, groups, one_each=False)
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
