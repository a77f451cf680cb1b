"""careflow impact (docs/impact.md) on changes whose answer is known by hand: raising the ABI
below which stockings are of reduced pressure from 0.8 to 0.9 changes exactly the pressure of
legs with 0.8 <= ABI < 0.9 (20-30 or 30-40 mmHg become <=20 mmHg, whatever else the patient
has), nothing when the ABI is unknown; a small population's diff, patient by patient; the
command's outputs and exit codes; the HTML report in a real browser."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from careflow.cli import app
from careflow.export import chromium
from careflow.rulebook import default_rulebook, default_rules_dir

pytest.importorskip("z3")

from careflow.export.impact_report import as_json, as_text, to_html
from careflow.prove.impact import Cell, Outcome, Region, load_side, region
from careflow.prove.population import PopulationImpact, run_population

from .helpers import run_pasted_scenarios

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and shutil.which("chromium-browser") is None,
    reason="Debian's chromium is not installed (.ci/run installs it)")

MILD, STRONG, REDUCED = (Outcome("recommended", (("pressure_mmhg", p),))
                         for p in ("20-30", "30-40", "<=20"))


@pytest.fixture(scope="module")
def params(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("clinic") / "abi-0.9.yaml"
    path.write_text("parameters:\n  stockings_abi_reduced: 0.9\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def raised(params: Path) -> Region:
    return region(default_rulebook(), load_side(params), "rules", "abi-0.9.yaml")


def _leg(side: str, abi: float | None, ceap: int = 2) -> dict[str, Any]:
    leg: dict[str, Any] = {"side": side, "veins": {"symptoms": ["bulging_veins"],
                                                   "ceap_c": ceap}}
    if abi is not None:
        leg["abi"] = abi
    return leg


def _patient(pid: str, *legs: dict[str, Any], age: int = 60) -> dict[str, Any]:
    return {"id": pid, "assessed_on": "2026-11-20", "age": age, "sex": "male",
            "conditions": [], "allergies": [], "medications": [], "legs": list(legs)}


# By hand: the old rules give ABI 0.6-0.8 <=20 mmHg, else (under 75) 20-30 mmHg for C2 and
# 30-40 mmHg for C3; the new ones give <=20 mmHg up to 0.9.
POPULATION = [
    _patient("P-085-C2", _leg("right", 0.85)),             # 20-30 -> <=20
    _patient("P-080-C3", _leg("left", 0.8, ceap=3)),       # 30-40 -> <=20 (0.8 is inside)
    _patient("P-090", _leg("right", 0.9)),                 # 0.9 is outside: no change
    _patient("P-075", _leg("right", 0.75)),                # <=20 before and after
    _patient("P-UNKNOWN", _leg("right", None)),            # ABI unknown: no change
    _patient("P-TWO", _leg("right", 0.89), _leg("left", 1.0)),  # the right leg only
    _patient("P-085-NO-VEINS", {"side": "right", "abi": 0.85}),  # no stockings either way
]
AFFECTED = {"P-085-C2": [("right", "20-30")], "P-080-C3": [("left", "30-40")],
            "P-TWO": [("right", "20-30")]}


def _jsonl(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


# --- the region ---------------------------------------------------------------------------
def test_the_region_is_the_abi_band_between_the_two_thresholds(raised: Region) -> None:
    assert raised.facts == ("abi",)
    assert [(it.action, it.side) for it in raised.items] == [
        ("compression_stockings", "right"), ("compression_stockings", "left")]
    band = (Fraction(8, 10), True, Fraction(9, 10), False)
    for it in raised.items:
        got = {(c.old, c.new) for c in it.changes}
        assert got == {(MILD, REDUCED), (STRONG, REDUCED)}
        for c in it.changes:
            assert [(x.fact, x.side, x.kind) for x in c.cells] == [("abi", it.side, "interval")]
            assert (c.cells[0].lo, c.cells[0].lo_closed, c.cells[0].hi,
                    c.cells[0].hi_closed) == band
            assert c.every, "every leg in the band with that pressure gets <=20 mmHg"
            assert c.confirmed, c.engine
        unchanged = {u[0].kind if u[0].kind == "unknown" else (u[0].lo, u[0].hi)
                     for u in it.unchanged}
        assert unchanged == {"unknown", (None, Fraction(8, 10)), (Fraction(9, 10), None)}
    assert raised.disagreements == []


def test_the_region_in_the_doctors_words(raised: Region) -> None:
    ja = as_text(raised, None, "ja")
    assert "0.8以上0.9未満の右脚・左脚では、弾性ストッキングが" in ja
    assert "圧迫圧（mmHg）：20-30" in ja and "圧迫圧（mmHg）：30-40" in ja
    assert "圧迫圧（mmHg）：<=20）に変わる（該当する患者すべて）" in ja
    assert "が不明の場合" in ja and "0.9以上" in ja and "0.8未満" in ja
    assert "compression_stockings" not in ja and "pressure_mmhg" not in ja
    en = as_text(raised, None, "en")
    assert "0.8 <= ankle-brachial index < 0.9" in en and "unknown" in en


def test_the_boundary_scenarios_sit_on_the_edges(raised: Region) -> None:
    edges = {(b.value, b.inside): (b.old, b.new) for b in raised.boundaries}
    assert set(edges) == {(0.8, True), (0.79, False), (0.89, True), (0.9, False)}
    assert edges[(0.8, True)][1] == edges[(0.89, True)][1] == REDUCED
    assert edges[(0.8, True)][0] != REDUCED and edges[(0.89, True)][0] != REDUCED
    assert edges[(0.79, False)] == (REDUCED, REDUCED)
    assert edges[(0.9, False)][0] == edges[(0.9, False)][1] != REDUCED
    text = as_text(raised, None, "ja")
    assert "シナリオ: ABI（足関節上腕血圧比） 0.89の右脚（変化する範囲の内側）" in text
    assert "    かつ 圧迫圧は20mmHg以下となる" in text


def test_the_same_parameters_give_no_region(tmp_path: Path) -> None:
    same = tmp_path / "same.yaml"
    same.write_text("parameters:\n  stockings_abi_reduced: 0.8\n", encoding="utf-8")
    found = region(default_rulebook(), load_side(same), boundaries=False)
    assert found.items == [] and found.changes == []
    assert "どの患者の計画も変わらない" in as_text(found, None, "ja")


def test_a_rule_folders_status_change_is_found_where_the_rule_fires(tmp_path: Path) -> None:
    """A rule's output changed, not its tests: the region is the band the rule tests (ABI
    below 0.6), not "every" patient there (another contraindication may decide the item),
    and the engine confirms each change."""
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    path = folder / "veins.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: VEIN_STOCKINGS_NOT_WITH_LOW_ABI")
    end = text.index("status: contraindicated", start)
    path.write_text(text[:end] + "status: not_recommended" +
                    text[end + len("status: contraindicated"):], encoding="utf-8")
    found = region(default_rulebook(), load_side(folder), boundaries=False)
    assert found.facts == ("abi",)
    assert [(it.action, it.side) for it in found.items] == [
        ("compression_stockings", "right"), ("compression_stockings", "left")]
    for it in found.items:
        (change,) = it.changes
        assert (change.old.status, change.new.status) == ("contraindicated", "not_recommended")
        (cell,) = change.cells
        assert (cell.fact, cell.lo, cell.hi, cell.hi_closed) == ("abi", None, Fraction(6, 10),
                                                                 False)
        assert not change.every and change.confirmed


# --- the population -----------------------------------------------------------------------
def _affected(pop: PopulationImpact) -> dict[str | None, list[tuple[str | None, str]]]:
    return {d.patient_id: [(i.side, i.old_detail["pressure_mmhg"]) for i in d.items]
            for d in pop.affected}


def test_a_small_populations_diff_by_hand(tmp_path: Path, params: Path, raised: Region) -> None:
    path = _jsonl(tmp_path / "pop.jsonl", POPULATION)
    pop = run_population(path, default_rules_dir(), params, raised, 0, False, False)
    assert pop.records == 7 and pop.bad == []
    assert pop.evaluated == 4, "only the patients with a leg in the band are evaluated"
    assert pop.both == 3, "the one without stockings under the old rules starts no change"
    assert _affected(pop) == AFFECTED
    for d in pop.affected:
        (item,) = d.items
        assert item.action == "compression_stockings"
        assert item.new_detail["pressure_mmhg"] == "<=20"
        assert ("VEIN_STOCKINGS_PRESSURE_REDUCED", "annotate") in item.came
        assert any(r in ("VEIN_STOCKINGS_PRESSURE_MILD", "VEIN_STOCKINGS_PRESSURE_STRONG")
                   and e == "annotate" for r, e in item.gone)
    mild, strong, reduced = ((("pressure_mmhg", p),) for p in ("20-30", "30-40", "<=20"))
    assert pop.counts == {
        ("compression_stockings", "recommended", mild, "recommended", reduced): 2,
        ("compression_stockings", "recommended", strong, "recommended", reduced): 1}
    every = run_population(path, default_rules_dir(), params, raised, 0, True, False)
    assert every.evaluated == every.both == 7
    assert _affected(every) == AFFECTED and every.outside == []


def test_a_csv_population_reads_like_the_batch_runner(tmp_path: Path, params: Path,
                                                      raised: Region) -> None:
    path = tmp_path / "pop.csv"
    path.write_text("id,assessed_on,age,sex,conditions,allergies,medications,legs.0.side,"
                    "legs.0.abi,legs.0.veins.symptoms,legs.0.veins.ceap_c\n"
                    "C-1,2026-11-20,60,male,[],[],[],right,0.85,bulging_veins,2\n"
                    "C-2,2026-11-20,60,male,[],[],[],right,1.0,bulging_veins,2\n",
                    encoding="utf-8")
    pop = run_population(path, default_rules_dir(), params, raised, 0, False, False)
    assert pop.bad == [] and _affected(pop) == {"C-1": [("right", "20-30")]}


# --- the command --------------------------------------------------------------------------
def test_the_command_writes_json_and_html_and_exits_1(tmp_path: Path, params: Path) -> None:
    path = _jsonl(tmp_path / "pop.jsonl", POPULATION)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["impact", str(default_rules_dir()), str(params),
                                      "--population", str(path), "--out", str(out),
                                      "-w", "2", "--no-progress"])
    assert result.exit_code == 1, result.output
    assert "3 人の計画が変わる" in result.output
    assert "pressure_mmhg" not in result.output and "annotate" not in result.output
    assert "変更後のみ：VEIN_STOCKINGS_PRESSURE_REDUCED（詳細・注記を追加）：" in result.output
    data = json.loads((out / "impact.json").read_text(encoding="utf-8"))
    assert data["kind"] == "careflow-impact" and data["differs"] is True
    assert data["facts"] == ["abi"]
    assert {(p["id"], p["items"][0]["side"]) for p in data["population"]["patients"]} == {
        (pid, side) for pid, items in AFFECTED.items() for side, _ in items}
    change = data["items"][0]["changes"][0]
    assert change["where"] == [{"fact": "abi", "side": "right", "kind": "interval",
                                "min": 0.8, "min_included": True, "max": 0.9,
                                "max_included": False}]
    html = (out / "impact.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "0.8以上0.9未満" in html


def test_no_difference_exits_0(tmp_path: Path) -> None:
    same = tmp_path / "same.yaml"
    same.write_text("parameters:\n  stockings_abi_reduced: 0.8\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["impact", str(default_rules_dir()), str(same),
                                      "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "No patient's plan differs." in result.output


def test_bad_input_exits_2_and_names_the_file(tmp_path: Path, params: Path) -> None:
    rules = str(default_rules_dir())
    missing = tmp_path / "nowhere.jsonl"
    result = CliRunner().invoke(app, ["impact", rules, str(params), "--population",
                                      str(missing)])
    assert result.exit_code == 2 and "nowhere.jsonl" in result.output
    result = CliRunner().invoke(app, ["impact", rules, str(tmp_path / "none.yaml")])
    assert result.exit_code == 2 and "none.yaml" in result.output
    bad = _jsonl(tmp_path / "bad.jsonl", [POPULATION[0], {"id": "x", "age": "old"}])
    result = CliRunner().invoke(app, ["impact", rules, str(params), "--population", str(bad),
                                      "-w", "0"])
    assert result.exit_code == 2 and "bad.jsonl:2: age" in result.output
    assert "1 人の計画が変わる" in result.output, "the good records are still counted"
    csv = tmp_path / "bad.csv"
    csv.write_text("id,legs.x.side\n1,right\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["impact", rules, str(params), "--population", str(csv)])
    assert result.exit_code == 2 and "bad.csv" in result.output


def test_rules_that_do_not_load_exit_3(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("parameters:\n  stockings_abi_reduced: low\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["impact", str(default_rules_dir()), str(bad)])
    assert result.exit_code == 3 and "stockings_abi_reduced" in result.output


# --- the report in a real browser ---------------------------------------------------------
@needs_chromium
def test_the_html_report_reads_in_a_real_browser(tmp_path: Path, params: Path,
                                                 raised: Region) -> None:
    path = _jsonl(tmp_path / "pop.jsonl", POPULATION)
    pop = run_population(path, default_rules_dir(), params, raised, 0, False, False)
    page = tmp_path / "impact.html"
    from careflow.export.impact_report import rule_titles

    titles = rule_titles(default_rulebook(), load_side(params))
    page.write_text(to_html(raised, pop, "ja", titles), encoding="utf-8")
    done = chromium.run(["--dump-dom"], page)
    assert done.returncode == 0, done.stderr[-1000:]
    dom = done.stdout
    assert "ルール変更の影響" in dom and "0.8以上0.9未満の右脚・左脚では" in dom
    assert "P-085-C2" in dom and "VEIN_STOCKINGS_PRESSURE_REDUCED（詳細・注記を追加）" in dom
    assert "pressure_mmhg" not in dom, "no field name in the Japanese report"
    assert "&lt;=20" in dom, "the text is escaped, not read as a tag"
    shot = tmp_path / "impact.png"
    done = chromium.run([f"--screenshot={shot}", "--window-size=900,1200"], page)
    assert done.returncode == 0, done.stderr[-1000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG") and len(data) > 20_000, "an empty page"


def test_the_json_is_complete_without_a_population(raised: Region) -> None:
    data = json.loads(as_json(raised, None))
    assert "population" not in data and len(data["boundaries"]) == 4
    assert all(c["confirmed_by_engine"] for it in data["items"] for c in it["changes"])
    assert data["items"][0]["ja"][0].startswith("ABI")
    assert Cell("abi", "right", "unknown").contains(None)


def test_a_cell_on_a_leg_the_patient_lacks_counts_the_patient_in() -> None:
    from careflow.model import parse_patient
    from careflow.prove.impact import in_cell

    one_leg = parse_patient(_patient("ONE", _leg("right", 1.0)))
    band = Cell("abi", "left", "interval", Fraction(8, 10), True, Fraction(9, 10), False)
    assert in_cell(one_leg, band)
    assert not in_cell(one_leg, Cell("abi", "right", "interval", Fraction(8, 10), True,
                                     Fraction(9, 10), False))
    assert in_cell(one_leg, Cell("abi", "right", "interval", Fraction(9, 10), True, None))


def test_the_boundary_scenarios_run_with_the_feature_files_steps(tmp_path: Path,
                                                                 raised: Region) -> None:
    """Pasted into a feature file and run on the shipped (old) rules with the feature files'
    own steps, the scenarios inside the band fail (they pin the change down) and those just
    outside it pass."""
    from careflow.export.impact_report import scenario

    result = run_pasted_scenarios(tmp_path / "paste",
                                  "".join(scenario(b) for b in raised.boundaries))
    out = result.stdout
    assert "2 failed, 2 passed" in out, out[-3000:] + result.stderr[-2000:]
    failed = [line for line in out.splitlines() if line.startswith("FAILED")]
    # pytest-bdd names a test after its scenario, dots dropped: ABI 0.8 -> _08, 0.89 -> _089
    assert len(failed) == 2 and all("_08の" in line or "_089の" in line for line in failed), \
        failed


def test_without_z3_the_command_names_the_extra() -> None:
    import subprocess
    import sys

    code = ("import sys; sys.modules['z3'] = None\n"
            "from typer.testing import CliRunner\nfrom careflow.cli import app\n"
            "r = CliRunner().invoke(app, ['impact', 'rules', 'rules'])\n"
            "print(r.exit_code, r.output)")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=root, check=True).stdout
    assert out.startswith("2 ") and "careflow[prove]" in out
