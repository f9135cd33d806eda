"""The generic menu engine through `Router.call`, on both profiles: what the wire suite
(test_api_over_tcp.py) does not reach: unordered menus, unknown paths and parameters in detail,
counters and change callbacks, registered handlers, the behaviour's internal API, and a model
check of `move`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator.api import Category, CommandError, Request
from simulator.router import Router

VERSIONS = ("6.49", "7.20")


@pytest.fixture(params=VERSIONS)
def router(request: pytest.FixtureRequest) -> Router:
    return Router(request.param)


def call(router: Router, command: str, *queries: str, **attributes: str):
    attrs = {k.replace("_", "-"): v for k, v in attributes.items()}
    return router.call(Request(command, attrs, tuple(queries)))


def refused(router: Router, command: str, *queries: str, **attributes: str) -> CommandError:
    with pytest.raises(CommandError) as caught:
        call(router, command, *queries, **attributes)
    return caught.value


NAT = "/ip/firewall/nat"


def chains(router: Router, path: str = NAT) -> list[str]:
    return [row["comment"] for row in call(router, f"{path}/print").items]


def add_rules(router: Router, *comments: str, path: str = NAT) -> list[str]:
    return [call(router, f"{path}/add", chain="dstnat", comment=c).ret for c in comments]


def test_unordered_menus_have_no_move_or_place_before(router: Router) -> None:
    call(router, "/system/script/add", name="s")
    error = refused(router, "/system/script/move", numbers="*1")
    assert (error.message, error.category) == (
        "no such command or directory (move)", Category.MISSING_ITEM_OR_COMMAND)
    assert refused(router, "/system/script/add", name="t", place_before="*1").message.startswith(
        "unknown parameter")


def test_print_proplist_count_only_and_queries(router: Router) -> None:
    add_rules(router, "a", "b")
    call(router, f"{NAT}/add", chain="srcnat", action="masquerade", comment="m", disabled="yes")
    rows = call(router, f"{NAT}/print", **{".proplist": ".id,comment,nope"}).items
    assert rows == [{".id": "*1", "comment": "a"}, {".id": "*2", "comment": "b"},
                    {".id": "*3", "comment": "m"}]
    assert call(router, f"{NAT}/print", "?chain=dstnat", count_only="").ret == "2"
    assert call(router, f"{NAT}/print", "?disabled=yes").items[0]["comment"] == "m"
    assert call(router, f"{NAT}/print", "?disabled=no", "?chain=srcnat", "?#|",
                count_only="").ret == "3"
    assert call(router, f"{NAT}/print", "?=comment=b", "?#!", count_only="").ret == "2"
    assert call(router, f"{NAT}/print", detail="").items[0][".id"] == "*1"
    assert call(router, f"{NAT}/getall", "?comment=a").items[0][".id"] == "*1"
    assert call(router, f"{NAT}/print", "?.id=*3").items[0]["comment"] == "m"
    assert call(router, f"{NAT}/print", "?#", count_only="").ret == "3"


@pytest.mark.parametrize(
    ("command", "word"),
    [("/ip/firewall/nonsense/print", "nonsense"), ("/ip/firewall/nat/explode", "explode"),
     ("/nope", "nope"), ("/ip/fire/nat/print", "fire")],
)
def test_unknown_paths_and_verbs(router: Router, command: str, word: str) -> None:
    error = refused(router, command)
    assert (error.message, error.category) == (
        f"no such command or directory ({word})", Category.MISSING_ITEM_OR_COMMAND)


def test_unknown_parameter_text_by_version(router: Router) -> None:
    expected = "unknown parameter colour" if router.profile.is_v7 else "unknown parameter"
    assert refused(router, f"{NAT}/add", chain="dstnat", colour="red").message == expected
    assert refused(router, f"{NAT}/print", colour="red").message == expected
    assert refused(router, f"{NAT}/add", chain="dstnat", bytes="5").message.startswith(
        "unknown parameter")


def test_bad_values_and_missing_chain(router: Router) -> None:
    error = refused(router, f"{NAT}/add", chain="dstnat", action="teleport")
    assert (error.message, error.category) == (
        "input does not match any value of action", Category.ARGUMENT_VALUE)
    assert refused(router, f"{NAT}/add", chain="dstnat", dst_port="99999").message == \
        "value of dst-port out of range (0..65535)"
    assert refused(router, f"{NAT}/add", action="accept").message == "failure: chain not specified"


def test_stats_count_every_command_and_on_change_sees_writes(router: Router) -> None:
    seen: list[tuple[str, str, list[int]]] = []
    router.on_change.append(lambda path, verb, ids: seen.append((path, verb, ids)))
    add_rules(router, "a")
    call(router, f"{NAT}/print")
    refused(router, f"{NAT}/remove", **{".id": "*9"})
    call(router, f"{NAT}/set", **{".id": "*1", "comment": "b"})
    assert router.stats[f"{NAT}/add"] == 1
    assert router.stats[f"{NAT}/remove"] == 1
    assert router.stats_for(NAT) == 4
    assert seen == [(NAT, "add", [1]), (NAT, "set", [1])]


def test_registered_handlers_take_precedence(router: Router) -> None:
    from simulator.api import Response

    add_rules(router, "a")
    # Over a verb the menu answers itself, and on a path with no such verb.
    router.register(NAT, "print", lambda r, req: Response(ret="registered"))
    router.register("/tool/e-mail", "send", lambda r, req: Response(ret=req.attributes["to"]))
    assert call(router, f"{NAT}/print") == Response(ret="registered")
    assert call(router, "/tool/e-mail/send", to="a@b").ret == "a@b"
    assert call(router, f"{NAT}/getall").items[0]["comment"] == "a"  # other verbs unchanged


def test_internal_api_for_the_behaviour(router: Router) -> None:
    [rule] = add_rules(router, "a")
    router.update_props(NAT, 1, bytes="120", packets="2")
    assert call(router, f"{NAT}/print", "?>packets=1", count_only="").ret == "1"
    entry = router.add_dynamic("/ip/firewall/connection", {"src-address": "10.0.0.2:5000"})
    assert call(router, "/ip/firewall/connection/print").items[0]["src-address"] == \
        "10.0.0.2:5000"
    call(router, "/ip/firewall/connection/remove", **{".id": entry.printed_id})
    assert call(router, "/ip/firewall/connection/print").items == []
    router.log_message("script,info", "hello")
    [line] = call(router, "/log/print").items
    assert line["topics"] == "script,info"
    assert line["message"] == "hello"
    assert line["time"] == ("2026-01-01 00:00:00" if router.profile.iso_dates
                            else "jan/01/2026 00:00:00")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sets(st.integers(0, 5), min_size=1, max_size=3),
                          st.none() | st.integers(0, 5)), max_size=6))
def test_moves_agree_with_a_list_model(moves: list[tuple[set[int], int | None]]) -> None:
    router = Router("7.20")
    ids = add_rules(router, *(str(n) for n in range(6)))
    model = [str(n) for n in range(6)]
    for numbers, destination in moves:
        chosen = [model_item for model_item in model if int(model_item) in numbers]
        attributes = {"numbers": ",".join(ids[int(c)] for c in chosen)}
        rest = [m for m in model if m not in chosen]
        if destination is None:
            model = rest + chosen
        else:
            attributes["destination"] = ids[destination]
            anchor = str(destination)
            if anchor in chosen:
                index = sum(1 for m in model[: model.index(anchor)] if m not in chosen)
            else:
                index = rest.index(anchor)
            model = rest[:index] + chosen + rest[index:]
        router.call(Request(f"{NAT}/move", attributes))
        assert chains(router) == model
