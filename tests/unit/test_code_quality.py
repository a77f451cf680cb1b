"""Strict tooling (style principle 11): ruff on the code, mypy --strict on careflow/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True,
                          text=True)


@pytest.mark.skipif(shutil.which("ruff") is None and _run("ruff", "--version").returncode,
                    reason="ruff is not installed (pip install -e '.[test]')")
def test_ruff_is_clean_on_careflow() -> None:
    done = _run("ruff", "check", "careflow", "benchmarks")
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_strict_is_clean_on_careflow() -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")
    done = _run("mypy")
    assert done.returncode == 0, done.stdout + done.stderr
