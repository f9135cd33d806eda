"""`python -m tools.render --stack S`: the stack's plan as a RouterOS script (`.rsc`) to review, or,
with `--diff`, what a router holds against the plan.

The script is what `pulumi up` would make on a router that holds none of it (a new router or one
with its default configuration): run it with `/import file=...`, paste it into a terminal, or as a
script's source (`/system script add name=lb source=...` then `/system script run lb`).

`--diff` reads the router (read-only, one print per menu) and lists, per object, whether it is
missing, different (property by property) or the same; rules tagged for this site that the plan no
longer has; rules out of order; and hand-made rules that compete with a service for its traffic
(an earlier dst-nat for the same address and port shadows it). Exit status: 0 when the router
matches the plan (and nothing competes), 1 when it does not, 2 on an error.

JSON names. The plan: `site`, `version`, `services` (each `service`, `summary`, `buckets` with
`slots` and `groups`, `objects` with `key`, `path`, `tag`, `properties`, `runtimeOwned`) and
`script` (the `.rsc`). The diff: `inSync`; `objects` (each `key`, `path`, `label`, `status`:
`same`/`differs`/`missing`, `id`, `changes`: `prop`, `router`, `planned`); `extra` (`path`, `id`,
`comment`); `order` (sentences); `competing` (`service`, `path`, `id`, `summary`, `where`:
`before`/`after`/`no-entry`, `message`).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import asdict

from tools.cli_common import (
    ToolError,
    add_router_options,
    add_stack_options,
    router_client,
    router_version,
    run,
)
from tools.folding import compact
from tools.router_diff import SiteDiff, compare, read_router
from tools.rsc import menu_words, render, stored_properties
from tools.site_plan import LoadedStack, load_plan

WIDTH = 80


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.render",
        description="Print a stack's plan as a RouterOS script, or compare it with a router.",
        epilog="examples: python -m tools.render --stack home --version 6.49 > home.rsc; "
               "ROUTEROS_PASSWORD=... python -m tools.render --stack dev --diff",
    )
    add_stack_options(parser, version_help="RouterOS version to plan for, such as 6.49 or 7.20 "
                                           "(default: the stack's routeros:version; with --diff, "
                                           "the router's)")
    parser.add_argument("--diff", action="store_true",
                        help="compare with what the router holds now (read-only)")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the script to FILE")
    add_router_options(parser)
    return parser.parse_args(argv)


def plan_json(loaded: LoadedStack) -> dict:
    return {
        "site": loaded.plan.site,
        "version": loaded.plan.version,
        "services": [
            {
                "service": service.service,
                "summary": dict(service.summary),
                "buckets": {"slots": list(service.buckets.slots),
                            "groups": [list(group) for group in service.buckets.groups]},
                "objects": [{"key": obj.key, "path": obj.path, "tag": obj.tag,
                             "properties": stored_properties(obj),
                             "runtimeOwned": list(obj.runtime_owned)}
                            for obj in service.objects],
            }
            for service in loaded.plan.services
        ],
    }


def diff_text(diff: SiteDiff, heading: str) -> str:
    lines = [heading]
    counts = {status: sum(1 for o in diff.objects if o.status == status)
              for status in ("same", "differs", "missing")}
    lines.append(f"objects: {counts['same']} same, {counts['differs']} differ, "
                 f"{counts['missing']} missing; {len(diff.extra)} extra")
    # Objects missing without detail are listed folded (`web/slot-0..63`), as the demo lists them.
    missing = [obj for obj in diff.objects if obj.status == "missing"]
    for menu in dict.fromkeys(obj.path for obj in missing):
        keys = [obj.key for obj in missing if obj.path == menu]
        lines += textwrap.wrap(" ".join(compact(keys)), WIDTH,
                               initial_indent=f"  missing  {menu_words(menu)}: ",
                               subsequent_indent=" " * 11, break_on_hyphens=False)
    for obj in diff.objects:
        if obj.status != "differs":
            continue
        lines.append(f"  {obj.status:8} {menu_words(obj.path)}: {obj.label}")
        for change in obj.changes:
            lines.append(f"           {change.prop}: router {change.router or '(unset)'}, "
                         f"plan {change.planned}")
    for path, id_, comment in diff.extra:
        lines.append(f"  extra    {menu_words(path)} {id_}: {comment} (tagged for this site, "
                     "not in the plan)")
    lines += [f"  order    {problem}" for problem in diff.order]
    if diff.competing:
        lines.append("hand-made rules that compete for a service's traffic:")
        for rule in diff.competing:
            lines.append(f"  {menu_words(rule.path)} {rule.id}: {rule.summary}")
            lines.append(f"      {rule.message}")
    if diff.in_sync and not diff.competing:
        lines.append("the router matches the plan")
    return "\n".join(lines)


def diff_json(diff: SiteDiff) -> dict:
    return {
        "inSync": diff.in_sync,
        "objects": [{"key": o.key, "path": o.path, "label": o.label, "status": o.status,
                     "id": o.id, "changes": [asdict(c) for c in o.changes]}
                    for o in diff.objects],
        "extra": [{"path": path, "id": id_, "comment": comment}
                  for path, id_, comment in diff.extra],
        "order": diff.order,
        "competing": [{**asdict(rule), "message": rule.message} for rule in diff.competing],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.diff:
        loaded = load_plan(args.stack, args.version, args.stacks)
        with router_client(loaded.site, args) as client:
            version = args.version or router_version(client)
            if version != loaded.plan.version:
                loaded = load_plan(args.stack, version, args.stacks)
            diff = compare(loaded.plan, read_router(client, loaded.plan))
            label = client.settings.label
        heading = f"stack {args.stack} (site {loaded.plan.site}) against {label}, plan for " \
                  f"RouterOS {loaded.plan.version}"
        print(json.dumps(diff_json(diff), indent=2) if args.json else diff_text(diff, heading))
        return 0 if diff.in_sync and not diff.competing else 1
    loaded = load_plan(args.stack, args.version, args.stacks)
    header = [f"python -m tools.render --stack {args.stack} --version {loaded.plan.version}",
              "For a router that holds none of these objects;",
              "`python -m tools.render --diff` compares with one that does."]
    text = render(loaded.plan, header, loaded.site.email)
    if args.json:
        print(json.dumps({**plan_json(loaded), "script": text}, indent=2))
    elif args.output:
        try:
            with open(args.output, "w") as out:
                out.write(text)
        except OSError as error:
            raise ToolError(f"cannot write {args.output}: {error.strerror}") from None
        print(f"wrote {args.output}: {text.count(chr(10))} lines", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(run(main))
