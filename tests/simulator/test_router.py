"""The generic menu engine through `Router.call`, on both profiles: every command, the id
rules, dynamic-item refusals, unknown paths and parameters, counters and change callbacks."""

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


MANGLE = "/ip/firewall/mangle"
NAT = "/ip/firewall/nat"


def chains(router: Router, path: str = NAT) -> list[str]:
    return [row["comment"] for row in call(router, f"{path}/print").items]


def add_rules(router: Router, *comments: str, path: str = NAT) -> list[str]:
    return [call(router, f"{path}/add", chain="dstnat", comment=c).ret for c in comments]


def test_add_returns_increasing_uppercase_hex_ids_never_reused(router: Router) -> None:
    ids = add_rules(router, *(f"r{n}" for n in range(11)))
    assert ids[:2] == ["*1", "*2"]
    assert ids[-2:] == ["*A", "*B"]
    call(router, f"{NAT}/remove", **{".id": "*B"})
    assert add_rules(router, "again") == ["*C"]


def test_add_prints_defaults_and_omits_unset_optionals(router: Router) -> None:
    call(router, f"{NAT}/add", chain="dstnat", action="dst-nat", to_addresses="192.168.1.132",
         to_ports="80", protocol="tcp", dst_port="80")
    [row] = call(router, f"{NAT}/print").items
    assert row == {
        ".id": "*1", "chain": "dstnat", "action": "dst-nat", "to-addresses": "192.168.1.132",
        "to-ports": "80", "protocol": "tcp", "dst-port": "80", "log": "false", "log-prefix": "",
        "bytes": "0", "packets": "0", "invalid": "false", "dynamic": "false", "disabled": "false",
    }


def test_set_and_unset(router: Router) -> None:
    [rule] = add_rules(router, "x")
    call(router, f"{NAT}/set", **{".id": rule, "disabled": "yes", "dst-port": "8080"})
    [row] = call(router, f"{NAT}/print").items
    assert (row["disabled"], row["dst-port"]) == ("true", "8080")
    call(router, f"{NAT}/set", **{".id": rule, "!dst-port": "", "!comment": ""})
    [row] = call(router, f"{NAT}/print").items
    assert "dst-port" not in row
    assert "comment" not in row
    call(router, f"{NAT}/set", **{".id": rule, "comment": "back", "!disabled": ""})
    call(router, f"{NAT}/unset", **{".id": rule, "value-name": "comment"})
    [row] = call(router, f"{NAT}/print").items
    assert "comment" not in row
    assert row["disabled"] == "false"


def test_set_without_id_traps_on_v7_and_does_nothing_on_v6(router: Router) -> None:
    add_rules(router, "x")
    if router.profile.is_v7:
        assert refused(router, f"{NAT}/set", comment="y").message == "missing =.id="
    else:
        call(router, f"{NAT}/set", comment="y")
    assert chains(router) == ["x"]


def test_remove_enable_disable_take_comma_lists(router: Router) -> None:
    a, b, c = add_rules(router, "a", "b", "c")
    call(router, f"{NAT}/disable", **{".id": f"{a},{c}"})
    assert [r["disabled"] for r in call(router, f"{NAT}/print").items] == ["true", "false", "true"]
    call(router, f"{NAT}/enable", **{".id": f"{a}"})
    assert [r["disabled"] for r in call(router, f"{NAT}/print").items] == ["false", "false", "true"]
    call(router, f"{NAT}/remove", **{".id": f"{a},{b}"})
    assert chains(router) == ["c"]


def test_a_bad_id_anywhere_in_a_list_changes_nothing(router: Router) -> None:
    a, _ = add_rules(router, "a", "b")
    error = refused(router, f"{NAT}/remove", **{".id": f"{a},*99"})
    assert (error.message, error.category) == ("no such item (4)", None)
    assert chains(router) == ["a", "b"]
    assert refused(router, f"{NAT}/set", **{".id": "junk", "comment": "x"}).message == \
        "no such item (4)"


def test_move_before_a_destination_and_to_the_end(router: Router) -> None:
    a, b, c, d = add_rules(router, "a", "b", "c", "d")
    call(router, f"{NAT}/move", numbers=f"{c},{d}", destination=a)
    assert chains(router) == ["c", "d", "a", "b"]
    call(router, f"{NAT}/move", numbers=c)
    assert chains(router) == ["d", "a", "b", "c"]
    call(router, f"{NAT}/move", numbers=f"{a},{b}", destination=a)
    assert chains(router) == ["d", "a", "b", "c"]


def test_place_before_and_copy_from(router: Router) -> None:
    a, b = add_rules(router, "a", "b")
    call(router, f"{NAT}/add", chain="dstnat", comment="first", place_before=a)
    ret = call(router, f"{NAT}/add", copy_from=b, comment="copy").ret
    assert chains(router) == ["first", "a", "b", "copy"]
    assert call(router, f"{NAT}/get", **{".id": ret, "value-name": "chain"}).ret == "dstnat"


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


def test_dynamic_items_cannot_be_set_moved_removed_or_targeted(router: Router) -> None:
    dynamic = router.add_dynamic(NAT, {"chain": "srcnat", "comment": "dyn", "dynamic": "true"},
                                 top=True)
    a, b = add_rules(router, "a", "b")
    did = dynamic.printed_id
    attempts = [
        ("set", {".id": did, "comment": "x"}), ("remove", {".id": f"{a},{did}"}),
        ("disable", {".id": did}), ("move", {"numbers": did}),
        ("move", {"numbers": b, "destination": did}),
        ("add", {"chain": "dstnat", "place-before": did}),
    ]
    for verb, attributes in attempts:
        with pytest.raises(CommandError, match="^failure: cannot change builtin$"):
            router.call(Request(f"{NAT}/{verb}", attributes))
    assert chains(router) == ["dyn", "a", "b"]


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

    router.register(NAT, "reset-counters", lambda r, req: Response(ret="reset"))
    router.register("/tool/e-mail", "send", lambda r, req: Response(ret=req.attributes["to"]))
    assert call(router, f"{NAT}/reset-counters").ret == "reset"
    assert call(router, "/tool/e-mail/send", to="a@b").ret == "a@b"


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
