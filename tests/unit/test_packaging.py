"""A non-editable install carries the protocol inside the package: the wheel holds rules/ and
features/, and `careflow plan` run from the unpacked wheel in another folder uses them."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_the_rules_and_plans_from_any_folder(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True)
    wheel = next(out.glob("careflow-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "careflow/rules/parameters.yaml" in names
    assert "careflow/rules/veins.yaml" in names
    assert any(n.startswith("careflow/features/") and n.endswith(".feature") for n in names)
    # the command enters through the module beside the package (Ctrl-C while careflow loads)
    assert "careflow_entry.py" in names
    points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    assert "careflow = careflow_entry:main" in zipfile.ZipFile(wheel).read(points).decode()
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = ("import careflow.rulebook as r, sys; print(r.default_rules_dir()); "
            "from careflow_entry import main; sys.argv=['careflow','plan',"
            f"{str(ROOT / 'examples' / 'red-flag-dvt.yaml')!r}]; main()")
    done = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, capture_output=True,
                          text=True, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
                          check=False)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith(str(site)), first
    assert "suspected deep vein thrombosis" in done.stdout


def _extra(extras: dict[str, list[str]], name: str) -> set[str]:
    """The requirement names an extra brings, its references to careflow's own extras followed."""
    names: set[str] = set()
    for requirement in extras[name]:
        found = re.fullmatch(r"([\w.-]+)(?:\[([\w,\s-]*)\])?.*", requirement)
        assert found, requirement
        project, inner = found.group(1).lower(), found.group(2) or ""
        if project == "careflow":
            for extra in inner.split(","):
                names |= _extra(extras, extra.strip())
        else:
            names.add(project)
    return names


def test_the_service_extra_alone_brings_the_command_and_fhir() -> None:
    # `careflow serve` is a cli command and every call maps FHIR prefetch in: without typer or
    # fhir.resources the README's `pip install ".[service]" && careflow serve` stops at "needs
    # careflow's 'cli' extra" (.ci/run installs the extra alone and calls the server)
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    service = _extra(extras, "service")
    assert _extra(extras, "cli") | _extra(extras, "fhir") <= service, service
    assert {"fastapi", "uvicorn", "httpx", "pyjwt"} <= service, service
