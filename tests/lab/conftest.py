"""The lab tools' tests use the tools' stack files (a three-server service)."""

from tests.tools.conftest import stacks  # noqa: F401 - a fixture, found by name
