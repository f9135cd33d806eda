"""Per-connection classifier (PCC): `[!]ValuesToHash:Denominator/Remainder`.

RouterOS hashes the selected fields of a connection's first packet to 32 bits, divides by the
denominator and compares the remainder. MikroTik does not publish that hash, so this simulator
uses its own: the first four bytes of BLAKE2b (personalised) over a canonical byte encoding of
the selected fields, read big-endian. It is deterministic across runs and platforms and
well mixed (neighbouring addresses land in unrelated buckets), which is all a load balancer may
rely on. It does not claim to reproduce a real router's mapping: tests must check distribution
and stickiness, never which bucket a given address lands in.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass
from functools import lru_cache

# Each ValuesToHash selects fields in this canonical order: (src address, src port, dst address,
# dst port). Addresses encode as 4 bytes, ports as 2 bytes, both big-endian.
VALUES_TO_HASH: dict[str, tuple[str, ...]] = {
    "src-address": ("src",),
    "dst-address": ("dst",),
    "both-addresses": ("src", "dst"),
    "src-port": ("src_port",),
    "dst-port": ("dst_port",),
    "both-ports": ("src_port", "dst_port"),
    "src-address-and-port": ("src", "src_port"),
    "dst-address-and-port": ("dst", "dst_port"),
    "both-addresses-and-ports": ("src", "src_port", "dst", "dst_port"),
}

_PERSON = b"routeros-lb-pcc"


@dataclass(frozen=True)
class Classifier:
    negate: bool
    values: str
    denominator: int
    remainder: int

    def matches(self, src: str, src_port: int, dst: str, dst_port: int) -> bool:
        bucket = pcc_hash(self.values, src, src_port, dst, dst_port) % self.denominator
        return (bucket == self.remainder) != self.negate


# Both are pure: a first packet meets one PCC rule per slot and group of a load balancer (dozens),
# all hashing the same fields of the same packet.
@lru_cache(maxsize=4096)
def parse_classifier(text: str) -> Classifier:
    """Parse `[!]values:denominator/remainder`; raise ValueError naming what is wrong."""
    negate = text.startswith("!")
    body = text[1:] if negate else text
    values, sep, fraction = body.partition(":")
    if not sep or values not in VALUES_TO_HASH:
        raise ValueError(f"bad per-connection-classifier {text!r}: unknown values to hash")
    denominator_text, sep, remainder_text = fraction.partition("/")
    if not sep or not denominator_text.isdigit() or not remainder_text.isdigit():
        raise ValueError(f"bad per-connection-classifier {text!r}: expected N/R")
    denominator, remainder = int(denominator_text), int(remainder_text)
    if denominator < 1 or remainder >= denominator:
        raise ValueError(f"bad per-connection-classifier {text!r}: remainder must be < denominator")
    return Classifier(negate, values, denominator, remainder)


@lru_cache(maxsize=65536)
def pcc_hash(values: str, src: str, src_port: int, dst: str, dst_port: int) -> int:
    """The 32-bit hash of the fields `values` selects (see the module docstring)."""
    fields: dict[str, str | int] = {"src": src, "src_port": src_port, "dst": dst,
                                    "dst_port": dst_port}
    data = bytearray()
    for name in VALUES_TO_HASH[values]:
        value = fields[name]
        if isinstance(value, str):
            data += ipaddress.IPv4Address(value).packed
        else:
            data += int(value).to_bytes(2, "big")
    digest = hashlib.blake2b(bytes(data), digest_size=4, person=_PERSON).digest()
    return int.from_bytes(digest, "big")
