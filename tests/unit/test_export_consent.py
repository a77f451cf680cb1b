"""The self-pay explanation and consent (careflow/export/consent.py, `careflow consent`):
every required disclosure printed for each self-pay item in both languages; refused for an
item the plan does not offer, without the price list, or without a price for the item; and
`careflow check` refuses a rule set whose consent texts miss a disclosure (CF120)."""

from __future__ import annotations

import copy
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from typer.testing import CliRunner

from careflow import Patient, Plan, evaluate, parse_patient, read_patient
from careflow import vocabulary as v
from careflow.cli import app
from careflow.errors import RulebookError
from careflow.export.consent import ConsentError, read_prices, to_html
from careflow.rulebook import default_rulebook, load_rulebook
from careflow.rulebook.compile import consent_needs

from .test_export_page import CODES, needs_chromium, pdf_pages, visible

ROOT = Path(__file__).resolve().parents[2]
PRICES = ROOT / "examples" / "clinic" / "prices.yaml"
READY = ROOT / "examples" / "self-pay-ready.yaml"


def _plan_offering(action: str) -> tuple[Patient, Plan]:
    doc = yaml.safe_load(READY.read_text(encoding="utf-8"))
    patient = parse_patient(doc)
    plan = evaluate(patient)
    assert any(i.action == action and i.status == "option" for i in plan.items), action
    return patient, plan


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("action", v.ACTION_GROUPS["self_pay"])
def test_every_required_disclosure_is_printed(action: str, lang: str) -> None:
    patient, plan = _plan_offering(action)
    book = default_rulebook()
    html = to_html(plan, book, action, read_prices(PRICES), lang, None,
                   patient.history)
    parts = set(re.findall(r'data-part="(\w+)"', html))
    item = next(i for i in plan.items if i.action == action)
    required = set(item.disclosures) | {"reasons", "evidence_plain", "withdrawal"}
    assert required <= parts, sorted(required - parts)
    consent = book.source.consent
    assert consent is not None
    texts = consent["actions"][action]
    shown = visible(html)
    for code in consent_needs(book.source.rules)[action]:
        if code in item.disclosures or code == "evidence_plain":
            assert texts[code][lang] in shown, code
    price = read_prices(PRICES)["items"][action]["price"]
    assert (f"{price:,}円" if lang == "ja" else f"{price:,} yen") in shown
    codes = CODES if lang == "ja" else {c for c in CODES if "_" in c}
    assert not [c for c in codes if re.search(rf"(?<![\w-]){re.escape(c)}(?![\w-])", shown)]
    assert not re.search(r"(src|href)=|https?://", html)


OFF_LABEL = ("off_label_use", "procurement_route", "domestic_approved_alternatives",
             "foreign_safety_information", "relief_system_not_covered")


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("glp1", [True, False], ids=["with GLP-1", "without GLP-1"])
def test_the_medical_diet_says_the_off_label_statements_when_it_uses_glp1(
        glp1: bool, lang: str) -> None:
    """A programme that adds a GLP-1 drug is off-label for weight loss (docs/plan.md#disclosures):
    its consent prints the five statements, in both languages; without the drug, none."""
    book = load_rulebook(overrides={"medical_diet_uses_glp1": glp1})
    patient = parse_patient(yaml.safe_load(READY.read_text(encoding="utf-8")))
    plan = evaluate(patient, book)
    item = next(i for i in plan.items if i.action == "medical_diet")
    assert item.status == "option"
    html = to_html(plan, book, "medical_diet", read_prices(PRICES), lang, None,
                   patient.history)
    parts = set(re.findall(r'data-part="(\w+)"', html))
    assert book.source is not None and book.source.consent is not None
    texts = book.source.consent["actions"]["medical_diet"]
    shown = visible(html)
    for code in OFF_LABEL:
        assert (code in item.disclosures) is glp1, code
        assert (code in parts) is glp1, code
        assert (texts[code][lang] in shown) is glp1, code
    assert (("GLP-1製剤" if lang == "ja" else "GLP-1 drug") in shown) is glp1


