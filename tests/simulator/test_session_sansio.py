"""The API session in memory: bytes in, reply sentences out, no sockets (as h11 tests its core)."""

from __future__ import annotations

import hashlib

import pytest

from simulator.api import Category
from simulator.faults import Faults
from simulator.profiles import profile
from simulator.router import Router
from simulator.session import Session
from simulator.wire import SentenceReader, encode_sentence


class Wired:
    """A session and a reader for its output: `send(*words)` returns the reply sentences."""

    def __init__(self, version: str = "7.20", password: str = "") -> None:
        self.router = Router(profile(version), users={"admin": password})
        self.faults = Faults()
        self.session = Session(self.router, self.faults)
        self._reader = SentenceReader()

    def send_bytes(self, data: bytes) -> list[list[str]]:
        self.session.receive_data(data)
        return self.replies()

    def send(self, *words: str) -> list[list[str]]:
        return self.send_bytes(encode_sentence(words))

    def replies(self) -> list[list[str]]:
        for batch in self.session.take_output():
            for sentence in batch:
                self._reader.feed(sentence)
        return list(self._reader)

    def login(self) -> None:
        assert self.send("/login", "=name=admin", "=password=") == [["!done"]]


@pytest.fixture
def wired() -> Wired:
    w = Wired()
    w.login()
    return w


def test_plain_login_and_wrong_password() -> None:
    w = Wired(password="secret")
    assert w.send("/login", "=name=admin", "=password=wrong") == [
        ["!trap", "=message=invalid user name or password (6)"],
        ["!done"],
    ]
    assert w.send("/login", "=name=admin", "=password=secret") == [["!done"]]
    assert w.router.stats["/login"] == 2
    assert w.session.user == "admin"


def test_three_failed_logins_close_the_session() -> None:
    w = Wired()
    for _ in range(3):
        w.send("/login", "=name=nobody", "=password=")
    assert w.session.closing
    assert w.send("/login", "=name=admin", "=password=") == []


def test_legacy_challenge_login() -> None:
    w = Wired(version="6.40", password="pw")
    [[done, ret]] = w.send("/login")
    assert done == "!done"
    challenge = bytes.fromhex(ret.removeprefix("=ret="))
    assert len(challenge) == 16
    good = "00" + hashlib.md5(b"\x00pw" + challenge, usedforsecurity=False).hexdigest()
    assert w.send("/login", "=name=admin", f"=response={good}") == [["!done"]]


def test_legacy_login_refuses_a_replayed_response() -> None:
    w = Wired(version="6.40", password="pw")
    [[_, ret]] = w.send("/login")
    challenge = bytes.fromhex(ret.removeprefix("=ret="))
    good = "00" + hashlib.md5(b"\x00pw" + challenge, usedforsecurity=False).hexdigest()
    assert w.send("/login", "=name=admin", "=response=00" + "0" * 32) == [
        ["!trap", "=message=cannot log in"],
        ["!done"],
    ]
    # The challenge is spent: the right answer to it no longer logs in.
    assert w.send("/login", "=name=admin", f"=response={good}")[0][0] == "!trap"


def test_command_before_login_is_fatal() -> None:
    w = Wired()
    assert w.send("/ip/firewall/nat/print") == [["!fatal", "not logged in"]]
    assert w.session.closing


def test_quit_is_fatal_with_the_bare_reason(wired: Wired) -> None:
    assert wired.send("/quit") == [["!fatal", "session terminated on request"]]
    assert wired.session.closing


def test_attributes_keep_equals_signs_and_empty_values(wired: Wired) -> None:
    [[re_, *_]] = [wired.send("/ip/firewall/nat/add", "=chain=dstnat", "=comment=a=b=")[0]]
    assert re_ == "!done"
    rows = wired.send("/ip/firewall/nat/print", "=.proplist=comment")
    assert rows[0] == ["!re", "=comment=a=b="]


def test_tags_are_echoed_only_when_sent(wired: Wired) -> None:
    assert wired.send("/ip/firewall/nat/print", ".tag=7")[-1] == ["!done", ".tag=7"]
    assert wired.send("/ip/firewall/nat/print", "=count-only=")[-1] == ["!done", "=ret=0"]


def test_empty_print_on_7_20_sends_empty_before_done(wired: Wired) -> None:
    assert wired.send("/ip/firewall/nat/print", ".tag=a") == [
        ["!empty", ".tag=a"],
        ["!done", ".tag=a"],
    ]
    # count-only answers with its count, never `!empty`
    assert wired.send("/ip/firewall/nat/print", "=count-only=") == [["!done", "=ret=0"]]


