"""One presentation layer (careflow/export/words.py): every phrase in both languages, the
Japanese ones in Japanese, no renderer with a word table of its own, and the shared
sentences printed the same by the plain text, the one-page plan and the CDS Hooks cards."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path

import pytest

from careflow.export import cds_hooks, page, text
from careflow.export import words as w
from careflow.labels import label
from careflow.plan import Item, Plan

from .test_export_page import BROKEN_ENGLISH, DUMPS
from .test_export_samples import names, sample_plans

EXPORT = Path(w.__file__).parent
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
# Japanese entries written in Latin letters on purpose, with why
LATIN_IN_JAPANESE = {"book.evidence_id": "「ID」 is how a Japanese table heads an identifier",
                     "whynot.and": "Japanese joins two conditions with 「、」 alone",
                     "whynot.range": "「1以上3以下」: Japanese writes the two bounds side by side"}


def test_every_phrase_has_both_languages() -> None:
    for key, entry in w.PHRASES.items():
        assert isinstance(entry, tuple) and len(entry) == 2, key
        en, ja = entry
        assert isinstance(en, str) and en.strip(), f"{key}: no English"
        assert isinstance(ja, str) and ja.strip(), f"{key}: no Japanese"
        assert w.say(key, "en") == en and w.say(key, "ja") == ja


def test_japanese_phrases_are_in_japanese() -> None:
    latin = [k for k, (_, ja) in w.PHRASES.items()
             if not JAPANESE.search(ja) and k not in LATIN_IN_JAPANESE]
    assert not latin, latin
    assert set(LATIN_IN_JAPANESE) <= set(w.PHRASES)


def test_a_phrase_with_fields_is_filled_in() -> None:
    assert w.say("review", "en", weeks=4) == "Review after 4 weeks"
    assert w.say("review", "ja", weeks=4) == "4 週後に再評価"
    assert w.heading("questions", "en") == "Questions not yet asked"
    assert w.heading("questions", "ja") == "問診未完了"


PACKAGE = EXPORT.parent
# the two modules that may keep (English, Japanese) tables: the code labels and the words
WORD_TABLES = {"labels.py": "the label of every code (careflow/labels.py)",
               "export/words.py": "every phrase an output prints"}


def _pair_tables(path: Path) -> list[str]:
    """The module-level dicts of `path` whose every value is a pair of strings, one of them
    Japanese: an (English, Japanese) word table."""
    out = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target, value = (node.targets[0], node.value) if isinstance(node, ast.Assign) else \
            (node.target, node.value) if isinstance(node, ast.AnnAssign) else (None, None)
        if not isinstance(value, ast.Dict) or not value.values:
            continue
        pairs = [v for v in value.values if isinstance(v, ast.Tuple) and len(v.elts) == 2
                 and all(isinstance(e, ast.Constant) and isinstance(e.value, str)
                         for e in v.elts)]
        if len(pairs) == len(value.values) and any(
                JAPANESE.search(str(e.value)) for v in pairs for e in v.elts
                if isinstance(e, ast.Constant)):
            out.append(ast.unparse(target) if target else "?")
    return out


def test_no_module_keeps_a_word_table_of_its_own() -> None:
    """Every (English, Japanese) table lives in careflow/labels.py or words.py: no module of
    careflow keeps a `_WORDS`, `WHAT` or any dict of string pairs with Japanese in it."""
    table = re.compile(r"^\s*(_WORDS|_W|_HEAD|WHAT)\s*(:[^=]*)?=", re.M)
    modules = {p.relative_to(PACKAGE).as_posix(): p for p in PACKAGE.rglob("*.py")}
    own = [name for name, p in modules.items()
           if name not in WORD_TABLES and table.search(p.read_text(encoding="utf-8"))]
    assert not own, own
    pairs = {name: found for name, p in sorted(modules.items())
             if name not in WORD_TABLES and (found := _pair_tables(p))}
    assert not pairs, pairs
    assert _pair_tables(PACKAGE / "export" / "words.py"), "the guard finds no table at all"


def test_no_renderer_repeats_a_shared_helper() -> None:
    duplicate = re.compile(r"^def (_md|_md_escape|_said|_checked_line|reason_line|"
                           r"considered_line|item_title|reason_text|item_with_side|"
                           r"said_value)\(", re.M)
    helpers = [p.name for p in PACKAGE.rglob("*.py")
               if p.name != "words.py" and duplicate.search(p.read_text(encoding="utf-8"))]
    assert not helpers, helpers


def test_the_escapes() -> None:
    assert w.md("a_b *c* [d] <e> #f |g| `h` \\") == \
        "a\\_b \\*c\\* \\[d\\] \\<e\\> \\#f \\|g\\| \\`h\\` \\\\"
    assert w.html('<a href="x">&</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"


def _page_text(plan: Plan, lang: str) -> str:
    body = re.sub(r"<style>.*?</style>", "", page.to_html(plan, lang), flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", body))


def _with(pred: Callable[[Item], object]) -> list[tuple[str, Item]]:
    return [(n, i) for n in names() for i in sample_plans()[n].items if pred(i)]


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_checked_and_unchecked_lines_read_the_same_in_every_format(lang: str) -> None:
    seen = 0
    for name, item in _with(lambda i: i.checked or i.unchecked):
        plan = sample_plans()[name]
        shown = text.render(plan, lang)
        on_page = _page_text(plan, lang)
        card = next(c for c in cds_hooks.to_cards(plan, lang)["cards"]
                    if c["summary"] == cds_hooks.summary(item, lang))
        for line, facts in ((w.checked_line(item, lang), w.checked_facts(item, lang)),
                            (w.unchecked_line(item, lang), w.unchecked_facts(item, lang))):
            if not line:
                continue
            seen += 1
            assert line in shown, (name, item.action, line)
            assert line in on_page, (name, item.action, line)
            assert "\n".join(f"- {w.md(f)}" for f in facts) in card["detail"], (name, line)
        # an unknown value excluded nothing: it is not among the facts checked
        assert not any(f.endswith(f"= {w.say('unknown', lang)}")
                       for f in w.checked_facts(item, lang))
    assert seen


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_statement_reason_considered_and_questions_read_the_same(lang: str) -> None:
    for name in names():
        plan = sample_plans()[name]
        shown = text.render(plan, lang)
        on_page = _page_text(plan, lang)
        cards = cds_hooks.to_cards(plan, lang)["cards"]
        summaries = [c["summary"] for c in cards]
        details = "\n".join(c["detail"] for c in cards)
        for item in plan.items:
            statement = w.item_statement(item, lang)
            assert statement in summaries or len(statement) > cds_hooks.SUMMARY_MAX
            legless = w.what(item, lang, side=False)
            assert f"] {legless}" in shown, (name, legless)
            together = [i for i in plan.items if page._plain_hold(i) and page._plain_hold(item)
                        and (i.side, i.rule, i.reason_code) ==
                        (item.side, item.rule, item.reason_code)]
            if len(together) > 1:  # held by one rule for one reason: said once on the page
                held = w.names_sep(lang).join(label("action", i.action, lang) for i in together)
                assert held in on_page, (name, held)
                assert label("reason", item.reason_code, lang) in on_page
            else:
                assert legless in on_page, (name, legless)
            for reason in item.reasons:
                line = w.reason_line(reason, lang)
                assert f"    - {line}\n" in shown
                assert f"- {w.md(line)}\n" in details
        for c in plan.considered:
            line = w.considered_line(c, lang)
            assert line in shown and line in on_page and f"- {w.md(line)}" in details
        if plan.questions_open:
            line = w.questions_line(plan, lang)
            assert f"!! {line}" in shown and line in on_page and summaries[0] == line
        urgent = [i for i in plan.items if cds_hooks.indicator(i) == "critical"]
        for item in urgent:  # the page's banner says what the critical card says
            assert w.item_statement(item, lang) in on_page


# an engine word: a snake_case code (`knee_care_failed`, `endovenous_thermal_ablation`)
ENGINE_WORD = re.compile(r"(?<![A-Z0-9_])[a-z]+(?:_[a-z0-9]+)+(?![A-Z0-9_])")
RULE_ID = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")


@pytest.mark.parametrize("name", names())
def test_a_japanese_plan_shows_no_engine_word(name: str) -> None:
    """Every reason reads in the doctors' words, a derived fact read by its truth included
    (「保険診療で改善せず：確認されていない」, not `knee_care_failed not established`), and
    every evidence entry by its Japanese summary."""
    plan = sample_plans()[name]
    cards = cds_hooks.to_cards(plan, "ja")["cards"]
    card_text = "\n".join(f"{c['summary']}\n{c.get('detail', '')}" for c in cards)
    for shown in (text.render(plan, "ja"), card_text):
        body = RULE_ID.sub("", re.sub(r"https?://\S+", "", shown))
        assert not ENGINE_WORD.findall(body), (name, sorted(set(ENGINE_WORD.findall(body))))
        assert "not established" not in body and "not excluded" not in body
    for line in text.render(plan, "ja").splitlines():
        if line.lstrip().startswith(w.say("evidence", "ja")):
            assert JAPANESE.search(line.split("]", 1)[1]), line


def test_a_derived_fact_read_by_its_truth_has_words_in_both_languages() -> None:
    from careflow.labels import reason_label

    assert reason_label("knee_care_failed not established", "ja") == \
        "保険診療で改善せず：確認されていない"
    assert reason_label("knee_care_failed not established", "en") == \
        "insured knee care failed: not established"
    assert reason_label("cyanoacrylate_closure contraindicated not excluded", "ja") == \
        "グルー治療（血管内塞栓術）：禁忌：否定されていない"
    assert reason_label("not knee_oa", "en").endswith(": ruled out")
    assert reason_label("not a_name_no_rule_derives", "en") == "not a_name_no_rule_derives"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_treatment_history_entry_is_said_not_dumped(lang: str) -> None:
    """「ヒアルロン酸注射 14週間（効果なし）」, not 「治療歴 1 治療：ヒアルロン酸注射、左右：左脚、
    週数：14、効果：効果なし」, in the text plan, the cards and the page."""
    seen = 0
    for name in names():
        plan = sample_plans()[name]
        cards = cds_hooks.to_cards(plan, lang)["cards"]
        card_text = "\n".join(f"{c['summary']}\n{c.get('detail', '')}" for c in cards)
        for shown in (text.render(plan, lang), card_text, _page_text(plan, lang)):
            assert not DUMPS.findall(shown.replace("{", "").replace("}", "")), \
                (name, DUMPS.findall(shown))
            assert not BROKEN_ENGLISH.findall(shown), (name, BROKEN_ENGLISH.findall(shown))
        seen += any(r.fact.startswith("history[") for i in plan.items for r in i.reasons)
    assert seen
    entry = {"treatment": "hyaluronic_acid_injection", "side": "left", "weeks": 14,
             "response": "none"}
    assert w.history(entry, "ja", "left") == "ヒアルロン酸注射 14週間（効果なし）"
    assert w.history(entry, "en", "left") == "hyaluronic acid injection, 14 weeks (no response)"
    assert w.history(entry, "ja") == "左脚：ヒアルロン酸注射 14週間（効果なし）"


def test_a_yes_no_fact_reads_as_a_doctor_writes_it() -> None:
    assert w.said("allergies.contrast_media", False, None, "ja") == "造影剤アレルギーなし"
    assert w.said("allergies.contrast_media", False, None, "en") == "no contrast-media allergy"
    assert w.said("legs.left.knee.prior_arthroplasty", False, None, "en") == \
        "left leg: no artificial knee"
    assert w.said("pregnant", False, None, "en") == "not pregnant"
    assert w.said("preferences.prefers_non_thermal", False, None, "en").endswith(": no")


def test_the_text_plans_head_with_japanese_punctuation_in_japanese() -> None:
    from rich.console import Console

    from careflow.export import rich_text

    plan = sample_plans()["two-legs"]
    head = "プロトコル：careflow-knee-vein-protocol "
    assert head in text.render(plan, "ja").splitlines()[2]
    console = Console(width=200, record=True, color_system=None)
    console.print(rich_text.renderable(plan, "ja"))
    assert head in console.export_text()
    assert text.render(plan, "en").splitlines()[2].startswith("Protocol: careflow-knee-vein")
