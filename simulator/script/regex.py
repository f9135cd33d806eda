"""POSIX extended regular expressions for the script's `~` operator, matched in linear time.

RouterOS matches `~` with POSIX extended regexes, which have no backreferences, so a Thompson
automaton can answer "does it match anywhere?" without backtracking: a pattern such as `(a+)+$`
cannot hang the simulator, whatever the subject. Python's `re` backtracks and has no timeout,
which is why this module exists. It answers only whether a match exists (no groups).

Supported: literals, `.`, bracket expressions (ranges, `^` negation, `[:digit:]`-style classes),
`^`, `$`, groups, `|`, `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}`; `\\x` is the literal x.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_PATTERN = 1024
MAX_REPEAT = 255  # POSIX RE_DUP_MAX
MAX_STATES = 20_000
MAX_WORK = 20_000_000  # states x subject characters per match: seconds, not hours


class RegexError(Exception):
    """A pattern that does not compile, or one too big to match within the work bound."""


_CLASSES = {
    "alpha": str.isalpha, "digit": str.isdigit, "alnum": str.isalnum,
    "upper": str.isupper, "lower": str.islower, "space": str.isspace,
    "xdigit": lambda c: c in "0123456789abcdefABCDEF",
    "punct": lambda c: c.isprintable() and not c.isalnum() and not c.isspace(),
    "print": str.isprintable, "graph": lambda c: c.isprintable() and not c.isspace(),
    "cntrl": lambda c: ord(c) < 32 or ord(c) == 127, "blank": lambda c: c in " \t",
}  # fmt: skip


@dataclass
class _Set:
    """A one-character test: a bracket expression or `.`."""

    negated: bool = False
    chars: set[str] = field(default_factory=set)
    ranges: list[tuple[str, str]] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    any: bool = False

    def matches(self, char: str) -> bool:
        if self.any:
            return True
        hit = (
            char in self.chars
            or any(low <= char <= high for low, high in self.ranges)
            or any(_CLASSES[name](char) for name in self.classes)
        )
        return hit != self.negated


# Syntax: ("char", c) ("set", _Set) ("bol",) ("eol",) ("cat", [nodes]) ("alt", [nodes])
# ("rep", node, min, max|None) ("empty",)
_Tree = tuple


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0

    def fail(self, why: str) -> RegexError:
        return RegexError(f"{why} at position {self.i + 1}")

    def parse(self) -> _Tree:
        tree = self.alternation()
        if self.i < len(self.p):
            raise self.fail("unmatched )")
        return tree

    def alternation(self) -> _Tree:
        branches = [self.concatenation()]
        while self.i < len(self.p) and self.p[self.i] == "|":
            self.i += 1
            branches.append(self.concatenation())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def concatenation(self) -> _Tree:
        items: list[_Tree] = []
        while self.i < len(self.p) and self.p[self.i] not in "|)":
            items.append(self.repetition())
        return ("cat", items) if items else ("empty",)

    def repetition(self) -> _Tree:
        atom = self.atom()
        while self.i < len(self.p) and self.p[self.i] in "*+?{":
            if atom[0] in ("bol", "eol"):
                raise self.fail("nothing to repeat")
            char = self.p[self.i]
            self.i += 1
            if char == "*":
                atom = ("rep", atom, 0, None)
            elif char == "+":
                atom = ("rep", atom, 1, None)
            elif char == "?":
                atom = ("rep", atom, 0, 1)
            else:
                atom = ("rep", atom, *self.bounds())
        return atom

    def bounds(self) -> tuple[int, int | None]:
        end = self.p.find("}", self.i)
        if end < 0:
            raise self.fail("unmatched {")
        text = self.p[self.i : end]
        self.i = end + 1
        low_text, comma, high_text = text.partition(",")
        try:
            low = int(low_text)
            high = (int(high_text) if high_text else None) if comma else low
        except ValueError:
            raise self.fail("invalid repetition count") from None
        if low > MAX_REPEAT or (high is not None and (high > MAX_REPEAT or high < low)):
            raise self.fail("invalid repetition count")
        return low, high

    def atom(self) -> _Tree:
        char = self.p[self.i]
        self.i += 1
        if char == "(":
            inner = self.alternation()
            if self.i >= len(self.p) or self.p[self.i] != ")":
                raise self.fail("unmatched (")
            self.i += 1
            return inner
        if char in "*+?{":
            raise self.fail("nothing to repeat")
        if char == "^":
            return ("bol",)
        if char == "$":
            return ("eol",)
        if char == ".":
            return ("set", _Set(any=True))
        if char == "[":
            return ("set", self.bracket())
        if char == "\\":
            if self.i >= len(self.p):
                raise self.fail("trailing backslash")
            self.i += 1
            return ("char", self.p[self.i - 1])
        return ("char", char)

    def bracket(self) -> _Set:
        result = _Set()
        if self.i < len(self.p) and self.p[self.i] == "^":
            result.negated = True
            self.i += 1
        first = True
        while True:
            if self.i >= len(self.p):
                raise self.fail("unmatched [")
            char = self.p[self.i]
            if char == "]" and not first:
                self.i += 1
                return result
            first = False
            if self.p.startswith("[:", self.i):
                end = self.p.find(":]", self.i + 2)
                name = self.p[self.i + 2 : end] if end >= 0 else ""
                if name not in _CLASSES:
                    raise self.fail("invalid character class")
                result.classes.append(name)
                self.i = end + 2
                continue
            self.i += 1
            if self.i + 1 < len(self.p) and self.p[self.i] == "-" and self.p[self.i + 1] != "]":
                high = self.p[self.i + 1]
                if high < char:
                    raise self.fail("invalid range")
                result.ranges.append((char, high))
                self.i += 2
            else:
                result.chars.add(char)


# The automaton: each state is ("char", c, next) | ("set", s, next) | ("split", a, b)
# | ("bol", next) | ("eol", next) | ("eps", next) | ("match",)


class Regex:
    """A compiled pattern; `search(text)` says whether it matches anywhere in `text`."""

    def __init__(self, pattern: str) -> None:
        if len(pattern) > MAX_PATTERN:
            raise RegexError(f"pattern longer than {MAX_PATTERN} characters")
        self.pattern = pattern
        self.states: list[list] = []
        tree = _Parser(pattern).parse()
        accept = self._new(["match"])
        self.start = self._build(tree, accept)

    def _new(self, state: list) -> int:
        if len(self.states) >= MAX_STATES:
            raise RegexError("pattern too complex")
        self.states.append(state)
        return len(self.states) - 1

    def _build(self, tree: _Tree, nxt: int) -> int:
        """The state that matches `tree` and then continues at `nxt` (built back to front)."""
        kind = tree[0]
        if kind == "empty":
            return nxt
        if kind in ("char", "set"):
            return self._new([kind, tree[1], nxt])
        if kind in ("bol", "eol"):
            return self._new([kind, nxt])
        if kind == "cat":
            for item in reversed(tree[1]):
                nxt = self._build(item, nxt)
            return nxt
        if kind == "alt":
            starts = [self._build(branch, nxt) for branch in tree[1]]
            head = starts[-1]
            for start in reversed(starts[:-1]):
                head = self._new(["split", start, head])
            return head
        _, body, low, high = tree
        if high is None:
            loop = self._new(["split", -1, nxt])
            self.states[loop][1] = self._build(body, loop)
            head = loop
        else:
            head = nxt
            for _ in range(high - low):
                head = self._new(["split", self._build(body, head), nxt])
        for _ in range(low):
            head = self._build(body, head)
        return head

    def _closure(self, seeds: list[int], at_start: bool, at_end: bool, into: set[int]) -> bool:
        """Add the states reachable without reading; True when the match state is reached."""
        stack = list(seeds)
        while stack:
            index = stack.pop()
            if index in into:
                continue
            into.add(index)
            state = self.states[index]
            kind = state[0]
            if kind == "match":
                return True
            if kind == "split":
                stack.extend((state[2], state[1]))
            elif kind == "eps" or (kind == "bol" and at_start) or (kind == "eol" and at_end):
                stack.append(state[1])
        return False

    def work(self, text: str) -> int:
        """The most steps a search of `text` can take: every state at every position."""
        return len(self.states) * (len(text) + 1)

    def search(self, text: str) -> bool:
        if self.work(text) > MAX_WORK:
            raise RegexError("subject too long for this pattern")
        current: set[int] = set()
        for position in range(len(text) + 1):
            at_end = position == len(text)
            if self._closure([self.start], position == 0, at_end, current):
                return True
            if at_end:
                return False
            char = text[position]
            advanced: list[int] = []
            for index in current:
                state = self.states[index]
                if (state[0] == "char" and state[1] == char) or (
                    state[0] == "set" and state[1].matches(char)
                ):
                    advanced.append(state[2])
            current = set()
            if self._closure(advanced, False, position + 1 == len(text), current):
                return True
        return False
