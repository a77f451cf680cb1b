"""A counterexample as the doctors read it: a Japanese Gherkin scenario to paste into a
feature file (features/*.feature: Japanese clinical prose, the table rows and phrases of the
feature files' glossary, tagged with the rule ids; no field names, no codes), and as a YAML
patient document."""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

import yaml

from .. import labels
from ..plan import Item
from .domain import ASSESSED_ON
from .meaning import PlanView, on_plan, where
from .properties import Formula, Property

SIDE_JA = {"right": "右脚", "left": "左脚"}
KNEE_JA = {"right": "右膝", "left": "左膝"}
STATUS_JA = {"recommended": "推奨", "option": "選択肢", "contraindicated": "禁忌",
             "not_recommended": "非推奨", "deferred": "保留", "next_step": "次の段階"}

# (document key under the leg, row label, how the value is written)
LEG_ROWS: tuple[tuple[str, str, str], ...] = (
    ("abi", "ABI", "number"),
    ("toe_pressure_mmhg", "足趾血圧（mmHg）", "number"),
    ("ischemic_rest_pain", "虚血性安静時痛", "bool"),
    ("arterial_ulcer_or_gangrene", "動脈性の潰瘍・壊疽", "bool"),
    ("acute_ischemia_signs", "急性虚血の徴候", "bool"),
    ("wells_score", "Wellsスコア", "number"),
    ("knee.pain_nrs", "膝の痛み（NRS）", "number"),
    ("knee.pain_pattern", "膝の痛みの出方", "patterns"),
    ("knee.kl_grade", "KL分類", "number"),
    ("knee.hot_swollen_joint", "膝の熱感・腫脹", "bool"),
    ("knee.recent_trauma", "最近の膝の外傷", "bool"),
    ("knee.cannot_bear_weight", "荷重不能", "bool"),
    ("knee.ottawa_positive", "オタワ膝ルールの所見", "bool"),
    ("knee.fracture_excluded", "画像での骨折の否定", "bool"),
    ("knee.septic_arthritis_excluded", "化膿性関節炎の否定", "bool"),
    ("knee.prior_arthroplasty", "人工膝関節", "bool"),
    ("knee.prior_knee_surgery", "膝の手術歴", "bool"),
    ("veins.symptoms", "静脈の症状", "symptoms"),
    ("veins.ceap_c", "CEAP分類", "ceap"),
    ("veins.bleeding", "静脈瘤からの出血", "bool"),
    ("veins.superficial_thrombophlebitis", "急性表在性血栓性静脈炎", "bool"),
    ("veins.svt_length_cm", "表在静脈血栓の長さ（cm）", "number"),
    ("veins.svt_junction_distance_cm", "血栓先端から接合部までの距離（cm）", "number"),
    ("veins.svt_diagnosed_on", "表在静脈血栓症の診断", "date"),
    ("veins.duplex.performed_on", "エコー検査の実施", "date"),
    ("veins.duplex.gsv_reflux_ms", "大伏在静脈の逆流時間（ms）", "number"),
    ("veins.duplex.ssv_reflux_ms", "小伏在静脈の逆流時間（ms）", "number"),
    ("veins.duplex.aasv_reflux_ms", "前副伏在静脈の逆流時間（ms）", "number"),
    ("veins.duplex.deep_reflux_ms", "深部静脈の逆流時間（ms）", "number"),
    ("veins.duplex.gsv_diameter_mm", "大伏在静脈の径（mm）", "number"),
    ("veins.duplex.ssv_diameter_mm", "小伏在静脈の径（mm）", "number"),
    ("veins.duplex.aasv_diameter_mm", "前副伏在静脈の径（mm）", "number"),
    ("veins.duplex.dvt", "エコーでの深部静脈血栓", "bool"),
)
PATIENT_ROWS: tuple[tuple[str, str, str], ...] = (
    ("bmi", "BMI", "number"),
    ("egfr", "eGFR", "number"),
    ("pregnant", "妊娠", "bool"),
    ("lifestyle.smoker", "喫煙", "bool"),
    ("lifestyle.alcohol_drinks_per_week", "飲酒量（ドリンク/週）", "number"),
    ("lifestyle.standing_hours_per_day", "立ち仕事（時間/日）", "number"),
    ("lifestyle.sitting_hours_per_day", "座りっぱなし（時間/日）", "number"),
    ("lifestyle.sits_on_floor", "正座・横座りの習慣", "bool"),
    ("lifestyle.japanese_style_toilet", "和式トイレの使用", "bool"),
    ("lifestyle.sleeps_on_futon", "布団での就寝", "bool"),
    ("preferences.accepts_self_pay", "自費診療の希望", "bool"),
    ("preferences.wants_further_improvement", "さらなる改善の希望", "bool"),
    ("preferences.prefers_non_thermal", "熱を使わない治療の希望", "bool"),
)
PHRASES: dict[tuple[str, str], str] = {
    # where the feature files' phrase differs from the plan's label
    ("medications", "anticoagulant"): "抗凝固薬",
    ("treatments", "compression_stockings"): "弾性ストッキングによる圧迫療法",
}
SYMPTOM_JA = {"bulging_veins": "血管の浮き上がり", "visible_blue_veins": "青く目立つ血管",
              "heaviness": "脚のだるさ・重さ", "evening_swelling": "夕方のむくみ",
              "night_cramps": "夜間のこむら返り", "leg_fatigue_pain": "脚の疲れ・痛み",
              "skin_pigmentation": "皮膚の色素沈着"}
