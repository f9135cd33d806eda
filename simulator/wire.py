"""The RouterOS API wire codec: length-prefixed words grouped into zero-terminated sentences.

Sans-IO: bytes in, sentences out (`SentenceReader`); sentences in, bytes out (`encode_sentence`).
It knows nothing of commands, replies, sessions or sockets. Words are `str` decoded as latin-1,
so every byte value survives a round trip whatever the client's own encoding.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

# A word longer than this ends the session. The longest legitimate word is a script source or a
# comment; a whole exported configuration fits in well under 1 MiB. Without a cap, one length
# prefix (up to 4 GiB with the 5-byte form) would make the server buffer whatever the peer sends.
MAX_WORD = 1 << 20
# Likewise for a whole sentence, so many words just under the cap cannot do the same.
MAX_SENTENCE = 4 << 20
# And for the number of words in one sentence: a word costs the server far more than its bytes
# (a Python string each), so 4 MiB of one-byte words would cost hundreds of MiB. No command a
# client sends needs more than a few hundred words (attributes and query words).
MAX_WORDS = 1 << 16

# librouteros cannot read the 5-byte form, so we never emit lengths this large.
MAX_ENCODABLE = 0x10000000


class WireError(Exception):
    """The peer sent bytes that are not a valid API word or sentence."""


def encode_length(length: int) -> bytes:
    """The 1- to 4-byte length prefix; the 5-byte form is decoded but never emitted."""
    if length < 0:
        raise ValueError(f"negative length {length}")
    if length < 0x80:
        return length.to_bytes(1, "big")
    if length < 0x4000:
        return (length | 0x8000).to_bytes(2, "big")
    if length < 0x200000:
        return (length | 0xC00000).to_bytes(3, "big")
    if length < MAX_ENCODABLE:
        return (length | 0xE0000000).to_bytes(4, "big")
    raise ValueError(f"length {length} needs the 5-byte form, which clients cannot read")


def decode_length(data: bytes | bytearray, offset: int = 0) -> tuple[int, int] | None:
    """The length prefix at `offset` as `(length, prefix size)`, or None until more bytes come.

    Raises `WireError` for a reserved control byte (first byte 0xF8 or above).
    """
    if offset >= len(data):
        return None
    first = data[offset]
    if first < 0x80:
        size, mask = 1, 0
    elif first < 0xC0:
        size, mask = 2, 0x8000
    elif first < 0xE0:
        size, mask = 3, 0xC00000
    elif first < 0xF0:
        size, mask = 4, 0xE0000000
    elif first == 0xF0:
        size, mask = 5, 0xF000000000
    else:
        raise WireError(f"reserved control byte 0x{first:02X}")
    if offset + size > len(data):
        return None
    value = int.from_bytes(data[offset : offset + size], "big") ^ mask
    return value, size


def encode_word(word: str) -> bytes:
    raw = word.encode("latin-1")
    return encode_length(len(raw)) + raw


def encode_sentence(words: Iterable[str]) -> bytes:
    return b"".join(encode_word(word) for word in words) + b"\x00"


class SentenceReader:
    """Accumulates bytes and hands out complete sentences.

    `feed(data)` stores bytes; `next_sentence()` returns the next complete sentence as a list of
    words, or None when more bytes are needed. Empty sentences are skipped, as RouterOS does.
    Once it has raised `WireError` the stream is unusable: the caller must end the session.
    """

    def __init__(
        self, max_word: int = MAX_WORD, max_sentence: int = MAX_SENTENCE,
        max_words: int = MAX_WORDS,
    ) -> None:
        self._buffer = bytearray()
        # Bytes of the buffer already parsed into `_words` (the sentence in progress).
        self._pos = 0
        self._words: list[str] = []
        self._sentence_size = 0
        self.limit(max_word=max_word, max_sentence=max_sentence, max_words=max_words)

    def limit(self, *, max_word: int, max_sentence: int, max_words: int) -> None:
        """Change the caps (a session before and after login); they apply from the next word."""
        self._max_word = max_word
        self._max_sentence = max_sentence
        self._max_words = max_words

    @property
    def buffered(self) -> int:
        """Bytes held for sentences not yet handed out."""
        return len(self._buffer)

    def feed(self, data: bytes) -> None:
        self._buffer += data

    @property
    def pending(self) -> bool:
        """True while part of a sentence is buffered (a peer that leaves now left it unfinished)."""
        return bool(self._buffer) or bool(self._words)

    def next_sentence(self) -> list[str] | None:
        while True:
            decoded = decode_length(self._buffer, self._pos)
            if decoded is None:
                return None
            length, size = decoded
            if length > self._max_word:
                raise WireError(f"word of {length} bytes exceeds the limit of {self._max_word}")
            if self._sentence_size + length > self._max_sentence:
                raise WireError(f"sentence exceeds the limit of {self._max_sentence} bytes")
            if length and len(self._words) >= self._max_words:
                raise WireError(f"sentence exceeds the limit of {self._max_words} words")
            end = self._pos + size + length
            if end > len(self._buffer):
                return None
            if length == 0:
                sentence, self._words, self._sentence_size = self._words, [], 0
                del self._buffer[:end]
                self._pos = 0
                if sentence:
                    return sentence
                continue
            self._words.append(self._buffer[self._pos + size : end].decode("latin-1"))
            self._sentence_size += length
            self._pos = end

    def __iter__(self) -> Iterator[list[str]]:
        """Every complete sentence buffered so far."""
        while (sentence := self.next_sentence()) is not None:
            yield sentence