def test_no_empty_on_6_49() -> None:
    w = Wired(version="6.49")
    w.login()
    assert w.send("/ip/firewall/nat/print") == [["!done"]]


def test_router_errors_become_trap_then_done(wired: Wired) -> None:
    assert wired.send("/ip/firewall/nat/remove", "=.id=*9", ".tag=x") == [
        ["!trap", ".tag=x", "=message=no such item (4)"],
        ["!done", ".tag=x"],
    ]


def test_an_unknown_command_answers_two_traps(wired: Wired) -> None:
    category = int(Category.MISSING_ITEM_OR_COMMAND)
    assert wired.send("/no/such/menu/print", ".tag=x") == [
        ["!trap", ".tag=x", f"=category={category}", "=message=no such command or directory (no)"],
        ["!trap", ".tag=x", "=message=no such command prefix"],
        ["!done", ".tag=x"],
    ]


def test_listen_streams_removal_and_stops_when_cancelled(wired: Wired) -> None:
    [[_, ret]] = wired.send("/ip/firewall/nat/add", "=chain=dstnat", "=comment=x")
    item_id = ret.removeprefix("=ret=")
    assert wired.send("/ip/firewall/nat/listen", ".tag=L") == []
    removed = wired.send("/ip/firewall/nat/remove", f"=.id={item_id}")
    assert removed == [["!re", ".tag=L", f"=.id={item_id}", "=.dead=true"], ["!done"]]
    assert wired.send("/cancel", "=tag=L", ".tag=C") == [
        ["!trap", ".tag=L", "=category=2", "=message=interrupted"],
        ["!done", ".tag=L"],
        ["!done", ".tag=C"],
    ]
    assert wired.send("/ip/firewall/nat/add", "=chain=dstnat")[0][0] == "!done"


def test_listen_sees_an_add(wired: Wired) -> None:
    wired.send("/ip/firewall/nat/listen", ".tag=L")
    replies = wired.send("/ip/firewall/nat/add", "=chain=dstnat", "=comment=x")
    streamed = [r for r in replies if r[0] == "!re"]
    assert len(streamed) == 1
    assert streamed[0][1] == ".tag=L"
    assert "=comment=x" in streamed[0]
    assert replies[-1][0] == "!done"


def test_cancel_without_tag_stops_every_listen(wired: Wired) -> None:
    wired.send("/ip/firewall/nat/listen", ".tag=1")
    wired.send("/ip/firewall/nat/listen", ".tag=2")
    replies = wired.send("/cancel")
    assert [r for r in replies if r[0] == "!trap"] == [
        ["!trap", ".tag=1", "=category=2", "=message=interrupted"],
        ["!trap", ".tag=2", "=category=2", "=message=interrupted"],
    ]
    assert replies[-1] == ["!done"]


def test_cancel_of_an_unknown_tag_is_done(wired: Wired) -> None:
    assert wired.send("/cancel", "=tag=nope") == [["!done"]]


def test_malformed_bytes_end_the_session_with_fatal(wired: Wired) -> None:
    replies = wired.send_bytes(b"\xf8garbage")
    assert replies[0][0] == "!fatal"
    assert "control byte" in replies[0][1]
    assert wired.session.closing


def test_injected_trap_skips_the_router(wired: Wired) -> None:
    wired.faults.trap_command(2, message="boom", category=Category.GENERAL_FAILURE)
    assert wired.send("/ip/firewall/nat/print", "=count-only=") == [["!done", "=ret=0"]]
    assert wired.send("/ip/firewall/nat/print", "=count-only=") == [
        ["!trap", "=category=4", "=message=boom"],
        ["!done"],
    ]
    assert wired.router.stats["/ip/firewall/nat/print"] == 1


def test_listen_on_an_unknown_path_traps(wired: Wired) -> None:
    replies = wired.send("/no/such/listen", ".tag=L")
    assert replies[0][:2] == ["!trap", ".tag=L"]
    assert replies[-1] == ["!done", ".tag=L"]


def test_listen_on_a_singleton_streams_its_row(wired: Wired) -> None:
    wired.send("/system/identity/listen", ".tag=I")
    replies = wired.send("/system/identity/set", "=name=edge")
    assert ["!re", ".tag=I", "=name=edge"] in replies
