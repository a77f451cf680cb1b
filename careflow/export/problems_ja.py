"""Bad-input messages in Japanese, for the person who reads them (`careflow plan FILE --lang ja`
and `careflow consent ... --lang ja`): the field path, the codes and the value received stay
as they are (a clinic's software team searches for them); the sentence around them is
Japanese. A message no pattern knows is shown in English, never dropped.

    >>> problem_ja("legs[0].knee.pain_nrs: must be <= 10 (got 12)")
    'legs[0].knee.pain_nrs：10 以下の値にしてください（入力値 12）'

A refusal careflow says by key (careflow.errors.REFUSALS: the consent, the price list, the
command line, the PDF) has its Japanese sentence here, by the same key, with the same fields;
an item is named by its Japanese label, its code beside it.

    >>> from careflow.export.consent import ConsentError
    >>> said_in(ConsentError.said("consent.no_texts", action="medical_diet"), "ja")
    'ルールセットにメディカルダイエット（medical_diet）の同意書の文面がありません（consent.yaml）'
"""

from __future__ import annotations

import re

from ..errors import CareflowError
from ..labels import label

_N = r"(-?[0-9][0-9.]*)"
_GOT = re.compile(r" \(got (.*)\)$")

# (English sentence, Japanese sentence): the English as careflow.model, careflow.yamlsrc and
# careflow.batch write it, a regular expression matched whole; the Japanese names its groups.
_SENTENCES: tuple[tuple[str, str], ...] = (
    (rf"must be <= {_N}", r"\1 以下の値にしてください"),
    (rf"must be >= {_N}", r"\1 以上の値にしてください"),
    (rf"must be < {_N}", r"\1 未満の値にしてください"),
    (rf"must be > {_N}", r"\1 より大きい値にしてください"),
    (r"must be a whole number", "整数で記入してください"),
    (r"must be a number", "数値で記入してください"),
    (r"must be a finite number", "有限の数値で記入してください"),
    (r"must be true or false", "true（はい）か false（いいえ）で記入してください"),
    (r"must be text", "文字で記入してください"),
    (r"must be Unicode text \(a lone surrogate is not\)",
     "正しい Unicode の文字で記入してください（単独のサロゲートは使えません）"),
    (r"is required", "必須の項目です"),
    (r"is not a known field", "この項目はありません（項目名を確認してください）"),
    (r"must be a mapping of patient fields", "患者の項目を並べたマッピングにしてください"),
    (r"must be a mapping", "項目と値の組（マッピング）で記入してください"),
    (r"must be a list \(leave it out when the question was not asked\)",
     "リストで記入してください（問診していない場合は項目ごと省きます）"),
    (r"must be a list", "リストで記入してください"),
    (r"must be one of (.*)", r"次のいずれかを記入してください：\1"),
    (r"must be a real date written YYYY-MM-DD", "実在する日付を YYYY-MM-DD の形で記入してください"),
    (r"must be a date written YYYY-MM-DD", "日付を YYYY-MM-DD の形で記入してください"),
    (r"must be a date \(YYYY-MM-DD\), not a date and time",
     "日付（YYYY-MM-DD）だけを記入し、時刻は付けないでください"),
    (rf"must be a date in the years {_N}-{_N}", r"\1〜\2 年の日付を記入してください"),
    (r"must not contain control characters", "制御文字を含めないでください"),
    (r"must not be empty", "空にしないでください"),
    (r"must not be blank", "空白だけにしないでください"),
    (rf"must be at most {_N} characters long", r"\1 文字以内で記入してください"),
    (rf"must be at least {_N} characters long", r"\1 文字以上で記入してください"),
    (rf"must list at most {_N} entries", r"\1 件以内で記入してください"),
    (r"must list one or two legs", "脚は 1 本か 2 本を記入してください"),
    (r"two legs have side '(\w+)': each side may appear once",
     r"2 本の脚が同じ側（'\1'）です：左右それぞれ 1 回だけ記入してください"),
    (r"names the (\w+) leg, which is not in legs", r"legs にない脚（\1）を指しています"),
    (r"only an endovenous treatment names a vein",
     "静脈（vein）を記入できるのは血管内治療の履歴だけです"),
    (r"cannot be true when sex is male", "性別が男性のときは true にできません"),
    (rf"cannot be true at age {_N}, only at ages {_N}-{_N}",
     r"\1 歳では true にできません（\2〜\3 歳のみ）"),
    (r"breastfeeding cannot be recorded when sex is male",
     "性別が男性のときは授乳中（breastfeeding）を記録できません"),
    (rf"breastfeeding cannot be recorded at age {_N}, only at ages {_N}-{_N}",
     r"\1 歳では授乳中（breastfeeding）を記録できません（\2〜\3 歳のみ）"),
    (rf"height {_N} cm and weight {_N} kg give a BMI of {_N}, outside {_N}-{_N}",
     r"身長 \1 cm・体重 \2 kg では BMI \3 となり、\4〜\5 の範囲外です"),
    (r"duplicate key (.*)", r"キー \1 が重複しています"),
    (r"YAML anchors and aliases are not accepted", "YAML のアンカーとエイリアスは使えません"),
    (r"YAML tags are not accepted \(got (.*)\): write the plain value",
     r"YAML のタグは使えません（入力値 \1）：値をそのまま書いてください"),
    (r"character U\+([0-9A-F]{4}) is not accepted \(YAML reads it as a line break that "
     r"editors do not show\)",
     r"文字 U+\1 は使えません（YAML は改行として読みますが、エディタには表示されません）"),
    (rf"nested deeper than {_N} levels", r"入れ子が \1 段を超えています"),
    (r"document nested too deeply", "文書の入れ子が深すぎます"),
    (rf"document larger than {_N} bytes",
     r"文書が \1 バイトを超えています（読み込みを中止しました）"),
    (r"not valid YAML: (.*)", r"YAML として読めません（\1）"),
    (r"not valid JSON: (.*)", r"JSON として読めません（\1）"),
    (r"not UTF-8 text \((.*)\)", r"UTF-8 のテキストではありません（\1）"),
    (r"cannot read file \((.*)\)", r"ファイルを読めません（\1）"),
    (rf"{_N} more problems not shown", r"ほかに \1 件の問題があります（表示を省略）"),
)
_COMPILED = tuple((re.compile(en + "$"), ja) for en, ja in _SENTENCES)
_LINE = re.compile(r"^line ([0-9]+): ")


