"""The bucket table against a model of PCC: a client's 32-bit hash picks slot `hash mod D` and
failover group `hash mod M`. Properties 1, 3, 4, 5 and 6 of docs/architecture.md for N = 1..16
(hypothesis draws the weights)."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from balancer.buckets import (
    FLOOR_SLOTS,
    apportion,
    assign_slots,
    bucket_table,
    group_count,
    server_of,
    slot_count,
)
from balancer.model import BucketTable

CLIENTS = 10_000


def _weights(draw_weights: list[int]) -> dict[str, int]:
    return {f"srv{i}": weight for i, weight in enumerate(draw_weights)}


equal_or_mixed = st.one_of(
    st.integers(1, 16).map(lambda n: [1] * n),
    st.lists(st.integers(1, 4), min_size=1, max_size=16),
    st.lists(st.integers(1, 100), min_size=1, max_size=16),
)


def _clients(seed: int) -> list[int]:
    rng = random.Random(seed)  # noqa: S311 - reproducible clients, not secrets
    return [rng.getrandbits(32) for _ in range(CLIENTS)]


def _route(table: BucketTable, up: set[str], hashes: list[int]) -> list[str | None]:
    slots, groups = len(table.slots), len(table.groups)
    return [server_of(table, up, h % slots, h % groups) for h in hashes]


@settings(max_examples=40)
@given(equal_or_mixed)
def test_1_each_server_gets_its_weights_share(draw: list[int]) -> None:
    weights = _weights(draw)
    table = bucket_table(weights)
    total = sum(weights.values())
    exact = Counter(table.slots)
    for name, weight in weights.items():
        assert abs(exact[name] / len(table.slots) - weight / total) <= 0.02
    sampled = Counter(_route(table, set(weights), _clients(len(draw))))
    for name, weight in weights.items():
        assert abs(sampled[name] / CLIENTS - weight / total) <= 0.05, (name, sampled)


def fair_bound(fair_groups: float) -> float:
    """The most groups a survivor may take of a failed server's M: twice its weight-fair share,
    or one group when that is less than one (groups come whole: a survivor whose fair share is
    0.5 groups can only take 0 or 1, and weights [1, 10, 11, 11, 99, 100, 100] with srv0 down
    give srv2 fair 0.498 of 15 groups and 1 of them)."""
    return max(2 * fair_groups, 1)


def test_3_the_bound_counts_whole_groups() -> None:
    weights = _weights([1, 10, 11, 11, 99, 100, 100])
    table = bucket_table(weights)
    everyone = set(weights) - {"srv0"}
    groups = len(table.groups)
    taken = Counter(server_of(table, everyone, table.slots.index("srv0"), j)
                    for j in range(groups))
    fair_groups = groups * weights["srv2"] / sum(weights[s] for s in everyone)
    assert (groups, taken["srv2"]) == (15, 1)
    assert taken["srv2"] > 2 * fair_groups
    assert taken["srv2"] <= fair_bound(fair_groups)


@settings(max_examples=40)
@given(equal_or_mixed, st.data())
def test_3_one_server_fails_only_its_clients_move_and_spread_fairly(
    draw: list[int], data: st.DataObject
) -> None:
    weights = _weights(draw)
    table = bucket_table(weights)
    everyone = set(weights)
    hashes = _clients(7)
    before = _route(table, everyone, hashes)
    if len(weights) == 1:
        return  # nobody to fail over to: test_4 and the all-down tests cover it
    failed = data.draw(st.sampled_from(sorted(weights)))
    during = _route(table, everyone - {failed}, hashes)
    for old, new in zip(before, during, strict=True):
        if old != failed:
            assert new == old  # clients of the others never move
        else:
            assert new is not None
            assert new != failed
    # Exact spread of the failed server's clients: its slots are independent of the groups
    # (gcd(D, M) = 1), so survivor s gets (groups sending to s) / M of them.
    groups = len(table.groups)
    taken = Counter(server_of(table, everyone - {failed}, table.slots.index(failed), j)
                    for j in range(groups))
    survivors = sum(w for name, w in weights.items() if name != failed)
    for name, count in taken.items():
        assert count <= fair_bound(groups * weights[name] / survivors), (name, count, groups)
    after = _route(table, everyone, hashes)
    assert after == before  # recovery restores every client


@settings(max_examples=30)
@given(equal_or_mixed, st.data())
def test_4_while_one_server_is_up_every_client_is_served_by_an_up_server(
    draw: list[int], data: st.DataObject
) -> None:
    weights = _weights(draw)
    table = bucket_table(weights)
    up = set(data.draw(st.sets(st.sampled_from(sorted(weights)))))
    for h in _clients(3)[:2000]:
        target = server_of(table, up, h % len(table.slots), h % len(table.groups))
        assert (target in up) if up else target is None


def _moves(old: tuple[str, ...], new: tuple[str, ...], allowed) -> tuple[float, float]:
    """Fraction of clients that move, and of those that move where they need not."""
    span = max(len(old), len(new))  # powers of two: residues mod the larger refine the smaller
    moved = needless = 0
    for x in range(span):
        a, b = old[x % len(old)], new[x % len(new)]
        if a != b:
            moved += 1
            needless += not allowed(a, b)
    return moved / span, needless / span


# Exact shares and zero needless moves cannot both hold for a table that depends only on the
# current servers (see docs/balancer.md). Measured over N = 3..15 with weights 1-4 (6 000 seeded
# draws): 4.6 of 64 slots (7.2 %) move between two old servers on average when a server is added,
# 11 of 64 at worst; hypothesis found a 12. The bound guards against regressions with a margin.
NEEDLESS_MAX = 14 / 64
NEEDLESS_MEAN_MAX = 0.08


@settings(max_examples=40)
@given(st.lists(st.integers(1, 4), min_size=3, max_size=15), st.integers(1, 4))
def test_5_adding_a_server_moves_about_its_share_and_little_else(
    draw: list[int], new_weight: int
) -> None:
    weights = _weights(draw)
    grown = {**weights, "newcomer": new_weight}
    old, new = bucket_table(weights).slots, bucket_table(grown).slots
    moved, needless = _moves(old, new, lambda a, b: b == "newcomer")
    share = new_weight / sum(grown.values())
    assert Counter(new)["newcomer"] / len(new) == pytest.approx(share, abs=0.02)
    assert needless <= NEEDLESS_MAX
    assert moved <= share + 0.02 + needless
    # Removing it again is the same pair of tables read backwards.
    moved_back, needless_back = _moves(new, old, lambda a, b: a == "newcomer")
    assert (moved_back, needless_back) == (moved, needless)


def test_5_on_average_few_clients_move_between_old_servers() -> None:
    rng = random.Random(5)  # noqa: S311 - reproducible draws, not secrets
    needless = []
    for _ in range(300):
        weights = _weights([rng.randint(1, 4) for _ in range(rng.randint(3, 15))])
        grown = {**weights, "newcomer": rng.randint(1, 4)}
        old, new = bucket_table(weights).slots, bucket_table(grown).slots
        needless.append(_moves(old, new, lambda a, b: b == "newcomer")[1])
    assert sum(needless) / len(needless) <= NEEDLESS_MEAN_MAX


@pytest.mark.parametrize("servers", [1, 2, 3, 8, 13, 16, 33, 64])
def test_5_doubling_the_slot_count_moves_only_what_the_new_counts_require(servers: int) -> None:
    weights = {f"srv{i}": 1 + i % 3 for i in range(servers)}
    for slots in (FLOOR_SLOTS, 2 * FLOOR_SLOTS, 4 * FLOOR_SLOTS):
        half, full = apportion(weights, slots), apportion(weights, 2 * slots)
        must = sum(max(0, 2 * half[name] - full[name]) for name in weights) / (2 * slots)
        moved, _ = _moves(assign_slots(weights, slots), assign_slots(weights, 2 * slots),
                          lambda a, b: False)
        assert moved == must


def test_5_growing_from_one_server_moves_only_clients_to_the_newcomer() -> None:
    old = bucket_table({"a": 1}).slots
    new = bucket_table({"a": 1, "b": 1}).slots
    assert _moves(old, new, lambda a, b: b == "b")[1] == 0


def test_the_seeds_two_equal_servers_take_two_slots_and_one_group() -> None:
    table = bucket_table({"pi132": 1, "pi134": 1})
    assert sorted(table.slots) == ["pi132", "pi134"]
    assert table.groups == (("pi132", "pi134"),)


@pytest.mark.parametrize("servers", range(1, 65))
def test_6_slots_and_groups_are_o_n_and_coprime(servers: int) -> None:
    weights = {f"srv{i}": 1 + (i * 37) % 100 for i in range(servers)}
    slots, groups = slot_count(weights), group_count(servers)
    assert slots & (slots - 1) == 0  # a power of two ...
    assert groups % 2 == 1  # ... and an odd number: gcd(D, M) = 1
    assert slots <= max(4 * FLOOR_SLOTS, 8 * servers)
    assert groups <= 2 * servers + 1
    assert Counter(assign_slots(weights, slots)) == apportion(weights, slots)


def test_apportion_never_gives_an_old_server_more_when_one_is_added() -> None:
    rng = random.Random(5)  # noqa: S311 - reproducible draws, not secrets
    for _ in range(300):
        weights = {f"s{i}": rng.randint(1, 100) for i in range(rng.randint(1, 20))}
        before = apportion(weights, 64)
        after = apportion({**weights, "new": rng.randint(1, 100)}, 64)
        assert all(after[name] <= count for name, count in before.items())
