"""The Pulumi program under Pulumi's mocks: what each stack declares, and bad config stopping it
before any resource exists."""

from pathlib import Path

import pytest

from components.program import declare_site
from engine_standin.capture import capture
from stackconfig import SiteConfigError
from stackconfig.stack_file import read_stack_file

ROOT = Path(__file__).resolve().parents[2]
EMAIL = "pulumi-python:dynamic/routeros:EmailSettings"


def email_of(registrations: list) -> object:
    (email,) = [reg for reg in registrations if reg.type == EMAIL]
    return email


def _config(stack: str) -> dict:
    return read_stack_file(ROOT / "stacks" / f"Pulumi.{stack}.yaml").config


@pytest.fixture(autouse=True)
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The program runs in the project directory; the CA files the stacks name are there (they
    are not in the repository, each site brings its own)."""
    for stack in ("home", "staging", "dev"):
        ca_file = _config(stack).get("routeros:caFile")
        if ca_file:
            (tmp_path / ca_file).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / ca_file).write_text("-----BEGIN CERTIFICATE-----\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("stack", ["home", "staging", "dev"])
def test_each_stack_declares_its_routers_email_settings(stack: str) -> None:
    config = _config(stack)
    email = email_of(capture(declare_site, stack=stack, config=config))
    assert email.type == EMAIL
    assert email.name == f"{stack}-email"
    assert "routeros-lb:index:RouterSite$" in email.urn
    router = email.inputs["router"]
    assert router["host"] == config["routeros:host"]
    assert router["tls"] is (config["routeros:tls"] == "true")
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
    email = email_of(capture(declare_site, stack="staging", config=config,
                             secret_keys=["routeros-lb:smtpPassword"]))
    assert email.inputs["password"] == "smtp-Secret-42"


@pytest.mark.parametrize("key", ["routeros:password", "routeros-lb:smtpPassword"])
def test_a_password_kept_in_clear_is_refused_before_anything_is_declared(key: str) -> None:
    """Pulumi tells the program which values are secrets; one that is not is refused, naming
    the key and how to store it encrypted, and its value appears nowhere in the message."""
    config = {**_config("staging"), key: "clear-Text-42"}
    with pytest.raises(SiteConfigError) as caught:
        capture(declare_site, stack="staging", config=config)
    problems = dict(caught.value.problems)
    assert list(problems) == [key]
    assert f"pulumi config set --secret {key}" in problems[key]
    assert "clear-Text-42" not in str(caught.value)
    registrations = capture(declare_site, stack="staging", config=config, secret_keys=[key])
    assert registrations


def test_a_ca_file_that_is_not_there_names_the_key_and_the_path(project_dir: Path) -> None:
    (project_dir / "certs" / "home-router-ca.pem").unlink()
    with pytest.raises(SiteConfigError) as caught:
        capture(declare_site, stack="home", config=_config("home"))
    problems = dict(caught.value.problems)
    assert "certs/home-router-ca.pem" in problems["routeros:caFile"]


@pytest.mark.parametrize(("key", "value"), [("routeros:caFile", "certs/home-router-ca.pem"),
                                            ("routeros:verifyTls", False)])
def test_tls_options_without_tls_are_refused_naming_the_key(key: str, value: object) -> None:
    config = {**_config("dev"), key: value}
    with pytest.raises(SiteConfigError) as caught:
        capture(declare_site, config=config)
    problems = dict(caught.value.problems)
    assert "routeros:tls" in problems[key]


def test_scalars_stay_the_text_the_user_wrote() -> None:
    """`1.10` is not turned into the number 1.1 (and then a host "1.1"); `null` is a user name,
    not "no value" (which would have meant the default, admin)."""
    config = {**_config("dev"), "routeros:username": "null"}
    email = email_of(capture(declare_site, config=config))
    assert email.inputs["router"]["username"] == "null"
    with pytest.raises(SiteConfigError) as caught:
        capture(declare_site, config={**_config("dev"), "routeros:host": "1.10"})
    assert "routeros:host" in dict(caught.value.problems)


def test_a_misspelt_email_key_lists_the_known_ones() -> None:
    config = _config("dev")
    config = {**config, "routeros-lb:email": {**config["routeros-lb:email"], "sever": "m"}}
    with pytest.raises(SiteConfigError) as caught:
        capture(declare_site, config=config)
    reason = dict(caught.value.problems)["routeros-lb:email.sever"]
    assert "from, port, server, tls, to, user" in reason


def test_an_email_setting_that_is_not_a_mapping_is_a_config_error() -> None:
    with pytest.raises(SiteConfigError, match="routeros-lb:email"):
        capture(declare_site, config={**_config("dev"), "routeros-lb:email": "{not json"})

