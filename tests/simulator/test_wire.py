"""The wire codec in memory: lengths in all forms, sentences whole, byte by byte, and with junk."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.wire import (
    MAX_ENCODABLE,
    SentenceReader,
    WireError,
    decode_length,
    encode_length,
    encode_sentence,
    encode_word,
)

words = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=255), max_size=300)
sentences = st.lists(words.filter(bool), min_size=1, max_size=8)


@pytest.mark.parametrize(
    ("length", "encoded"),
    [
        (0, b"\x00"),
        (0x7F, b"\x7f"),
        (0x80, b"\x80\x80"),
        (0x3FFF, b"\xbf\xff"),
        (0x4000, b"\xc0\x40\x00"),
        (0x1FFFFF, b"\xdf\xff\xff"),
        (0x200000, b"\xe0\x20\x00\x00"),
        (0xFFFFFFF, b"\xef\xff\xff\xff"),
    ],
)
def test_length_forms_at_their_boundaries(length: int, encoded: bytes) -> None:
    assert encode_length(length) == encoded
    assert decode_length(encoded) == (length, len(encoded))


def test_five_byte_form_is_decoded_but_never_emitted() -> None:
    assert decode_length(b"\xf0\x10\x00\x00\x00") == (MAX_ENCODABLE, 5)
    assert decode_length(b"\xf0\x00\x00\x00\x05") == (5, 5)
    with pytest.raises(ValueError, match="5-byte"):
        encode_length(MAX_ENCODABLE)


@given(st.integers(min_value=0, max_value=MAX_ENCODABLE - 1))
def test_length_round_trip(length: int) -> None:
    encoded = encode_length(length)
    assert decode_length(encoded) == (length, len(encoded))
    assert decode_length(encoded[:-1]) is None


@pytest.mark.parametrize("control", [0xF8, 0xF9, 0xFF])
def test_reserved_control_bytes_are_wire_errors(control: int) -> None:
    with pytest.raises(WireError, match="control byte"):
        decode_length(bytes([control]))


@given(st.lists(sentences, min_size=1, max_size=4))
def test_sentences_round_trip_whole(batch: list[list[str]]) -> None:
    reader = SentenceReader()
    reader.feed(b"".join(encode_sentence(s) for s in batch))
    assert list(reader) == batch
    assert not reader.pending


@given(st.lists(sentences, min_size=1, max_size=3))
def test_sentences_round_trip_byte_by_byte(batch: list[list[str]]) -> None:
    reader = SentenceReader()
    got: list[list[str]] = []
    for byte in b"".join(encode_sentence(s) for s in batch):
        reader.feed(bytes([byte]))
        got.extend(reader)
    assert got == batch


def test_every_byte_value_survives() -> None:
    word = bytes(range(256)).decode("latin-1")
    reader = SentenceReader()
    reader.feed(encode_sentence(["/x", word]))
    assert reader.next_sentence() == ["/x", word]


def test_long_words_use_longer_prefixes() -> None:
    word = "a" * 0x4000
    assert encode_word(word)[:3] == b"\xc0\x40\x00"
    reader = SentenceReader()
    reader.feed(encode_sentence([word]))
    assert reader.next_sentence() == [word]


def test_five_byte_prefix_from_a_client_is_read() -> None:
    reader = SentenceReader()
    reader.feed(b"\xf0\x00\x00\x00\x05/quit\x00")
    assert reader.next_sentence() == ["/quit"]


def test_empty_sentences_are_skipped() -> None:
    reader = SentenceReader()
    reader.feed(b"\x00\x00" + encode_sentence(["/a"]) + b"\x00")
    assert reader.next_sentence() == ["/a"]
    assert reader.next_sentence() is None


def test_junk_after_a_sentence_is_left_for_the_next_call() -> None:
    reader = SentenceReader()
    reader.feed(encode_sentence(["/a", "=b=c"]) + b"\xff")
    assert reader.next_sentence() == ["/a", "=b=c"]
    with pytest.raises(WireError):
        reader.next_sentence()


def test_half_sentence_is_pending() -> None:
    reader = SentenceReader()
    reader.feed(encode_word("/a") + b"\x05ab")
    assert reader.next_sentence() is None
    assert reader.pending


def test_huge_word_is_refused_from_its_prefix_alone() -> None:
    reader = SentenceReader(max_word=100)
    reader.feed(encode_length(101))
    with pytest.raises(WireError, match="exceeds"):
        reader.next_sentence()


def test_huge_sentence_is_refused() -> None:
    reader = SentenceReader(max_word=100, max_sentence=250)
    reader.feed(encode_word("a" * 100) * 3)
    with pytest.raises(WireError, match="sentence"):
        reader.next_sentence()
