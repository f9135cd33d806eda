"""The state file: the router's configuration as JSON, so it survives a restart.

Saved after every successful write (through `router.on_change`), atomically. It keeps each list
menu's items (ids included) and next id, and each writable singleton's settings. It leaves out
dynamic items and runtime values (counters, netwatch status, run counts): a restarted router
starts those afresh, as a rebooted RouterOS does. Knows menus and JSON; not sockets or behaviour.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.menus.engine import Item, ListMenu, SingletonMenu

if TYPE_CHECKING:
    from simulator.router import Router

FORMAT = 1


def snapshot(router: Router) -> dict[str, Any]:
    menus: dict[str, Any] = {}
    for path, menu in router.menus.items():
        if isinstance(menu, ListMenu) and menu.writable:
            runtime = {p.name for p in menu.schema.props.values() if p.runtime}
            menus[path] = {
                "next_id": menu.next_id,
                "items": [
                    {"id": item.id,
                     "props": {k: v for k, v in item.props.items() if k not in runtime}}
                    for item in menu.items if not item.dynamic
                ],
            }
        elif isinstance(menu, SingletonMenu) and menu.writable:
            runtime = {p.name for p in menu.schema.props.values() if p.runtime}
            menus[path] = {"props": {k: v for k, v in menu.props.items() if k not in runtime}}
    return {"format": FORMAT, "version": router.profile.version, "menus": menus}


def save(router: Router, path: Path) -> None:
    text = json.dumps(snapshot(router), indent=1, sort_keys=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load(router: Router, path: Path) -> bool:
    """Restore the configuration saved in `path`; False when there is none yet."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        data = json.loads(path.read_text())
    except ValueError as error:
        raise ValueError(f"state file {path} is not a saved configuration ({error}): "
                         "move it away to start from a new router") from None
    saved_version = data.get("version")
    if saved_version != router.profile.version:
        # Menus differ between versions (e-mail `address`/`server`, netwatch's schema): loading
        # another version's items would print properties this version does not have.
        raise ValueError(
            f"state file {path} was saved by RouterOS {saved_version}, not "
            f"{router.profile.version}: start with that version or another state file"
        )
    for menu_path, saved in data.get("menus", {}).items():
        menu = router.menus.get(menu_path)
        if isinstance(menu, ListMenu):
            runtime = menu.schema.defaults(read_only=True)
            menu.items = [
                Item(entry["id"], menu.schema.ordered({**entry["props"], **_only(runtime, menu)}))
                for entry in saved["items"]
            ]
            menu.next_id = max(saved["next_id"], *(i.id + 1 for i in menu.items), 1)
        elif isinstance(menu, SingletonMenu):
            menu.props = menu.schema.ordered({**menu.props, **saved["props"]})
    return True


def _only(defaults: dict[str, str], menu: ListMenu) -> dict[str, str]:
    return {k: v for k, v in defaults.items() if menu.schema.props[k].runtime}
