"""`/tool/netwatch` (v6 and v7 schemas, status reset on edit) and `/tool/e-mail` (singleton,
server key by version)."""

from __future__ import annotations

import pytest

from simulator.api import CommandError, Request
from simulator.router import Router


def call(router: Router, command: str, *queries: str, **attributes: str):
    attrs = {k.replace("_", "-"): v for k, v in attributes.items()}
    return router.call(Request(command, attrs, tuple(queries)))


def test_netwatch_v6_prints_its_defaults() -> None:
    router = Router("6.49")
    call(router, "/tool/netwatch/add", host="192.168.1.132", down_script="/system script run a")
    [row] = call(router, "/tool/netwatch/print").items
    assert row == {".id": "*1", "host": "192.168.1.132", "timeout": "1s", "interval": "1m",
                   "up-script": "", "down-script": "/system script run a", "status": "unknown",
                   "disabled": "false"}
    for v7_only in ("type", "name", "port"):
        with pytest.raises(CommandError, match="^unknown parameter$"):
            call(router, "/tool/netwatch/add", host="10.0.0.1", **{v7_only: "x"})


def test_netwatch_v7_applies_defaults_without_printing_them() -> None:
    router = Router("7.20")
    call(router, "/tool/netwatch/add", host="192.168.1.132", type="tcp-conn", port="8080",
         name="web-a")
    [row] = call(router, "/tool/netwatch/print").items
    # ... but prints the scripts and http-codes, empty when unset (terraform's captured print).
    assert row == {".id": "*1", "name": "web-a", "type": "tcp-conn", "host": "192.168.1.132",
                   "port": "8080", "up-script": "", "down-script": "", "test-script": "",
                   "http-codes": "", "status": "unknown", "done-tests": "0",
                   "failed-tests": "0", "disabled": "false"}
    item = router.list_menu("/tool/netwatch").items[0]
    assert router.effective("/tool/netwatch", item, "interval") == "10s"
    assert router.effective("/tool/netwatch", item, "timeout") == "3s"
    call(router, "/tool/netwatch/add", host="192.0.2.1", type="https-get")
    https = router.list_menu("/tool/netwatch").items[1]
    assert router.effective("/tool/netwatch", https, "port") == "443"
    with pytest.raises(CommandError, match="input does not match any value of type"):
        call(router, "/tool/netwatch/add", host="10.0.0.1", type="smoke-signal")


@pytest.mark.parametrize("version", ["6.49", "7.20"])
def test_netwatch_status_is_unknown_after_any_edit(version: str) -> None:
    router = Router(version)
    call(router, "/tool/netwatch/add", host="192.168.1.132")
    router.update_props("/tool/netwatch", 1, status="up", since="x")
    router.clock.advance(60)
    call(router, "/tool/netwatch/disable", **{".id": "*1"})
    [row] = call(router, "/tool/netwatch/print").items
    assert row["status"] == "unknown"
    assert row["since"].endswith("00:01:00")
    with pytest.raises(CommandError, match="^unknown parameter"):
        call(router, "/tool/netwatch/set", **{".id": "*1", "status": "up"})


@pytest.mark.parametrize(
    ("version", "server_key", "tls_key"),
    [("6.49", "address", "start-tls"), ("7.11", "address", "tls"), ("7.20", "server", "tls")],
)
def test_email_settings_singleton(version: str, server_key: str, tls_key: str) -> None:
    router = Router(version)
    [row] = call(router, "/tool/e-mail/print").items
    assert ".id" not in row
    assert (row[server_key], row["port"], row["from"], row[tls_key], row["last-status"]) == (
        "0.0.0.0", "25", "<>", "no", "none")  # noqa: S104 - a printed default
    call(router, "/tool/e-mail/set", **{server_key: "192.0.2.25", "port": "587",
                                        "from": "router@example.com", tls_key: "yes"})
    [row] = call(router, "/tool/e-mail/print", **{".proplist": f"{server_key},port"}).items
    assert row == {server_key: "192.0.2.25", "port": "587"}
    other = "address" if server_key == "server" else "server"
    with pytest.raises(CommandError, match="^unknown parameter"):
        call(router, "/tool/e-mail/set", **{other: "192.0.2.1"})
    with pytest.raises(CommandError, match="^unknown parameter"):
        call(router, "/tool/e-mail/set", **{"last-status": "succeeded"})


def test_email_server_names_only_from_7_12() -> None:
    call(Router("7.20"), "/tool/e-mail/set", server="smtp.example.com")
    with pytest.raises(CommandError, match="invalid value for argument address"):
        call(Router("7.11"), "/tool/e-mail/set", address="smtp.example.com")
