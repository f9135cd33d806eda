"""Script text the router runs: the sync script, netwatch's up/down scripts, the schedulers' events.

The sync script is level-triggered: each run reads every server's netwatch status and makes the
NAT rules say the same, whatever happened before (missed events, a reboot, a redeploy).
- `up`: its primary rule is enabled; `down`: disabled, and its conntrack entries are removed (the
  clients reconnect through the failover rules); `unknown` (after an edit, and during v7's
  startup-delay after boot) keeps the rule as it is: the `disabled` flag is the remembered state,
  and it survives a reboot.
- A server counts as up for failover when its primary rule is enabled after that step. Each
  failover rule points at the first up server of its group's preference list, else the first up
  server of the fallback order. With no server up it keeps its last target (see "All down").
- It logs one line and sends one e-mail per run, and only when it changed a primary rule's state
  (listing the changes). Two runs at once are harmless: every step compares and then sets the
  same value from the same status; the worst an interleaving can do is send the e-mail twice.
  (`/system script job` could detect a concurrent run, but the simulator does not model it.)

All down: no server up means every primary rule is disabled and every failover rule keeps a
server address, so the service's connections are still dst-natted to a (dead) server: they go
unanswered and never reach the router. The chain's last failover rule has no packet-mark matcher,
so every connection that enters the service's NAT chain leaves it dst-natted: the router's own
services on the frontend address are never exposed on the service's ports.

Policies: the sync script needs `read` (find, get), `write` (enable, disable, set, remove
conntrack entries) and `test` (`/tool e-mail send`); netwatch runs its up/down scripts with read,
write, test and reboot, and `/system script run` needs the script's policies to be a subset of the
caller's, so `read,write,test` lets both netwatch and the schedulers run it. The up/down scripts
and the schedulers' events only run the sync script.

Size: O(N + M) lines (one block per server and one per failover group, nothing per pair).
NAT rules are found by chain and mark, netwatch entries by their comment. Every interpolated
value goes through `quote`, although every value is a slug, an address, a port or a comment
built from them.

The text is built from statements (`_Block`), one function per concern: the servers' status and
primaries, the fallback, the failover groups, the report. Script variables are named for what
they hold (`up3`: server 3's primary rule is enabled; `address3`, `port3`: its target).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SCRIPT_POLICY = "read,write,test"
RESYNC_INTERVAL = "1m"
NAT = "/ip firewall nat"
NETWATCH = "/tool netwatch"
CONNECTIONS = "/ip firewall connection"

_ESCAPES = {"\\": "\\\\", '"': '\\"', "$": "\\$", "?": "\\?", "\n": "\\n", "\r": "\\r",
            "\t": "\\t"}


def quote(value: str) -> str:
    """A RouterOS string literal whose value is exactly `value`."""
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'


@dataclass(frozen=True)
class ScriptServer:
    name: str
    address: str
    port: str  # "" when the server takes the client's port
    watch_comment: str  # the netwatch entry's full comment on the router
    connection_mark: str  # its primary NAT rule's connection-mark (unique in the chain)


@dataclass(frozen=True)
class ScriptGroup:
    preferences: tuple[int, ...]  # indexes into the servers, most preferred first
    packet_mark: str | None  # the failover rule's packet-mark; None for the last rule ...
    comment: str  # ... which is found by its full comment instead


@dataclass(frozen=True)
class SyncSpec:
    """What the sync script of one service needs to know."""

    service: str
    chain: str
    servers: Sequence[ScriptServer]
    groups: Sequence[ScriptGroup]
    fallback: Sequence[int]  # indexes into the servers, most preferred first
    notify: Sequence[str]
    set_ports: bool  # failover rules set `to-ports` too
    protocol: str  # the frontend's: the service's connections are of this protocol

    @property
    def label(self) -> str:
        return f"routeros-lb {self.service}: "


# Script variables. Per server i: its address, its port (when ports are set), and whether its
# primary rule is enabled after this run's step for it.
STATUS = "status"  # the netwatch status of the server at hand
CHANGES = "changes"  # the text of this run's changes ("" = nothing changed)
FALLBACK_ADDRESS = "fallback"  # the first up server of the fallback order ("" = none up)
FALLBACK_PORT = "fallbackPort"
TARGET_ADDRESS = "target"  # where the failover rule at hand should point
TARGET_PORT = "targetPort"
RULE = "rule"  # the `.id` a `:foreach` is at
WATCH = "watch"
DISABLED = "disabled"


def server_address(i: int) -> str:
    return f"address{i}"


def server_port(i: int) -> str:
    return f"port{i}"


def server_up(i: int) -> str:
    return f"up{i}"


@dataclass
class _Block:
    """Statements, each a line; a nested block is indented by two spaces per level."""

    lines: list[str] = field(default_factory=list)

    def add(self, *statements: str) -> None:
        self.lines.extend(statements)

    def nest(self, opening: str, body: _Block, closing: str = "}") -> None:
        self.lines.append(opening)
        self.lines.extend("  " + line for line in body.lines)
        self.lines.append(closing)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _inline(*statements: str) -> str:
    return "; ".join(statements)


def _local(name: str, value: str) -> str:
    return f":local {name} {value}"


def _set(name: str, value: str) -> str:
    return f":set {name} {value}"


def sync_script(spec: SyncSpec) -> str:
    script = _Block([f"# {spec.label}NAT rules follow netwatch status (generated by routeros-lb; "
                     "do not edit)",
                     _local(CHANGES, '""'), _local(STATUS, '""')])
    for i, server in enumerate(spec.servers):
        _follow_netwatch(script, spec, i, server)
    _pick_fallback(script, spec)
    _point_failovers(script, spec)
    _report(script, spec)
    return script.text()


def _regex_address(address: str) -> str:
    return "^" + address.replace(".", "\\.") + ":"


def _follow_netwatch(script: _Block, spec: SyncSpec, i: int, server: ScriptServer) -> None:
    """Server i's primary rule follows its netwatch status; `serverUp<i>` says where it ends."""
    script.add(_local(server_address(i), quote(server.address)))
    if spec.set_ports:
        script.add(_local(server_port(i), quote(server.port)))
    script.add(_local(server_up(i), "false"), _set(STATUS, '"unknown"'),
               f":foreach {WATCH} in=[{NETWATCH} find where comment={quote(server.watch_comment)}]"
               f" do={{{_set(STATUS, f'[{NETWATCH} get ${WATCH} status]')}}}")
    said = server.name + " (" + server.address + ") is "
    down = _inline(f"{NAT} disable ${RULE}",
                   f"{CONNECTIONS} remove [find where reply-src-address~"
                   f"{quote(_regex_address(server.address))}]",
                   _set(DISABLED, "true"),
                   _set(CHANGES, f"(${CHANGES} . {quote(said + 'down; ')})"))
    up = _inline(f"{NAT} enable ${RULE}", _set(DISABLED, "false"),
                 _set(CHANGES, f"(${CHANGES} . {quote(said + 'up; ')})"))
    primary = _Block([
        _local(DISABLED, f"[{NAT} get ${RULE} disabled]"),
        f':if ((${STATUS} = "down") && (!${DISABLED})) do={{{down}}}',
        f':if ((${STATUS} = "up") && ${DISABLED}) do={{{up}}}',
        _set(server_up(i), f"(!${DISABLED})"),
    ])
    script.nest(f":foreach {RULE} in=[{NAT} find where chain={quote(spec.chain)} && "
                f"connection-mark={quote(server.connection_mark)}] do={{", primary)



