"""Long runs show progress on a terminal, and nothing when the output is not one."""

import io

from tools.cli_common import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_counts_on_a_terminal_and_clears_its_line() -> None:
    stream = Terminal()
    progress = Progress("simulating", 3, stream)
    for _ in range(3):
        progress.step()
    progress.finish()
    written = stream.getvalue()
    assert "\rsimulating: 1/3" in written
    assert "\rsimulating: 3/3" in written
    assert written.endswith("\r")


def test_progress_is_silent_when_not_on_a_terminal() -> None:
    stream = io.StringIO()
    progress = Progress("simulating", 3, stream)
    progress.step()
    progress.finish()
    assert stream.getvalue() == ""
