"""Stack config → SiteSpec through the program's entry point (`stackconfig.read_site`): valid
sites parse, and every error names the config key to fix."""

from pathlib import Path
from typing import Any

import pytest

from stackconfig import EMAIL_KEY, ROUTER_KEYS, SiteConfigError, SiteSpec, read_site
from stackconfig.stack_file import read_stack_file

ROOT = Path(__file__).resolve().parents[2]
EMAIL = {"server": "m", "from": "a@b", "to": "c@d"}


def _stack(name: str) -> dict:
    return read_stack_file(ROOT / "stacks" / f"Pulumi.{name}.yaml").config


def parse_site(raw: dict[str, Any]) -> SiteSpec:
    """`{"router": {...}, "email": ...}` as the stack config keys it stands for, read."""
    config = {ROUTER_KEYS[name]: value for name, value in raw.get("router", {}).items()}
    if "email" in raw:
        config[EMAIL_KEY] = raw["email"]
    return read_site(config.get, config)


@pytest.mark.parametrize("stack", ["home", "staging", "dev"])
def test_every_stack_file_is_a_valid_site(stack: str) -> None:
    config = _stack(stack)
    site = read_site(config.get)
    assert site.router.host == config["routeros:host"]
    assert site.email is not None
    assert "password" not in site.router.model_dump()


def test_tls_changes_the_default_port() -> None:
    assert parse_site({"router": {"host": "r1"}}).router.effective_port == 8728
    assert parse_site({"router": {"host": "r1", "tls": True}}).router.effective_port == 8729


@pytest.mark.parametrize(
    ("raw", "key", "reason"),
    [
        ({"router": {"host": "not a host!"}}, "routeros:host", "IP address or a host name"),
        ({"router": {"host": "r1", "port": 70000}}, "routeros:port", "less than or equal to 65535"),
        ({"router": {"host": "r1", "verifyTls": "maybe"}}, "routeros:verifyTls", "boolean"),
        ({"router": {}}, "routeros:host", "is required"),
        ({"router": {"host": "r1\n"}}, "routeros:host", "IP address or a host name"),
        ({"router": {"host": "r1", "username": "ädmin"}}, "routeros:username", "ASCII"),
        (
            {"router": {"host": "r1"}, "email": {**EMAIL, "to": "c@d\n"}},
            "routeros-lb:email.to.0",
            "e-mail address",
        ),
        (
            {"router": {"host": "r1"}, "email": {"server": "m", "from": "a@b", "to": ["nope"]}},
            "routeros-lb:email.to.0",
            "e-mail address",
        ),
        (
            {"router": {"host": "r1"}, "email": {**EMAIL, "tls": "ssl"}},
            "routeros-lb:email.tls",
            "'no', 'yes' or 'starttls'",
        ),
        (
            {"router": {"host": "r1"}, "email": {**EMAIL, "smtp": 1}},
            "routeros-lb:email.smtp",
            "not a known setting; known: from, port, server, tls, to, user",
        ),
    ],
)
def test_errors_name_the_config_key_and_what_is_allowed(raw: dict, key: str, reason: str) -> None:
    with pytest.raises(SiteConfigError) as caught:
        parse_site(raw)
    problems = dict(caught.value.problems)
    assert key in problems, problems
    message = problems[key]
    assert reason in message
    assert key in str(caught.value)


def test_json_text_is_decoded_only_where_a_mapping_belongs() -> None:
    """As the engine hands config over: a stack file's mapping arrives as JSON text and is
    decoded; a scalar is the text as written, whatever it looks like."""
    site = parse_site({"router": {"host": "r1", "username": "null", "port": "8728"},
                       "email": '{"server": "m", "from": "a@b", "to": ["c@d"]}'})
    assert site.router.username == "null"
    assert site.router.port == 8728
    assert site.email is not None
    assert site.email.to == ["c@d"]
    with pytest.raises(SiteConfigError) as caught:
        parse_site({"router": {"host": "r1"}, "email": "smtp.example.com"})
    assert "routeros-lb:email" in dict(caught.value.problems)
