"""Japanese and English labels (careflow/labels.py): every code the rules use and every code
of the contract's vocabulary has both, and the Japanese ones use the clinic's own terms."""

from __future__ import annotations

import re

import pytest

from careflow import labels as L
from careflow import vocabulary as v
from careflow.facts import FACTS
from careflow.rulebook import default_rulebook

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def used_in_rules() -> dict[str, set[str]]:
    """Codes the shipped rules use, by label table."""
    used: dict[str, set[str]] = {k: set() for k in (
        "action", "status", "reason", "finding", "urgency", "disclosure", "coverage", "area")}
    for compiled in default_rulebook().rules.values():
        rule = compiled.rule
        used["area"].add(rule.area)
        for o in rule.outputs:
            for kind, code in (("action", o.action), ("status", o.status),
                               ("reason", o.reason_code), ("finding", o.finding),
                               ("urgency", o.urgency), ("coverage", o.coverage)):
                if code:
                    used[kind].add(code)
            used["disclosure"].update(o.disclosures)
    return used


def assert_both(kind: str, code: str) -> None:
    """The code is in its table with a non-empty English and a Japanese label."""
    table = L._TABLES[kind]
    assert code in table, f"{kind} {code!r} has no labels"
    en, ja = table[code]
    assert en.strip(), f"{kind} {code}: empty English label"
    assert JAPANESE.search(ja) or ja in ("BMI", "eGFR"), f"{kind} {code}: {ja!r} is not Japanese"
    assert L.label(kind, code, "en") == en and L.label(kind, code, "ja") == ja


@pytest.mark.parametrize("kind", sorted(used_in_rules()))
def test_every_code_used_in_the_rules_has_both_labels(kind: str) -> None:
    codes = used_in_rules()[kind]
    assert codes or kind in ("disclosure",)
    missing = [c for c in sorted(codes) if c not in L._TABLES[kind]]
    assert missing == [], f"{kind} codes without labels: {missing}"
    for code in codes:
        assert_both(kind, code)


@pytest.mark.parametrize("kind, codes", [
    ("action", tuple(v.ACTIONS)), ("status", v.STATUSES), ("reason", v.REFERRAL_REASONS),
    ("phase", v.PHASES), ("track", v.TRACKS), ("kind", v.KINDS), ("urgency", v.URGENCIES),
    ("coverage", v.COVERAGES), ("disclosure", v.DISCLOSURES), ("condition", v.CONDITIONS),
    ("allergy", v.ALLERGIES), ("pain_pattern", v.PAIN_PATTERNS),
    ("vein_symptom", v.VEIN_SYMPTOMS), ("response", v.RESPONSES), ("sex", v.SEXES),
    ("verification", ("V", "S", "U")),
], ids=lambda x: x if isinstance(x, str) else "")
def test_every_contract_code_has_both_labels(kind: str, codes: tuple[str, ...]) -> None:
    assert sorted(set(codes) - set(L._TABLES[kind])) == []
    for code in codes:
        assert_both(kind, code)


def test_every_finding_name_has_both_labels() -> None:
    derived = used_in_rules()["finding"] | set(default_rulebook().scopes)
    assert derived <= set(L.FINDINGS), sorted(derived - set(L.FINDINGS))
    for name in derived:
        assert_both("finding", name)


def test_every_fact_a_rule_may_test_has_both_labels() -> None:
    for name in FACTS:
        # an unlabelled fact falls back to its own (ASCII) name in both languages
        ja = L.fact_label(name, "ja")
        assert JAPANESE.search(ja) or ja in ("BMI", "eGFR"), f"fact {name}: {ja!r}"
        assert L.fact_label(name, "en").strip()


def test_japanese_labels_use_the_clinic_terms() -> None:
    ja = {code: L.label("action", code, "ja") for code in v.ACTIONS}
    assert ja["compression_stockings"] == "弾性ストッキング"
    assert ja["endovenous_thermal_ablation"] == "血管内焼灼術"
    assert "グルー治療" in ja["cyanoacrylate_closure"]
    assert ja["intra_arterial_injection"] == "動注治療"
    assert ja["exosome_injection"] == "エクソソーム注射"
    assert ja["medical_diet"] == "メディカルダイエット"
    assert ja["hyaluronic_acid_injection"] == "ヒアルロン酸注射"
    assert ja["use_western_toilet"] == "洋式トイレを使う"
    assert L.label("vein_symptom", "night_cramps", "ja") == "夜間のこむら返り"


@pytest.mark.parametrize("fact, en, ja", [
    ("legs.right.veins.ceap_c", "right leg: CEAP clinical class", "右脚：CEAP臨床分類"),
    ("legs.left.veins.duplex.gsv_reflux_ms", "left leg: great saphenous reflux (ms)",
     "左脚：大伏在静脈の逆流時間（ms）"),
    ("legs.right.knee.pain_pattern.worse_after_standing", "right leg: worse after standing",
     "右脚：長時間の立ち仕事で悪化"),
    ("conditions.heart_failure", "heart failure", "心不全"),
    ("allergies.cyanoacrylate", "cyanoacrylate allergy", "シアノアクリレートアレルギー"),
    ("history[0]", "treatment history entry 1", "治療歴 1"),
    ("history.cyanoacrylate_closure.tried", "cyanoacrylate glue closure: tried before",
     "グルー治療（血管内塞栓術）：治療歴あり"),
    ("self_pay_ready", "self-pay options open", "自費診療の選択肢あり"),
    ("endovenous_thermal_ablation contraindicated", "endovenous thermal ablation: "
     "contraindicated", "血管内焼灼術：禁忌"),
    ("preferences.accepts_self_pay", "accepts self-pay treatment", "自費診療を希望"),
    ("something.new", "something.new", "something.new"),
])
def test_plan_reasons_read_as_words(fact: str, en: str, ja: str) -> None:
    assert L.reason_label(fact, "en") == en
    assert L.reason_label(fact, "ja") == ja


def test_values_read_as_words() -> None:
    assert L.value_label(True, "ja") == "はい" and L.value_label(False) == "no"
    assert L.value_label(["heaviness", "evening_swelling"], "ja") == "だるさ・重さ、夕方のむくみ"
    assert L.value_label(900.0) == "900" and L.value_label(0.85) == "0.85"
    assert L.value_label(None, "ja") == "不明"
    entry = {"treatment": "steroid_injection", "weeks": 12, "response": "none"}
    assert L.value_label(entry) == "treatment: steroid injection, weeks: 12, response: no response"


def test_an_unknown_code_shows_as_itself() -> None:
    assert L.label("action", "new_action", "ja") == "new_action"
    assert L.label("side", None, "ja") == "全身"
