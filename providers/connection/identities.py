"""What a client remembers of a router between calls: bulk prints and the items' identities.

`Snapshot` is one path's bulk `print`, shared by the reads of a run until a write to the path or
`SNAPSHOT_MAX_AGE`. `Identities` is the same path's `.id` → {comment, name}, kept current by our
own `add`, `set` and `remove` (`apply`), so the creates of a run share one read for their
adoption lookup. Pure bookkeeping: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from providers.connection.reply import split_word

# A refresh reads every resource of a path within seconds; a process that lives longer (a test
# session, a long `up`) must still see changes made behind its back.
SNAPSHOT_MAX_AGE = 10.0

# The verbs whose effect on a path's identities `Identities.apply` can work out from the words.
ACCOUNTED = frozenset({"add", "set", "remove", "move"})
_IDENTITY_KEYS = ("comment", "name")


@dataclass
class Snapshot:
    taken_at: float
    rows: list[dict[str, str]]


@dataclass
class Identities:
    """One path's `.id` → {comment, name} (the keys the item has), as of a bulk `print` plus our
    own writes since. `apply` says whether a write could be accounted for; if not, it is dropped.
    """

    taken_at: float
    items: dict[str, dict[str, str]]

    @classmethod
    def of(cls, taken_at: float, rows: list[dict[str, str]]) -> Identities:
        return cls(taken_at, {row[".id"]: {k: row[k] for k in _IDENTITY_KEYS if k in row}
                              for row in rows if ".id" in row})

    def rows(self) -> list[dict[str, str]]:
        return [{".id": id_, **known} for id_, known in self.items.items()]

    def apply(self, verb: str, words: list[str], ret: str | None, *, names_itself: bool) -> bool:
        attrs = dict(split_word(word) for word in words if word.startswith("="))
        touched = [k for k in attrs if k.lstrip("!") in _IDENTITY_KEYS]
        ids = [i for i in attrs.get(".id", "").split(",") if i]
        if verb == "move":
            return True
        if verb == "add":
            if not ret or ret in self.items or "copy-from" in attrs:
                return False
            if names_itself and "name" not in attrs:
                return False  # the router picked a name we do not know
            self.items[ret] = {k: attrs[k] for k in _IDENTITY_KEYS if k in attrs}
            return True
        if verb == "remove":
            if not ids or any(i not in self.items for i in ids):
                return False  # a name for an `.id`, or an item we never saw
            for i in ids:
                del self.items[i]
            return True
        if verb == "set":
            if not touched:
                return True
            if not ids or any(i not in self.items for i in ids):
                return False
            for i in ids:
                for key in touched:
                    if key.startswith("!"):
                        self.items[i].pop(key[1:], None)
                    else:
                        self.items[i][key] = attrs[key]
            return True
        return False
