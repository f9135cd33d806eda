"""Ownership tags: how an object on the router says that routeros-lb made it, and for which
resource. The tag rides in the object's comment as `<comment> [lb:<tag>]`."""

from __future__ import annotations

import hashlib
import re

# Anchored with \Z, not $ (which also matches before a final newline): `match` and `fullmatch`
# both take the whole string.
TAG_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}\Z")
_TAG_IN_COMMENT = re.compile(r"(?:^|\s)\[lb:([^\]\s]+)\]\Z")

# The tag derivation (the default tag of resources.MangleRule, NatRule and Netwatch, and the
# plan's tags): a STABLE INTERFACE. Tags are how create adopts and how every later call finds the
# object; changing this derivation re-tags every tagged object (an update of each comment) and
# makes a lost-state or crashed create add a duplicate instead of adopting. See
# docs/providers.md.
_NOT_IN_TAG = re.compile(r"[^A-Za-z0-9._:/-]")
_TAG_HASH_LENGTH = 10


def tag_for(identity: str) -> str:
    """The ownership tag of an identity: the identity itself when it fits `TAG_PATTERN`.
    Otherwise (a character outside the pattern, which is mapped to `-`, or longer than 64) a
    readable prefix of it plus `-` and the first 10 hex digits of the SHA-256 of the full
    identity, 64 characters at most; the hash keeps two identities that map or truncate alike
    apart."""
    if TAG_PATTERN.fullmatch(identity):
        return identity
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:_TAG_HASH_LENGTH]
    readable = _NOT_IN_TAG.sub("-", identity).lstrip("._:/-")
    prefix = readable[: 64 - 1 - _TAG_HASH_LENGTH].rstrip("._:/-")
    return f"{prefix}-{digest}" if prefix else digest


def default_tag(project: str, stack: str, kind: str, resource_name: str) -> str:
    """The ownership tag of a resource declared without one: `tag_for` of
    `<project>:<stack>:<kind>:<name>`.

    Project and stack names hold no `:` (Pulumi allows letters, digits, `-`, `_`, `.`), so the
    identity is unambiguous, and it differs between stacks and projects sharing a router."""
    return tag_for(f"{project}:{stack}:{kind}:{resource_name}")


def compose_comment(comment: str | None, tag: str | None) -> str | None:
    """The comment stored on the router: the user's comment, then ` [lb:<tag>]`."""
    if not tag:
        return comment
    return f"{comment} [lb:{tag}]" if comment else f"[lb:{tag}]"


def split_comment(stored: str | None) -> tuple[str | None, str | None]:
    """The router's comment → (the user's comment, the ownership tag)."""
    if not stored:
        return None, None
    match = _TAG_IN_COMMENT.search(stored)
    if not match:
        return stored, None
    return stored[: match.start()].rstrip() or None, match.group(1)
