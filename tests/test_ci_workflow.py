"""The pull-request workflow is valid GitHub Actions, checked offline against its JSON schema."""

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "preview.yml"


def test_workflow_matches_the_github_schema() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema",
         "vendor.github-workflows", str(WORKFLOW)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_previews_every_real_site_with_diff() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    preview = workflow["jobs"]["preview"]
    stacks = preview["strategy"]["matrix"]["stack"]
    site_stacks = {p.name.split(".")[1] for p in (ROOT / "stacks").glob("Pulumi.*.yaml")} - {"dev"}
    assert set(stacks) == site_stacks
    pulumi_step = next(
        step for step in preview["steps"] if step.get("uses", "").startswith("pulumi/actions")
    )
    assert pulumi_step["with"]["command"] == "preview"
    assert pulumi_step["with"]["diff"] is True
