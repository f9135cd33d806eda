"""The Pulumi program under Pulumi's mocks: what each stack declares, and bad config stopping it
before any resource exists."""

from pathlib import Path

import pytest
import yaml

from components.program import declare_site
from components.site import SiteConfigError
from engine_standin.capture import capture

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "pulumi-python:dynamic/routeros:EmailSettings"


def email_of(registrations: list) -> object:
    (email,) = [reg for reg in registrations if reg.type == EMAIL]
    return email


def _config(stack: str) -> dict:
    return yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text())["config"]


@pytest.mark.parametrize("stack", ["home", "staging", "dev"])
def test_each_stack_declares_its_routers_email_settings(stack: str) -> None:
    config = _config(stack)
    email = email_of(capture(declare_site, stack=stack, config=config))
    assert email.type == EMAIL
    assert email.name == f"{stack}-email"
    assert "routeros-lb:index:RouterSite$" in email.urn
    router = email.inputs["router"]
    assert router["host"] == config["routeros:host"]
    assert router["tls"] is config["routeros:tls"]
    assert "password" not in router
    assert email.inputs["server"] == config["routeros-lb:email"]["server"]
    assert email.inputs["from_"] == config["routeros-lb:email"]["from"]


def test_tls_without_a_port_uses_api_ssl() -> None:
    config = {"routeros:host": "r1.example", "routeros:tls": True,
              "routeros-lb:email": {"server": "m", "from": "a@b", "to": "c@d"}}
    email = email_of(capture(declare_site, config=config))
    assert email.inputs["router"]["port"] == 8729


def test_bad_config_names_the_key_and_declares_nothing() -> None:
    config = {**_config("dev"), "routeros:port": "eighty"}
    with pytest.raises(SiteConfigError, match="routeros:port"):
        capture(declare_site, config=config)


def test_a_misspelt_key_of_ours_is_refused_not_ignored() -> None:
    config = {**_config("dev"), "routeros:prot": 8729, "other-project:x": 1}
    with pytest.raises(SiteConfigError) as caught:
        capture(declare_site, config=config)
    problems = dict(caught.value.problems)
    assert list(problems) == ["routeros:prot"]
    assert "routeros:port" in problems["routeros:prot"]  # the message lists what is known


def test_the_smtp_password_comes_only_from_its_secret() -> None:
    without = email_of(capture(declare_site, config=_config("dev")))
    assert without.inputs.get("password") is None  # the router keeps the one it has
    config = {**_config("staging"), "routeros-lb:smtpPassword": "smtp-Secret-42"}
    email = email_of(capture(declare_site, stack="staging", config=config))
    assert email.inputs["password"] == "smtp-Secret-42"
