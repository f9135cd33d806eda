"""PCC: parsing, distribution, stickiness, and which fields each ValuesToHash selects.
No test depends on which bucket a given address lands in (the hash is ours, not MikroTik's)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.pcc import VALUES_TO_HASH, parse_classifier, pcc_hash
from tests.simulator.behaviour_helpers import MANGLE, add, make_sim

PUBLIC = "203.0.113.2"


def client(n: int) -> str:
    return f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"


@pytest.mark.parametrize("text", ["src-address", "src-address:2", "src-address:2/2",
                                  "src-address:0/0", "nonsense:2/0", "src-address:a/b"])
def test_bad_classifiers_are_refused(text):
    with pytest.raises(ValueError, match="per-connection-classifier"):
        parse_classifier(text)


def test_classifier_parts():
    classifier = parse_classifier("!both-ports:4/3")
    assert (classifier.negate, classifier.values, classifier.denominator, classifier.remainder) \
        == (True, "both-ports", 4, 3)


@given(st.integers(0, 2**32 - 1), st.integers(0, 65535))
def test_the_hash_is_32_bits_and_deterministic(address, port):
    src = ".".join(str(address >> s & 255) for s in (24, 16, 8, 0))
    first = pcc_hash("both-addresses-and-ports", src, port, "1.2.3.4", 80)
    assert 0 <= first < 2**32
    assert first == pcc_hash("both-addresses-and-ports", src, port, "1.2.3.4", 80)


def test_a_thousand_clients_spread_evenly_over_four_buckets_through_the_rules():
    sim = make_sim()
    for bucket in range(4):
        add(sim, MANGLE, chain="prerouting", action="mark-connection", passthrough="no",
            new_connection_mark=f"b{bucket}", per_connection_classifier=f"src-address:4/{bucket}")
    counts = {f"b{bucket}": 0 for bucket in range(4)}
    for n in range(1000):
        mark = sim.open_connection(client(n), 40000, PUBLIC, 80).connection_mark
        counts[mark] += 1  # every client lands in exactly one bucket
    assert all(170 <= count <= 330 for count in counts.values()), counts


def test_consecutive_addresses_do_not_alternate():
    """Well mixed: bucket parity of neighbouring addresses is not a pattern."""
    buckets = [pcc_hash("src-address", client(n), 0, PUBLIC, 80) % 2 for n in range(200)]
    same_as_next = sum(a == b for a, b in zip(buckets, buckets[1:], strict=False))
    assert 60 <= same_as_next <= 140


def test_src_address_is_sticky_across_ports_and_destinations():
    sim = make_sim()
    for bucket in range(3):
        add(sim, MANGLE, chain="prerouting", action="mark-connection", passthrough="no",
            new_connection_mark=f"b{bucket}", per_connection_classifier=f"src-address:3/{bucket}")
    for n in range(50):
        marks = {
            sim.open_connection(client(n), port, dst, 80).connection_mark
            for port in (1000, 2000, 3000) for dst in (PUBLIC, "192.168.1.1")
        }
        assert len(marks) == 1


FIELDS = ("src", "src_port", "dst", "dst_port")


@pytest.mark.parametrize("values", sorted(VALUES_TO_HASH))
def test_each_values_to_hash_uses_exactly_its_fields(values):
    base = {"src": "10.0.0.1", "src_port": 1000, "dst": "10.9.9.9", "dst_port": 80}
    other = {"src": "10.0.0.2", "src_port": 1001, "dst": "10.9.9.8", "dst_port": 81}
    selected = set(VALUES_TO_HASH[values])
    reference = pcc_hash(values, **base)
    for name in FIELDS:
        changed = pcc_hash(values, **{**base, name: other[name]})
        if name in selected:
            assert changed != reference, name
        else:
            assert changed == reference, name


def test_negated_classifier_matches_the_other_buckets():
    plain, negated = parse_classifier("dst-port:2/0"), parse_classifier("!dst-port:2/0")
    for port in range(100):
        assert plain.matches("1.1.1.1", 1, "2.2.2.2", port) != negated.matches(
            "1.1.1.1", 1, "2.2.2.2", port)
