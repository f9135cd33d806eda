"""A misbehaving client ends its own session, never the router, and memory stays bounded.

Measured in the simulator's own terms (bytes queued, commands served, virtual-clock seconds,
another client answered), over TCP on 6.49 and 7.20; never wall-clock thresholds.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from simulator import Simulator
from simulator.server import DEFAULT_MAX_SESSIONS
from simulator.session import LOGIN_TIMEOUT, OUTPUT_HIGH, PRELOGIN_MAX_BYTES, PRELOGIN_MAX_WORDS
from simulator.wire import encode_length, encode_sentence, encode_word

NAT = "/ip/firewall/nat"


@pytest.fixture(params=["6.49", "7.20"])
def router(request: pytest.FixtureRequest, simulator_factory: Any) -> Simulator:
    return simulator_factory(version=request.param)


def still_serves(sim: Simulator, api_connect: Any) -> None:
    api = api_connect(sim)
    [row] = api(f"{NAT}/print", **{"count-only": ""})
    assert isinstance(row["ret"], int)


def wait_for(condition: Any) -> None:
    """Poll until the server thread has caught up (the bound only stops a broken run)."""
    for _ in range(1000):
        if condition():
            return
        time.sleep(0.01)
    raise AssertionError("the simulator never got there")


def test_many_tiny_words_before_login_end_the_session(router, raw_connect, api_connect) -> None:
    client = raw_connect(router)
    client.send_bytes(encode_sentence(["/login", *["x"] * (PRELOGIN_MAX_WORDS + 1)]))
    assert client.read()[0] == "!fatal"
    assert client.is_closed()
    still_serves(router, api_connect)


def test_a_big_word_before_login_is_refused_at_its_length(router, raw_connect,
                                                          api_connect) -> None:
    client = raw_connect(router)
    # Only the length and a little of the word: the server must not wait for the rest.
    client.send_bytes(encode_word("/login") + encode_length(PRELOGIN_MAX_BYTES + 1) + b"=name=")
    assert client.read()[0] == "!fatal"
    assert client.is_closed()
    still_serves(router, api_connect)


def test_after_login_the_ordinary_caps_apply(router, raw_connect) -> None:
    client = raw_connect(router)
    client.login()
    comment = "c" * (PRELOGIN_MAX_BYTES * 4)
    replies = client.command(f"{NAT}/add", "=chain=dstnat", f"=comment={comment}",
                             *[f"?x={n}" for n in range(PRELOGIN_MAX_WORDS * 4)])
    assert replies[-1][0] == "!done"


def test_a_session_that_never_logs_in_times_out_on_the_clock(router, raw_connect) -> None:
    working = raw_connect(router)
    working.login()
    waiting = raw_connect(router)
    wait_for(lambda: len([s for s in router.sessions if s.user is None]) == 1)
    router.advance(LOGIN_TIMEOUT - 1)
    assert len(router.sessions) == 2
    router.advance(1)
    assert waiting.read() == ["!fatal", "login timeout"]
    assert waiting.is_closed()
    assert working.command("/system/identity/print")[-1] == ["!done"]


def test_sessions_have_a_default_cap(router, raw_connect, api_connect) -> None:
    clients = [raw_connect(router) for _ in range(DEFAULT_MAX_SESSIONS)]
    for client in clients:
        client.login()
    extra = raw_connect(router)
    assert extra.is_closed()
    clients[0].close()
    wait_for(lambda: router.open_sessions < DEFAULT_MAX_SESSIONS)
    still_serves(router, api_connect)


def test_a_client_that_never_reads_stops_being_read(router, raw_connect, api_connect) -> None:
    api = api_connect(router)
    nat = api.path(NAT)
    for n in range(300):
        nat.add(chain="dstnat", comment=f"{n:04d}" + "x" * 1000)
    reply_size = sum(len(encode_sentence([f"={k}={v}" for k, v in row.items()]))
                     for row in nat)
    abusive = raw_connect(router)
    abusive.login()
    commands = 2000
    abusive.send_bytes(encode_sentence([f"{NAT}/print"]) * commands)
    wait_for(lambda: any(s.reading_paused for s in router.sessions))
    served = router.stats[f"{NAT}/print"]
    # The server held at most its high-water mark plus the one reply that crossed it...
    assert router.peak_queued_bytes <= OUTPUT_HIGH + 2 * reply_size
    # ... left the rest of the commands unread in the client's socket ...
    assert served < commands
    # ... and another client is answered meanwhile.
    still_serves(router, api_connect)
    assert router.stats[f"{NAT}/print"] < commands


def test_a_long_query_stack_is_refused_not_evaluated_for_seconds(router, raw_connect,
                                                                 api_connect) -> None:
    from simulator.query import MAX_QUERY_STEPS

    api = api_connect(router)
    nat = api.path(NAT)
    for n in range(10):
        nat.add(chain="dstnat", comment=f"r{n}")
    client = raw_connect(router)
    client.login()
    # Each `?#.` duplicates the top of the stack and copies the whole stack: quadratic work.
    words = 30_000
    replies = client.command(f"{NAT}/print", "?comment=r1", *["?#."] * words)
    assert replies[0][0] == "!trap"
    assert f"=message=query too complex: more than {MAX_QUERY_STEPS} steps" in replies[0]
    assert replies[-1] == ["!done"]
    # An ordinary query over the same items is well within the bound ...
    replies = client.command(f"{NAT}/print", "?comment=r1", "?comment=r2", "?#|", "?#!",
                             "?#!")
    assert [r[0] for r in replies] == ["!re", "!re", "!done"]
    # ... and the session and the router carry on.
    still_serves(router, api_connect)


def test_a_huge_number_in_a_property_does_not_break_a_query(router, api_connect) -> None:
    api = api_connect(router)
    nat = api.path(NAT)
    nat.add(chain="dstnat", comment="9" * 5000)
    nat.add(chain="dstnat", comment="7")
    rows = list(api.rawCmd(f"{NAT}/print", "?>comment=5"))
    # Digits too long for a number compare as text: "9..." > "5", and "7" > 5 as numbers.
    assert len(rows) == 2


def test_a_listener_that_never_reads_is_dropped_at_the_output_limit(router, raw_connect,
                                                                    api_connect) -> None:
    from simulator.session import OUTPUT_LIMIT

    api = api_connect(router)
    nat = api.path(NAT)
    rule = nat.add(chain="dstnat", comment="start")
    listener = raw_connect(router)
    listener.login()
    listener.send(f"{NAT}/listen", ".tag=l")
    wait_for(lambda: router.stats[f"{NAT}/listen"] == 1)
    big = 100_000
    updates = 0
    # Each change queues the whole changed row for the listener, which reads nothing.
    assert len(router.sessions) == 2  # the writer and the listener
    limit = 4 * OUTPUT_LIMIT // big
    while len(router.sessions) == 2 and updates < limit:
        nat.update(**{".id": rule, "comment": f"{updates:06d}" + "x" * big})
        updates += 1
    wait_for(lambda: len(router.sessions) == 1)
    assert updates > OUTPUT_LIMIT // big  # it took the limit's worth of updates ...
    assert updates < limit  # ... and then the listener was dropped
    assert router.peak_queued_bytes <= OUTPUT_LIMIT + 2 * big
    still_serves(router, api_connect)
