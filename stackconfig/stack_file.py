"""A stack file (`stacks/Pulumi.<stack>.yaml`) read as the Pulumi CLI reads it: YAML 1.2.

`yes` and `no` are text (the e-mail setting `tls: yes` is the text `yes`), `0443` is 443, and a key
written twice in one mapping is refused naming both lines instead of one silently winning. A
top-level scalar is the text as written, as the CLI hands it to the program (`8728`, `true`); a
mapping or a list is its YAML 1.2 value. `routeros:version: 7.20` reads as the number 7.2, so an
unquoted version is refused: quote it. A value stored as `secure:` is encrypted by the CLI and
cannot be read here; its key is listed in `secure` (so a password kept in clear can be told
apart from one set with `pulumi config set --secret`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stackconfig.errors import SiteConfigError
from stackconfig.keys import ROUTER_KEYS

_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
# Keys whose value is a version: a number would lose what was written (7.20 is 7.2).
_VERSION_KEYS = (ROUTER_KEYS["version"],)


class StackFileError(SiteConfigError):
    """A stack file that cannot be read as config; each problem names the file and line."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems)
        self.args = ("\n".join(f"{where}: {reason}" for where, reason in problems),)


@dataclass(frozen=True)
class StackFile:
    path: Path
    # key → the text of a scalar, the value of a mapping or list, None for an empty value.
    config: dict[str, Any]
    # Keys stored encrypted (`secure:`); their values are not in `config`.
    secure: frozenset[str]


def _yaml() -> YAML:
    # The safe loader of YAML 1.2 (ruamel's default version); pure Python, so the same
    # everywhere.
    return YAML(typ="safe", pure=True)


def read_stack_file(path: Path) -> StackFile:
    """The stack file's `config:` map; `StackFileError` for anything the CLI would refuse or read
    otherwise than the text suggests."""
    yaml = _yaml()
    try:
        document = yaml.compose(path.read_text())
    except YAMLError as error:
        raise StackFileError([(str(path), f"is not valid YAML: {error}")]) from None
    except OSError as error:
        raise StackFileError([(str(path), f"cannot be read: {error.strerror}")]) from None
    problems = _duplicated_keys(path, document) if document is not None else []
    if problems:
        raise StackFileError(problems)
    config_node = _entry(document, "config")
    if config_node is None:
        return StackFile(path, {}, frozenset())
    if not isinstance(config_node, MappingNode):
        raise StackFileError([(f"{path}:{_line(config_node)}", "`config` must be a map of "
                                                               "settings")])
    config: dict[str, Any] = {}
    secure: set[str] = set()
    for key_node, value_node in config_node.value:
        key = str(key_node.value)
        if _entry(value_node, "secure") is not None:
            secure.add(key)
            continue
        if key in _VERSION_KEYS and _is_number(value_node):
            problems.append((f"{path}:{_line(value_node)}",
                             f"{key}: {value_node.value} reads as a number, not the version as "
                             f"written; quote it: {key}: \"{value_node.value}\""))
            continue
        config[key] = (_text(value_node) if isinstance(value_node, ScalarNode)
                       else _value(yaml, value_node))
    if problems:
        raise StackFileError(problems)
    return StackFile(path, config, frozenset(secure))


def _line(node: Node) -> int:
    return int(node.start_mark.line) + 1


def _entry(node: Node | None, name: str) -> Node | None:
    if not isinstance(node, MappingNode):
        return None
    return next((value for key, value in node.value
                 if isinstance(key, ScalarNode) and key.value == name), None)


def _is_number(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style is None and node.tag in _NUMBER_TAGS


def _text(node: ScalarNode) -> str | None:
    if node.style is None and node.tag == "tag:yaml.org,2002:null":
        return None
    return str(node.value)


def _value(yaml: YAML, node: Node) -> Any:
    """A node's YAML 1.2 value as plain data (a date stays the text written: config is JSON)."""
    if isinstance(node, MappingNode):
        return {str(_value(yaml, key)): _value(yaml, value) for key, value in node.value}
    if isinstance(node, SequenceNode):
        return [_value(yaml, item) for item in node.value]
    value = yaml.constructor.construct_object(node, deep=True)
    if isinstance(value, datetime.date | datetime.datetime):
        return str(node.value)
    return value


def _duplicated_keys(path: Path, node: Node, where: str = "") -> list[tuple[str, str]]:
    problems = []
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            name = f"{where}.{key}" if where and where != "config" else key
            if key in seen:
                problems.append((f"{path}:{_line(key_node)}",
                                 f"{name} is set twice, on line {seen[key]} and line "
                                 f"{_line(key_node)}; keep one"))
            else:
                seen[key] = _line(key_node)
            problems += _duplicated_keys(path, value_node, name)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            problems += _duplicated_keys(path, item, f"{where}.{index}")
    return problems


def write_stack_file(path: Path, config: dict[str, Any]) -> Path:
    """A stack file holding `config`, readable by `read_stack_file` and the Pulumi CLI alike:
    text stays text (a version `"7.20"` or `"false"` is written quoted)."""
    yaml = _yaml()
    yaml.default_flow_style = False
    with path.open("w") as out:
        yaml.dump({"config": config}, out)
    return path