def test_the_form_lists_the_insured_care_tried_and_says_how_to_withdraw() -> None:
    patient, plan = _plan_offering("intra_arterial_injection")
    shown = visible(to_html(plan, default_rulebook(), "intra_arterial_injection",
                            read_prices(PRICES), "ja", None, patient.history))
    assert ("これまでに受けた保険診療：運動療法（16週間、一部改善）、"
            "ヒアルロン酸注射（16週間、効果なし）") in shown
    assert "少なくとも7日間" in shown and "患者署名" in shown and "説明した医師の署名" in shown
    assert "効果についての研究結果は一致していません" in shown
    assert "not established" not in shown


def _two_knees() -> dict[str, Any]:
    """The self-pay-ready man with the same left knee, whose own insured care was exercise
    and a steroid injection: the knee items are offered on both legs."""
    doc: dict[str, Any] = yaml.safe_load(READY.read_text(encoding="utf-8"))
    doc["legs"].append({**copy.deepcopy(doc["legs"][0]), "side": "left"})
    doc["history"] += [
        {"treatment": "exercise_therapy", "side": "left", "weeks": 12, "response": "none"},
        {"treatment": "steroid_injection", "side": "left", "weeks": 12, "response": "none"}]
    return doc


TRIED = {"ja": "これまでに受けた保険診療：", "en": "Insured care you have had: "}
NOW = {"ja": "現在の計画にある保険診療：", "en": "Insured care in your plan now: "}


def _listed(html: str, head: str) -> str:
    """The list after `head` on the form (to the line break)."""
    shown = visible(re.sub(r"<br>|</p>", "\n", html))
    return shown.split(head, 1)[1].split("\n", 1)[0].strip()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_whole_patient_item_lists_the_insured_care_of_every_leg(lang: str) -> None:
    """The medical diet has no side: it listed 「これまでに受けた保険診療：なし」 although the
    patient had exercise and hyaluronic acid; now every leg's care, each naming its leg."""
    patient = parse_patient(_two_knees())
    plan = evaluate(patient)
    shown = to_html(plan, default_rulebook(), "medical_diet", read_prices(PRICES), lang, None,
                    patient.history)
    tried, now = _listed(shown, TRIED[lang]), _listed(shown, NOW[lang])
    if lang == "ja":
        assert tried == "、".join((
            "運動療法（右脚、16週間、一部改善）", "ヒアルロン酸注射（右脚、16週間、効果なし）",
            "運動療法（左脚、12週間、効果なし）", "ステロイド注射（左脚、12週間、効果なし）"))
        assert "運動療法（右脚）" in now and "ヒアルロン酸注射（左脚）" in now
        assert "ステロイド注射（右脚）" in now and "ステロイド注射（左脚）" not in now
    else:
        assert tried.startswith("exercise therapy (right leg, 16 weeks, a partial response), ")
        assert "steroid injection (left leg, 12 weeks, no response)" in tried
        assert "hyaluronic acid injection (left leg)" in now


def test_a_leg_item_lists_the_insured_care_of_that_leg_only() -> None:
    patient = parse_patient(_two_knees())
    plan = evaluate(patient)
    for side, had, other in (
            ("right", "ヒアルロン酸注射（16週間、効果なし）", "ステロイド注射（12週間"),
            ("left", "ステロイド注射（12週間、効果なし）", "ヒアルロン酸注射（16週間")):
        shown = to_html(plan, default_rulebook(), "intra_arterial_injection",
                        read_prices(PRICES), "ja", side, patient.history)
        tried = _listed(shown, TRIED["ja"])
        assert had in tried and other not in tried and "脚、" not in tried, (side, tried)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("action", v.ACTION_GROUPS["self_pay"])
def test_the_form_uses_its_language_s_colon(action: str, lang: str) -> None:
    """「患者ID: P-0003」 and 「KL分類: 2」 had an ASCII colon in Japanese, and
    "Patient's signature：" a full-width one in English."""
    patient, plan = _plan_offering(action)
    shown = visible(to_html(plan, default_rulebook(), action, read_prices(PRICES), lang, None,
                            patient.history))
    if lang == "ja":
        assert not re.search(r":\s", shown), re.findall(r".{12}:\s.{6}", shown)
        assert "患者ID：P-0004" in shown and "患者署名：" in shown
        if action != "medical_diet":
            assert "KL分類 2" in shown  # said as a doctor writes it
    else:
        assert "：" not in shown, re.findall(r".{12}：.{6}", shown)
        assert "Patient: P-0004" in shown and "Patient's signature:" in shown


