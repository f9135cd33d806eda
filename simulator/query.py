"""The API query language (`?name`, `?-name`, `?name=x`, `?<name=x`, `?>name=x`, `?#ops`).

Each query word is evaluated against one item's printed properties on a boolean stack; the item
matches when nothing false is left. This module knows printed items and query words, not menus:
the caller passes `canonical(name, value)` to spell a query value as print would (`yes` -> `true`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from simulator.api import Category, CommandError

Canonical = Callable[[str, str], str]

# The work one request's query may do over all the items it is held against, in stack steps
# (a word, an operator, a value copied when `#` rewrites the stack). A print of a few thousand
# items with a dozen query words takes well under a tenth of this; a client that sends tens of
# thousands of `?#.` words is refused instead of holding the router (and every other session)
# for seconds [decided: RouterOS documents no such limit; its text is ours].
MAX_QUERY_STEPS = 1_000_000


class Budget:
    """The steps left to one request's query evaluation."""

    def __init__(self, steps: int = MAX_QUERY_STEPS) -> None:
        self.left = steps

    def spend(self, steps: int) -> None:
        self.left -= steps
        if self.left < 0:
            raise CommandError(
                f"query too complex: more than {MAX_QUERY_STEPS} steps", Category.API_FAILURE
            )


def _same(name: str, value: str) -> str:
    return value


_NUMBER = re.compile(r"-?[0-9]{1,20}")


def _ordered(left: str, right: str) -> tuple[int, int] | tuple[str, str]:
    # Numbers compare as numbers; a longer run of digits (a huge value in some property) as
    # text, never through int() of thousands of digits.
    if _NUMBER.fullmatch(left) and _NUMBER.fullmatch(right):
        return int(left), int(right)
    return left, right


def invalid(word: str) -> CommandError:
    # RouterOS' text for a malformed query word is not in the reference: decided here.
    return CommandError(f"invalid query: {word}", Category.API_FAILURE)


def matches(
    queries: Sequence[str],
    props: Mapping[str, str],
    canonical: Canonical = _same,
    budget: Budget | None = None,
) -> bool:
    """Whether an item with `props` passes the query words (without their leading `?`
    or with it: both are accepted). `budget`, shared by the items of one request, bounds the
    work; without one, each call gets the whole allowance."""
    budget = budget if budget is not None else Budget()
    stack: list[bool] = []
    for raw in queries:
        word = raw[1:] if raw.startswith("?") else raw
        budget.spend(1)
        if word.startswith("#"):
            budget.spend(len(word) + len(stack))
            stack = _operate(word[1:], stack, raw)
            continue
        if word.startswith("-"):
            stack.append(word[1:] not in props)
            continue
        if word[:1] in ("<", ">"):
            name, sep, value = word[1:].partition("=")
            if not sep or not name:
                raise invalid(raw)
            if name not in props:
                stack.append(False)
                continue
            left, right = _ordered(props[name], canonical(name, value))
            stack.append(left < right if word[0] == "<" else left > right)  # type: ignore[operator]
            continue
        if word.startswith("="):
            word = word[1:]
        name, sep, value = word.partition("=")
        if not name:
            raise invalid(raw)
        if not sep:
            stack.append(name in props)
        else:
            # An unset property compares as empty: `?comment=` finds items without a comment
            # [uncertain: inferred from RouterOS treating absent and empty alike in print].
            stack.append(props.get(name, "") == canonical(name, value))
    budget.spend(len(stack))
    return all(stack)


def _operate(ops: str, stack: list[bool], raw: str) -> list[bool]:
    stack = list(stack)
    after_index = False
    for position, op in enumerate(ops):
        if op.isdigit():
            index = int(op)
            if index >= len(stack):
                raise invalid(raw)
            value = stack[-1 - index]
            if position == len(ops) - 1:
                stack = [value]
            else:
                stack.append(value)
            after_index = True
            continue
        if op == ".":
            if not after_index:
                if not stack:
                    raise invalid(raw)
                stack.append(stack[-1])
        elif op == "!":
            if not stack:
                raise invalid(raw)
            stack[-1] = not stack[-1]
        elif op in "&|":
            if len(stack) < 2:
                raise invalid(raw)
            right, left = stack.pop(), stack.pop()
            stack.append(left and right if op == "&" else left or right)
        else:
            raise invalid(raw)
        after_index = False
    return stack
