"""One reading of a RouterOS version, for the connection layer and the providers."""

from __future__ import annotations

import pytest

from routeros_vocabulary.versions import parse_version, version_or_none, version_text


@pytest.mark.parametrize(("text", "version"), [
    ("7.20.4 (stable)", (7, 20, 4)), ("6.49.18 (long-term)", (6, 49, 18)), ("7.20", (7, 20, 0)),
    ("7", (7, 0, 0)), ("7.21beta2", (7, 21, 0)), ("7.20rc1 (testing)", (7, 20, 0)),
    ("7.12.1", (7, 12, 1)),
])
def test_versions_read_as_the_release_they_are(text: str, version: tuple[int, int, int]) -> None:
    assert parse_version(text) == version


@pytest.mark.parametrize("text", ["", "stable", "v7.20", "7.20.4.1", None])
def test_text_without_a_version_is_refused(text: object) -> None:
    with pytest.raises(ValueError, match="not a RouterOS version"):
        parse_version(text)
    assert version_or_none(text) is None


def test_the_text_form_reads_back() -> None:
    assert parse_version(version_text((6, 49, 18))) == (6, 49, 18)
