"""The protocol book (`careflow book --lang ja|en [--out DIR]`): Markdown with Mermaid diagrams
and HTML with inline SVG diagrams, from rules/ and features/. The HTML is opened in real
headless Chromium (Debian's `chromium`), with the network blocked, to check that the diagrams
are drawn."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zlib
from functools import cache
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careflow import load_rulebook
from careflow.cli import app
from careflow.coverage import default_features_dir, scenario_tags
from careflow.export import diagram
from careflow.export.book import (
    Bullets,
    ProtocolBook,
    build_book,
    cond_items,
    read_features,
    scenarios_by_rule,
    to_markdown,
)
from careflow.export.words import md
from careflow.labels import label
from careflow.rulebook import Rulebook, default_rulebook
from tests.unit.helpers import write_rules

SVG_NS = "{http://www.w3.org/2000/svg}"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@cache
def shipped(lang: str) -> ProtocolBook:
    return build_book(lang=lang)


# --- the shipped protocol ----------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_book_has_the_digest_a_diagram_per_track_and_every_rule(lang: str) -> None:
    book = default_rulebook()
    result = shipped(lang)
    for text in (result.markdown, result.html):
        assert book.digest in text
        for rule_id in book.rules:
            assert f'id="rule-{rule_id}"' in text, rule_id
        for name in book.parameter_sources:
            assert f"${name}" in text
        for eid in book.evidence:
            assert eid in text
    tracks = [d.track for d in diagram.build_all(book, lang)]
    assert {"knee", "vein", "safety"} <= set(tracks)
    assert result.markdown.count("```mermaid\nflowchart LR") == len(tracks)
    assert result.html.count('<svg xmlns="http://www.w3.org/2000/svg" class="diagram"') == \
        len(tracks)


def test_scenarios_listed_per_rule_are_the_tagged_ones() -> None:
    """The book's scenario index agrees with `careflow check`'s tag coverage, file by file."""
    folder = default_features_dir()
    assert folder is not None
    mine = scenarios_by_rule(read_features(folder))
    theirs = scenario_tags(folder)
    for rule_id in default_rulebook().rules:
        files_mine = {Path(s.file).name for s in mine.get(rule_id, [])}
        files_theirs = {place.split(":")[0] for place in theirs.get(rule_id, [])}
        assert files_mine == files_theirs, rule_id


def _placed(d: diagram.Diagram) -> dict[str, tuple[str, str]]:
    """Each action of a diagram -> (its column, the title of its group: "" if none)."""
    out = {}
    for node in d.node_ids():
        found = d.column_of(node)
        assert found is not None
        out[node] = (found[0].id, found[1])
    return out


def test_escalation_paths_follow_the_protocol() -> None:
    book = default_rulebook()
    finding = functools.partial(label, "finding")

    vein = diagram.build(book, "vein")
    assert [c.id for c in vein.columns if not c.external] == [
        "vein_assessment", "vein_conservative", "vein_venous_intervention"]
    at = _placed(vein)
    # the duplex, the arteries (ABI, toe pressure) and, with Wells 1 or less, the D-dimer first
    assert {a for a, (c, _) in at.items() if c == "vein_assessment"} == {
        "duplex_ultrasound", "abi_measurement", "toe_pressure", "d_dimer"}
    # conservative care: insured wound care (C6), haemostasis of a bleeding vein and
    # anticoagulation (DVT, SVT); the stockings are bought by the patient (self-pay) ...
    assert {a for a, (c, g) in at.items() if (c, g) == ("vein_conservative", "insured")} == {
        "wound_care", "haemostasis", "anticoagulation"}
    assert at["compression_stockings"] == ("vein_conservative", "self-pay")
    # ... except for an active ulcer (C6), where compression is insured; and an arterial test
    # needed only for the intra-arterial injection is self-pay
    [note] = [n for n in vein.notes if n.startswith("* compression stockings")]
    assert note.startswith("* compression stockings: self-pay; insured when: ")
    assert "(VEIN_STOCKINGS_INSURED_FOR_ULCER)" in note
    assert sum("(ASSESS_ARTERIAL_TEST_SELF_PAY_ONLY)" in n for n in vein.notes) == 2
    assert {a for a, (c, _) in at.items() if c == "vein_venous_intervention"} == {
        "endovenous_thermal_ablation", "cyanoacrylate_closure"}
    gates = {(e.source, e.target): set(e.label.split(", ")) for e in vein.edges}
    assert finding("venous_disease") in gates["vein_assessment", "vein_conservative"]
    # endovenous treatment is an option once a trunk's reflux puts it on the path, and
    # recommended once the leg qualifies (C3 or more, stockings failed, or bleeding)
    assert gates["vein_conservative", "vein_venous_intervention"] == {
        finding("endovenous_candidate"), finding("endovenous_qualifies")}

    knee = diagram.build(book, "knee")
    at = _placed(knee)
    assert at["knee_xray"] == ("knee_assessment", "insured")
    assert at["blood_test"] == ("knee_assessment", "self-pay")  # the eGFR before the IA injection
    assert {a for a, (c, _) in at.items() if c == "knee_conservative"} == {
        "exercise_therapy", "topical_nsaid", "oral_analgesic", "hyaluronic_acid_injection",
        "steroid_injection"}
    assert next(c for c in knee.columns if c.id == "knee_conservative").title == \
        "insured conservative care"  # every item of it is insured: not grouped
    assert {a for a, (c, _) in at.items() if c == "knee_self_pay"} == {
        "intra_arterial_injection", "exosome_injection", "medical_diet"}
    # the clinic's idea: the veins come first, before the self-pay knee options
    dashed = [e for e in knee.edges if e.dashed]
    assert any(e.target == "knee_self_pay" and e.label == finding("veins_first")
               for e in dashed)

    general = diagram.build(book, "general")
    at = _placed(general)
    assert at["pregnancy_test"] == ("general_assessment", "self-pay")
    assert at["pad_management"] == ("general_conservative", "insured")
    assert {"avoid_prolonged_standing", "avoid_prolonged_sitting", "weight_management"} <= {
        a for a, (c, g) in at.items() if (c, g) == ("general_conservative", "advice")}

    # the red flags hold elective care: suspected or confirmed DVT in house (urgent duplex,
    # anticoagulation), acute or critical limb ischaemia, septic arthritis, sepsis and
    # malignancy referred; a bleeding vein and an SVT are urgent care that holds nothing
    safety = diagram.build(book, "safety")
    at = _placed(safety)
    assert {a for a, (c, _) in at.items() if c == "safety_red_flags"} == {
        "suspected_dvt", "deep_vein_thrombosis", "acute_limb_ischemia",
        "critical_limb_ischemia", "septic_arthritis", "possible_fracture", "sepsis",
        "suspected_malignancy"}
    assert [(e.source, e.target) for e in safety.edges] == [("safety_red_flags", "safety_hold")]
    assert {a for a, (c, _) in at.items() if c == "safety_urgent"} == {
        "bleeding_varicose_vein", "superficial_vein_thrombosis"}
    assert {a for a, (c, _) in at.items() if c == "safety_routine"} == {
        "orthopaedic_review", "arterial_review"}
    nodes = {n.id: n.label for c in safety.columns for n in c.nodes}
    assert nodes["suspected_dvt"] == "suspected deep vein thrombosis: duplex ultrasound [urgent]"
    assert nodes["acute_limb_ischemia"] == "acute limb ischaemia: referral [emergency]"


def test_the_stockings_are_drawn_under_self_pay_in_both_books() -> None:
    ja = diagram.build(default_rulebook(), "vein", "ja")
    assert _placed(ja)["compression_stockings"] == ("vein_conservative", "自費")
    assert next(c for c in ja.columns if c.id == "vein_conservative").title == "保存療法"
    [note] = [n for n in ja.notes if n.startswith("※ 弾性ストッキング")]
    assert note.startswith("※ 弾性ストッキング：自費診療。次の場合は保険診療：")
    mermaid = diagram.mermaid(ja)
    group = mermaid.index('subgraph vein_conservative__group_self_pay["自費"]')
    assert mermaid.index('vein_conservative__compression_stockings["弾性ストッキング ※"]',
                         group) < mermaid.index("end", group)
    for lang, group_title, marked in (("en", "self-pay", "compression stockings *"),
                                      ("ja", "自費", "弾性ストッキング ※")):
        book = shipped(lang)
        assert f'["{group_title}"]' in book.markdown and marked in book.markdown
        [note] = [n for n in diagram.build(default_rulebook(), "vein", lang).notes
                  if "VEIN_STOCKINGS_INSURED_FOR_ULCER" in n]
        assert md(note) in book.markdown
        # in the SVG, the stockings' box is inside the self-pay group's frame
        svg = re.search(r'<svg [^>]*data-track="vein".*?</svg>', book.html, re.S)
        assert svg is not None
        root = ET.fromstring(svg[0])
        [frame] = root.findall(f".//{SVG_NS}g[@data-group='self_pay']")
        assert frame.findtext(f"{SVG_NS}text") == group_title
        box = frame.find(f"{SVG_NS}rect")
        node = root.find(f".//{SVG_NS}g[@data-node='compression_stockings']/{SVG_NS}rect")
        assert box is not None and node is not None
        top, height = float(box.get("y", 0)), float(box.get("height", 0))
        assert top < float(node.get("y", 0)) < top + height


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_html_fetches_nothing_and_its_diagrams_are_svg(lang: str) -> None:
    html = shipped(lang).html
    assert f'<html lang="{lang}">' in html
    # (url(#...) is an SVG reference inside the page itself)
    for pattern in (r"<script", r"<link", r"\ssrc=", r"url\((?!#)", r"@import", r"<img",
                    r"<iframe", r"<object", r"<embed"):
        assert not re.search(pattern, html, re.I), pattern
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert svgs
    for text in svgs:
        root = ET.fromstring(text)  # well-formed XML in the SVG namespace
        assert root.tag == f"{SVG_NS}svg"
        nodes = root.findall(f".//{SVG_NS}g[@class='node']")
        assert nodes and all(n.find(f"{SVG_NS}rect") is not None for n in nodes)
        assert all(n.findtext(f"{SVG_NS}text") for n in nodes)


def test_japanese_book_uses_japanese_words() -> None:
    md = shipped("ja").markdown
    for term in ("治療プロトコル", "ルールセットのダイジェスト", "弾性ストッキング", "血管内焼灼術",
                 "動注治療", "条件", "結果", "エビデンス", "仕様シナリオ"):
        assert term in md, term


# --- the Japanese book is written in Japanese -----------------------------------------------
JAPANESE_CHAR = re.compile(r"[\u3005\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
LATIN_CHAR = re.compile(r"[A-Za-z]")
# units, abbreviations and eponyms that Japanese clinical writing uses as they are (an
# all-capitals abbreviation such as DVT, CLTI or NICE is taken out by a pattern below)
UNITS = ("mL/min/1.73 m2", "kg/m2", "mmHg", "ms", "mm", "cm", "kg", "mL", "g", "eGFR",
         "GLP-1", "NSAIDs", "NSAID", "Wells", "Kellgren-Lawrence", "X", "D")
LATIN_SHARE_MAX = 0.05
DEVELOPERS = "開発者向け注記"  # the marked appendix of English notes the measure leaves out


def _quoted(book: Rulebook) -> list[str]:
    """What the book quotes as written, longest first: the evidence's citations, DOIs, PMIDs
    and URLs, and the rule set's name. Grades and parameter sources are not quoted: where they
    are the project's words the Japanese book prints `grade_ja` and `source_ja`."""
    out = {book.name}
    for e in book.evidence.values():
        out.update(x for x in (e.citation, e.doi, e.pmid, e.url) if x)
    return sorted(out, key=len, reverse=True)


