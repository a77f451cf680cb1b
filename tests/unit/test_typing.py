"""The public API's types as a downstream user sees them: tests/typing/public_api.py checked
with mypy --strict against the installed package (py.typed), as a clinic's software would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_public_api_types_hold_under_mypy_strict(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental",
         "--cache-dir", str(tmp_path / "cache"), str(ROOT / "tests" / "typing" / "public_api.py")],
        capture_output=True, text=True, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
