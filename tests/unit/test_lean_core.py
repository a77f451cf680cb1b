"""The lean core (issue 14, item 4): `import careflow`, evaluate(), the batch API and the plain
outputs need only the core dependencies (durable-rules, pydantic, pyyaml); each part that
needs an extra says which one when it is missing. Each check runs in a child process in which
the extras' packages cannot be imported (as after `pip install careflow` alone); `.ci/run`
also installs the core alone in a fresh venv and evaluates an example there."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTRA_PACKAGES = ("typer", "click", "rich", "fhir", "fhir_core", "fastapi", "uvicorn", "httpx",
                  "jwt", "z3", "dask", "distributed")
BLOCK = ("import sys\n"
         f"for name in {EXTRA_PACKAGES!r}:\n"
         "    sys.modules[name] = None  # import name: ModuleNotFoundError\n")


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", BLOCK + textwrap.dedent(code)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_the_core_evaluates_and_renders_without_any_extra() -> None:
    done = _run("""
        import careflow
        from careflow.batch import evaluate_batch
        from careflow.export import text
        from careflow.export.page import to_html
        plan = careflow.evaluate(careflow.read_patient("examples/two-legs.yaml"))
        assert text.render(plan, "ja") and to_html(plan, "en") and plan.to_json()
        [result] = evaluate_batch([careflow.read_patient("examples/red-flag-dvt.yaml")],
                                  workers=0)
        assert result.ok
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in {names!r}
                        and sys.modules[m] is not None)
        print("ok", loaded)
    """.replace("{names!r}", repr(set(EXTRA_PACKAGES))))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok []"


@pytest.mark.parametrize("code, extra", [
    ("import careflow.cli", "cli"),
    ("import careflow.export.rich_text", "cli"),
    ("import careflow.export.fhir", "fhir"),
    ("import careflow.fhir_in as f; f.from_bundle({'resourceType': 'Bundle', 'type': "
     "'collection', 'entry': []})", "fhir"),
])
def test_a_part_that_needs_an_extra_names_it(code: str, extra: str) -> None:
    done = _run(code)
    assert done.returncode != 0
    assert f"pip install 'careflow[{extra}]'" in done.stderr, done.stderr
    if extra == "cli" and code == "import careflow.cli":
        assert "Traceback" not in done.stderr  # the command line says it in one line
    else:
        assert "careflow.errors.MissingExtra" in done.stderr


def test_missing_extra_is_a_careflow_error_and_an_import_error() -> None:
    from careflow import CareflowError, MissingExtra

    error = MissingExtra("fhir", ModuleNotFoundError("No module named 'fhir'", name="fhir"))
    assert isinstance(error, CareflowError) and isinstance(error, ImportError)
    assert error.extra == "fhir" and error.name == "fhir"