def prose(line: str, quoted: list[str]) -> str:
    """A Markdown line without its Markdown, identifiers (rule ids, $parameters, codes, file
    places), code, citations, DOIs, PMIDs, URLs and units: the words a reader reads."""
    text = re.sub(r'<a id="[^"]*"></a>', " ", line)
    text = re.sub(r"`[^`]*`", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # a link's target
    text = re.sub(r"\\(.)", r"\1", text)  # Markdown escapes
    for q in quoted:
        text = text.replace(q, " ")
    text = re.sub(r"https?://\S+", " ", text)
    text = re.sub(r"\b(?:doi:\s*)?10\.\d{4,}/\S+", " ", text, flags=re.I)
    text = re.sub(r"\b(?:PMID|DOI)\b:?\s*\d*", " ", text)
    text = re.sub(r"\$\w+", " ", text)
    text = re.sub(r"[\w./-]+\.(?:yaml|feature|md)(?::\d+)?(?:#[\w-]+)?", " ", text)
    text = re.sub(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b", " ", text)  # rule ids
    text = re.sub(r"\b[a-z][a-z0-9]*(?:[_.][a-z0-9]+)+\b", " ", text)  # snake_case, dotted codes
    for unit in UNITS:
        text = re.sub(rf"(?<![A-Za-z]){re.escape(unit)}(?![A-Za-z])", " ", text)
    text = re.sub(r"(?<![A-Za-z])[A-Z]{2,}[0-9]*s?(?![A-Za-z])", " ", text)  # DVT, NYHA, ABI
    text = re.sub(r"(?<![A-Za-z])[A-Z][0-9]+(?![A-Za-z])", " ", text)  # CEAP C6
    return re.sub(r"\[[VSU]\]", " ", text)  # verification tags


def latin_prose(markdown: str, book: Rulebook) -> tuple[list[tuple[int, int, str]], int]:
    """The prose lines of a book that have more Latin letters than Japanese characters, as
    (line number, Latin letters over Japanese characters, line), and the number of prose
    lines. A Mermaid diagram counts by its labels; the developers' appendix is left out."""
    quoted = _quoted(book)
    latin: list[tuple[int, int, str]] = []
    total, fence, appendix = 0, "", False
    for n, line in enumerate(markdown.splitlines(), 1):
        if line.startswith("## "):
            appendix = DEVELOPERS in line
        if appendix:
            continue
        if line.startswith("```"):
            fence = "" if fence else line[3:] or "text"
            continue
        text = " ".join(re.findall(r'"([^"]*)"', line)) if fence == "mermaid" else line
        words = prose(text, quoted)
        lat, ja = len(LATIN_CHAR.findall(words)), len(JAPANESE_CHAR.findall(words))
        if lat or ja:
            total += 1
            if lat > ja:
                latin.append((n, lat - ja, line))
    return latin, total


def test_japanese_book_is_japanese_prose() -> None:
    """At most 5 % of the Japanese book's prose lines are Latin script once identifiers,
    units, citations, URLs and Markdown are taken out (the worst lines are listed)."""
    latin, total = latin_prose(shipped("ja").markdown, default_rulebook())
    share = len(latin) / total
    worst = sorted(latin, key=lambda x: -x[1])[:30]
    assert share <= LATIN_SHARE_MAX, (
        f"{share:.1%} of {total} prose lines of protocol.ja.md are Latin script (at most "
        f"{LATIN_SHARE_MAX:.0%}); the worst:\n" + "\n".join(f"{n}: {line[:200]}"
                                                          for n, _, line in worst))


def test_the_latin_measure_sees_english() -> None:
    """The measure is not blind: English sentences count, identifiers, units and citations
    do not; a parameter source or a grade in the project's English counts (the Japanese book
    prints `source_ja` and `grade_ja`); the English book's own words (before its Japanese
    scenarios) are Latin."""
    book = default_rulebook()
    quoted = _quoted(book)
    assert LATIN_CHAR.search(prose("- [$x](#param-x) ＝ 2：two-level Wells score at which "
                                   "DVT is likely \\[V\\]", quoted))
    wells = book.parameter_sources["wells_dvt_likely"]
    assert LATIN_CHAR.search(prose(f"    - 出典：{wells.source}", quoted))
    assert LATIN_CHAR.search(prose(book.evidence["ESVS_2020_ALI"].grade, quoted))
    for line in ("- Wellsスコアが[$wells\\_dvt\\_likely](#param-wells_dvt_likely)（2）以上",
                 "#### SAFETY\\_SUSPECTED\\_DVT - ", "`rules/safety.yaml:28` DOI: 10.1056/x",
                 "ABI 1.4超、eGFR 45 mL/min/1.73 m2、CEAP C6、DVT、NSAIDs",
                 f"    - 出典：{wells.source_ja}",
                 f"    - 推奨度・エビデンスレベル：{book.evidence['ESVS_2020_ALI'].grade_ja}"):
        assert not LATIN_CHAR.search(prose(line, quoted)), line
    en = shipped("en").markdown.split("\n## Scenarios\n")[0]
    latin, total = latin_prose(en, book)
    assert len(latin) / total > 0.5


def test_book_is_deterministic() -> None:
    again = build_book(lang="en")
    assert again.markdown == shipped("en").markdown and again.html == shipped("en").html


# --- a small protocol, to read the words exactly ---------------------------------------
FEATURE = """\
@test
Feature: Stockings for the book
  A feature description a doctor reads.

  Rule: Varicose veins get stockings

    @TEST_STOCKINGS
    Scenario: Varicose veins
      Given a 60-year-old woman
      And her right leg shows:
        | CEAP clinical class | 3 |
      When the plan is made
      Then compression stockings are recommended for the right leg

    Scenario Outline: Only tagged through its examples
      Given a <age>-year-old woman
      When the plan is made

      @TEST_STOCKINGS
      Examples: tagged
        | age |
        | 60  |

    Scenario: Not about stockings
      Given a 40-year-old man
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("small")
    rules = write_rules(root / "rules", [
        {"id": "TEST_STOCKINGS", "title": "Varicose veins get stockings",
         "title_ja": "静脈瘤には弾性ストッキング",
         "when": {"veins.ceap_c": {"gte": "$ceap_min"},
                  "any": [{"abi": {"known": False}}, {"abi": {"gte": 0.8}}],
                  "not": {"condition.heart_failure": True}},
         "claim": {"action": "compression_stockings", "status": "recommended"},
         "evidence": ["EV"]},
        {"id": "TEST_SMOKING", "title": "Smokers are told to stop", "scope": "patient",
         "title_ja": "喫煙者には禁煙を指導する",
         "when": {"lifestyle.smoker": True},
         "claim": {"action": "stop_smoking", "status": "recommended"}, "evidence": ["EV"],
         "note": "a reviewer's note"},
        {"id": "TEST_SWITCH", "title": "A protocol switch", "title_ja": "当院の設定による判断",
         "when": {"parameter": {"uses_glp1": True}, "not": {"age": {"lt": "$adult_age"}}},
         "claim": {"action": "medical_diet", "status": "not_recommended",
                   "reason_code": "sarcopenia_risk"},
         "evidence": ["EV"]},
    ], area="veins", parameters={
        "review_after_weeks": {"value": 12, "unit": "weeks", "source": "test",
                               "verification": "U"},
        "ceap_min": {"value": 2, "source": "CEAP 2020", "verification": "V",
                     "text": "class from which veins are varicose",
                     "text_ja": "静脈瘤とするCEAP臨床分類（この分類以上）"},
        "adult_age": {"value": 18, "unit": "years", "source": "clinic policy",
                      "verification": "U", "text": "adult age", "text_ja": "成人とする年齢"},
        "uses_glp1": {"value": False, "source": "clinic policy", "verification": "U",
                      "text": "whether the diet adds a GLP-1 drug",
                      "text_ja": "GLP-1製剤を併用するか（当院方針）"},
    }, evidence={
        "EV": {"source": "a test source - what it says", "grade": "GRADE 1A",
               "verification": "V", "citation": "Doe J. A trial. J Test. 2020;1:1-2.",
               "doi": "10.1000/test", "pmid": "123", "url": "https://doi.org/10.1000/test",
               "note": "read in full", "summary_ja": "試験の要約。"},
    })
    features = root / "features"
    features.mkdir()
    (features / "test.feature").write_text(FEATURE, encoding="utf-8")
    return rules, features


def test_conditions_read_as_words(small: tuple[Path, Path]) -> None:
    book = load_rulebook(small[0], {"ceap_min": 3})
    rule = next(r for r in book.source.rules if r.id == "TEST_STOCKINGS")
    en = to_markdown([Bullets(cond_items(rule.when, "en", book.parameters))])
    # not: {heart failure: true} is "heart failure definitely false": recorded as no
    assert en == (
        "- CEAP clinical class ≥ [$ceap\\_min](#param-ceap_min) (3)\n"
        "- any of:\n"
        "  - ankle-brachial index is unknown (not recorded)\n"
        "  - ankle-brachial index ≥ 0.8\n"
        "- heart failure: no\n")
    ja = to_markdown([Bullets(cond_items(rule.when, "ja", book.parameters))])
    assert ja == (
        "- CEAP臨床分類が[$ceap\\_min](#param-ceap_min)（3）以上\n"
        "- 次のいずれか：\n"
        "  - ABI（足関節上腕血圧比）：不明（未記録）\n"
        "  - ABI（足関節上腕血圧比）が0.8以上\n"
        "- 心不全：なし\n")


def test_japanese_book_reads_in_japanese(small: tuple[Path, Path]) -> None:
    """Parameters by their Japanese meaning with Japanese units, a protocol switch by its
    meaning, evidence by its Japanese summary with the citation as the reference, reviewers'
    notes in the developers' appendix, and the status words explained."""
    book = load_rulebook(small[0], {"ceap_min": 3})
    md = build_book(book, small[1], "ja").markdown
    section = md[md.index('<a id="rule-TEST_STOCKINGS">'):md.index('<a id="rule-TEST_SMOKING">')]
    assert "- CEAP臨床分類が[$ceap\\_min](#param-ceap_min)（3）以上\n" in section
    assert "  - [$ceap\\_min](#param-ceap_min) ＝ 3：静脈瘤とするCEAP臨床分類（この分類以上） " \
           "\\[V\\]\n    - 出典：CEAP 2020\n" in section
    assert "  - \\[V\\] 試験の要約。（[EV](#evidence-EV)）\n" \
           "    - 文献：[Doe J. A trial. J Test. 2020;1:1-2.](https://doi.org/10.1000/test)" \
           "（DOI: 10.1000/test、PMID: 123）\n" \
           "    - 推奨度・エビデンスレベル：GRADE 1A\n" in section
    assert "弾性ストッキング：推奨\n" in section
    assert "a test source" not in md and "read in full" in md.split("## 開発者向け注記")[1]
    switch = md[md.index('<a id="rule-TEST_SWITCH">'):]
    assert "- 当院の設定「GLP-1製剤を併用するか」（[$uses\\_glp1](#param-uses_glp1)）が「はい」" \
           "の場合（現在の設定は「いいえ」のため該当しない）\n" in switch
    assert "- 年齢が[$adult\\_age](#param-adult_age)（18歳）以上\n" in switch  # not: age < 18
    assert "メディカルダイエット：非推奨（理由：" in switch
    # the reviewer's note is in the appendix, with a link from the rule
    smoking = md[md.index('<a id="rule-TEST_SMOKING">'):md.index('<a id="rule-TEST_SWITCH">')]
    assert "- **開発者向け注記**：[付録を参照](#dev-notes)\n" in smoking
    assert "a reviewer's note" not in smoking
    assert "- [TEST\\_SMOKING](#rule-TEST_SMOKING)：a reviewer's note\n" in md
    # the parameter table: Japanese meaning and unit, the source as a citation
    assert "| `$review_after_weeks` | 12週 |" in md
    assert "| `$ceap_min` | 3（既定値 2） | 静脈瘤とするCEAP臨床分類（この分類以上） | " \
           "CEAP 2020 |" in md
    assert "| `$adult_age` | 18歳 | 成人とする年齢 | clinic policy |" in md
    # the statuses, with 非推奨 and 禁忌 as the protocol means them
    assert "- **非推奨**：適応の流れにはあるが勧めない（効果がなかった、継続できなかった、" \
           "期待される効果が小さい、または当院方針による）\n" in md
    assert "- **禁忌**：添付文書・ガイドライン・危険徴候による安全上の禁止（行わない）\n" in md
    assert "Param(" not in md and " weeks" not in md and " years" not in md


FEATURE_JA = """\
# language: ja
@test
機能: 本のための弾性ストッキング
  医師が読む説明文の
  一段落目。

  二段落目。

  @TEST_STOCKINGS
  ルール: 静脈瘤には弾性ストッキング

    シナリオ: 静脈瘤
      前提 60歳の女性
      かつ 右脚の所見は次のとおり
        | CEAP分類 | C3 |
      もし 治療計画を立てる
      ならば 右脚では弾性ストッキングが推奨となる

    シナリオアウトライン: 例でだけタグ付け
      前提 <年齢>歳の女性

      @TEST_SMOKING
      例: タグあり
        | 年齢 |
        | 60   |
"""


def test_japanese_feature_files_are_read(tmp_path: Path) -> None:
    """`# language: ja`: Japanese keywords, a Rule's tags on its scenarios, an Examples
    block's tags on its outline, and a description's wrapped lines joined without spaces."""
    (tmp_path / "test.feature").write_text(FEATURE_JA, encoding="utf-8")
    [feature] = read_features(tmp_path)
    assert feature.name == "本のための弾性ストッキング"
    assert feature.description == ["医師が読む説明文の一段落目。", "二段落目。"]
    first, outline = feature.scenarios
    assert (first.keyword, first.name, first.rule_block, first.line) == (
        "シナリオ", "静脈瘤", "静脈瘤には弾性ストッキング", 12)
    assert first.tags == ["test", "TEST_STOCKINGS"]
    assert first.lines == ["前提 60歳の女性", "かつ 右脚の所見は次のとおり", "  | CEAP分類 | C3 |",
                           "もし 治療計画を立てる", "ならば 右脚では弾性ストッキングが推奨となる"]
    assert (outline.keyword, outline.name) == ("シナリオアウトライン", "例でだけタグ付け")
    assert outline.tags == ["test", "TEST_STOCKINGS", "TEST_SMOKING"]
    assert outline.lines[-3:] == ["例: タグあり", "  | 年齢 |", "  | 60   |"]


# --- the CLI -------------------------------------------------------------------------------
def test_cli_writes_markdown_and_html(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["book", "--lang", "ja", "--out", str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    md, html = tmp_path / "b" / "protocol.ja.md", tmp_path / "b" / "protocol.ja.html"
    assert result.stdout.split() == [str(md), str(html)]
    assert md.read_text(encoding="utf-8") == shipped("ja").markdown
    assert html.read_text(encoding="utf-8") == shipped("ja").html


def test_cli_bad_input_exits_2(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["book", "--features", str(tmp_path / "missing")])
    assert result.exit_code == 2 and "not a folder of feature files" in result.output
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["book", "--out", str(a_file)])
    assert result.exit_code == 2 and "is not a folder" in result.output
    result = runner.invoke(app, ["book", "--lang", "fr"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["book", "--rules", str(tmp_path)])
    assert result.exit_code == 3


# --- in a real browser -----------------------------------------------------------------------
def chromium(args: list[str], page: Path, profile: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium that cannot reach any network: every host resolves to nothing and
    every request goes to a closed proxy."""
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--disable-sync", "--disable-quic", f"--user-data-dir={profile}",
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
         "--force-color-profile=srgb", "--hide-scrollbars", *args, page.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it: "
                             "apt-get install chromium)")


@needs_chromium
def test_chromium_draws_the_diagrams(tmp_path: Path) -> None:
    page = shipped("en").write(tmp_path)[1]
    with tempfile.TemporaryDirectory() as profile:
        done = chromium(["--dump-dom"], page, profile)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    figures = re.findall(r'<figure data-track="(\w+)">\s*<svg', dom)
    assert {"knee", "vein", "safety"} <= set(figures)
    for action in ("compression_stockings", "endovenous_thermal_ablation",
                   "intra_arterial_injection", "exosome_injection"):
        assert f'<g class="node" data-node="{action}">' in dom, action


def png_rgb(data: bytes) -> tuple[int, int, int, bytes]:
    """Width, height, bytes per pixel and the unfiltered pixels of an 8-bit RGB(A) PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    width = height = depth = ctype = interlace = 0
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            depth, ctype, interlace = body[8], body[9], body[12]
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    assert depth == 8 and ctype in (2, 6) and interlace == 0
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    out, prev, i = bytearray(), bytearray(stride), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        if f == 1:
            for x in range(bpp, stride):
                line[x] = (line[x] + line[x - bpp]) & 255
        elif f == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev, strict=True))
        elif f == 3:
            for x in range(stride):
                left = line[x - bpp] if x >= bpp else 0
                line[x] = (line[x] + ((left + prev[x]) >> 1)) & 255
        elif f == 4:
            for x in range(stride):
                a = line[x - bpp] if x >= bpp else 0
                b, c = prev[x], prev[x - bpp] if x >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 255
        out += line
        prev = line
    return width, height, bpp, bytes(out)


@needs_chromium
def test_chromium_screenshot_shows_the_diagram(tmp_path: Path) -> None:
    """The first screen of the page, tall enough to reach the first escalation diagram: its
    action boxes are painted in their own colour, which nothing else on the page uses."""
    page = shipped("en").write(tmp_path)[1]
    shot = tmp_path / "shot.png"
    with tempfile.TemporaryDirectory() as profile:
        done = chromium([f"--screenshot={shot}", "--window-size=1000,2200"], page, profile)
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    width, height, bpp, pixels = png_rgb(shot.read_bytes())
    assert (width, height) == (1000, 2200)
    fill = bytes.fromhex(diagram.NODE_FILL[1:])
    painted = sum(1 for k in range(0, len(pixels), bpp)
                  if abs(pixels[k] - fill[0]) <= 2 and abs(pixels[k + 1] - fill[1]) <= 2
                  and abs(pixels[k + 2] - fill[2]) <= 2)
    assert painted > 5000, f"only {painted} pixels of the diagrams' boxes were drawn"
    # the colour is the action boxes' own: only their rects use it
    html = shipped("en").html
    assert html.count(diagram.NODE_FILL) == html.count('<g class="node"')