def _choose(address_var: str, port_var: str, candidates: Sequence[int], spec: SyncSpec) -> str:
    """Statements that leave the first up server of `candidates` in the two variables (the
    candidates are tried last first, so the most preferred up one is set last)."""
    picks = []
    for i in reversed(candidates):
        chosen = [_set(address_var, f"${server_address(i)}")]
        if spec.set_ports:
            chosen.append(_set(port_var, f"${server_port(i)}"))
        picks.append(f":if (${server_up(i)}) do={{{_inline(*chosen)}}}")
    return _inline(*picks)


def _pick_fallback(script: _Block, spec: SyncSpec) -> None:
    script.add(_local(FALLBACK_ADDRESS, '""'), _local(TARGET_ADDRESS, '""'))
    if spec.set_ports:
        script.add(_local(FALLBACK_PORT, '""'), _local(TARGET_PORT, '""'))
    for i in reversed(spec.fallback):
        script.add(_choose(FALLBACK_ADDRESS, FALLBACK_PORT, [i], spec))


def _point_failovers(script: _Block, spec: SyncSpec) -> None:
    """Each failover rule at the first up server of its group, else the fallback; with no
    server up, no rule changes."""
    if spec.set_ports:
        differs = f"(to-addresses!=${TARGET_ADDRESS} || to-ports!=${TARGET_PORT})"
        assign = f"to-addresses=${TARGET_ADDRESS} to-ports=${TARGET_PORT}"
        start = _inline(_set(TARGET_ADDRESS, f"${FALLBACK_ADDRESS}"),
                        _set(TARGET_PORT, f"${FALLBACK_PORT}"))
    else:
        differs = f"to-addresses!=${TARGET_ADDRESS}"
        assign = f"to-addresses=${TARGET_ADDRESS}"
        start = _set(TARGET_ADDRESS, f"${FALLBACK_ADDRESS}")
    groups = _Block()
    for group in spec.groups:
        which = (f"packet-mark={quote(group.packet_mark)}" if group.packet_mark
                 else f"comment={quote(group.comment)}")
        groups.add(_inline(start, _choose(TARGET_ADDRESS, TARGET_PORT, group.preferences, spec)),
                   f"{NAT} set [find where chain={quote(spec.chain)} && {which} && {differs}] "
                   f"{assign}")
    script.nest(f':if (${FALLBACK_ADDRESS} != "") do={{', groups)


def _report(script: _Block, spec: SyncSpec) -> None:
    tell = [f":log warning ({quote(spec.label)} . ${CHANGES})"]
    if spec.notify:
        sends = _inline(*(
            f"/tool e-mail send to={quote(to)} "
            f"subject={quote(spec.label + 'servers changed state')} body=${CHANGES}"
            for to in spec.notify))
        tell.append(f":do {{{sends}}} on-error={{:log warning "
                    f"{quote(spec.label + 'e-mail failed')}}}")
    script.add(f':if (${CHANGES} != "") do={{{_inline(*tell)}}}')


def run_sync(sync_name: str) -> str:
    """What netwatch's up- and down-scripts and the schedulers run."""
    return f"/system script run {quote(sync_name)}"