def problem_ja(problem: str) -> str:
    """One `path: message` problem (careflow.errors.InputError.problems) in Japanese."""
    path, sep, message = problem.partition(": ")
    if not sep:
        path, message = "", problem
    line = _LINE.match(message)
    where = ""
    if line:  # "line 8: duplicate key 'age'"
        where, message = f"{line.group(1)} 行目：", message[line.end():]
    if path.startswith("line "):  # the problem is only "line N: message"
        path, where = "", f"{path[5:]} 行目："
    got = _GOT.search(message)
    head = message[:got.start()] if got else message
    for pattern, japanese in _COMPILED:
        found = pattern.match(head)
        if found:
            text = found.expand(japanese).replace("' or '", "'、'")
            if got:
                text += f"（入力値 {got.group(1)}）"
            return f"{path}：{where}{text}" if path else f"{where}{text}"
    return problem  # a message no pattern knows: in English, never dropped


def problems_in(problems: list[str], lang: str) -> list[str]:
    """The problems in `lang` ("ja": problem_ja each; otherwise as they are)."""
    return [problem_ja(p) for p in problems] if lang == "ja" else list(problems)


_NOT_OFFERED = "（同意書を作成できるのは、推奨または選択肢の治療だけです）"
REFUSALS_JA: dict[str, str] = {
    "consent.not_self_pay": "{action!r} は自由診療の治療ではありません："
                            "次のいずれかを選んでください：{choices}",
    "consent.no_texts": "ルールセットに{label}（{action}）の同意書の文面がありません"
                        "（consent.yaml）",
    "consent.not_offered": "この計画は{label}（{action}）を提示していません" + _NOT_OFFERED,
    "consent.not_offered_on": "この計画は{side_label}（{side}）に{label}（{action}）を提示して"
                              "いません" + _NOT_OFFERED,
    "consent.both_sides": "{label}（{action}）は両脚（{sides}）に提示されています：同意書は片脚ずつ"
                          "作成します。--side right か --side left で脚を指定してください",
    "consent.whole_patient_side": "{label}（{action}）は脚ではなく全身の項目です："
                                  "--side を付けないでください（入力値 --side {side}）",
    "prices.unreadable": "{path}：料金表を読めません（{reason}）",
    "prices.not_yaml": "{path}：{problem}",
    "prices.not_a_mapping": "{path}：料金表は 'items' を持つマッピングにしてください"
                            "（{{action: {{price, sessions, period}}}}）（入力値 {got}）",
    "prices.currency": "料金表の currency は JPY にするか、省いてください："
                       "同意書は費用を円で示します（入力値 {got}）",
    "prices.items": "料金表の items は項目と値の組（マッピング）にしてください"
                    "（{{action: {{price, sessions, period}}}}）（入力値 {got}）",
    "prices.no_entry": "料金表に{label}（{action}）の項目がありません（items.{action}：price、"
                       "sessions、period）：これがなければ同意書は印刷しません",
    "prices.entry_not_mapping": "料金表の items.{action}：{label}の price、sessions、period を"
                                "項目と値の組（マッピング）で記入してください（入力値 {got}）",
    "prices.no_price": "料金表に{label}（{action}）の料金がありません（items.{action}.price）："
                       "料金がなければ同意書は印刷しません",
    "prices.price": "料金表の items.{action}.price：{label}の料金を 0 より大きい整数（円）で"
                    "記入してください（入力値 {got}）",
    "prices.field_missing": "料金表に{label}（{action}）の{field_label}がありません"
                            "（items.{action}.{field}）：これがなければ同意書は印刷しません",
    "prices.text": "料金表の items.{action}.{field}：{label}の{field_label}を、空白だけでない"
                   "文字で記入してください（入力値 {got}）",
    "cli.no_prices": "同意書には当院の料金表が必要です：--prices PRICES.yaml を指定してください",
    "cli.pdf_needs_out": "--format pdf はファイルに書き出します：--out PLAN.pdf を指定してください",
    "pdf.no_chromium": "PDF の作成にはヘッドレス Chromium が必要です：Debian の chromium と "
                       "fonts-noto-cjk をインストールしてください（apt-get install chromium "
                       "fonts-noto-cjk）",
    "pdf.failed": "Chromium で PDF を印刷できませんでした（{detail}）",
}
"""The Japanese of every refusal in careflow.errors.REFUSALS, with the same fields, plus the
words derived from them: `label` (the action's Japanese label), `side_label`, `field_label`
(a price list field's name), and a problem of the file (`problem`) in Japanese."""
_PRICE_FIELDS = {"price": "料金", "sessions": "回数", "period": "期間", "note": "備考"}