def test_no_consent_for_an_item_the_plan_does_not_offer() -> None:
    plan = evaluate(read_patient(ROOT / "examples" / "two-legs.yaml"))
    with pytest.raises(ConsentError, match="does not offer intra_arterial_injection"):
        to_html(plan, default_rulebook(), "intra_arterial_injection", read_prices(PRICES))


def test_no_consent_without_a_price(tmp_path: Path) -> None:
    _patient, plan = _plan_offering("exosome_injection")
    cheap = tmp_path / "prices.yaml"
    cheap.write_text("items:\n  intra_arterial_injection: {price: 1}\n", encoding="utf-8")
    with pytest.raises(ConsentError, match=r"no entry for exosome_injection \(items\."):
        to_html(plan, default_rulebook(), "exosome_injection", read_prices(cheap))
    for prices, key in (({"items": ["exosome_injection"]}, "prices.items"),
                        ({"currency": "EUR", "items": {}}, "prices.currency"),
                        ({"items": {"exosome_injection": {"price": 1, "sessions": "1回"}}},
                         "prices.field_missing")):
        with pytest.raises(ConsentError) as refused:  # a mapping given by a program
            to_html(plan, default_rulebook(), "exosome_injection", prices)
        assert refused.value.key == key
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ConsentError, match="a price list is a mapping"):
        read_prices(bad)


