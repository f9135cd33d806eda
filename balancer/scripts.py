"""Script text the router runs: the sync script, netwatch's up/down scripts, the schedulers' events.

The sync script is level-triggered: each run reads every server's netwatch status and makes the
NAT rules say the same, whatever happened before (missed events, a reboot, a redeploy).
- `up`: its primary rule is enabled; `down`: disabled, and the service's conntrack entries to it
  are removed (the clients reconnect through the failover rules; another service's connections
  to the same host stay); `unknown` (after an edit, and during v7's startup-delay after boot)
  keeps the rule as it is: the `disabled` flag is the remembered state, and it survives a reboot.
- A server counts as up for failover when its primary rule is enabled after that step. Each
  failover rule points at the first up server of its group's preference list, else the first up
  server of the fallback order. With no server up it keeps its last target (see "All down").
- Nothing is written that already holds: a primary is enabled or disabled only when its status
  says otherwise, a failover rule set only when `get` reads another target. A quiet resync
  makes no configuration write.
- No run-time error from entries that come and go: conntrack entries are removed one by one,
  each inside `:do { } on-error={}` (one that expired after the `find` is skipped).
- It logs one line per run, and only when it changed a primary rule's state (listing the
  changes), then sends one e-mail per recipient, each guarded: a send the router refuses is
  logged by recipient and stops nothing. RouterOS queues a mail it accepts; a later delivery
  failure shows only in `/tool e-mail`'s `last-status`.
- Two runs at once (netwatch and the schedulers start it as separate jobs) end as one run does:
  every step compares and then sets the value the same statuses give, so the worst an
  interleaving does is send the news twice (tests/loadbalancer/test_lb_sync_script.py runs the
  statements of two runs interleaved). A status that changes between two runs' reads can leave a
  failover rule at the older run's target until the next run, at most `RESYNC_INTERVAL` later.

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
CONNECTION = "connection"


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


def _regex_literal(text: str) -> str:
    """`text` as a POSIX extended regex matching itself (slugs, addresses, ports: only `.`
    is special among their characters)."""
    return text.replace(".", "\\.")


def _flush_connections(spec: SyncSpec, server: ScriptServer) -> str:
    """Remove the service's connections to `server`, entry by entry: one that expires between
    the `find` and its `remove` is an error the `on-error` swallows, not the end of the run.
    Only the service's own: its protocol, a connection mark of its chain (every connection its
    mangle chain saw carries one), answered from the server's address (and port, when it sets
    one): another service on the same host keeps its connections."""
    reply_from = "^" + _regex_literal(server.address) + ":" + (
        _regex_literal(server.port) + "$" if server.port else "")
    marks = "^" + _regex_literal(spec.chain) + "\\."
    matches = (f"protocol={quote(spec.protocol)} && connection-mark~{quote(marks)} && "
               f"reply-src-address~{quote(reply_from)}")
    return (f":foreach {CONNECTION} in=[{CONNECTIONS} find where {matches}] "
            f"do={{:do {{{CONNECTIONS} remove ${CONNECTION}}} on-error={{}}}}")


def _follow_netwatch(script: _Block, spec: SyncSpec, i: int, server: ScriptServer) -> None:
    """Server i's primary rule follows its netwatch status; `up<i>` says where it ends. Nothing
    is written unless the status and the rule's `disabled` disagree."""
    script.add(_local(server_address(i), quote(server.address)))
    if spec.set_ports:
        script.add(_local(server_port(i), quote(server.port)))
    script.add(_local(server_up(i), "false"), _set(STATUS, '"unknown"'),
               f":foreach {WATCH} in=[{NETWATCH} find where comment={quote(server.watch_comment)}]"
               f" do={{{_set(STATUS, f'[{NETWATCH} get ${WATCH} status]')}}}")
    said = server.name + " (" + server.address + ") is "
    down = _inline(f"{NAT} disable ${RULE}", _set(DISABLED, "true"),
                   _set(CHANGES, f"(${CHANGES} . {quote(said + 'down; ')})"),
                   _flush_connections(spec, server))
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


def _read(prop: str) -> str:
    """A failover rule's `prop` as text: `get` returns an IP address (or a number) that `:tostr`
    prints as it was set, so it compares with the address text the variables hold."""
    return f"[:tostr [{NAT} get ${RULE} {prop}]]"


def _point_failovers(script: _Block, spec: SyncSpec) -> None:
    """Each failover rule at the first up server of its group, else the fallback; with no
    server up, no rule changes. A rule already there is not written."""
    if spec.set_ports:
        differs = (f"(({_read('to-addresses')} != ${TARGET_ADDRESS}) || "
                   f"({_read('to-ports')} != ${TARGET_PORT}))")
        assign = f"to-addresses=${TARGET_ADDRESS} to-ports=${TARGET_PORT}"
        start = _inline(_set(TARGET_ADDRESS, f"${FALLBACK_ADDRESS}"),
                        _set(TARGET_PORT, f"${FALLBACK_PORT}"))
    else:
        differs = f"({_read('to-addresses')} != ${TARGET_ADDRESS})"
        assign = f"to-addresses=${TARGET_ADDRESS}"
        start = _set(TARGET_ADDRESS, f"${FALLBACK_ADDRESS}")
    groups = _Block()
    for group in spec.groups:
        which = (f"packet-mark={quote(group.packet_mark)}" if group.packet_mark
                 else f"comment={quote(group.comment)}")
        groups.add(_inline(start, _choose(TARGET_ADDRESS, TARGET_PORT, group.preferences, spec)),
                   f":foreach {RULE} in=[{NAT} find where chain={quote(spec.chain)} && {which}] "
                   f"do={{:if {differs} do={{{NAT} set ${RULE} {assign}}}}}")
    script.nest(f':if (${FALLBACK_ADDRESS} != "") do={{', groups)


def _report(script: _Block, spec: SyncSpec) -> None:
    """One log line, and one e-mail per recipient, each on its own: a recipient the router
    refuses at once does not keep the mail from the others. RouterOS queues what it accepts;
    a later delivery failure shows in `/tool e-mail`'s `last-status`, which no script sees."""
    report = _Block([f":log warning ({quote(spec.label)} . ${CHANGES})"])
    for to in spec.notify:
        failed = quote(f"{spec.label}e-mail to {to} failed")
        report.add(f":do {{/tool e-mail send to={quote(to)} "
                   f"subject={quote(spec.label + 'servers changed state')} body=${CHANGES}}} "
                   f"on-error={{:log warning {failed}}}")
    script.nest(f':if (${CHANGES} != "") do={{', report)


def run_sync(sync_name: str) -> str:
    """What netwatch's up- and down-scripts and the schedulers run."""
    return f"/system script run {quote(sync_name)}"