def refusal_ja(key: str, fields: dict[str, object]) -> str:
    """The refusal `key` in Japanese (a tuple field is listed with 、)."""
    words = {k: "、".join(map(str, x)) if isinstance(x, tuple) else x for k, x in fields.items()}
    if isinstance(fields.get("action"), str):
        words["label"] = label("action", str(fields["action"]), "ja")
    if isinstance(fields.get("side"), str):
        words["side_label"] = label("side", str(fields["side"]), "ja")
    if isinstance(fields.get("field"), str):
        words["field_label"] = _PRICE_FIELDS.get(str(fields["field"]), str(fields["field"]))
    if isinstance(fields.get("problem"), str):
        words["problem"] = problem_ja(str(fields["problem"]))
    return REFUSALS_JA[key].format(**words)


def said_in(exc: CareflowError, lang: str) -> str:
    """An error as its reader reads it: a refusal said by key in Japanese for "ja"; otherwise
    (English, or an error with no key) its message as it is."""
    if lang == "ja" and exc.key in REFUSALS_JA:
        return refusal_ja(exc.key, dict(exc.fields))
    return str(exc)


def refuse(key: str, lang: str, **fields: object) -> str:
    """A refusal the command line makes itself (careflow.errors.REFUSALS), in `lang`."""
    return said_in(CareflowError.said(key, **fields), lang)


__all__ = ["REFUSALS_JA", "problem_ja", "problems_in", "refusal_ja", "refuse", "said_in"]
