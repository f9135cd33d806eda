"""Which router item a resource stands for: its ownership tag, else its name.

`.id`s change when the router reboots; tags and names do not, so every lifecycle call that finds
its `.id` gone or taken looks the item up by these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from routeros_vocabulary.tags import split_comment


def claims(row: Mapping[str, str], tag: str | None, name: Any) -> bool:
    """Whether an item is create's business: it carries the tag, or the name being created."""
    return bool((tag and split_comment(row.get("comment"))[1] == tag)
                or (name is not None and row.get("name") == name))


def carries(row: Mapping[str, str], props: Mapping[str, Any]) -> bool:
    """Whether `row` is the item a resource with these properties stands for: it carries the
    resource's ownership tag; without a tag, it is the untagged item with the resource's name.
    A resource with neither cannot tell (True)."""
    tag = props.get("ownership_tag")
    if tag:
        return split_comment(row.get("comment"))[1] == tag
    if props.get("name"):
        return row.get("name") == props["name"] and split_comment(row.get("comment"))[1] is None
    return True


def same_object(rows: list[dict[str, str]], props: Mapping[str, Any]) -> dict[str, str] | None:
    """The item a resource whose `.id` is gone (or taken by another item) stands for: `.id`s
    change when the router reboots, tags and names do not. The one item with its ownership tag;
    without a tag, the untagged item with its name (names are unique in their menu). None when
    neither is found."""
    if not (props.get("ownership_tag") or props.get("name")):
        return None
    found = [r for r in rows if carries(r, props)]
    return found[0] if len(found) == 1 else None


def identity_text(props: Mapping[str, Any]) -> str:
    tag = props.get("ownership_tag")
    return f"the tag [lb:{tag}]" if tag else f"the name {props.get('name')!r}"
