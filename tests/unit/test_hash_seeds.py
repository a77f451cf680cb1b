"""Byte-identical plans in any process under any hash seed (docs/plan.md): every bundled
example's plan, as JSON, FHIR and cards, is the same text in two processes whose
PYTHONHASHSEEDs differ (sets, dict orders built from sets and the engine's own hashing must
never reach the output; issue 14, item 6)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import sys
from pathlib import Path
from careflow import evaluate, read_patient
from careflow.export.cds_hooks import to_cards_json
from careflow.export.fhir import to_fhir_json
for path in sorted(Path("examples").glob("*.yaml")):
    plan = evaluate(read_patient(path))
    sys.stdout.write(plan.to_json() + to_fhir_json(plan, "ja") + to_cards_json(plan, "en"))
"""


def _run(seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, check=False,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_plans_are_byte_identical_under_two_hash_seeds() -> None:
    first, second = _run("0"), _run("4242")
    assert len(first) > 10_000
    assert first == second
