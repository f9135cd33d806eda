"""Stack files read as the Pulumi CLI reads them (YAML 1.2), through the tools' entry point
(`tools.site_plan.load_plan`, which every tool and the demo call)."""

from __future__ import annotations

from pathlib import Path

import pytest

from stackconfig.stack_file import StackFileError, read_stack_file
from tools.site_plan import StackError, load_plan

SITE = """\
config:
  routeros:host: 127.0.0.1
  routeros:version: "7.20"
  routeros-lb:email:
    server: mail.example.com
    from: router@example.com
    to: admin@example.com
    tls: {tls}
  routeros-lb:services:
    web:
      frontend: {{address: 203.0.113.2, ports: {ports}}}
      servers:
        web1: {{address: 192.168.1.11}}
        web2: {{address: 192.168.1.12}}
"""


def _stack(tmp_path: Path, text: str) -> Path:
    (tmp_path / "Pulumi.lab.yaml").write_text(text)
    return tmp_path


def test_yes_is_the_text_yes_and_a_leading_zero_is_decimal(tmp_path: Path) -> None:
    loaded = load_plan("lab", directory=_stack(tmp_path, SITE.format(tls="yes", ports="[0443]")))
    assert loaded.site.email is not None
    assert loaded.site.email.tls == "yes"
    assert loaded.site.services["web"].frontend.ports == "443"


def test_a_key_written_twice_is_refused_naming_both_lines(tmp_path: Path) -> None:
    text = SITE.format(tls="no", ports="[80]") + "        web1: {address: 192.168.1.13}\n"
    with pytest.raises(StackError) as caught:
        load_plan("lab", directory=_stack(tmp_path, text))
    message = str(caught.value)
    assert "routeros-lb:services.web.servers.web1 is set twice, on line 13 and line 15" in message
    assert "Pulumi.lab.yaml:15" in message


@pytest.mark.parametrize("version", ["7.20", "7", "6.49"])
def test_an_unquoted_version_is_refused_with_quote_it(tmp_path: Path, version: str) -> None:
    text = SITE.format(tls="no", ports="80").replace('"7.20"', version)
    with pytest.raises(StackError) as caught:
        load_plan("lab", directory=_stack(tmp_path, text))
    assert f'quote it: routeros:version: "{version}"' in str(caught.value)
    assert "Pulumi.lab.yaml:3" in str(caught.value)


def test_scalars_are_the_text_written_and_structures_their_values(tmp_path: Path) -> None:
    text = SITE.format(tls="starttls", ports="[80, 443]") + "  routeros:port: 8728\n" \
        "  routeros:tls: false\n  routeros:username: null\n"
    config = read_stack_file(_stack(tmp_path, text) / "Pulumi.lab.yaml").config
    assert config["routeros:port"] == "8728"
    assert config["routeros:tls"] == "false"
    assert config["routeros:username"] is None  # an empty value: unset
    assert config["routeros-lb:services"]["web"]["frontend"]["ports"] == [80, 443]


def test_yaml_that_does_not_parse_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(StackFileError, match="Pulumi.lab.yaml: is not valid YAML"):
        read_stack_file(_stack(tmp_path, "config: [unclosed\n") / "Pulumi.lab.yaml")


@pytest.mark.parametrize("key", ["routeros:password", "routeros-lb:smtpPassword"])
def test_a_password_in_clear_is_refused_and_a_secure_one_is_not(tmp_path: Path,
                                                                 key: str) -> None:
    base = SITE.format(tls="no", ports="80")
    with pytest.raises(StackError) as caught:
        load_plan("lab", directory=_stack(tmp_path, base + f"  {key}: hunter2-Clear\n"))
    assert f"{key}: is kept in clear" in str(caught.value)
    assert f"pulumi config set --secret {key}" in str(caught.value)
    assert "hunter2-Clear" not in str(caught.value)
    stack = _stack(tmp_path, base + f"  {key}:\n    secure: AAABAGo0b2Zfc2VjcmV0\n")
    assert load_plan("lab", directory=stack).site.router.host == "127.0.0.1"
    assert key in read_stack_file(stack / "Pulumi.lab.yaml").secure
