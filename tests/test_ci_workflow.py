"""The workflows are valid GitHub Actions, checked offline against their JSON schema, and do what
the README says: preview every real site with --diff on pull requests; run the provider and
lifecycle tests against a RouterOS CHR in a container, one v6 and one v7."""

import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = ROOT / ".github" / "workflows"
WORKFLOW = WORKFLOWS / "preview.yml"
REAL_ROUTER = WORKFLOWS / "real-router.yml"


def _load(path: Path) -> dict:
    return YAML(typ="safe", pure=True).load(path.read_text())


@pytest.mark.parametrize("workflow", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_workflow_matches_the_github_schema(workflow: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", str(workflow)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_previews_every_real_site_with_diff() -> None:
    workflow = _load(WORKFLOW)
    preview = workflow["jobs"]["preview"]
    stacks = preview["strategy"]["matrix"]["stack"]
    site_stacks = {p.name.split(".")[1] for p in (ROOT / "stacks").glob("Pulumi.*.yaml")} - {"dev"}
    assert set(stacks) == site_stacks
    pulumi_step = next(
        step for step in preview["steps"] if step.get("uses", "").startswith("pulumi/actions")
    )
    assert pulumi_step["with"]["command"] == "preview"
    assert pulumi_step["with"]["diff"] is True


def test_real_router_job_runs_the_router_layers_against_chr_v6_and_v7() -> None:
    job = _load(REAL_ROUTER)["jobs"]["chr"]
    versions = job["strategy"]["matrix"]["routeros"]
    assert sorted(version.split(".")[0] for version in versions) == ["6", "7"]
    assert any(version.startswith("6.49.") for version in versions)
    service = job["services"]["routeros"]
    assert service["image"] == "evilfreelancer/docker-routeros:${{ matrix.routeros }}"
    assert "--cap-add=NET_ADMIN" in service["options"].split()
    assert "--device=/dev/net/tun" in service["options"].split()
    assert "8728:8728" in service["ports"]
    # The variables tests/real_router.py reads; the password is made per run, never a literal.
    assert job["env"]["ROUTEROS_TEST_HOST"] == "127.0.0.1"
    assert job["env"]["ROUTEROS_TEST_VERSION"] == "${{ matrix.routeros }}"
    assert "ROUTEROS_TEST_PASSWORD" not in job["env"]
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    assert "ROUTEROS_TEST_PASSWORD=$password\" >> \"$GITHUB_ENV\"" in runs
    assert "::add-mask::$password" in runs
    assert "pytest" in runs
    assert "tests/providers tests/lifecycle" in runs


def test_real_router_setup_script_is_python_that_compiles() -> None:
    import textwrap

    job = _load(REAL_ROUTER)["jobs"]["chr"]
    runs = "\n".join(step.get("run", "") for step in job["steps"])
    script = runs.split("<<'EOF'\n", 1)[1].split("\nEOF", 1)[0]
    code = compile(textwrap.dedent(script), "real-router setup", "exec")
    assert "librouteros" in code.co_names
