"""The default ownership tag of MangleRule, NatRule and Netwatch (`menu_item.default_tag`).

A stable interface: changing the derivation re-tags every default-tagged object, and a create
whose state was lost would then add a duplicate instead of adopting. The literal values below
pin it.
"""

from __future__ import annotations

import hashlib

import pytest

from routeros_vocabulary.tags import TAG_PATTERN, default_tag


def test_a_plain_identity_is_the_tag_itself() -> None:
    assert default_tag("routeros-lb", "dev", "MangleRule", "mark-0") == (
        "routeros-lb:dev:MangleRule:mark-0")


def test_the_derivation_is_fixed() -> None:
    # Pinned: a change here re-tags (and may duplicate) objects on routers already deployed.
    tag = default_tag("routeros-lb", "prod", "NatRule", "web b0 / s1")
    assert tag == "routeros-lb:prod:NatRule:web-b0-/-s1-3868626960"
    # the suffix: the first 10 hex digits of the SHA-256 of the full identity
    assert tag.endswith(hashlib.sha256(b"routeros-lb:prod:NatRule:web b0 / s1").hexdigest()[:10])


@pytest.mark.parametrize("name", [
    "mark-0", "web b0", "ünïcödé", "[lb:x]", "x" * 200, "a b" * 40, "-leading", "/", " ",
    "tab\tand\nnewline", "x" * 40 + "é" + "y" * 40,
])
@pytest.mark.parametrize("project", ["routeros-lb", "_private", "p" * 60])
def test_every_tag_fits_the_pattern_and_is_deterministic(project: str, name: str) -> None:
    tag = default_tag(project, "dev", "Netwatch", name)
    assert TAG_PATTERN.match(tag), tag
    assert 1 <= len(tag) <= 64
    assert tag == default_tag(project, "dev", "Netwatch", name)


def test_stacks_projects_kinds_and_names_get_different_tags() -> None:
    tags = {default_tag(project, stack, kind, name)
            for project in ("lb", "lb-other")
            for stack in ("dev", "prod", "dev.eu")
            for kind in ("MangleRule", "NatRule", "Netwatch")
            for name in ("mark-0", "mark-1", "x" * 100, "x" * 100 + "y", "a b", "a-b", "a_b")}
    assert len(tags) == 2 * 3 * 3 * 7


def test_names_that_map_or_truncate_alike_stay_apart() -> None:
    # `a b` and `a-b` map to the same readable text; the hash of the full identity separates
    # them, and a long name keeps a readable prefix.
    mapped = default_tag("lb", "dev", "MangleRule", "a b")
    assert mapped != default_tag("lb", "dev", "MangleRule", "a-b")
    assert mapped.startswith("lb:dev:MangleRule:a-b-")
    long = default_tag("lb", "dev", "MangleRule", "pcc-mark-" + "x" * 100)
    assert len(long) == 64
    assert long.startswith("lb:dev:MangleRule:pcc-mark-xxx")
    assert long != default_tag("lb", "dev", "MangleRule", "pcc-mark-" + "x" * 101)


def test_the_separator_keeps_project_and_stack_apart() -> None:
    # Project and stack names cannot hold `:`, so `a.b`/`c` and `a`/`b.c` differ.
    assert default_tag("a.b", "c", "NatRule", "n") != default_tag("a", "b.c", "NatRule", "n")