PATTERN_JA = {"start_up": "動き始めの痛み", "on_movement": "動作時の痛み",
              "at_rest": "安静時の痛み",
              "worse_after_standing": "立ち仕事の後に悪化",
              "relieved_by_elevation": "脚を上げると軽快"}
PRESSURE_JA = {"<=20": "20mmHg以下", "20-30": "20〜30mmHg", "30-40": "30〜40mmHg"}
ASKED_JA = {"conditions": "既往歴・併存疾患", "allergies": "アレルギー歴", "medications": "服薬歴"}
RESPONSE_JA = {"none": "効果がなかった", "partial": "一部改善した", "good": "十分に改善した",
               "not_tolerated": "耐えられず中止した"}
VEIN_JA = {"gsv": "大伏在静脈", "ssv": "小伏在静脈", "aasv": "前副伏在静脈"}


def _get(doc: dict[str, Any], path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell(kind: str, value: Any) -> str:
    if kind == "bool":
        return "あり" if value else "なし"
    if kind == "ceap":
        return f"C{value}"
    if kind == "patterns":
        return "、".join(PATTERN_JA[p] for p in value) or "なし"
    if kind == "symptoms":
        return "、".join(SYMPTOM_JA[s] for s in value) or "なし"
    if kind == "date":
        days = (ASSESSED_ON - dt.date.fromisoformat(value)).days
        return "当日" if days == 0 else f"{days}日前" if days > 0 else f"{-days}日後"
    return _number(value)


def phrase(kind: str, code: str) -> str:
    """The feature files' Japanese phrase for a code."""
    if (kind, code) in PHRASES:
        return PHRASES[(kind, code)]
    table = {"conditions": "condition", "allergies": "allergy", "medications": "medication",
             "treatments": "action", "actions": "action", "disclosures": "disclosure"}[kind]
    return labels.label(table, code, "ja")


def _width(text: str) -> int:
    """Columns a text takes in a terminal (a wide character takes two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _table(rows: list[tuple[str, str]]) -> list[str]:
    left = max(_width(label) for label, _ in rows)
    right = max(_width(value) for _, value in rows)
    return [f"      | {label}{' ' * (left - _width(label))} | "
            f"{value}{' ' * (right - _width(value))} |" for label, value in rows]


def given_steps(doc: dict[str, Any]) -> list[str]:
    """The patient, as the 前提 steps of the feature files."""
    sex = labels.label("sex", doc["sex"], "ja")
    lines = [f"    前提 {doc['age']}歳の{sex}"]
    for kind in ("conditions", "allergies", "medications"):
        if kind not in doc:
            lines.append(f"    かつ {ASKED_JA[kind]}を聴取していない")
            continue
        for code in doc[kind]:
            word = phrase(kind, code)
            lines.append(f"    かつ {word}を服用している" if kind == "medications" else
                         f"    かつ {word}{'である' if code == 'breastfeeding' else 'がある'}")
    flat = dict(doc)
    if "height_cm" in doc and "weight_kg" in doc:
        flat["bmi"] = round(doc["weight_kg"] / (doc["height_cm"] / 100) ** 2, 1)
    rows = [(label, _cell(kind, _get(flat, path))) for path, label, kind in PATIENT_ROWS
            if _get(flat, path) is not None and (kind != "bool" or path == "pregnant"
                                                 or _get(flat, path))]
    if "pregnant" not in doc and doc["sex"] == "female":
        rows.append(("妊娠", "不明"))
    if rows:
        lines.append("    かつ 患者の状況は次のとおり")
        lines.extend(_table(rows))
    for leg in doc["legs"]:
        side = leg["side"]
        cells = [(label, _cell(kind, _get(leg, path))) for path, label, kind in LEG_ROWS
                 if _get(leg, path) is not None and (kind != "bool" or _get(leg, path)
                                                     or path.endswith(("dvt", "ottawa_positive")))]
        if "knee" in leg and not any(path.startswith("knee.") and _get(leg, path) is not None
                                     for path, _, _ in LEG_ROWS):
            cells.append(("膝の痛み（NRS）", "0"))
        if cells:
            lines.append(f"    かつ {SIDE_JA[side]}の所見は次のとおり")
            lines.extend(_table(cells))
        else:
            lines.append(f"    かつ {SIDE_JA[side]}を診察する")
    for entry in doc.get("history", []):
        side, weeks = entry["side"], entry["weeks"]
        what = phrase("treatments", entry["treatment"])
        went = RESPONSE_JA[entry["response"]]
        verb = "行い" if entry["response"] in ("partial", "good") else "行ったが"
        if "vein" in entry:
            lines.append(f"    かつ {SIDE_JA[side]}の{VEIN_JA[entry['vein']]}に{what}を"
                         f"{weeks}週前に{verb}、{went}")
        else:
            lines.append(f"    かつ {KNEE_JA[side] if _knee_track(entry) else SIDE_JA[side]}で"
                         f"{what}を{weeks}週間{verb}、{went}")
    return lines


def _knee_track(entry: dict[str, Any]) -> bool:
    from .. import vocabulary as v

    return v.ACTIONS[entry["treatment"]].track == "knee"


def then_steps(prop: Property, view: PlanView, side: str | None) -> list[str]:
    """What the property requires, for the items where the engine's plan breaks it."""
    lines: list[str] = []
    _expect(prop.formula, view, side, lines, want=True)
    out = []
    first = True
    for line in dict.fromkeys(lines):
        if line.startswith("#"):
            out.append("    " + line)
            continue
        out.append(("    ならば " if first else "    かつ ") + line)
        first = False
    return out


def _where(side: str | None) -> str:
    return f"{SIDE_JA[side]}では" if side else ""


def _expect(f: Formula, view: PlanView, this: str | None, out: list[str], want: bool) -> None:
    """Sentences for the atoms of `f` that the plan gets wrong (`want`: what f should be)."""
    if f.op == "implies":
        if on_plan(f.parts[0], view, this) and not on_plan(f.parts[1], view, this):
            _expect(f.parts[1], view, this, out, True)
        return
    if f.op in ("all", "any"):
        for part in f.parts:
            if on_plan(part, view, this) != want:
                _expect(part, view, this, out, want)
        return
    if f.op == "not":
        _expect(f.parts[0], view, this, out, not want)
        return
    side = where(f.arg("side", "this"), this)
    if f.op == "status":
        statuses = f.arg("in") if f.arg("in") is not None else f.arg("not_in")
        positive = (f.arg("in") is not None) == want
        for action in f.arg("actions"):
            got = view.status(action, side)
            if (got in statuses) == positive:
                continue
            name = phrase("actions", action)
            words = "・".join(STATUS_JA[s] for s in statuses if s in STATUS_JA)
            if positive and len(statuses) == 1 and statuses[0] in STATUS_JA:
                out.append(f"{_where(side)}{name}が{words}となる")
            elif not positive and "absent" not in statuses:
                out.append(f"{_where(side)}{name}は{words}のいずれにもならない")
            else:
                out.append(f"{_where(side)}{name}が提示される" if not positive else
                           f"{_where(side)}{name}は提示されない")
    elif f.op == "pressure":
        item = view.item("compression_stockings", side)
        if item is not None:
            out.append(f"{_where(side)}弾性ストッキングが{STATUS_JA[item.status]}となる")
            wanted = f.arg("in")
            if wanted is not None and want:
                out.append("圧迫圧は" + "または".join(PRESSURE_JA[p] for p in wanted)
                           + "となる")
            elif wanted is None and f.arg("given") != want:
                out.append("圧迫圧は指定されない")
    elif f.op == "rests_on_unknown" and not want:
        for action in f.arg("actions"):
            item = view.item(action, side)
            if item is not None and view.rests_on_unknown(action, side):
                where_ja = SIDE_JA[side] + "の" if side else ""
                out.append(f"# {where_ja}{phrase('actions', action)}（{STATUS_JA[item.status]}）"
                           "は、確定していない（不明な値による）判断に依拠している")
    elif f.op == "disclosures":
        for action in f.arg("actions"):
            item = view.item(action, side)
            if item is None:
                continue
            out.append(f"{_where(side)}{phrase('actions', action)}が"
                       f"{STATUS_JA[item.status]}となる")
            out.extend(f"患者に{phrase('disclosures', c)}を説明する" for c in f.arg("include")
                       if c not in item.disclosures)


def _tags(rules: tuple[str, ...]) -> str:
    return " ".join(f"@{r}" for r in rules)


def scenario(prop: Property, doc: dict[str, Any], view: PlanView, side: str | None,
             rules: tuple[str, ...], items: list[Item] | None = None) -> str:
    """The counterexample as a scenario: tagged with the rules behind it, the patient in the
    feature files' words, what the plan must say."""
    lines = [f"  {_tags(rules)}" if rules else "",
             f"  シナリオ: {prop.ja}（反例）"]
    lines += given_steps(doc)
    lines.append("    もし 治療計画を立てる")
    lines += then_steps(prop, view, side)
    return "\n".join(line for line in lines if line) + "\n"


def document_yaml(doc: dict[str, Any]) -> str:
    """The counterexample as a patient document (YAML), ready for `careflow plan`."""
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)


__all__ = ["document_yaml", "given_steps", "phrase", "scenario", "then_steps"]
