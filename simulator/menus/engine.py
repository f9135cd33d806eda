"""The generic menu engine: list menus (add, set, unset, remove, enable, disable, move, print,
get) and singleton menus (print, set), driven by a `Schema`.

Menu families subclass these and override the hooks (`check`, `on_add`, `on_edit`, `printed`,
`extra_verbs`). The engine knows the API's generic commands and RouterOS' refusals; it knows no
particular menu and nothing of sockets or the behaviour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from simulator.api import Category, CommandError, Request, Response
from simulator.query import Budget, matches
from simulator.schema import Schema

if TYPE_CHECKING:
    from simulator.router import Router

Handler = Callable[["Router", Request], Response]

# Print options the API accepts and that change nothing in what we answer: `detail` only adds
# default values to the CLI's terse view, and the API always sends every property.
_PRINT_FLAGS = {"detail", "without-paging", "terse", "brief", "follow", "follow-only", "value-list"}

# The one captured text for changing a dynamic firewall rule (the fasttrack dummy rule):
# pear2/Net_RouterOS issue 36. We use it for every refusal of a dynamic item, including as a
# move destination, where no capture exists.
DYNAMIC_REFUSAL = "failure: cannot change builtin"


@dataclass
class Item:
    id: int
    props: dict[str, str] = field(default_factory=dict)
    dynamic: bool = False

    @property
    def printed_id(self) -> str:
        return format_id(self.id)


def format_id(number: int) -> str:
    return f"*{number:X}"


def parse_id(text: str) -> int | None:
    if text.startswith("*"):
        try:
            return int(text[1:], 16)
        except ValueError:
            return None
    return None


def no_such_command(word: str) -> CommandError:
    return CommandError(
        f"no such command or directory ({word})", Category.MISSING_ITEM_OR_COMMAND
    )


def no_such_item() -> CommandError:
    # Real routers send this without a category.
    return CommandError("no such item (4)")


class Menu:
    """A path that answers commands."""

    path: str

    def verbs(self) -> dict[str, Handler]:
        return {}

    def handle(self, router: Router, request: Request) -> Response:
        handler = self.verbs().get(request.verb)
        if handler is None:
            raise no_such_command(request.verb)
        return handler(router, request)


class ListMenu(Menu):
    """A list of items with ids; `ordered` menus also move and place-before; `key` names the
    property that must be unique and that `.id` also accepts (`name` for scripts)."""

    ordered = False
    key: str | None = None
    writable = True

    def __init__(self, path: str, schema: Schema) -> None:
        self.path = path
        self.schema = schema
        self.items: list[Item] = []
        self.next_id = 1

    # hooks ---------------------------------------------------------------------------------

    def check(self, router: Router, props: dict[str, str], item: Item | None) -> None:
        """Refuse a would-be item (`item` is None on add) with a `CommandError`."""
        for prop in self.schema.props.values():
            if prop.required and prop.name not in props:
                # [uncertain] text for a missing required property; RouterOS says
                # `failure: chain not specified`-style messages we have not captured.
                raise CommandError(f"failure: {prop.name} not specified")

    def on_add(self, router: Router, request: Request, props: dict[str, str]) -> None:
        """Fill read-only values at creation (owner, start date)."""

    def on_edit(self, router: Router, item: Item) -> None:
        """Called after set/unset/enable/disable changed an item."""

    def printed(self, router: Router, item: Item) -> dict[str, str]:
        return {".id": item.printed_id, **item.props}

    def extra_verbs(self) -> dict[str, Handler]:
        return {}

    def default_for(self, item: Item, name: str) -> str | None:
        """The value a property has when unset, printed or not (v7 netwatch's interval)."""
        prop = self.schema.props.get(name)
        return prop.default if prop is not None else None

    def canonical(self, name: str, value: str) -> str:
        if name == ".id":
            number = parse_id(value)
            return format_id(number) if number is not None else value
        return self.schema.canonical(name, value)

    # internal API for the behaviour ---------------------------------------------------------

    def allocate_id(self) -> int:
        number = self.next_id
        self.next_id += 1
        return number

    def add_internal(self, props: dict[str, str], *, dynamic: bool = True,
                     index: int | None = None) -> Item:
        """Add an item as the router itself does (conntrack entries, dynamic rules): no
        validation, no change notification."""
        props = dict(props)
        if dynamic and "dynamic" in self.schema:
            props["dynamic"] = "true"
        item = Item(self.allocate_id(), props, dynamic)
        if index is None:
            self.items.append(item)
        else:
            self.items.insert(index, item)
        return item

    def renumber(self) -> None:
        """Give every item a new id, in list order, above every id given before (a reboot:
        ids change, order stays, an old id never comes back)."""
        for item in self.items:
            item.id = self.allocate_id()

    def get(self, number: int) -> Item | None:
        for item in self.items:
            if item.id == number:
                return item
        return None

    def remove_internal(self, numbers: Iterable[int]) -> None:
        gone = set(numbers)
        self.items = [i for i in self.items if i.id not in gone]

    # id resolution --------------------------------------------------------------------------

    def resolve(self, text: str) -> Item:
        number = parse_id(text)
        for item in self.items:
            if number is not None and item.id == number:
                return item
            if number is None and self.key is not None and item.props.get(self.key) == text:
                return item
        raise no_such_item()

    def resolve_list(self, text: str) -> list[Item]:
        if not text:
            raise no_such_item()
        found: list[Item] = []
        for part in text.split(","):
            item = self.resolve(part.strip())
            if item not in found:
                found.append(item)
        return found

    def refuse_dynamic(self, items: Iterable[Item]) -> None:
        if any(item.dynamic for item in items):
            raise CommandError(DYNAMIC_REFUSAL)

    @staticmethod
    def ids_argument(request: Request) -> str | None:
        # `numbers` is the CLI's name for the same argument; the API accepts both.
        return request.attributes.get(".id", request.attributes.get("numbers"))

    # verbs ----------------------------------------------------------------------------------

    def verbs(self) -> dict[str, Handler]:
        table: dict[str, Handler] = {
            "print": self.print_,
            "getall": self.print_,
            "get": self.get_,
        }
        if self.writable:
            table.update(add=self.add, set=self.set_, unset=self.unset, remove=self.remove)
            if "disabled" in self.schema:
                table.update(enable=self.enable, disable=self.disable)
            if self.ordered:
                table["move"] = self.move
        table.update(self.extra_verbs())
        return table

    def add(self, router: Router, request: Request) -> Response:
        attributes = dict(request.attributes)
        attributes.pop(".tag", None)
        place_before = attributes.pop("place-before", None) if self.ordered else None
        copy_from = attributes.pop("copy-from", None)
        given = self.schema.parse(attributes)
        props: dict[str, str] = {}
        if copy_from is not None:
            source = self.resolve(copy_from)
            props.update({
                k: v for k, v in source.props.items()
                if k in self.schema.props and not self.schema.props[k].read_only
            })
        else:
            props.update(self.schema.defaults(read_only=False))
        for name, value in given.items():
            if value is None:
                props.pop(name, None)
            else:
                props[name] = value
        props.update(self.schema.defaults(read_only=True))
        self.on_add(router, request, props)
        self.check(router, props, None)
        index = len(self.items)
        if place_before is not None:
            anchor = self.resolve(place_before)
            self.refuse_dynamic([anchor])
            index = self.items.index(anchor)
        item = Item(self.allocate_id(), self.schema.ordered(props))
        self.items.insert(index, item)
        router.notify_change(self.path, "add", [item.id])
        return Response(ret=item.printed_id)

    def _targets(self, router: Router, request: Request) -> list[Item] | None:
        ids = self.ids_argument(request)
        if ids is None:
            if router.profile.is_v7:
                raise CommandError("missing =.id=")
            return None  # 6.49 silently does nothing
        items = self.resolve_list(ids)
        self.refuse_dynamic(items)
        return items

    def _edit(self, router: Router, request: Request, verb: str,
              changes: dict[str, str | None]) -> Response:
        items = self._targets(router, request)
        if not items:
            return Response()
        planned: list[tuple[Item, dict[str, str]]] = []
        for item in items:
            props = dict(item.props)
            for name, value in changes.items():
                if value is None:
                    prop = self.schema.props[name]
                    if prop.required:
                        # [uncertain] RouterOS' text for unsetting a required property.
                        raise CommandError(f"failure: can not unset {name}")
                    if prop.default is not None and prop.printed:
                        props[name] = prop.default
                    else:
                        props.pop(name, None)
                else:
                    props[name] = value
            self.check(router, props, item)
            planned.append((item, self.schema.ordered(props)))
        for item, props in planned:
            item.props = props
            self.on_edit(router, item)
        router.notify_change(self.path, verb, [item.id for item in items])
        return Response()

    def set_(self, router: Router, request: Request) -> Response:
        attributes = {
            k: v for k, v in request.attributes.items() if k not in (".id", "numbers", ".tag")
        }
        return self._edit(router, request, "set", dict(self.schema.parse(attributes)))

    def unset(self, router: Router, request: Request) -> Response:
        names = request.attributes.get("value-name", "")
        changes: dict[str, str | None] = {}
        for name in filter(None, names.split(",")):
            changes.update(self.schema.parse({"!" + name: ""}))
        return self._edit(router, request, "unset", changes)

    def enable(self, router: Router, request: Request) -> Response:
        return self._edit(router, request, "enable", {"disabled": "false"})

    def disable(self, router: Router, request: Request) -> Response:
        return self._edit(router, request, "disable", {"disabled": "true"})

    def remove(self, router: Router, request: Request) -> Response:
        items = self._targets(router, request)
        if not items:
            return Response()
        self.remove_internal(item.id for item in items)
        router.notify_change(self.path, "remove", [item.id for item in items])
        return Response()

    def move(self, router: Router, request: Request) -> Response:
        numbers = request.attributes.get("numbers", request.attributes.get(".id"))
        if numbers is None:
            raise CommandError("missing =numbers=" if router.profile.is_v7 else "missing =.id=")
        moving = self.resolve_list(numbers)
        self.refuse_dynamic(moving)
        destination_text = request.attributes.get("destination")
        destination = None
        if destination_text is not None and destination_text != "":
            destination = self.resolve(destination_text)
            self.refuse_dynamic([destination])
        rest = [item for item in self.items if item not in moving]
        if destination is None or destination in moving:
            # Moving an item before itself keeps the block where the destination was.
            index = len(rest) if destination is None else self._block_index(moving, destination)
        else:
            index = rest.index(destination)
        self.items = rest[:index] + moving + rest[index:]
        router.notify_change(self.path, "move", [item.id for item in moving])
        return Response()

    def _block_index(self, moving: list[Item], destination: Item) -> int:
        position = self.items.index(destination)
        return sum(1 for item in self.items[:position] if item not in moving)

    def select(self, router: Router, request: Request) -> list[dict[str, str]]:
        rows = (self.printed(router, item) for item in self.items)
        budget = Budget()  # one allowance for the whole request, not per item
        return [row for row in rows if matches(request.queries, row, self.canonical, budget)]

    def print_(self, router: Router, request: Request) -> Response:
        attributes = request.attributes
        for name in attributes:
            if name not in (".proplist", "count-only", ".tag", "where", "from") \
                    and name not in _PRINT_FLAGS:
                raise self.schema.unknown(name)
        rows = self.select(router, request)
        if "count-only" in attributes:
            return Response(ret=str(len(rows)))
        return Response(items=proplist(rows, attributes.get(".proplist")))

    def get_(self, router: Router, request: Request) -> Response:
        """`get =.id=X =value-name=p` returns the value as `ret`; without value-name, the item."""
        ids = self.ids_argument(request)
        if ids is None:
            raise CommandError("missing =.id=")
        row = self.printed(router, self.resolve(ids))
        name = request.attributes.get("value-name")
        if name is None:
            return Response(items=[row])
        if name not in self.schema and name not in row:
            raise self.schema.unknown(name)
        return Response(ret=row.get(name, ""))


def proplist(rows: list[dict[str, str]], wanted: str | None) -> list[dict[str, str]]:
    if wanted is None:
        return rows
    names = [n for n in wanted.split(",") if n]
    return [{n: row[n] for n in names if n in row} for row in rows]


class SingletonMenu(Menu):
    """A menu with one unnamed item: print answers one `!re` without `.id`; set takes no id."""

    writable = True

    def __init__(self, path: str, schema: Schema) -> None:
        self.path = path
        self.schema = schema
        self.props: dict[str, str] = dict(schema.defaults())

    def printed(self, router: Router) -> dict[str, str]:
        return dict(self.props)

    def check(self, router: Router, props: dict[str, str]) -> None:
        return None

    def verbs(self) -> dict[str, Handler]:
        table: dict[str, Handler] = {"print": self.print_, "getall": self.print_, "get": self.get_}
        if self.writable:
            table["set"] = self.set_
        return table

    def print_(self, router: Router, request: Request) -> Response:
        for name in request.attributes:
            if name not in (".proplist", ".tag") and name not in _PRINT_FLAGS:
                raise self.schema.unknown(name)
        row = self.printed(router)
        if not matches(request.queries, row, self.schema.canonical):
            return Response()
        return Response(items=proplist([row], request.attributes.get(".proplist")))

    def get_(self, router: Router, request: Request) -> Response:
        name = request.attributes.get("value-name")
        row = self.printed(router)
        if name is None:
            return Response(items=[row])
        if name not in row and name not in self.schema:
            raise self.schema.unknown(name)
        return Response(ret=row.get(name, ""))

    def set_(self, router: Router, request: Request) -> Response:
        attributes = {k: v for k, v in request.attributes.items() if k != ".tag"}
        changes = self.schema.parse(attributes)
        props = dict(self.props)
        for name, value in changes.items():
            if value is None:
                default = self.schema.props[name].default
                if default is None:
                    props.pop(name, None)
                else:
                    props[name] = default
            else:
                props[name] = value
        self.check(router, props)
        self.props = self.schema.ordered(props)
        router.notify_change(self.path, "set", [])
        return Response()