def test_cli_refuses_without_the_price_list_and_writes_the_form(tmp_path: Path) -> None:
    runner = CliRunner()
    no_prices = runner.invoke(app, ["consent", str(READY), "--item", "medical_diet"])
    assert no_prices.exit_code == 2 and "--prices" in no_prices.output
    out = tmp_path / "consent.html"
    done = runner.invoke(app, ["consent", str(READY), "--item", "medical_diet", "--prices",
                               str(PRICES), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "自由診療 説明書・同意書" in out.read_text(encoding="utf-8")
    not_offered = runner.invoke(app, ["consent", str(ROOT / "examples" / "two-legs.yaml"),
                                      "--item", "exosome_injection", "--prices", str(PRICES)])
    assert not_offered.exit_code == 2 and "を提示していません" in not_offered.output  # ja default


def test_check_refuses_consent_texts_that_miss_a_disclosure(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    doc = yaml.safe_load((rules / "consent.yaml").read_text(encoding="utf-8"))
    del doc["actions"]["exosome_injection"]["relief_system_not_covered"]["en"]
    (rules / "consent.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True),
                                        encoding="utf-8")
    with pytest.raises(RulebookError) as err:
        load_rulebook(rules)
    assert "CF120" in str(err.value) and "relief_system_not_covered" in str(err.value)
    assert "exosome_injection" in str(err.value)


@needs_chromium
def test_the_consent_prints_to_pdf(tmp_path: Path) -> None:
    out = tmp_path / "consent.pdf"
    done = CliRunner().invoke(app, ["consent", str(READY), "--item", "intra_arterial_injection",
                                    "--prices", str(PRICES), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF-") and pdf_pages(out.read_bytes()) >= 1
    assert (ROOT / "docs" / "images" / "consent-intra-arterial.ja.png").is_file()


# --- every refusal, in both languages, through the command line ---------------------------
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ENGLISH = re.compile(r"\b(the|does|not|offer|must|give|needs|cannot|has no|is a|got)\b")
CONSENT = ["consent", str(READY), "--prices", str(PRICES)]
MINIMAL_RULES = {  # a rule set that offers no self-pay care and has no consent.yaml
    "test.yaml": "area: test\ntitle: No self-pay care\nrules:\n  - id: TEST_EXERCISE\n"
                 "    title: Exercise therapy for a painful knee\n"
                 "    when: {knee.pain_nrs: {gte: 4}}\n"
                 "    claim: {action: exercise_therapy, status: recommended}\n"
                 "    evidence: [TEST_SOURCE]\n",
    "evidence.yaml": "evidence:\n  TEST_SOURCE: {source: a test source, grade: none, "
                     "verification: U}\n"}


def _prices(tmp: Path, text: str) -> str:
    path = tmp / "prices.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _rules(tmp: Path) -> str:
    folder = tmp / "minimal"
    folder.mkdir(exist_ok=True)
    for name, text in MINIMAL_RULES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return str(folder)


class Refusal(NamedTuple):
    argv: Callable[[Path], list[str]]
    english: str
    japanese: str
    kept: tuple[str, ...] = ()  # codes, paths and values both languages show as they are


REFUSALS: dict[str, Refusal] = {
    "no price list": Refusal(
        lambda t: ["consent", str(READY), "--item", "medical_diet"],
        "a consent needs the clinic's price list: give --prices PRICES.yaml",
        "同意書には当院の料金表が必要です：--prices PRICES.yaml を指定してください", ("--prices",)),
    "not offered": Refusal(
        lambda t: ["consent", str(ROOT / "examples" / "two-legs.yaml"), "--item",
                   "exosome_injection", "--prices", str(PRICES)],
        "the plan does not offer exosome_injection (only an item that is recommended or an "
        "option can be consented to)",
        "この計画はエクソソーム注射（exosome_injection）を提示していません",
        ("exosome_injection",)),
    "not offered on that leg": Refusal(
        lambda t: [*CONSENT, "--item", "intra_arterial_injection", "--side", "left"],
        "the plan does not offer intra_arterial_injection on the left leg",
        "この計画は左脚（left）に動注治療（intra_arterial_injection）を提示していません",
        ("intra_arterial_injection", "left")),
    "no consent texts": Refusal(
        lambda t: [*CONSENT, "--item", "exosome_injection", "--rules", _rules(t)],
        "the rule set has no consent texts for exosome_injection (consent.yaml)",
        "ルールセットにエクソソーム注射（exosome_injection）の同意書の文面がありません",
        ("consent.yaml",)),
    "price list unreadable": Refusal(
        lambda t: ["consent", str(READY), "--item", "medical_diet", "--prices",
                   str(t / "missing.yaml")],
        "missing.yaml: cannot read the price list (No such file or directory)",
        "missing.yaml：料金表を読めません（No such file or directory）", ("missing.yaml",)),
    "price list not YAML": Refusal(
        lambda t: ["consent", str(READY), "--item", "medical_diet", "--prices",
                   _prices(t, "items: [\n")],
        "prices.yaml: line 2: not valid YAML:", "prices.yaml：2 行目：YAML として読めません",
        ("prices.yaml",)),
    "price list with a duplicate key": Refusal(
        lambda t: ["consent", str(READY), "--item", "medical_diet", "--prices",
                   _prices(t, "items: {}\nitems: {}\n")],
        "prices.yaml: line 2: duplicate key 'items'",
        "prices.yaml：2 行目：キー 'items' が重複しています", ("'items'",)),
    "price list not a mapping": Refusal(
        lambda t: ["consent", str(READY), "--item", "medical_diet", "--prices",
                   _prices(t, "- a list\n")],
        "prices.yaml: a price list is a mapping with 'items' ({action: {price, sessions, "
        "period}}) (got ['a list'])",
        "prices.yaml：料金表は 'items' を持つマッピングにしてください", ("['a list']",)),
    "a PDF without --out": Refusal(
        lambda t: ["plan", str(ROOT / "examples" / "two-legs.yaml"), "--format", "pdf"],
        "--format pdf writes a file: give --out PLAN.pdf",
        "--format pdf はファイルに書き出します：--out PLAN.pdf を指定してください",
        ("--out PLAN.pdf",)),
}


def _both_knees(tmp: Path) -> str:
    path = tmp / "two-knees.yaml"
    path.write_text(yaml.safe_dump(_two_knees(), allow_unicode=True), encoding="utf-8")
    return str(path)


REFUSALS["offered on both legs, no --side"] = Refusal(
    lambda t: ["consent", _both_knees(t), "--item", "intra_arterial_injection", "--prices",
               str(PRICES)],
    "the plan offers intra_arterial_injection on both legs (right, left): a consent is for one "
    "leg, give --side right or --side left",
    "動注治療（intra_arterial_injection）は両脚（right、left）に提示されています：同意書は片脚ずつ"
    "作成します。--side right か --side left で脚を指定してください", ("--side right",))
REFUSALS["a side for a whole-patient item"] = Refusal(
    lambda t: [*CONSENT, "--item", "medical_diet", "--side", "left"],
    "medical_diet is an item of the whole patient, not of a leg: give no --side (got --side "
    "left)", "メディカルダイエット（medical_diet）は脚ではなく全身の項目です", ("--side left",))


@pytest.mark.parametrize("side", ["right", "left"])
def test_a_knee_offered_on_both_legs_is_consented_with_its_side(side: str,
                                                                tmp_path: Path) -> None:
    """Offered on both knees, `--side` omitted, the form took the right knee silently; now
    it is refused (above), and with --side each knee has its own form."""
    out = tmp_path / "consent.html"
    done = CliRunner().invoke(app, ["consent", _both_knees(tmp_path), "--item",
                                    "intra_arterial_injection", "--prices", str(PRICES),
                                    "--side", side, "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert f"動注治療（{'右脚' if side == 'right' else '左脚'}）" in visible(
        out.read_text(encoding="utf-8"))


def _diet_prices(change: Callable[[dict[str, Any]], object]) -> Callable[[Path], list[str]]:
    """The consent for the medical diet with the example price list changed: `change` gets
    the whole list (its diet entry at ["items"]["medical_diet"])."""
    def argv(tmp: Path) -> list[str]:
        doc = yaml.safe_load(PRICES.read_text(encoding="utf-8"))
        change(doc)
        return ["consent", str(READY), "--item", "medical_diet", "--prices",
                _prices(tmp, yaml.safe_dump(doc, allow_unicode=True))]
    return argv


def _diet(**entry: object) -> Callable[[dict[str, Any]], object]:
    def change(doc: dict[str, Any]) -> None:
        diet = doc["items"]["medical_diet"]
        for key, value in entry.items():
            if value is MISSING:
                del diet[key]
            else:
                diet[key] = value
    return change


MISSING = object()
for name, change, english, japanese, kept in (
        ("no entry for the item", lambda d: d["items"].pop("medical_diet"),
         "the price list has no entry for medical_diet (items.medical_diet: price, sessions, "
         "period): the form is not printed without it",
         "料金表にメディカルダイエット（medical_diet）の項目がありません", ("items.medical_diet",)),
        ("an entry that is not a mapping", lambda d: d["items"].update(medical_diet=165000),
         "the price list's items.medical_diet must be a mapping of price, sessions and period "
         "(got 165000)",
         "料金表の items.medical_diet：メディカルダイエットの price、sessions、period を",
         ("165000",)),
        ("items not a mapping", lambda d: d.update(items=["medical_diet"]),
         "a price list is a mapping with 'items'",
         "料金表は 'items' を持つマッピングにしてください",
         ("['medical_diet']",)),
        ("no price", _diet(price=MISSING),
         "the price list has no whole-number price for medical_diet (items.medical_diet.price)",
         "料金表にメディカルダイエット（medical_diet）の料金がありません",
         ("items.medical_diet.price",)),
        ("a negative price", _diet(price=-165000),
         "items.medical_diet.price must be a whole number of yen above 0 (got -165000)",
         "メディカルダイエットの料金を 0 より大きい整数（円）で記入してください（入力値 -165000）",
         ("items.medical_diet.price",)),
        ("a zero price", _diet(price=0), "above 0 (got 0)", "（入力値 0）",
         ("items.medical_diet.price",)),
        ("a fractional price", _diet(price=165000.5), "(got 165000.5)", "（入力値 165000.5）",
         ("items.medical_diet.price",)),
        ("a price as text", _diet(price="165,000"), "(got '165,000')", "（入力値 '165,000'）",
         ("items.medical_diet.price",)),
        ("a price of true", _diet(price=True), "(got True)", "（入力値 True）",
         ("items.medical_diet.price",)),
        ("no sessions", _diet(sessions=MISSING),
         "the price list has no sessions for medical_diet (items.medical_diet.sessions): the "
         "form is not printed without it",
         "料金表にメディカルダイエット（medical_diet）の回数がありません（items.medical_diet.sessions）",
         ("items.medical_diet.sessions",)),
        ("no period", _diet(period=MISSING),
         "the price list has no period for medical_diet (items.medical_diet.period)",
         "料金表にメディカルダイエット（medical_diet）の期間がありません",
         ("items.medical_diet.period",)),
        ("blank sessions", _diet(sessions=" "),
         "the price list's items.medical_diet.sessions must be text, not blank, as the clinic "
         "states it (got ' ')",
         "メディカルダイエットの回数を、空白だけでない文字で記入してください（入力値 ' '）",
         ("items.medical_diet.sessions",)),
        ("sessions as a number", _diet(sessions=6), "(got 6)", "（入力値 6）",
         ("items.medical_diet.sessions",)),
        ("an empty period", _diet(period=None), "items.medical_diet.period must be text",
         "メディカルダイエットの期間を", ("None",)),
        ("a note that is not text", _diet(note=[10]), "items.medical_diet.note must be text",
         "メディカルダイエットの備考を", ("[10]",)),
        ("another currency", lambda d: d.update(currency="USD"),
         "the price list's currency must be JPY, or left out: the form states the cost in yen "
         "(got 'USD')", "料金表の currency は JPY にするか、省いてください", ("'USD'",)),
):
    REFUSALS[f"price list: {name}"] = Refusal(_diet_prices(change), english, japanese, kept)


def _run(argv: list[str], lang: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, [*argv, "--lang", lang])
    return result.exit_code, result.output


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_every_refusal_in_both_languages(case: str, tmp_path: Path) -> None:
    """Each refusal exits 2 in both languages, in English by default for --lang en and in
    Japanese for --lang ja (the consent's default), around the same codes, paths and values."""
    refusal = REFUSALS[case]
    code_en, english = _run(refusal.argv(tmp_path), "en")
    code_ja, japanese = _run(refusal.argv(tmp_path), "ja")
    assert code_en == code_ja == 2, (english, japanese)
    assert "Traceback" not in english + japanese
    assert refusal.english in english, english
    assert refusal.japanese in japanese, japanese
    for kept in refusal.kept:
        assert kept in english and kept in japanese, kept
    assert JAPANESE.search(japanese) and not JAPANESE.search(english.replace(str(ROOT), ""))
    outside = re.sub(r"（[^（）]*）|\([^()]*\)|'[^']*'|--\w+ [\w.]+", "", japanese)
    assert not ENGLISH.search(outside), japanese
    if refusal.argv(tmp_path)[0] == "consent":  # the consent speaks Japanese by default
        default = CliRunner().invoke(app, refusal.argv(tmp_path))
        assert default.exit_code == 2 and default.output == japanese


PDF_COMMANDS = {
    "consent": lambda t: [*CONSENT, "--item", "medical_diet", "--out", str(t / "c.pdf")],
    "plan": lambda t: ["plan", str(READY), "--format", "pdf", "--out", str(t / "p.pdf")]}


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("command", PDF_COMMANDS)
def test_no_chromium_is_a_refusal_in_both_languages(command: str, lang: str, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    code, said = _run(PDF_COMMANDS[command](tmp_path), lang)
    assert code == 2 and "Traceback" not in said
    assert "apt-get install chromium fonts-noto-cjk" in said
    assert ("PDF の作成にはヘッドレス Chromium が必要です" if lang == "ja"
            else "a PDF needs headless Chromium") in said
    assert not list(tmp_path.glob("*.pdf"))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_chromium_failing_is_a_refusal_in_both_languages(lang: str, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from careflow.export import chromium

    monkeypatch.setattr(chromium, "run", lambda args, page: subprocess.CompletedProcess(
        args, 1, "", "the renderer crashed"))
    code, said = _run(PDF_COMMANDS["consent"](tmp_path), lang)
    assert code == 2 and "the renderer crashed" in said
    assert ("Chromium で PDF を印刷できませんでした（the renderer crashed）" if lang == "ja"
            else "Chromium could not print the PDF: the renderer crashed") in said
