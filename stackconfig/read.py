"""The entry point: stack config values in, a validated `SiteSpec` and its plan out.

`read_site(get, present, ...)` reads every key routeros-lb owns through a lookup (the program's is
Pulumi's config; the tools' is a stack file read by `stackconfig.stack_file`), validates the one
model and the cross-field rules, and raises one `SiteConfigError` listing every problem by key.
`plan_site(site, stack)` plans it and reports the balancer's `PlanError` under the key that
caused it.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from balancer.model import SitePlan
from balancer.plan import PlanError, plan
from balancer.spec import LbSite
from stackconfig import rules
from stackconfig.errors import Problem, SiteConfigError
from stackconfig.keys import (
    KNOWN_KEYS,
    NAMESPACES,
    ROUTER_KEYS,
    SECRET_KEYS,
    SECTION_KEYS,
    SITE_KEY,
    config_key,
)
from stackconfig.model import SiteSpec


def read_site(get: Callable[[str], Any], present: Iterable[str] = (),
              is_file: Callable[[str], bool] | None = None,
              is_secret: Callable[[str], bool] | None = None) -> SiteSpec:
    """Read a site from a config lookup (`get("routeros:host")`, None when unset).

    Values are as the engine hands them over: a scalar is the text the user wrote, a mapping or
    a list may be its JSON text (structures are accepted too). `present` are the keys the stack
    sets: one of ours that nothing reads (`routeros:prot`) is an error rather than a setting
    silently ignored, and so is a password among them kept in clear when `is_secret` can tell.
    `is_file` checks that files the config names exist (without it, nothing is looked up).
    """
    present = set(present)
    problems = _unknown_keys(present)
    if is_secret is not None:
        problems += _secrets_in_clear(present, is_secret)
    try:
        site = _validate(get)
    except SiteConfigError as error:
        raise SiteConfigError(problems + error.problems) from None
    problems += rules.check(site, is_file)
    if problems:
        raise SiteConfigError(problems)
    return site


def plan_site(site: SiteSpec, stack: str) -> SitePlan:
    """The site's plan for the RouterOS version the stack declares. A site valid on its own but
    not plannable for that version (an HTTP health check on v6) is a `SiteConfigError` naming
    the key, like every other config error, so the program stops before declaring anything."""
    try:
        return plan(_lb_site(site, stack), site.router.version)
    except PlanError as error:
        location = ("router", *error.location) if error.location == ("version",) \
            else error.location
        raise SiteConfigError([(config_key(location), error.reason)]) from None


def _unknown_keys(present: set[str]) -> list[Problem]:
    known = ", ".join(sorted(KNOWN_KEYS))
    return [(key, f"is not a known setting; known: {known}")
            for key in sorted(present) if key.startswith(NAMESPACES) and key not in KNOWN_KEYS]


def _secrets_in_clear(present: set[str], is_secret: Callable[[str], bool]) -> list[Problem]:
    return [(key, "is kept in clear in the stack file: remove it and set it with "
                  f"`pulumi config set --secret {key}` (stored encrypted, as `secure:`)")
            for key in SECRET_KEYS if key in present and not is_secret(key)]


def _validate(get: Callable[[str], Any]) -> SiteSpec:
    router = {name: get(key) for name, key in ROUTER_KEYS.items()}
    raw: dict[str, Any] = {"router": {k: v for k, v in router.items() if v is not None}}
    for name, key in SECTION_KEYS.items():
        value = get(key)
        if value is not None:
            raw[name] = value
    try:
        return SiteSpec.model_validate(_decoded(raw))
    except ValidationError as error:
        raise SiteConfigError([(config_key(tuple(e["loc"])), _reason(e))
                               for e in error.errors()]) from None


def _lb_site(site: SiteSpec, stack: str) -> LbSite:
    """What `balancer.plan` reads: the site's name (`routeros-lb:site`, else the stack's name),
    its services, and `routeros-lb:email.to` as the default recipients."""
    try:
        return LbSite(name=site.site or stack, services=site.services,
                      notify=list(site.email.to) if site.email else [])
    except ValidationError as error:
        # Everything but the name was validated with the site; the stack's name was not.
        hint = "" if site.site else f" (unset, so the stack's name {stack!r} was used)"
        raise SiteConfigError([(SITE_KEY, _reason(e) + hint) for e in error.errors()]) from None


def _holds_structure(annotation: Any) -> bool:
    """Whether a field takes a mapping or a list (a model, a dict, a list), not a scalar."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    if typing.get_origin(annotation) in (dict, list, Mapping):
        return True
    return any(_holds_structure(arg) for arg in typing.get_args(annotation))


def _decoded(raw: Mapping[str, Any]) -> dict[str, Any]:
    """`raw` with each section that holds a structure decoded when it came as JSON text (how the
    engine hands a stack file's mappings to the program). Scalars stay the text as written."""
    out, problems = dict(raw), []
    for name, value in raw.items():
        field = SiteSpec.model_fields.get(name)
        if isinstance(value, str) and field is not None and _holds_structure(field.annotation):
            try:
                out[name] = json.loads(value)
            except ValueError:
                problems.append((config_key((name,)), "must be a mapping of settings "
                                                      "(YAML under the key), not text"))
    if problems:
        raise SiteConfigError(problems)
    return out


def _reason(error: Mapping[str, Any]) -> str:
    if error["type"] == "extra_forbidden":
        known = _known_names(tuple(error["loc"])[:-1])
        return "is not a known setting" + (f"; known: {', '.join(known)}" if known else "")
    if error["type"] == "missing":
        return "is required"
    return str(error["msg"]).removeprefix("Value error, ")


def _known_names(loc: tuple[int | str, ...]) -> list[str]:
    """The setting names the model at `loc` (under `SiteSpec`) accepts, as the user spells them."""
    model: Any = SiteSpec
    entry_name_next = False
    for part in loc:
        if entry_name_next:  # the name of an entry of a map (`services.web`): same model
            entry_name_next = False
            continue
        fields = getattr(model, "model_fields", None)
        field = fields and (fields.get(part)
                            or next((f for f in fields.values() if f.alias == part), None))
        if field is None:
            return []
        annotation = field.annotation
        if typing.get_origin(annotation) is dict:
            model, entry_name_next = typing.get_args(annotation)[1], True
            continue
        # `EmailSpec | None` and the like: the model inside.
        model = next((arg for arg in typing.get_args(annotation)
                      if hasattr(arg, "model_fields")), annotation)
    fields = getattr(model, "model_fields", {})
    return sorted(f.alias or name for name, f in fields.items())
