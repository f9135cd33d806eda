"""The generic menu-item provider: one RouterOS object of one menu as a Pulumi dynamic resource.

`MenuItemProvider("nat")` is parametrised by a menu key only (plain data, pickled by reference);
the menu's schema (`providers.schemas`) drives check, normalisation, diff, create, read, update
and delete. Inputs besides the menu's properties (Python spelling):

- `router`: the router's settings (`RouterSettings` fields); changing host or port replaces.
- `ownership_tag`: written into the comment as `<comment> [lb:<tag>]`; `create` adopts an object
  that already carries it instead of adding a duplicate.
- `runtime_owned`: property names the router's own scripts own (a failover rule's `disabled`):
  set at create, then never diffed, refreshed or written.
- `place_before` (ordered menus): the `.id` to insert before at create; ignored afterwards
  (order is ChainOrder's job).

Outputs are the inputs in canonical form plus `router_version` (and, for the e-mail singleton,
`previous`: the settings found at create, restored at delete).

This module holds the lifecycle; which item a resource stands for is `providers.ownership`'s job,
the router's version `providers.menu_versions`', the e-mail singleton
`providers.email_singleton`'s, and the `router` input every provider shares
`providers.router_input`'s. `MenuItemProvider` stays here: state pickles it by reference.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from providers.connection import RouterClient, RouterSettings, client_for, password_source
from providers.email_singleton import SINGLETON_ID, current_settings, restore, writable
from providers.errors import RouterError
from providers.menu_versions import check_version, version_issues, versioned
from providers.ownership import carries, claims, identity_text, same_object
from providers.property_diff import changed
from providers.router_input import check_router, router_target  # noqa: F401 - re-exported
from providers.schemas import menu
from providers.schemas.base import (
    Canonical,
    Menu,
    MenuSchema,
    Version,
    is_unknown,
    version_text,
)
from routeros_vocabulary.menus import MENUS
from routeros_vocabulary.tags import (  # noqa: F401 - re-exported: a stable interface
    TAG_PATTERN,
    compose_comment,
    default_tag,
    split_comment,
)
from routeros_vocabulary.versions import version_or_none

PROVIDER_KEY = "__provider"
META_INPUTS = ("router", "ownership_tag", "runtime_owned", "place_before")
META_OUTPUTS = ("router_version", "previous")
META = frozenset((*META_INPUTS, *META_OUTPUTS, PROVIDER_KEY))
ORDERED = frozenset(key for key, facts in MENUS.items() if facts.ordered)
# Menus whose unnamed items RouterOS names itself (`script1`, `schedule1`).
NAMES_ITSELF = frozenset({"script", "scheduler"})


class MenuItemProvider(ResourceProvider):
    """A RouterOS menu item (or singleton) managed through the binary API."""

    def __init__(self, menu_key: str) -> None:
        super().__init__()
        self.menu_key = menu_key

    # -- schema helpers ----------------------------------------------------------------------

    @property
    def _menu(self) -> Menu:
        return menu(self.menu_key)

    def _schema(self, version: Version | None) -> MenuSchema:
        return self._menu.for_version(version) if version else self._menu.latest

    @property
    def _has_comment(self) -> bool:
        return "comment" in self._menu.latest.by_name

    @staticmethod
    def _values(props: Mapping[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in props.items() if k not in META and v is not None}

    @staticmethod
    def _runtime_owned(props: Mapping[str, Any]) -> frozenset[str]:
        owned = props.get("runtime_owned") or ()
        if is_unknown(owned):
            return frozenset()
        if not isinstance(owned, list | tuple) or not all(isinstance(o, str) for o in owned):
            raise RouterError(f"runtime_owned must be a list of property names, not {owned!r:.60}",
                              kind="input")
        return frozenset(owned)

    # -- Pulumi lifecycle --------------------------------------------------------------------

    def configure(self, req: Any) -> None:
        password_source.configure(req)

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures: list[CheckFailure] = []
        inputs: dict[str, Any] = {k: v for k, v in news.items() if k in META_INPUTS}
        failures.extend(check_router(news, inputs))
        tag = news.get("ownership_tag")
        if tag is not None and not is_unknown(tag):
            if not self._has_comment:
                failures.append(CheckFailure("ownership_tag", f"{self._menu.path} has no comment "
                                                              "to carry an ownership tag"))
            elif not TAG_PATTERN.fullmatch(str(tag)):
                failures.append(CheckFailure(
                    "ownership_tag", f"{str(tag)!r:.80} is not a valid tag: 1-64 letters, "
                                     "digits and . _ : / - , starting with a letter or digit"))
        schema = self._menu.latest
        known = self._menu.all_props()
        owned = news.get("runtime_owned")
        if owned is not None and not is_unknown(owned) and (
                not isinstance(owned, list | tuple) or not all(isinstance(o, str) for o in owned)):
            failures.append(CheckFailure("runtime_owned", "runtime_owned is a list of property "
                                                          f"names; known: {', '.join(known)}"))
        elif owned is not None and not is_unknown(owned):
            wrong = [name for name in owned if name not in known]
            if wrong:
                failures.append(CheckFailure(
                    "runtime_owned", f"{', '.join(map(str, wrong))}: not properties of "
                                     f"{schema.path}; known: {', '.join(sorted(known))}"))
            else:
                inputs["runtime_owned"] = sorted(owned)
        if news.get("place_before") is not None and self.menu_key not in ORDERED:
            failures.append(CheckFailure("place_before", f"{schema.path} is not an ordered list"))
        comment = news.get("comment")
        if isinstance(comment, str) and not is_unknown(comment) and "[lb:" in comment:
            failures.append(CheckFailure("comment", "`[lb:` is reserved for the ownership tag; "
                                                    "set ownership_tag instead"))
        raw = {k: v for k, v in news.items() if k not in META}
        values, issues = schema.validate(raw)
        unknowns = {k: v for k, v in raw.items() if is_unknown(v)}
        version = check_version(inputs.get("router"), failures)
        if version is not None and not issues:
            # Inputs stay in the newest canonical form, reachable router or not; only the
            # failures depend on the version.
            issues = version_issues(self._menu, {**values, **unknowns}, version)
        failures += [CheckFailure(name, reason) for name, reason in issues]
        inputs.update(values)
        inputs.update(unknowns)
        return CheckResult(inputs, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        replaces: list[str] = []
        changes: list[str] = []
        old_router, new_router = olds.get("router"), news.get("router")
        if is_unknown(new_router) or router_target(old_router) != router_target(new_router):
            replaces.append("router")
        version = version_or_none(olds.get("router_version"))
        schema = self._schema(version)
        owned = self._runtime_owned(news) | self._runtime_owned(olds)
        for name in changed(schema, self._values(olds), self._values(news), owned):
            (replaces if name in schema.replace else changes).append(name)
        if (olds.get("ownership_tag") or None) != (news.get("ownership_tag") or None):
            changes.append("ownership_tag")
        if sorted(olds.get("runtime_owned") or []) != sorted(news.get("runtime_owned") or []):
            changes.append("runtime_owned")
        same_router = "router" not in replaces
        return DiffResult(
            changes=bool(changes or replaces),
            replaces=replaces,
            stables=[],
            # On the same router the replacement carries the same tag and name: it must not
            # adopt the object it replaces, so the old one goes first.
            delete_before_replace=bool(replaces) and same_router,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        self._runtime_owned(props)  # refuses a malformed one before anything is written
        client = self._client(props)
        version = client.version
        schema = versioned(self._menu, self._values(props), version)
        values = self._values(props)
        if schema.kind == "singleton":
            return self._create_singleton(client, schema, props, values, version)
        tag = props.get("ownership_tag")
        name = values.get("name")
        rows: list[dict[str, str]] = []
        if tag or name is not None:
            # Ids, comments and names, shared by the creates of a run (our own adds keep them
            # current); full rows, at most one more print, only when there is something to
            # adopt or refuse.
            known = client.identities(schema.path, names_itself=self.menu_key in NAMES_ITSELF)
            if any(claims(row, tag, name) for row in known):
                rows = client.snapshot(schema.path)
        mine = [row for row in rows if split_comment(row.get("comment"))[1] == tag] if tag else []
        if len(mine) > 1:
            ids = ", ".join(row.get(".id", "?") for row in mine)
            raise RouterError(f"ownership tag {tag!r} is on several items ({ids}); it must be "
                              "unique on the router", path=schema.path, command="add")
        if mine:
            row = mine[0]
            current = self._decode(schema, row, version)
            owned = self._runtime_owned(props)
            self._write(client, schema, row[".id"], current, values, tag, split_comment(
                row.get("comment"))[1], version, owned)
            return CreateResult(row[".id"], self._outputs(props, values, version))
        if "name" in values:
            clash = [row for row in rows if row.get("name") == values["name"]]
            if clash:
                raise RouterError(
                    f"an item named {values['name']!r} exists without this resource's ownership "
                    f"tag; add [lb:{tag}] to its comment to adopt it" if tag else
                    f"an item named {values['name']!r} already exists",
                    path=schema.path, command="add")
        words = schema.encode(values, version)
        if self._has_comment:
            comment = compose_comment(values.get("comment"), tag)
            if comment is not None:
                words["comment"] = comment
        if props.get("place_before") and self.menu_key in ORDERED:
            words["place-before"] = str(props["place_before"])
        id_ = client.add(schema.path, **words)
        return CreateResult(id_, self._outputs(props, values, version))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        client = self._client(props)
        version = client.version
        schema = self._schema(version)
        rows = client.snapshot(schema.path)
        if schema.kind == "singleton":
            row: dict[str, str] | None = rows[0] if rows else None
        else:
            row = next((r for r in rows if r.get(".id") == id_ and carries(r, props)), None)
            if row is None:
                row = same_object(rows, props)
        if row is None:
            return ReadResult("", {})
        current = self._decode(schema, row, version)
        old = self._values(props)
        owned = self._runtime_owned(props)
        values: dict[str, Any] = {}
        for name, prop in schema.by_name.items():
            if name in owned:
                if name in old:
                    values[name] = old[name]
                continue
            if prop.kept_unless_declared and name not in old:
                continue
            if name in current and (name in old or current[name] != prop.default):
                values[name] = current[name]
            elif name in old and prop.default is not None:
                values[name] = prop.default
        outs = {k: props[k] for k in (*META_INPUTS, "previous") if props.get(k) is not None}
        tag = split_comment(row.get("comment"))[1] if self._has_comment else None
        outs.pop("ownership_tag", None)
        if tag is not None:  # absent when None, as create leaves it
            outs["ownership_tag"] = tag
        outs.update(values)
        outs["router_version"] = version_text(version)
        inputs = {k: v for k, v in outs.items() if k not in META_OUTPUTS}
        return ReadResult(row.get(".id", id_) if schema.kind != "singleton" else id_,
                          outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        owned = self._runtime_owned(news) | self._runtime_owned(olds)
        client = self._client(news)
        version = client.version
        schema = versioned(self._menu, self._values(news), version)
        values = self._values(news)
        target = None if schema.kind == "singleton" else self._current_id(
            client, schema.path, id_, olds, command="set")
        args = (self._values(olds), values, news.get("ownership_tag"), olds.get("ownership_tag"),
                version, owned)
        try:
            self._write(client, schema, target, *args)
        except RouterError as exc:
            # Renumbered since the identities were read (a reboot): the id is gone, not the item.
            row = same_object(client.snapshot(schema.path), olds) if exc.is_missing_item else None
            if target is None or row is None:
                raise
            self._write(client, schema, row[".id"], *args)
        outs = self._outputs(news, values, version)
        if olds.get("previous") is not None:
            outs["previous"] = olds["previous"]
        return UpdateResult(outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        client = self._client(props)
        path = self._menu.path
        if self._menu.kind == "singleton":
            restore(client, path, props.get("previous"))
            return
        try:
            target = self._current_id(client, path, id_, props, command="remove")
        except RouterError as exc:
            if not exc.is_missing_item:
                raise
            return  # nothing carries the tag (or name) any more: already gone
        try:
            client.remove(path, target)
        except RouterError as exc:
            if not exc.is_missing_item:
                raise
            # Gone since the identities were read, or renumbered by a reboot meanwhile.
            row = same_object(client.snapshot(path), props)
            if row is not None:
                try:
                    client.remove(path, row[".id"])
                except RouterError as again:
                    if not again.is_missing_item:
                        raise  # a refusal (permissions, ...) must fail the destroy, not pass

    # -- the pieces --------------------------------------------------------------------------

    @staticmethod
    def _client(props: Mapping[str, Any]) -> RouterClient:
        return client_for(RouterSettings.from_inputs(props["router"]))

    def _current_id(self, client: RouterClient, path: str, id_: str,
                    props: Mapping[str, Any], *, command: str) -> str:
        """The `.id` to write to for the resource `props` describe, checked before a `set` or
        `remove` by id: a reboot renumbers every item, and the `.id` in state (an `up` or
        `destroy` without a refresh) may by then be another item's, maybe one that is not ours.
        `id_` when the item there carries the tag (or name); else the one item that does, found
        in the path's identities (one `print` per path per run, shared with every create).
        Raises a missing-item `RouterError` when no item does. Without tag or name: `id_`."""
        if not (props.get("ownership_tag") or props.get("name")):
            return id_
        rows = client.identities(path, names_itself=self.menu_key in NAMES_ITSELF)
        if any(row.get(".id") == id_ and carries(row, props) for row in rows):
            return id_
        row = same_object(rows, props)
        if row is None:
            raise RouterError(f"no such item: {id_} no longer carries "
                              f"{identity_text(props)}, and no single item does",
                              path=path, command=command)
        return row[".id"]

    def _decode(self, schema: MenuSchema, row: Mapping[str, str], version: Version) -> dict:
        current = schema.decode(row, version)
        if self._has_comment:
            comment: Canonical | None = split_comment(row.get("comment"))[0]
            current.pop("comment", None)
            if comment is not None:
                # Canonical like the input (trailing spaces); kept verbatim when it cannot be.
                with contextlib.suppress(ValueError):
                    comment = schema.by_name["comment"].normalise(comment)
            if comment is not None:
                current["comment"] = comment
        return current

    def _write(
        self,
        client: RouterClient,
        schema: MenuSchema,
        id_: str | None,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        new_tag: str | None,
        old_tag: str | None,
        version: Version,
        owned: frozenset[str],
    ) -> None:
        """One `set` that takes the item from `old` to `new` (nothing when they already match)."""
        names = changed(schema, old, new, owned | {"comment"})
        to_set = {name: new[name] for name in names if name in new}
        to_unset: list[str] = []
        for name in names:
            if name not in new:
                default = schema.default_of(name)
                if default is not None:
                    to_set[name] = default
                else:
                    to_unset.append(schema.by_name[name].api_name)
        words = schema.encode(to_set, version)
        if self._has_comment and (
            (old.get("comment") or None, old_tag or None)
            != (new.get("comment") or None, new_tag or None)
        ):
            comment = compose_comment(new.get("comment"), new_tag)
            if comment is None:
                to_unset.append("comment")
            else:
                words["comment"] = comment
        if words or to_unset:
            client.set(schema.path, id_, unset=to_unset, **words)

    def _create_singleton(self, client: RouterClient, schema: MenuSchema, props: Mapping[str, Any],
                          values: dict[str, Any], version: Version) -> CreateResult:
        found = current_settings(client, schema.path)
        current = schema.decode(found, version)
        self._write(client, schema, None, current, values, None, None, version, frozenset())
        outs = self._outputs(props, values, version)
        outs["previous"] = writable(found)
        return CreateResult(SINGLETON_ID, outs)

    def _outputs(self, props: Mapping[str, Any], values: Mapping[str, Canonical],
                 version: Version) -> dict[str, Any]:
        outs = {k: props[k] for k in META_INPUTS if props.get(k) is not None}
        outs.update(values)
        outs["router_version"] = version_text(version)
        return outs


