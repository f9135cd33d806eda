"""A site's plan as a RouterOS script (`.rsc`): the objects `up` makes, in the same order.

One command per line, each with its full menu path (so a line can be pasted on its own), every value
quoted. First the site's e-mail settings (never the SMTP password); then the rules, added in the
plan's order; then the rules a `PlannedOrder` places at the top of a built-in chain (the services'
entry rules) are moved above the chain's first static rule, as the `ChainOrder` resource does,
each move one line that declares no variable. So the script runs the same by `/import`, as a
script's source, or pasted into a terminal (where every line is a scope of its own). Last, each
service's sync script runs once, as the deployment runs it, so the router's rules follow netwatch
at once.

The script is for a router that holds none of these objects (a new router, or one with only its
default configuration): it adds, it does not update. `render --diff` compares with a router that
already holds some.
"""

from __future__ import annotations

from collections.abc import Iterable

from balancer.model import PlannedObject, PlannedOrder, SitePlan
from balancer.scripts import quote
from providers.schemas import menu as schema_menu
from providers.schemas.base import Canonical
from routeros_vocabulary.tags import compose_comment
from stackconfig import EmailSpec

WIDTH = 80
INDENT = "    "
# Chains RouterOS has by itself: other rules live there, so our block is placed among them. A
# service's own chain (`lb-web`) holds only its rules, added in order: nothing to move.
BUILT_IN_CHAINS = frozenset({"prerouting", "postrouting", "input", "forward", "output", "dstnat",
                             "srcnat"})


def menu_words(api_path: str) -> str:
    """`/ip/firewall/nat` → `/ip firewall nat` (the script's spelling)."""
    return "/" + " ".join(api_path.strip("/").split("/"))


def stored_properties(obj: PlannedObject) -> dict[str, str]:
    """The properties as the router stores them: the comment carries the ownership tag."""
    props = dict(obj.properties)
    comment = compose_comment(props.get("comment") or None, obj.tag)
    if comment:
        props["comment"] = comment
    return props


def add_command(obj: PlannedObject) -> str:
    words = [f"{name}={quote(value)}" for name, value in stored_properties(obj).items()]
    return continued([f"{menu_words(obj.path)} add", *words])


def split_words(line: str) -> list[str]:
    """`line` split at spaces outside quoted strings (which may hold escaped quotes)."""
    words, current, quoted, escaped = [], "", False, False
    for ch in line:
        if ch == " " and not quoted:
            if current:
                words.append(current)
            current = ""
            continue
        current += ch
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
    if current:
        words.append(current)
    return words


def continued(words: list[str] | str) -> str:
    """Words joined into lines of at most `WIDTH` columns, continued with `\\` between words
    (a word longer than a line, such as a script's source, gets a line of its own)."""
    if isinstance(words, str):
        prefix = words[: len(words) - len(words.lstrip(" "))]
        words = split_words(words)
        words[0] = prefix + words[0]
    lines: list[str] = []
    line = words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) + 2 > WIDTH:
            lines.append(line + " \\")
            line = INDENT + word
        else:
            line += " " + word
    lines.append(line)
    return "\n".join(lines)


def _place(order: PlannedOrder, comments: dict[str, str], path: str) -> list[str]:
    """Lines that move the order's members (added at the bottom, in order) to its position.

    Each line stands alone and declares no variable: a terminal runs every line in a scope of its
    own, so nothing may carry over from one line to the next. Moving each member above the
    anchor in turn keeps their order (the anchor is found again on each line)."""
    if order.position == "bottom" or order.chain not in BUILT_IN_CHAINS:
        return []
    menu = menu_words(path)
    members = [comments[key] for key in order.members]
    if order.position == "before":
        anchor = f"comment={quote(order.before_comment or '')}"
    else:
        others = " and ".join(f"comment!={quote(comment)}" for comment in members)
        anchor = f"dynamic=no and {others}"
    find_anchor = f"[{menu} find where chain={quote(order.chain)} and {anchor}]"
    return [continued(f":if ([:len {find_anchor}] > 0) do={{{menu} move "
                      f"[{menu} find where comment={quote(comment)}] "
                      f"destination=[:pick {find_anchor} 0]}}")
            for comment in members]


def email_lines(email: EmailSpec | None, version: str) -> list[str]:
    """The site's SMTP settings as `up` sets them, spelt for `version` (`address` before 7.12,
    `server` from 7.12), without the password, which a script must not carry."""
    if email is None:
        return []
    values: dict[str, Canonical] = {"server": email.server, "port": str(email.port),
                                    "from_": email.from_, "tls": email.tls}
    if email.user:
        values["user"] = email.user
    words = schema_menu("email").for_version(version_tuple(version)).encode(values,
                                                                           version_tuple(version))
    return ["", "# ---- the site's e-mail settings, for the routers' failure notices",
            "# No SMTP password here: if the server needs one, set it on the router with",
            '# /tool e-mail set password="..."',
            continued(["/tool e-mail set", *(f"{name}={quote(value)}"
                                             for name, value in words.items())])]


def render(site_plan: SitePlan, header: Iterable[str] = (), email: EmailSpec | None = None) -> str:
    """The whole site as one script: the e-mail settings (`email`, the site's), then each
    service."""
    lines = [f"# {line}" if line else "#" for line in header]
    lines.append(f"# routeros-lb site {site_plan.site!r} for RouterOS {site_plan.version}: "
                 f"{len(site_plan.services)} service(s)")
    lines += email_lines(email, site_plan.version)
    for service in site_plan.services:
        summary = service.summary
        lines += ["", f"# ---- service {service.service}: {summary.get('servers')} servers, "
                      f"{summary.get('slots')} slots, {summary.get('groups')} failover groups, "
                      f"{summary.get('rules')} rules"]
        comments = {obj.key: stored_properties(obj).get("comment", "") for obj in service.objects}
        by_key = {obj.key: obj for obj in service.objects}
        for obj in service.objects:
            lines.append(add_command(obj))
        for order in service.orders:
            lines += _place(order, comments, by_key[order.members[0]].path)
        sync = service.summary.get("syncScript")
        if sync:
            lines.append(f"/system script run {quote(str(sync))}")
    return "\n".join(lines) + "\n"


def version_tuple(version: str) -> tuple[int, int, int]:
    parts = [int(part) for part in version.split(".")[:3] if part.isdigit()]
    return (parts + [0, 0, 0])[0], (parts + [0, 0, 0])[1], (parts + [0, 0, 0])[2]
