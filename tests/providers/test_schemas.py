"""Menu schemas: validation names the property and what is allowed; values come out canonical."""

from __future__ import annotations

from providers.schemas import MENUS, menu


def issues(key: str, **props: object) -> dict[str, str]:
    return dict(menu(key).latest.validate(props)[1])


def test_nat_values_come_out_canonical() -> None:
    values, problems = menu("nat").latest.validate({
        "chain": "dstnat", "action": "DST-NAT", "to_addresses": "10.0.0.1/32",
        "protocol": "tcp", "dst_port": "443, 80", "disabled": "yes",
    })
    assert problems == []
    assert values == {"chain": "dstnat", "action": "dst-nat", "to_addresses": "10.0.0.1",
                      "protocol": "tcp", "dst_port": "80,443", "disabled": True}


def test_every_failure_names_its_property() -> None:
    found = issues("nat", chain="dst nat", action="dstnat", to_ports="1,2", bogus=1)
    assert set(found) == {"chain", "action", "to_ports", "bogus"}
    assert "dst-nat" in found["action"]          # the allowed values are listed
    assert "no property 'bogus'" in found["bogus"]


def test_required_properties() -> None:
    assert "required" in issues("mangle", action="accept")["chain"]
    assert "required" in issues("script", source=":log info x")["name"]


def test_cross_property_rules() -> None:
    assert "protocol" in issues("nat", chain="dstnat", dst_port="80")["dst_port"]
    assert "jump_target" in issues("mangle", chain="prerouting", action="jump")["jump_target"]
    assert "to_addresses" in issues("nat", chain="dstnat", action="dst-nat")["to_addresses"]


def test_classifier_remainder_below_denominator() -> None:
    found = issues("mangle", chain="prerouting", per_connection_classifier="src-address:2/2")
    assert "remainder" in found["per_connection_classifier"]


def test_script_names_with_spaces_are_refused() -> None:
    assert "v7" in issues("script", name="my script")["name"]


def test_netwatch_and_email_know_every_version() -> None:
    netwatch = MENUS["netwatch"]
    assert "type" not in netwatch.for_version((6, 49, 18)).by_name
    assert "type" in netwatch.for_version((7, 20, 4)).by_name
    email = MENUS["email"]
    assert email.for_version((7, 11, 3)).by_name["server"].api_name == "address"
    assert email.for_version((7, 12, 0)).by_name["server"].api_name == "server"
    assert email.for_version((6, 49, 0)).by_name["tls"].api_name == "start-tls"


def test_v6_email_tls_spelling() -> None:
    v6 = MENUS["email"].for_version((6, 49, 18))
    assert v6.encode({"tls": "starttls"}, (6, 49, 18)) == {"start-tls": "yes"}
    assert v6.decode({"start-tls": "tls-only"}, (6, 49, 18)) == {"tls": "yes"}


def test_scheduler_dates_go_out_in_the_routers_spelling() -> None:
    schema = MENUS["scheduler"].latest
    assert schema.encode({"start_date": "2024-01-02"}, (6, 49, 18)) == {"start-date": "jan/02/2024"}
    assert schema.encode({"start_date": "2024-01-02"}, (7, 20, 4)) == {"start-date": "2024-01-02"}


def test_printed_rows_decode_to_input_spelling() -> None:
    row = {".id": "*1", "chain": "dstnat", "dst-port": "80", "disabled": "false", "bytes": "9"}
    assert menu("nat").latest.decode(row, (7, 20, 4)) == {
        "chain": "dstnat", "dst_port": "80", "disabled": False}


def test_nat_offers_no_connection_state_matcher() -> None:
    # /ip/firewall/nat has neither connection-state nor connection-nat-state on 6.49 or 7.x
    # (community.routeros `_api_data.py`); mangle has both.
    for name in ("connection_state", "connection_nat_state"):
        found = issues("nat", chain="dstnat", **{name: "new"})
        assert "no property" in found[name]
    assert issues("mangle", chain="prerouting", connection_state="new") == {}


def test_netwatch_v7_takes_a_domain_name_only_for_dns() -> None:
    # Manual (Netwatch, host formats): IPv4/IPv6 [@vrf]; a domain name for type=dns only.
    v7 = menu("netwatch").latest
    problems = dict(v7.validate({"host": "web.example.com", "type": "http-get"})[1])
    assert "type=dns" in problems["host"]
    assert v7.validate({"host": "web.example.com", "type": "dns"})[1] == []
    assert v7.validate({"host": "10.0.0.1", "type": "http-get"})[1] == []
