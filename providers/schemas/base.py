"""What a menu schema is: its properties, their canonical forms, defaults and version ranges.

A `MenuSchema` describes one RouterOS menu for one range of versions. It builds a pydantic model
from its property table, so validation (check) and normalisation (every comparison) are one step:
a validated value *is* the canonical value. Property names are Python spelling (`dst_port`);
`api_name` maps them to the router's (`dst-port`). Canonical values are strings, except
booleans, which are Python bools.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any, Literal

from pulumi.output import Unknown
from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, create_model

from routeros_vocabulary.versions import Version, range_text, version_text, within

Canonical = str | bool

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # Pulumi's unknown-during-preview sentinel


def is_unknown(value: Any) -> bool:
    # The provider host hands check and diff `Unknown()` objects during a preview (it
    # deserialises with keep_unknowns); direct calls may carry the sentinel string.
    if isinstance(value, Unknown) or value == UNKNOWN:
        return True
    if isinstance(value, Mapping):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_unknown(v) for v in value)
    return False


@dataclass(frozen=True)
class Prop:
    """One property of a menu.

    `default` is what the router holds when the property is not given (None: the property is
    optional and absent when unset). `kept_unless_declared` marks properties left as the router has
    them unless the program declares them: values the router fills in itself (a scheduler's start
    date) and secrets the program may not know (the SMTP password). They are compared and
    written only when declared.
    `since`/`until` bound the versions that know the property (`until` exclusive).
    """

    name: str
    normalise: Callable[[object], Canonical | None]  # None: as if not given
    default: Canonical | None = None
    required: bool = False
    kept_unless_declared: bool = False
    since: Version | None = None
    until: Version | None = None
    api: str | None = None
    secret: bool = False

    @property
    def api_name(self) -> str:
        return self.api or self.name.rstrip("_").replace("_", "-")

    def available(self, version: Version) -> bool:
        return within(version, self.since, self.until)

    def needs(self) -> str:
        return range_text(self.since, self.until)


Issue = tuple[str, str]  # (property, reason)


def _refusing(normalise: Callable[[object], Canonical | None]) -> Callable[[object], Any]:
    """`normalise`, with what it cannot take at all (a list where text belongs, a number too
    large to convert) refused as a `ValueError` like any other bad value."""

    def checked(value: object) -> Canonical | None:
        if not isinstance(value, str | int | float | bool | list | tuple):
            raise ValueError(f"expected text, got {type(value).__name__}")
        try:
            return normalise(value)
        except (TypeError, OverflowError, RecursionError) as exc:
            raise ValueError(f"{type(value).__name__} value not accepted: {exc}") from None

    return checked


def _reason(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "invalid value"))
    return message.removeprefix("Value error, ")


@dataclass(frozen=True)
class MenuSchema:
    """One menu (for one range of versions): path, shape, properties and cross-property rules."""

    key: str
    path: str
    props: tuple[Prop, ...]
    kind: Literal["list", "singleton"] = "list"
    replace: frozenset[str] = frozenset()
    rules: tuple[Callable[[Mapping[str, Any]], list[Issue]], ...] = ()
    encoders: Mapping[str, Callable[[Canonical, Version], str]] = field(default_factory=dict)
    decoders: Mapping[str, Callable[[str, Version], Canonical]] = field(default_factory=dict)

    @cached_property
    def by_name(self) -> dict[str, Prop]:
        return {prop.name: prop for prop in self.props}

    @cached_property
    def model(self) -> type[BaseModel]:
        fields: dict[str, Any] = {
            prop.name: (Annotated[Any, BeforeValidator(_refusing(prop.normalise))], None)
            for prop in self.props
        }
        return create_model(
            f"{self.key.title()}Properties",
            __config__=ConfigDict(extra="forbid", frozen=True),
            **fields,
        )

    def validate(self, props: Mapping[str, Any]) -> tuple[dict[str, Canonical], list[Issue]]:
        """Canonical values of `props` (None dropped) and every problem, property by property.

        Unknown values (preview) are skipped here and returned unchanged by the caller.
        """
        given = {k: v for k, v in props.items() if v is not None and not is_unknown(v)}
        issues: list[Issue] = []
        try:
            values = self.model.model_validate(given).model_dump(exclude_none=True)
        except ValidationError as exc:
            values = {}
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else self.key
                if error["type"] == "extra_forbidden":
                    known = ", ".join(sorted(self.by_name))
                    issues.append((name, f"{self.path} has no property {name!r}; known: {known}"))
                elif name in self.by_name and self.by_name[name].secret:
                    # Reasons quote the value; a secret's must not reach a log or the console.
                    issues.append((name, f"{name} is not valid (the value is secret and not "
                                         "shown): printable ASCII only"))
                else:
                    issues.append((name, _reason(error)))
            bad = {name for name, _ in issues}
            values = {
                k: self.by_name[k].normalise(v) for k, v in given.items()
                if k not in bad and k in self.by_name
            }
            values = {k: v for k, v in values.items() if v is not None}
        declared = set(values) | {k for k, v in props.items() if v is not None}
        for prop in self.props:
            if prop.required and prop.name not in declared:
                issues.append((prop.name, f"{prop.name} is required for {self.path}"))
        if not issues:
            for rule in self.rules:
                issues += rule({**values, **{k: v for k, v in props.items() if is_unknown(v)}})
        return values, issues

    def unsupported(self, names: list[str], version: Version) -> list[Issue]:
        """Declared properties this router version does not have."""
        return [
            (name, f"{name} needs {self.by_name[name].needs()}; the router runs "
                   f"{version_text(version)}")
            for name in names
            if name in self.by_name and not self.by_name[name].available(version)
        ]

    def default_of(self, name: str) -> Canonical | None:
        prop = self.by_name.get(name)
        return prop.default if prop else None

    def encode(self, values: Mapping[str, Canonical], version: Version) -> dict[str, str]:
        """Canonical Python-spelled values → RouterOS words for this router version."""
        out: dict[str, str] = {}
        for name, value in values.items():
            prop = self.by_name[name]
            encoder = self.encoders.get(name)
            if encoder is not None:
                text = encoder(value, version)
            elif isinstance(value, bool):
                text = "yes" if value else "no"
            else:
                text = str(value)
            out[prop.api_name] = text
        return out

    def decode(self, row: Mapping[str, str], version: Version) -> dict[str, Canonical]:
        """A printed item → canonical Python-spelled values (read-only, unknown fields dropped)."""
        out: dict[str, Canonical] = {}
        for prop in self.props:
            if prop.api_name not in row or not prop.available(version):
                continue
            raw = row[prop.api_name]
            decoder = self.decoders.get(prop.name)
            try:
                value = decoder(raw, version) if decoder else prop.normalise(raw)
                if value is not None:
                    out[prop.name] = value
            except ValueError:
                # A value we cannot parse is still drift worth showing, verbatim.
                out[prop.name] = raw
        return out


@dataclass(frozen=True)
class Menu:
    """A menu across versions: the schema for each version range, newest last."""

    key: str
    variants: tuple[tuple[Version, MenuSchema], ...]

    def for_version(self, version: Version) -> MenuSchema:
        chosen = self.variants[0][1]
        for since, schema in self.variants:
            if version >= since:
                chosen = schema
        return chosen

    @property
    def latest(self) -> MenuSchema:
        return self.variants[-1][1]

    @property
    def path(self) -> str:
        return self.latest.path

    @property
    def kind(self) -> str:
        return self.latest.kind

    def all_props(self) -> dict[str, Prop]:
        """Every property any version knows (what a resource accepts as input)."""
        out: dict[str, Prop] = {}
        for _, schema in self.variants:
            out.update(schema.by_name)
        return out


def single(schema: MenuSchema) -> Menu:
    return Menu(schema.key, (((0, 0, 0), schema),))
