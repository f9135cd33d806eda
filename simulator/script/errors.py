"""The one exception a script run raises, carrying what a person needs to find the fault.

Knows nothing about the router or the API: the interpreter translates router traps into it.
"""

from __future__ import annotations


class ScriptError(Exception):
    """A script that cannot be parsed or fails while running.

    `message` is the text RouterOS would show (syntax errors already end in
    `(line L column C)`, as RouterOS prints them); `line` and `column` (1-based) point at the
    construct that failed. `category` is the router's trap category when a command was refused.
    `output` is what the script printed before it failed.
    """

    def __init__(
        self, message: str, line: int = 0, column: int = 0, category: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.category = category
        self.output = ""

    def __str__(self) -> str:
        return self.message

    @property
    def located(self) -> str:
        """The message with its position, unless the message already names it."""
        if self.line == 0 or "(line " in self.message:
            return self.message
        return f"{self.message} (line {self.line} column {self.column})"


def syntax_error(line: int, column: int) -> ScriptError:
    return ScriptError(f"syntax error (line {line} column {column})", line, column)


def expected_end(line: int, column: int) -> ScriptError:
    return ScriptError(f"expected end of command (line {line} column {column})", line, column)
