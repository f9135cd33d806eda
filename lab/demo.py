"""`make demo` (`python -m lab.demo`): the load balancer deployed on a simulated router, then
broken and repaired, one screen per step.

A RouterOS router is simulated on loopback (the default configuration a new router ships, a random
admin password that is never printed); the stack (`dev` unless `--stack`) is deployed to it with the
real `pulumi` CLI when it is on PATH (a copy of the project, a local file backend and a throwaway
passphrase, all in a temporary directory), otherwise with the engine stand-in (`engine_standin/`);
the first screen says which. Then:

 1. the plan: frontend, servers, slots and failover groups, what `preview` says;
 2. `pulumi up`, and a check that the router holds exactly the plan;
 3. where clients go: made-up clients, one new connection each, counted per server;
 4. a server fails: it stops answering, netwatch notices, the router's own script flips the rules
    and e-mails the admin (shown: the rules that changed, the log, the e-mail);
 5. the clients again: only the failed server's clients moved;
 6. recovery: the server answers again, the rules flip back, every client is back;
 7. drift: someone changes the SMTP port by hand, `refresh` finds it, `up` puts it right;
 8. a second `up` with nothing to do;
 9. `pulumi destroy`: every object of the stack is gone, the router's own rules stay.

Bad stack config ends in one message naming the key (exit 2), before anything starts.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from components.program import declare_site
from lab import sim_loader
from lab.engines import DeployError, Engine, EngineStandIn, PulumiCli, pulumi_on_path
from lab.traffic import UNSERVED, Outcome, clients, send
from simulator import Simulator
from tools.cli_common import ToolError, run
from tools.router_diff import compare
from tools.site_plan import LoadedStack, load_plan
from tools.stack_files import STACKS, pointed_at, stack_config

WIDTH = 78
NAT = "/ip/firewall/nat"
MENUS = ("/ip/firewall/mangle", NAT, "/system/script", "/system/scheduler", "/tool/netwatch")
EMAIL = "/tool/e-mail"
SCREENS = 9


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m lab.demo",
        description="Deploy a stack's load balancer on a simulated router, fail a server, watch "
                    "the failover, recover, destroy.",
        epilog="With the pulumi CLI on PATH the demo uses it (on a throwaway copy, backend and "
               "passphrase); otherwise the engine stand-in.",
    )
    parser.add_argument("--stack", default="dev", help="the stack to deploy (default dev)")
    parser.add_argument("--version", default=None,
                        help="the simulated router's RouterOS version, such as 6.49 or 7.20 "
                             "(default: the stack's routeros:version)")
    parser.add_argument("--engine", choices=("auto", "cli", "standin"), default="auto",
                        help="auto: the pulumi CLI when on PATH, else the engine stand-in")
    parser.add_argument("--stacks", type=Path, default=STACKS, metavar="DIR",
                        help="where the stack files are (default: stacks/)")
    parser.add_argument("--clients", type=int, default=1000, metavar="N",
                        help="made-up clients per traffic screen (default 1000)")
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 100_000:
        parser.error(f"--clients must be 1-100000, not {args.clients}")
    return args


def screen(number: int, title: str) -> None:
    head = f"== {number}/{SCREENS} {title} "
    print(f"\n{head}{'=' * max(0, WIDTH - len(head))}")


def say(text: str = "") -> None:
    print(f"   {text}" if text else "")


def show(lines: list[str]) -> None:
    for line in lines:
        print(line)


# ---------------------------------------------------------------------------- the router


def rows(sim: Any, path: str) -> list[dict[str, str]]:
    with sim.router.lock:
        return [{**item.props, ".id": item.printed_id} for item in sim.router.menus[path].items]


def router_rows(sim: Any) -> dict[str, list[dict[str, str]]]:
    return {path: rows(sim, path) for path in MENUS}


def tagged_count(sim: Any, site: str) -> int:
    return sum(1 for path in MENUS for row in rows(sim, path)
               if f"[lb:{site}/" in row.get("comment", "") or row.get("name", "").startswith("lb-"))


def nat_changes(before: list[dict[str, str]], after: list[dict[str, str]]) -> list[str]:
    """The NAT rules of ours whose `disabled` or `to-addresses` changed."""
    old = {row[".id"]: row for row in before}
    lines = []
    for row in after:
        previous = old.get(row[".id"])
        if previous is None or "[lb:" not in row.get("comment", ""):
            continue
        name = row["comment"].split(" [lb:")[0]
        for prop in ("disabled", "to-addresses"):
            if previous.get(prop) != row.get(prop):
                lines.append(f"   {name}: {prop} {previous.get(prop)} -> {row.get(prop)}")
    return lines or ["   (no rule changed)"]


def show_new_log_and_mail(sim: Any, log_from: int, mail_from: int) -> None:
    for entry in sim.log[log_from:]:
        if entry["topics"].startswith(("script", "e-mail")) or "routeros-lb" in entry["message"]:
            say(f"log: {entry['message']}"[:WIDTH])
    for mail in sim.outbox[mail_from:]:
        say(f"e-mail via {mail.server}:{mail.port} from {mail.sender} to {mail.to}")
        say(f"  subject: {mail.subject}"[:WIDTH])
        for part in mail.body.split("; "):
            if part.strip():
                say(f"  {part.strip()}"[:WIDTH])


# ---------------------------------------------------------------------------- traffic


def traffic_table(loaded: LoadedStack, service: str, outcome: Outcome,
                  down: AbstractSet[str] = frozenset()) -> list[str]:
    spec = loaded.site.services[service]
    up_weight = sum(s.weight for name, s in spec.servers.items() if name not in down)
    counts = outcome.counts()
    total = len(outcome.served_by)
    lines = [f"   {'server':<10}{'address':<16}{'weight':>7}{'clients':>9}{'share':>8}"
             f"{'fair':>8}"]
    for name, server in sorted(spec.servers.items()):
        fair = 0.0 if name in down else server.weight / up_weight
        count = counts[server.address]
        note = "  (down)" if name in down else ""
        lines.append(f"   {name[:9]:<10}{server.address:<16}{server.weight:>7}{count:>9}"
                     f"{100 * count / total:>7.1f}%{100 * fair:>7.1f}%{note}")
    if counts[UNSERVED]:
        lines.append(f"   {'unserved':<33}{counts[UNSERVED]:>9}")
    return lines


def moves(loaded: LoadedStack, service: str, before: Outcome, after: Outcome) -> list[str]:
    spec = loaded.site.services[service]
    name_of = {server.address: name for name, server in spec.servers.items()}
    flows = Counter((before.served_by[c], after.served_by[c]) for c in before.served_by
                    if before.served_by[c] != after.served_by.get(c))
    if not flows:
        return ["   no client changed server"]
    lines = []
    for source in sorted({src for src, _ in flows}):
        parts = ", ".join(f"{count} to {name_of.get(dst, dst)}"
                          for (src, dst), count in sorted(flows.items()) if src == source)
        lines.append(f"   {name_of.get(source, source)}'s clients moved: {parts}")
    return lines


# ---------------------------------------------------------------------------- the run


@contextmanager
def simulated_router(version: str, password: str) -> Iterator[Simulator]:
    with Simulator(version=version, password=password, seed_defconf=True) as sim:
        yield sim


def pick_engine(choice: str, stack: str, config: dict[str, Any], password: str) -> Engine:
    executable = pulumi_on_path()
    if choice == "cli" or (choice == "auto" and executable):
        if executable is None:
            raise ToolError("--engine cli: no `pulumi` on PATH (install it: "
                            "https://www.pulumi.com/docs/install/)")
        return PulumiCli(executable, stack, config, password)
    return EngineStandIn(declare_site, stack, config, password)


def demo(args: argparse.Namespace) -> int:
    # Read and plan the stack first: bad config stops here, before anything starts.
    loaded = load_plan(args.stack, args.version, args.stacks)
    if not loaded.site.services:
        raise ToolError(f"stack {args.stack} declares no service (routeros-lb:services)")
    version = sim_loader.simulator_version(loaded.plan.version)
    loaded = load_plan(args.stack, version, args.stacks)
    password = secrets.token_urlsafe(16)
    with simulated_router(version, password) as sim:
        config = {**pointed_at(stack_config(args.stack, args.stacks), sim.host, sim.port,
                               sim.username),
                  "routeros:version": version}
        engine = pick_engine(args.engine, args.stack, config, password)
        with engine:
            intro = (f"Simulated router: RouterOS {sim.profile.version} on {sim.host}:"
                     f"{sim.port}, default configuration. Stack {args.stack!r}, deployed with "
                     f"{engine.description}.")
            print("\n".join(textwrap.wrap(intro, WIDTH, break_on_hyphens=False,
                                           break_long_words=False)))
            return run_screens(args, loaded, sim, engine)


def run_screens(args: argparse.Namespace, loaded: LoadedStack, sim: Any, engine: Engine) -> int:
    site = loaded.plan.site
    screen(1, "the plan")
    for planned in loaded.plan.services:
        spec = loaded.site.services[planned.service]
        summary = planned.summary
        frontend = sim_loader.frontend(sim, loaded, planned.service)
        say(f"service {planned.service}: {frontend.protocol} {frontend.address} port "
            f"{spec.frontend.ports}, health {spec.health.type} every {spec.health.interval}")
        say(f"{summary['servers']} servers, {summary['slots']} slots, {summary['groups']} "
            f"failover groups: {len(planned.objects)} router objects, {summary['rules']} rules")
        slots = Counter(planned.buckets.slots)
        say("slots per server: " + ", ".join(f"{name} {count}"
                                             for name, count in sorted(slots.items())))
    say("pulumi preview --diff:")
    show(engine.preview())

    screen(2, "pulumi up")
    show(engine.up())
    diff = compare(loaded.plan, router_rows(sim))
    missing = sum(1 for o in diff.objects if o.status == "missing")
    if missing:
        say(f"the router lacks {missing} of the plan's {len(diff.objects)} objects: `up` did "
            "not deploy the stack")
        return finish_without_traffic(engine, sim, site)
    say(f"the router holds all {len(diff.objects)} planned objects"
        + ("" if diff.in_sync else ", but not as planned: " + ", ".join(diff.order)))

    service = loaded.plan.services[0].service
    spec = loaded.site.services[service]
    frontend = sim_loader.frontend(sim, loaded, service)
    wait = sim_loader.health_interval(loaded, service) + 1
    sim.advance(wait + sim_loader.FIRST_PROBE_MARGIN)  # netwatch's first probes
    addresses = clients(args.clients)

    screen(3, f"where {args.clients} clients go")
    say(f"each opens a connection to {frontend.address}:{frontend.port}")
    baseline = send(sim, addresses, frontend)
    show(traffic_table(loaded, service, baseline))
    say(f"a new connection's first packet met {baseline.rules_mean:.1f} rules on average")

    failed = sorted(spec.servers)[0]
    address = spec.servers[failed].address
    screen(4, f"{failed} fails")
    say(f"{failed} ({address}) stops answering; {spec.health.interval} later netwatch "
        "notices")
    nat_before, log_from, mail_from = rows(sim, NAT), len(sim.log), len(sim.outbox)
    sim.set_host(address, up=False)
    sim.advance(wait)
    say("the router's own script changed these rules:")
    show(nat_changes(nat_before, rows(sim, NAT)))
    show_new_log_and_mail(sim, log_from, mail_from)

    screen(5, "the clients again")
    during = send(sim, addresses, frontend)
    show(traffic_table(loaded, service, during, {failed}))
    show(moves(loaded, service, baseline, during))
    others = sum(1 for c, a in baseline.served_by.items()
                 if a != address and during.served_by.get(c) != a)
    say(f"clients of the other servers that moved: {others}")

    screen(6, f"{failed} recovers")
    nat_before, log_from, mail_from = rows(sim, NAT), len(sim.log), len(sim.outbox)
    sim.set_host(address, up=True)
    sim.advance(wait)
    show(nat_changes(nat_before, rows(sim, NAT)))
    show_new_log_and_mail(sim, log_from, mail_from)
    after = send(sim, addresses, frontend)
    back = sum(1 for c in addresses if after.served_by[c] == baseline.served_by[c])
    say(f"clients back on their original server: {back} of {len(addresses)}")

    screen(7, "drift: a change by hand")
    with sim.router.lock:
        port_before = sim.router.menus[EMAIL].props.get("port")
    from simulator.api import Request

    sim.router.call(Request(f"{EMAIL}/set", {"port": "2525"}))
    say(f"someone sets the router's SMTP port to 2525 (it was {port_before})")
    say("pulumi refresh:")
    show(engine.refresh())
    say("pulumi up:")
    show(engine.up())
    with sim.router.lock:
        say(f"SMTP port now: {sim.router.menus[EMAIL].props.get('port')}")

    screen(8, "pulumi up, again")
    show(engine.up_no_changes())

    return destroy_screen(engine, sim, site)


def destroy_screen(engine: Engine, sim: Any, site: str) -> int:
    screen(9, "pulumi destroy")
    defconf_before = [row for row in rows(sim, NAT) if row.get("comment", "").startswith("defconf")]
    show(engine.destroy())
    left = tagged_count(sim, site)
    defconf_after = [row for row in rows(sim, NAT) if row.get("comment", "").startswith("defconf")]
    with sim.router.lock:
        server = sim.router.menus[EMAIL].props.get(sim.profile.email_server_key)
    say(f"objects of the stack left on the router: {left}")
    say(f"the router's own NAT rules: {len(defconf_after)} of {len(defconf_before)} kept")
    say(f"/tool e-mail {sim.profile.email_server_key}={server} (the router's own setting again)")
    if left:
        raise ToolError(f"destroy left {left} object(s) of the stack on the router")
    print("\nDone. `make sim` keeps a simulated router running; type `help` in it.")
    return 0


def finish_without_traffic(engine: Engine, sim: Any, site: str) -> int:
    say("(skipping the traffic screens: there is nothing to send clients through)")
    screen(8, "pulumi up, again")
    show(engine.up_no_changes())
    destroy_screen(engine, sim, site)
    raise ToolError("`pulumi up` did not put the plan on the router")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        return demo(args)
    except DeployError as error:
        hint = ("\n(the demo used the pulumi CLI on your PATH; `python -m lab.demo --engine "
                "standin` runs without it)") if args.engine != "standin" and pulumi_on_path() \
            else ""
        raise ToolError(f"{error}{hint}") from None


if __name__ == "__main__":
    sys.exit(run(main))
