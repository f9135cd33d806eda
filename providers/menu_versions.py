"""Which schema of a menu a router's version takes, and what that version refuses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import CheckFailure

from providers.connection import RouterSettings, client_for
from providers.errors import Kind, RouterError
from providers.schemas.base import Issue, Menu, MenuSchema, is_unknown
from routeros_vocabulary.versions import Version, version_text


def check_version(router: Any, failures: list[CheckFailure]) -> Version | None:
    """The router's version when check can know it: settings valid and known, and the
    router reachable (one cached, read-only `/system/resource` print per connection)."""
    if router is None or is_unknown(router) or any(f.property == "router" for f in failures):
        return None
    return client_for(RouterSettings.from_inputs(router)).version_if_reachable()


def versioned(menu: Menu, values: Mapping[str, Any], version: Version) -> MenuSchema:
    """The schema for this router's version; declared properties it lacks are an error."""
    schema = menu.for_version(version)
    issues = version_issues(menu, values, version)
    if issues:
        # Wrong for every version (check was skipped), or wrong for this router's.
        kind: Kind = "input" if menu.latest.validate(values)[1] \
            else "version"
        raise RouterError("; ".join(f"{name}: {reason}" for name, reason in issues),
                          path=schema.path, kind=kind,
                          command="set" if schema.kind == "singleton" else "add")
    return schema

def version_issues(menu: Menu, values: Mapping[str, Any], version: Version) -> list[Issue]:
    """What this router version refuses of `values`: properties it does not know (v7-only
    on 6.49), values its spelling cannot take (an e-mail host name before 7.12)."""
    schema = menu.for_version(version)
    known = menu.all_props()
    missing = [name for name in values if name not in schema.by_name]
    issues = [
        (name, f"{name} needs {known[name].needs() if name in known else 'another version'}"
               f"; the router runs {version_text(version)}")
        for name in missing
    ]
    present = {k: v for k, v in values.items() if k not in missing}
    issues += schema.unsupported(list(present), version)
    issues += schema.validate(present)[1]
    return issues
