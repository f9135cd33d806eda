"""`/tool/e-mail/send` over the API: settings, overrides, the outbox, and the no-server failure."""

from __future__ import annotations

import pytest
from librouteros.exceptions import TrapError


def send(api, **args):
    return list(api("/tool/e-mail/send", **args))


def settings(api):
    return next(iter(api("/tool/e-mail/print")))


def test_without_a_server_the_send_fails_logs_and_sends_nothing(sim_any_version, api_connect):
    api = api_connect(sim_any_version)
    with pytest.raises(TrapError, match="server is not set"):
        send(api, to="admin@example.com", subject="Pi132 down")
    assert settings(api)["last-status"] == "failed"
    assert sim_any_version.outbox == []
    assert any("e-mail" in line["topics"] and "Pi132 down" in line["message"]
               for line in sim_any_version.log)


def test_send_uses_the_settings_and_keeps_no_password(sim_any_version, api_connect):
    sim = sim_any_version
    api = api_connect(sim)
    key = sim.profile.email_server_key
    list(api("/tool/e-mail/set", **{key: "192.0.2.25", "port": 587, "from": "router@example.com",
                                    "user": "router", "password": "s3cret-smtp"}))
    send(api, to="admin@example.com", subject="Pi132 down", body="moved to Pi134")
    (message,) = sim.outbox
    assert (message.to, message.subject, message.body) == (
        "admin@example.com", "Pi132 down", "moved to Pi134")
    assert (message.server, message.port, message.sender, message.user) == (
        "192.0.2.25", 587, "router@example.com", "router")
    assert settings(api)["last-status"] == "succeeded"
    assert "s3cret-smtp" not in repr(sim.outbox)
    assert all("s3cret-smtp" not in line["message"] for line in sim.log)


def test_command_arguments_override_the_settings(sim_any_version, api_connect):
    sim = sim_any_version
    api = api_connect(sim)
    tls_key = "tls" if sim.profile.is_v7 else "start-tls"
    tls_value = "starttls" if sim.profile.is_v7 else "yes"
    send(api, to="a@example.com", cc="b@example.com", server="192.0.2.26", port=2525,
         user="other", password="pw", **{"from": "lb@example.com", tls_key: tls_value})
    (message,) = sim.outbox
    assert (message.server, message.port, message.user, message.sender, message.cc, message.tls) \
        == ("192.0.2.26", 2525, "other", "lb@example.com", "b@example.com", tls_value)
    assert "pw" not in vars(message).values()


def test_unknown_arguments_and_bad_tls_values_are_refused(sim_any_version, api_connect):
    api = api_connect(sim_any_version)
    with pytest.raises(TrapError, match="unknown parameter"):
        send(api, to="a@example.com", server="192.0.2.25", bogus="x")
    tls_key = "tls" if sim_any_version.profile.is_v7 else "start-tls"
    with pytest.raises(TrapError, match="input does not match"):
        send(api, to="a@example.com", server="192.0.2.25", **{tls_key: "maybe"})
    assert sim_any_version.outbox == []
