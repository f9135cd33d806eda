"""Names a load balancer writes on the router: chains, marks, scripts, schedulers, tags.

Service and server names are slugs (`[a-z][a-z0-9-]{0,23}`), so every derived name is short and
made of `[a-z0-9.-]` only. One site per router: chains, marks and script names do not carry the
site (they would collide if two stacks balanced the same service name on one router); ownership
tags do, on every object (scripts and schedulers too).
"""

from __future__ import annotations

from routeros_vocabulary.tags import tag_for


def chain(service: str) -> str:
    """The chain of the service's rules, in mangle and in nat alike."""
    return f"lb-{service}"


def connection_mark(service: str, server: str) -> str:
    return f"lb-{service}.{server}"


def packet_mark(service: str, group: int) -> str:
    return f"lb-{service}.g{group}"


def sync_script(service: str) -> str:
    return f"lb-{service}-sync"


def boot_scheduler(service: str) -> str:
    return f"lb-{service}-boot"


def resync_scheduler(service: str) -> str:
    return f"lb-{service}-resync"


def key(service: str, role: str) -> str:
    """A planned object's key, unique within the site's plan: `web/slot-3`."""
    return f"{service}/{role}"


def tag(site: str, service: str, role: str) -> str:
    """The ownership tag `<site>/<service>/<role>`; when longer than 64 characters, a readable
    prefix and the first 10 hex digits of its SHA-256 (two long identities stay apart)."""
    return tag_for(f"{site}/{service}/{role}")
