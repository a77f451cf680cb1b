"""What the protocol digest covers (docs/plan.md#plan, `protocol.digest`; computed in
careflow/rulebook/compile.py): every rule file's name and bytes, the parameter overrides,
careflow's version and a hash of the vocabulary (every fact rules may test and every public
table of careflow.vocabulary). Each of these changes the digest; nothing else does: not the
folder the rules are in, the order its files are listed in, their times, the order of the
overrides or whether they come as a mapping or a file, nor properties.yaml (what careflow prove
checks, not what the plan does).

A decision: a comment in a rule file changes the digest. The digest names the exact files a
reviewer read and signed, comments and all; two folders with the same digest are byte for
byte the same protocol.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from careflow import load_rulebook
from careflow import vocabulary as v
from careflow.facts import FACTS
from careflow.rulebook import compile as comp

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"


@pytest.fixture(autouse=True)
def _fresh_vocabulary_hash() -> Iterator[None]:
    comp.vocabulary_digest.cache_clear()  # it is cached: recompute it around each patch
    yield
    comp.vocabulary_digest.cache_clear()


@pytest.fixture(scope="module")
def shipped() -> str:
    return load_rulebook(RULES).digest


def _copy(tmp_path: Path, name: str = "rules") -> Path:
    return Path(shutil.copytree(RULES, tmp_path / name))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- what changes it ------------------------------------------------------------------------
def test_a_rule_file_changes_it(tmp_path: Path, shipped: str) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "safety.yaml", "(Wells 2 or more)", "(Wells score 2 or more)")
    assert load_rulebook(folder).digest != shipped


def test_a_comment_in_a_rule_file_changes_it(tmp_path: Path, shipped: str) -> None:
    folder = _copy(tmp_path)
    _edit(folder / "safety.yaml", "# The safety gate", "# Reviewed. The safety gate")
    assert load_rulebook(folder).digest != shipped


def test_a_new_rule_file_or_a_renamed_one_changes_it(tmp_path: Path, shipped: str) -> None:
    folder = _copy(tmp_path)
    (folder / "self_pay.yaml").rename(folder / "self_pay_2.yaml")
    assert load_rulebook(folder).digest != shipped


def test_a_parameter_changes_it_in_the_file_or_as_an_override(tmp_path: Path,
                                                              shipped: str) -> None:
    assert load_rulebook(RULES, overrides={"review_after_weeks": 8}).digest != shipped
    folder = _copy(tmp_path)
    _edit(folder / "parameters.yaml", "review_after_weeks:\n    value: 12",
          "review_after_weeks:\n    value: 8")
    assert load_rulebook(folder).digest != shipped


def test_careflows_version_changes_it(monkeypatch: pytest.MonkeyPatch, shipped: str) -> None:
    monkeypatch.setattr(comp, "__version__", "9.9.9")
    assert load_rulebook(RULES).digest != shipped
    monkeypatch.undo()
    assert load_rulebook(RULES).digest == shipped


def _new_fact() -> tuple[str, Any]:
    spec = next(iter(FACTS.values()))
    return "a_new_fact", dataclasses.replace(spec, name="a_new_fact")


def _invasive_flipped() -> tuple[str, Any]:
    action = v.ACTIONS["compression_stockings"]
    return action.code, dataclasses.replace(action, invasive=not action.invasive)


@pytest.mark.parametrize("change", [
    "a new fact", "an action made invasive", "an action group", "a status strength",
    "the items no hold defers"])
def test_the_vocabulary_changes_it(change: str, monkeypatch: pytest.MonkeyPatch,
                                   shipped: str) -> None:
    if change == "a new fact":
        monkeypatch.setitem(FACTS, *_new_fact())
    elif change == "an action made invasive":
        monkeypatch.setitem(v.ACTIONS, *_invasive_flipped())
    elif change == "an action group":
        monkeypatch.setitem(v.ACTION_GROUPS, "analgesics", ("topical_nsaid",))
    elif change == "a status strength":
        monkeypatch.setitem(v.STATUS_STRENGTH, "option", 1)
    else:
        monkeypatch.setattr(v, "NEVER_HELD", v.NEVER_HELD[1:])
    assert load_rulebook(RULES).digest != shipped


def test_a_vocabulary_table_without_a_digest_form_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A new table of an unknown kind cannot silently stay out of the hash."""
    monkeypatch.setattr(v, "SOME_NEW_TABLE", object(), raising=False)
    with pytest.raises(TypeError, match="no digest form"):
        comp.vocabulary_digest()


# --- what does not --------------------------------------------------------------------------
def test_the_folder_and_the_files_times_do_not_change_it(tmp_path: Path, shipped: str) -> None:
    folder = _copy(tmp_path, "another-clinic")
    for path in folder.iterdir():
        os.utime(path, (0, 0))
    assert load_rulebook(folder).digest == shipped


def test_the_order_the_files_are_listed_in_does_not_change_it(
        monkeypatch: pytest.MonkeyPatch, shipped: str) -> None:
    real = Path.glob

    def reversed_glob(self: Path, pattern: str) -> Iterator[Path]:
        return iter(sorted(real(self, pattern), reverse=True))

    monkeypatch.setattr(Path, "glob", reversed_glob)
    assert load_rulebook(RULES).digest == shipped


def test_the_overrides_order_and_form_do_not_change_it(tmp_path: Path) -> None:
    one = load_rulebook(RULES, overrides={"review_after_weeks": 8, "wells_dvt_likely": 3})
    other = load_rulebook(RULES, overrides={"wells_dvt_likely": 3, "review_after_weeks": 8})
    params = tmp_path / "clinic.yaml"
    params.write_text("parameters:\n  wells_dvt_likely: 3\n  review_after_weeks:\n"
                      "    value: 8\n", encoding="utf-8")
    assert one.digest == other.digest == load_rulebook(RULES, overrides=params).digest


def test_properties_yaml_does_not_change_it(tmp_path: Path, shipped: str) -> None:
    folder = _copy(tmp_path)
    with (folder / "properties.yaml").open("a", encoding="utf-8") as f:
        f.write("\n# a note on the properties\n")
    assert load_rulebook(folder).digest == shipped
