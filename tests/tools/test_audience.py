"""The operator tools (`tools/`) load nothing of the simulator, not even through what they import:
an operator's machine runs them against a real router. The simulator-driven tools live in `lab/`."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import tools

ROOT = Path(__file__).resolve().parents[2]


def operator_modules() -> list[str]:
    return sorted(f"tools.{info.name}" for info in pkgutil.iter_modules(tools.__path__))


def loaded_after_importing(modules: list[str]) -> list[str]:
    """The modules a fresh interpreter holds after importing `modules` (and running nothing)."""
    code = ("import importlib, json, sys\n"
            f"for name in {modules!r}:\n"
            "    importlib.import_module(name)\n"
            "print(json.dumps(sorted(sys.modules)))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=True)
    return json.loads(result.stdout)


def test_every_operator_tool_imports_without_the_simulator() -> None:
    modules = operator_modules()
    assert {"tools.render", "tools.status", "tools.router_diff", "tools.rsc"} <= set(modules)
    loaded = loaded_after_importing(modules)
    assert set(modules) <= set(loaded)
    assert [name for name in loaded if name == "simulator" or name.startswith("simulator.")] == []
    assert [name for name in loaded if name == "lab" or name.startswith("lab.")] == []


def test_the_check_sees_the_simulator_when_it_is_loaded() -> None:
    # The same check on a lab tool finds the simulator: it is not blind.
    loaded = loaded_after_importing(["lab.demo"])
    assert "simulator" in loaded
