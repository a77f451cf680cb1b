"""The Japanese clinical words the feature files use, mapped to the patient document and the
plan: one table, every phrase named once.

Feature files are read by doctors: they say 「CEAP分類」, never `veins.ceap_c`. A phrase may play
several roles (「心不全」 is a condition a patient has, the reason an item is contraindicated
and a reason the plan gives), so each phrase maps to its roles:

- ``action``: a plan item (「弾性ストッキング」 -> compression_stockings);
- ``treatment``: a past treatment in the patient's history;
- ``status``, ``urgency``, ``coverage``, ``disclosure``, ``pressure``, ``agent``, ``target_bmi``:
  what the plan says about an item;
- ``reason``: why an item has its status (the words before 「のため」 or, for a referral, 「で」);
- ``finding``: what the plan concludes about a leg (「右脚は静脈疾患に該当する」);
- ``condition``, ``allergy``: what the patient has (「心不全がある」);
- ``leg``, ``patient``: a row of a leg's or the patient's table, as (path, kind), with ``said``,
  how a value is said in a sentence (「Wellsスコア{}点」; a yes/no row is said by its name);
- ``symptom``, ``pattern``: an item of the 静脈の症状 or 膝の痛みの出方 cell;
- ``sex``, ``side``, ``response``, ``evidence``, ``parameter``, ``sets``: the rest.

A table row's label may carry its unit in brackets (「大伏在静脈の逆流時間（ms）」). Values in
tables: あり / なし, numbers, CEAP classes as C0-C6, lists separated by 「、」, and
不明 / 未測定 / 未確認 for a value that is not known. Every lookup names the known phrases
when it fails.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal, NamedTuple

UNKNOWN = ("不明", "未測定", "未確認")
SCENARIO_DAY = dt.date(2026, 11, 20)  # every scenario's patient is assessed on this day
YES_NO = {"あり": True, "なし": False}

_ENTRIES: list[tuple[str, dict[str, Any]]] = [
    # --- plan items ------------------------------------------------------------------------
    ("下肢静脈エコー検査", {"action": "duplex_ultrasound"}),
    ("膝のレントゲン検査", {"action": "knee_xray"}),
    ("ABI測定", {"action": "abi_measurement"}),
    ("足趾血圧測定", {"action": "toe_pressure"}),
    ("血液検査（eGFR）", {"action": "blood_test"}),
    ("Dダイマー検査", {"action": "d_dimer"}),
    ("妊娠検査", {"action": "pregnancy_test"}),
    ("外用NSAIDs（湿布・塗り薬）", {"action": "topical_nsaid", "treatment": "topical_nsaid"}),
    ("内服鎮痛薬", {"action": "oral_analgesic", "treatment": "oral_analgesic"}),
    ("止血処置", {"action": "haemostasis"}),
    ("抗凝固療法", {"action": "anticoagulation", "treatment": "anticoagulation"}),
    ("末梢動脈疾患の管理", {"action": "pad_management", "treatment": "pad_management"}),
    ("長時間の座りっぱなしを避ける指導", {"action": "avoid_prolonged_sitting"}),
    ("運動療法", {"action": "exercise_therapy", "treatment": "exercise_therapy"}),
    ("ヒアルロン酸注射", {"action": "hyaluronic_acid_injection",
                     "treatment": "hyaluronic_acid_injection"}),
    ("ステロイド注射", {"action": "steroid_injection", "treatment": "steroid_injection"}),
    ("弾性ストッキング", {"action": "compression_stockings"}),
    ("弾性ストッキングによる圧迫療法", {"treatment": "compression_stockings"}),
    ("血管内焼灼術", {"action": "endovenous_thermal_ablation",
                "treatment": "endovenous_thermal_ablation"}),
    ("グルー治療", {"action": "cyanoacrylate_closure", "treatment": "cyanoacrylate_closure"}),
    ("創傷ケア", {"action": "wound_care", "treatment": "wound_care"}),
    ("動注治療", {"action": "intra_arterial_injection", "treatment": "intra_arterial_injection"}),
    ("エクソソーム注射", {"action": "exosome_injection", "treatment": "exosome_injection"}),
    ("メディカルダイエット", {"action": "medical_diet", "treatment": "medical_diet"}),
    ("長時間の立ち仕事を避ける指導", {"action": "avoid_prolonged_standing"}),
    ("正座・横座りを避ける指導", {"action": "avoid_floor_sitting"}),
    ("洋式トイレを使う指導", {"action": "use_western_toilet"}),
    ("布団でなくベッドで寝る指導", {"action": "use_bed_not_futon"}),
    ("禁煙指導", {"action": "stop_smoking"}),
    ("節酒指導", {"action": "limit_alcohol"}),
    ("痛みのない範囲で歩く指導", {"action": "walk_within_pain_free_range"}),
    ("足を高くして休む指導", {"action": "elevate_legs"}),
    ("こまめな水分補給の指導", {"action": "stay_hydrated"}),
    ("体重管理の指導", {"action": "weight_management"}),
    # --- statuses (defined for doctors at the top of safety.feature) --------------------------
    ("推奨", {"status": "recommended"}),
    ("選択肢", {"status": "option"}),
    ("禁忌", {"status": "contraindicated"}),
    ("非推奨", {"status": "not_recommended"}),
    ("保留", {"status": "deferred"}),
    ("次の段階", {"status": "next_step"}),
    # --- referrals ---------------------------------------------------------------------------
    ("緊急", {"urgency": "emergency"}),
    ("至急", {"urgency": "urgent"}),
    ("通常", {"urgency": "routine"}),
    ("深部静脈血栓症の疑い", {"reason": "suspected_dvt"}),
    ("深部静脈血栓症", {"reason": "deep_vein_thrombosis"}),
    ("包括的高度慢性下肢虚血", {"reason": "critical_limb_ischemia"}),
    ("表在静脈血栓症", {"reason": "superficial_vein_thrombosis"}),
    ("急性下肢虚血", {"reason": "acute_limb_ischemia"}),
    ("化膿性関節炎の疑い", {"reason": "septic_arthritis"}),
    ("骨折の可能性", {"reason": "possible_fracture"}),
    ("整形外科での評価目的", {"reason": "orthopaedic_review"}),
    ("動脈の精査目的", {"reason": "arterial_review"}),
    # --- why an item waits or is contraindicated -------------------------------------------------
    ("KL分類の確定待ち", {"reason": "kl_grade_unknown"}),
    ("ABI測定待ち", {"reason": "abi_unknown"}),
    ("動脈の石灰化（ABI 1.4超）", {"reason": "non_compressible_arteries"}),
    ("eGFR測定待ち", {"reason": "egfr_unknown"}),
    ("妊娠の有無の確認待ち", {"reason": "pregnancy_unknown"}),
    ("以前に効果がなかった", {"reason": "tried_without_benefit"}),
    ("以前に耐えられず中止した", {"reason": "not_tolerated"}),
    ("ABI 0.6未満", {"reason": "low_abi"}),
    ("逆流のある伏在静脈径12mm超", {"reason": "refluxing_trunk_too_wide"}),
    ("逆流のある伏在静脈径の測定待ち", {"reason": "trunk_diameter_unknown"}),
    ("eGFR 45未満", {"reason": "low_egfr"}),
    ("活動性の静脈性潰瘍（C6）", {"reason": "active_ulcer"}),
    ("既往歴・併存疾患の未聴取", {"reason": "conditions_not_recorded",
                       "question": "conditions"}),
    ("アレルギー歴の未聴取", {"reason": "allergies_not_recorded", "question": "allergies"}),
    ("服薬歴の未聴取", {"reason": "medications_not_recorded", "question": "medications"}),
    ("足趾血圧30mmHg未満", {"reason": "low_toe_pressure"}),
    ("効果が期待しにくい", {"reason": "low_expected_benefit"}),
    ("膝の手術歴", {"reason": "prior_knee_surgery", "leg": ("knee.prior_knee_surgery", "bool")}),
    ("静脈の治療を優先する当院方針", {"reason": "veins_first"}),
    ("75歳以上またはフレイルによるサルコペニアのおそれ", {"reason": "sarcopenia_risk"}),
    ("GLP-1製剤の添付文書上の禁忌", {"reason": "glp1_label"}),
    ("保険診療の糖尿病治療で処方できる", {"reason": "insured_route_available"}),
    ("水分摂取を主治医の指示に委ねる", {"reason": "fluid_restriction"}),
    # --- what the plan concludes about a leg -----------------------------------------------------
    ("表在静脈の有意な逆流", {"finding": "significant_superficial_reflux"}),
    ("深部静脈の有意な逆流", {"finding": "deep_reflux"}),
    ("静脈疾患", {"finding": "venous_disease"}),
    ("血管性の膝痛の疑い", {"finding": "vascular_pain_suspected"}),
    ("動脈疾患", {"finding": "arterial_disease", "reason": "arterial_disease"}),
    ("動脈疾患のリスク", {"finding": "arterial_risk"}),
    ("変形性膝関節症", {"finding": "knee_oa"}),
    ("初期の変形性膝関節症", {"finding": "knee_oa_early"}),
    ("中期の変形性膝関節症", {"finding": "knee_oa_middle"}),
    ("末期の変形性膝関節症", {"finding": "knee_oa_late"}),
    ("肥満（BMI 25以上）", {"finding": "obesity"}),
    ("保険診療での改善不十分", {"finding": "knee_care_failed"}),
    ("弾性ストッキングの無効", {"finding": "stockings_failed"}),
    ("未治療の静脈幹の逆流", {"finding": "untreated_trunk_reflux"}),
    ("下肢を脅かす所見", {"finding": "limb_tissue_threat"}),
    ("深部静脈血栓症の否定", {"finding": "dvt_excluded"}),
    ("急性の深部静脈血栓症", {"finding": "dvt_acute"}),
    ("急性の表在静脈血栓症", {"finding": "svt_acute"}),
    ("血管内治療の適応候補", {"finding": "endovenous_candidate"}),
    ("血管内治療の適応", {"finding": "endovenous_qualifies"}),
    ("静脈の治療を先に行う対象", {"finding": "veins_first"}),
    ("自費診療の検討対象", {"finding": "self_pay_considered"}),
    ("自費診療の選択肢の対象", {"finding": "self_pay_ready"}),
    # --- conditions and allergies (「…がある」) ------------------------------------------------
    ("糖尿病", {"condition": "diabetes"}),
    ("1型糖尿病", {"condition": "type1_diabetes", "reason": "type1_diabetes"}),
    ("末梢動脈疾患", {"condition": "peripheral_arterial_disease"}),
    ("心不全", {"condition": "heart_failure", "reason": "heart_failure"}),
    ("重症心不全", {"condition": "severe_heart_failure", "reason": "severe_heart_failure"}),
    ("授乳中", {"condition": "breastfeeding"}),
    ("摂食障害", {"condition": "eating_disorder", "reason": "eating_disorder"}),
    ("フレイル", {"condition": "frailty"}),
    ("透析", {"condition": "dialysis"}),
    ("重篤な甲状腺疾患", {"condition": "severe_thyroid_disease",
                  "reason": "severe_thyroid_disease"}),
    ("重度の神経障害", {"condition": "severe_neuropathy", "reason": "severe_neuropathy"}),
    ("皮膚感染症", {"condition": "skin_infection", "reason": "skin_infection"}),
    ("関節リウマチ", {"condition": "rheumatoid_arthritis", "reason": "rheumatoid_arthritis"}),
    ("活動性の感染症", {"condition": "active_infection", "reason": "active_infection"}),
    ("敗血症", {"condition": "sepsis", "reason": "sepsis"}),
    ("悪性腫瘍", {"condition": "malignancy", "reason": "malignancy"}),
    ("悪性腫瘍の疑い", {"condition": "suspected_malignancy", "reason": "suspected_malignancy"}),
    ("膵炎の既往", {"condition": "pancreatitis_history", "reason": "pancreatitis_history"}),
    ("甲状腺髄様癌またはMEN2", {"condition": "medullary_thyroid_cancer_or_men2",
                         "reason": "medullary_thyroid_cancer_or_men2"}),
    ("血栓性素因", {"condition": "thrombophilia", "reason": "thrombophilia"}),
    ("深部静脈血栓症の既往", {"condition": "dvt_history", "reason": "dvt_history"}),
    ("ホルモン剤の使用", {"condition": "hormone_therapy", "reason": "hormone_therapy"}),
    ("歩行困難", {"condition": "immobile", "reason": "immobile"}),
    ("出血性疾患", {"condition": "bleeding_disorder", "reason": "bleeding_disorder"}),
    ("シアノアクリレートへのアレルギー", {"allergy": "cyanoacrylate",
                             "reason": "cyanoacrylate_allergy"}),
    ("造影剤へのアレルギー", {"allergy": "contrast_media", "reason": "contrast_media_allergy"}),
    ("イミペネムへのアレルギー", {"allergy": "imipenem"}),
    ("ストッキング素材へのアレルギー", {"allergy": "stocking_material",
                             "reason": "stocking_material_allergy"}),
    ("局所麻酔薬へのアレルギー", {"allergy": "local_anaesthetic",
                         "reason": "local_anaesthetic_allergy"}),
    # --- medications (「…を服用している」) ------------------------------------------------------
    ("抗凝固薬", {"medication": "anticoagulant"}),
    ("抗血小板薬", {"medication": "antiplatelet"}),
    ("バルプロ酸", {"medication": "valproate"}),
    ("メトホルミン", {"medication": "metformin"}),
    ("インスリンまたはSU薬", {"medication": "insulin_or_sulfonylurea"}),
    ("GLP-1受容体作動薬", {"medication": "glp1_receptor_agonist"}),
    ("エストロゲン製剤", {"medication": "estrogen_therapy"}),
    ("SERM", {"medication": "serm"}),
    ("全身性ステロイド", {"medication": "systemic_corticosteroid"}),
    # --- what the doctor must plan (「注意事項に…が含まれる」) -----------------------------------
    ("抗凝固薬の周術期管理", {"precaution": "anticoagulation_plan"}),
    ("メトホルミンの休薬", {"precaution": "hold_metformin"}),
    ("造影剤腎症の予防", {"precaution": "contrast_kidney_care"}),
    ("エストロゲン製剤による血栓症リスク", {"precaution": "estrogen_thrombosis_risk"}),
    ("血栓性素因に対する血栓予防", {"precaution": "thrombophilia_prophylaxis"}),
    ("深部静脈の確認", {"precaution": "prior_dvt_deep_vein_check"}),
    ("歩行困難に対する血栓予防", {"precaution": "immobility_thromboprophylaxis"}),
    ("体液過剰の観察", {"precaution": "heart_failure_monitoring"}),
    ("血糖の確認", {"precaution": "glucose_monitoring"}),
    ("低血糖のおそれ", {"precaution": "hypoglycaemia_risk"}),
    ("内服NSAIDsによる腎障害・出血のリスク", {"precaution": "nsaid_kidney_bleeding_risk"}),
    ("細い静脈幹", {"precaution": "small_trunk_diameter"}),
    ("着用の補助", {"precaution": "donning_aid"}),
    ("血液内科と相談した計画", {"precaution": "bleeding_disorder_plan"}),
    ("出血リスクへの対策", {"precaution": "bleeding_risk_plan"}),
    ("ヘパリン製剤への限定", {"precaution": "heparin_only"}),
    ("腎機能に応じた薬剤選択", {"precaution": "renal_agent_choice"}),
    ("抗凝固療法中の血栓症の再評価", {"precaution": "anticoagulant_failure"}),
    ("人工膝関節置換術前の回避", {"precaution": "steroid_before_arthroplasty"}),
    ("心臓のリスク評価", {"precaution": "cardiac_risk_assessment"}),
    ("ステロイドによる創傷治癒の遅れ", {"precaution": "corticosteroid_healing_risk"}),
    # --- a leg's table (「右脚の所見は次のとおり」) -----------------------------------------
    ("膝の痛み（NRS）", {"leg": ("knee.pain_nrs", "int"), "said": "膝の痛みNRS {}"}),
    ("膝の痛みの出方", {"leg": ("knee.pain_pattern", "patterns")}),
    ("KL分類", {"leg": ("knee.kl_grade", "int"), "said": "KL分類グレード{}"}),
    ("膝の熱感・腫脹", {"leg": ("knee.hot_swollen_joint", "bool")}),
    ("最近の膝の外傷", {"leg": ("knee.recent_trauma", "bool")}),
    ("荷重不能", {"leg": ("knee.cannot_bear_weight", "bool")}),
    ("人工膝関節", {"leg": ("knee.prior_arthroplasty", "bool")}),
    ("ABI", {"leg": ("abi", "float"), "said": "ABI {}"}),
    ("足趾血圧", {"leg": ("toe_pressure_mmhg", "float"), "unit": "mmHg",
              "said": "足趾血圧{}mmHg"}),
    ("虚血性安静時痛", {"leg": ("ischemic_rest_pain", "bool")}),
    ("動脈性の潰瘍・壊疽", {"leg": ("arterial_ulcer_or_gangrene", "bool")}),
    ("オタワ膝ルールの所見", {"leg": ("knee.ottawa_positive", "bool")}),
    ("画像での骨折の否定", {"leg": ("knee.fracture_excluded", "bool")}),
    ("化膿性関節炎の否定", {"leg": ("knee.septic_arthritis_excluded", "bool")}),
    ("表在静脈血栓の長さ", {"leg": ("veins.svt_length_cm", "float"), "unit": "cm",
                   "said": "表在静脈血栓の長さ{}cm"}),
    ("血栓先端から接合部までの距離", {"leg": ("veins.svt_junction_distance_cm", "float"),
                         "unit": "cm", "said": "接合部までの距離{}cm"}),
    ("表在静脈血栓症の診断", {"leg": ("veins.svt_diagnosed_on", "days_ago")}),
    ("エコー検査の実施", {"leg": ("veins.duplex.performed_on", "days_ago")}),
    ("前副伏在静脈の逆流時間", {"leg": ("veins.duplex.aasv_reflux_ms", "float"), "unit": "ms",
                     "said": "前副伏在静脈の逆流時間{}ms"}),
    ("前副伏在静脈の径", {"leg": ("veins.duplex.aasv_diameter_mm", "float"), "unit": "mm",
                   "said": "前副伏在静脈の径{}mm"}),
    ("急性虚血の徴候", {"leg": ("acute_ischemia_signs", "bool"),
                 "reason": "acute_ischemia_signs"}),
    ("Wellsスコア", {"leg": ("wells_score", "int"), "said": "Wellsスコア{}点"}),
    ("静脈の症状", {"leg": ("veins.symptoms", "symptoms")}),
    ("CEAP分類", {"leg": ("veins.ceap_c", "ceap"), "said": "CEAP分類{}"}),
    ("静脈瘤からの出血", {"leg": ("veins.bleeding", "bool"), "reason": "bleeding_varicose_vein"}),
    ("急性表在性血栓性静脈炎", {"leg": ("veins.superficial_thrombophlebitis", "bool"),
                      "reason": "superficial_thrombophlebitis"}),
    ("大伏在静脈の逆流時間", {"leg": ("veins.duplex.gsv_reflux_ms", "float"), "unit": "ms",
                    "said": "大伏在静脈の逆流時間{}ms"}),
    ("小伏在静脈の逆流時間", {"leg": ("veins.duplex.ssv_reflux_ms", "float"), "unit": "ms",
                    "said": "小伏在静脈の逆流時間{}ms"}),
    ("深部静脈の逆流時間", {"leg": ("veins.duplex.deep_reflux_ms", "float"), "unit": "ms",
                   "said": "深部静脈の逆流時間{}ms"}),
    ("大伏在静脈の径", {"leg": ("veins.duplex.gsv_diameter_mm", "float"), "unit": "mm",
                  "said": "大伏在静脈の径{}mm"}),
    ("小伏在静脈の径", {"leg": ("veins.duplex.ssv_diameter_mm", "float"), "unit": "mm",
                  "said": "小伏在静脈の径{}mm"}),
    ("エコーでの深部静脈血栓", {"leg": ("veins.duplex.dvt", "bool")}),
    # the items of 静脈の症状 and 膝の痛みの出方 (a cell lists them separated by 「、」)
    ("血管の浮き上がり", {"symptom": "bulging_veins"}),
    ("青く目立つ血管", {"symptom": "visible_blue_veins"}),
    ("脚のだるさ・重さ", {"symptom": "heaviness"}),
    ("夕方のむくみ", {"symptom": "evening_swelling"}),
    ("夜間のこむら返り", {"symptom": "night_cramps"}),
    ("脚の疲れ・痛み", {"symptom": "leg_fatigue_pain"}),
    ("皮膚の色素沈着", {"symptom": "skin_pigmentation"}),
    ("動き始めの痛み", {"pattern": "start_up"}),
    ("動作時の痛み", {"pattern": "on_movement"}),
    ("安静時の痛み", {"pattern": "at_rest"}),
    ("立ち仕事の後に悪化", {"pattern": "worse_after_standing"}),
    ("脚を上げると軽快", {"pattern": "relieved_by_elevation"}),
    # --- the patient's table (「患者の状況は次のとおり」) -----------------------------------
    ("年齢", {"patient": ("age", "int"), "said": "年齢{}歳"}),
    ("身長", {"patient": ("height_cm", "float"), "unit": "cm"}),
    ("体重", {"patient": ("weight_kg", "float"), "unit": "kg"}),
    ("BMI", {"patient": ("bmi", "bmi"), "said": "BMI {}"}),
    ("eGFR", {"patient": ("egfr", "float"), "said": "eGFR {}"}),
    ("妊娠", {"patient": ("pregnant", "bool"), "reason": "pregnancy"}),
    ("喫煙", {"patient": ("lifestyle.smoker", "bool")}),
    ("飲酒量", {"patient": ("lifestyle.alcohol_drinks_per_week", "float"), "unit": "ドリンク/週",
             "said": "週{}ドリンクの飲酒"}),
    ("立ち仕事", {"patient": ("lifestyle.standing_hours_per_day", "float"), "unit": "時間/日",
              "said": "1日{}時間の立ち仕事"}),
    ("座りっぱなし", {"patient": ("lifestyle.sitting_hours_per_day", "float"), "unit": "時間/日",
                "said": "1日{}時間の座りっぱなし"}),
    ("正座・横座りの習慣", {"patient": ("lifestyle.sits_on_floor", "bool")}),
    ("和式トイレの使用", {"patient": ("lifestyle.japanese_style_toilet", "bool")}),
    ("布団での就寝", {"patient": ("lifestyle.sleeps_on_futon", "bool")}),
    # a wish is also said as 「…を希望している」
    ("自費診療の希望", {"patient": ("preferences.accepts_self_pay", "bool")}),
    ("さらなる改善の希望", {"patient": ("preferences.wants_further_improvement", "bool")}),
    ("熱を使わない治療の希望", {"patient": ("preferences.prefers_non_thermal", "bool")}),
    ("女性", {"sex": "female"}),
    ("男性", {"sex": "male"}),
    # --- sides -----------------------------------------------------------------------------
    ("右脚", {"side": "right"}), ("左脚", {"side": "left"}),
    ("右膝", {"side": "right"}), ("左膝", {"side": "left"}),
    ("両脚", {"side": "both"}), ("両膝", {"side": "both"}),
    # --- how a past treatment went ------------------------------------------------------------
    ("効果がなかった", {"response": "none"}),
    ("一部改善した", {"response": "partial"}),
    ("十分に改善した", {"response": "good"}),
    ("耐えられず中止した", {"response": "not_tolerated"}),
    # --- details of an item -----------------------------------------------------------------
    ("20〜30mmHg", {"pressure": "20-30"}),
    ("30〜40mmHg", {"pressure": "30-40"}),
    ("20mmHg以下", {"pressure": "<=20"}),
    ("イミペネム・シラスタチン", {"agent": "imipenem_cilastatin"}),
    ("マイクロスフィア", {"agent": "microspheres"}),
    ("21.5〜24.9", {"target_bmi": "21.5-24.9"}),
    ("まずアセトアミノフェン", {"agent": "acetaminophen_first"}),
    ("アセトアミノフェンのみ", {"agent": "acetaminophen_only"}),
    ("大伏在静脈", {"vein": "gsv", "treated_vein": "gsv"}),
    ("小伏在静脈", {"vein": "ssv", "treated_vein": "ssv"}),
    ("前副伏在静脈", {"vein": "aasv", "treated_vein": "aasv"}),
    ("予防量を45日間", {"regimen": "prophylactic_45_days"}),
    ("治療量", {"regimen": "therapeutic"}),
    ("搬送の手配中にヘパリン投与", {"regimen": "heparin_while_arranging_transfer"}),
    ("住宅改修（要介護認定があれば）", {"care_insurance": "housing_adaptation_if_certified"}),
    ("特殊寝台の貸与（要介護2以上）", {"care_insurance": "care_bed_from_care_level_2"}),
    ("保険診療", {"coverage": "insurance"}),
    ("自費診療", {"coverage": "self_pay"}),
    ("自費診療の費用", {"disclosure": "self_pay_cost"}),
    ("主なリスクと副作用", {"disclosure": "main_risks"}),
    ("治療の内容", {"disclosure": "treatment_content"}),
    ("治療の回数と期間", {"disclosure": "sessions_and_period"}),
    ("保険診療で受けられる他の治療", {"disclosure": "insured_alternatives"}),
    ("保険診療と別に行うこと", {"disclosure": "separate_from_insured_care"}),
    ("入手経路", {"disclosure": "procurement_route"}),
    ("国内で承認された代替手段", {"disclosure": "domestic_approved_alternatives"}),
    ("諸外国での安全性情報", {"disclosure": "foreign_safety_information"}),
    ("医薬品副作用被害救済制度の対象外であること", {"disclosure": "relief_system_not_covered"}),
    ("承認薬の適応外使用", {"disclosure": "off_label_use"}),
    ("未承認製品を医師の責任で使用すること", {"disclosure": "unapproved_product"}),
    ("圧迫圧", {"sets": "pressure"}),
    ("保険適用", {"sets": "coverage"}),
    # --- evidence (the sources are in English: the words each phrase looks for) --------------
    ("日本静脈学会（JSP）2010年の除外基準", {"evidence": "JSP 2010"}),
    ("NICE CG168", {"evidence": "NICE CG168"}),
    ("VenaSealの添付文書", {"evidence": "VenaSeal"}),
    ("偽手術対照試験", {"evidence": "sham-controlled"}),
    ("未承認製品", {"evidence": "unapproved"}),
    ("当院の方針", {"evidence": "clinic policy"}),
    ("適応外使用", {"evidence": "off-label"}),
    # --- the clinic's settings (「当院では再評価を8週後とする」) ----------------------------
    ("再評価", {"parameter": ("review_after_weeks", "週後")}),
    ("GLP-1製剤の使用", {"switch": "medical_diet_uses_glp1"}),
]

def _build() -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for phrase, roles in _ENTRIES:
        assert phrase not in table, f"the phrase {phrase!r} is named twice in the glossary"
        table[phrase] = roles
    return table


GLOSSARY = _build()


def term(text: str, role: str) -> Any:
    """What `text` means in `role` (「弾性ストッキング」, "action" -> compression_stockings)."""
    text = text.strip()
    roles = GLOSSARY.get(text)
    if roles is None or role not in roles:
        known = sorted(p for p, r in GLOSSARY.items() if role in r)
        raise AssertionError(f"{text!r} is not a known {role} phrase; known: {known}")
    return roles[role]


def row(label: str, scope: str) -> tuple[str, str]:
    """A table row label -> (path, kind); the label may end with its unit: 「…（ms）」."""
    label = label.strip()
    roles = GLOSSARY.get(label)
    if roles is None or scope not in roles:
        m = re.fullmatch(r"(.+)（(.+)）", label)
        if m and m[1] in GLOSSARY and GLOSSARY[m[1]].get("unit") == m[2]:
            roles = GLOSSARY[m[1]]
    if roles is None or scope not in roles:
        known = sorted(p + (f"（{r['unit']}）" if "unit" in r else "")
                       for p, r in GLOSSARY.items() if scope in r)
        raise AssertionError(f"{label!r} is not a known {scope} table row; known: {known}")
    path, kind = roles[scope]
    return str(path), str(kind)


def convert(kind: str, text: str) -> Any:
    """A table cell -> the document's value (None for 不明 / 未測定 / 未確認)."""
    text = text.strip()
    if text in UNKNOWN:
        return None
    if kind == "int":
        return int(text)
    if kind in ("float", "bmi"):
        return float(text)
    if kind == "ceap":
        m = re.fullmatch(r"C([0-6])", text)
        if not m:
            raise AssertionError(f"a CEAP class is written C0-C6, not {text!r}")
        return int(m[1])
    if kind == "days_ago":  # 「3日前」 / 「当日」, before the scenarios' day 2026-11-20
        m = re.fullmatch(r"(\d+)日前|当日", text)
        if not m:
            raise AssertionError(f"a date is written N日前 or 当日, not {text!r}")
        return (SCENARIO_DAY - dt.timedelta(days=int(m[1] or 0))).isoformat()
    if kind == "bool":
        if text not in YES_NO:
            raise AssertionError(f"write あり or なし, not {text!r}")
        return YES_NO[text]
    if kind in ("patterns", "symptoms"):
        role = "pattern" if kind == "patterns" else "symptom"
        if text == "なし":
            return []
        return [term(part, role) for part in text.split("、")]
    raise AssertionError(kind)


# --- what a reason says (「その根拠に…が含まれる」, 「圧迫圧は…に基づく」) ----------------------
def _said_patterns() -> list[tuple[re.Pattern[str], str, str, str]]:
    out = []
    for roles in GLOSSARY.values():
        for scope in ("leg", "patient"):
            if scope in roles and "said" in roles:
                head, _, tail = roles["said"].partition("{}")
                regex = re.compile(re.escape(head) + r"(?P<value>.+?)" + re.escape(tail))
                out.append((regex, scope, *roles[scope]))
    return out


_SAID = _said_patterns()


class Said(NamedTuple):
    """What a phrase names (see `said`): `name` is the finding's code, the named entry's fact
    or the fact's path; `scope` and `value` only for a fact."""

    kind: Literal["finding", "named", "fact"]
    name: str
    scope: str = ""
    value: Any = True


def said(text: str) -> Said:
    """A phrase naming a reason -> what it names:

    - ("finding", code): the plan's conclusion the item rests on (「静脈疾患」);
    - ("named", fact, True): a condition, an allergy (「心不全」, 「造影剤へのアレルギー」);
    - ("fact", "leg" | "patient", path, value): a value of the patient (「Wellsスコア2点」,
      「喫煙」 for a yes/no fact, 「女性」 for the sex).
    """
    text = text.strip()
    roles = GLOSSARY.get(text, {})
    if "finding" in roles:
        return Said("finding", roles["finding"])
    if "condition" in roles:
        return Said("named", f"conditions.{roles['condition']}")
    if "allergy" in roles:
        return Said("named", f"allergies.{roles['allergy']}")
    if "medication" in roles:
        return Said("named", f"medications.{roles['medication']}")
    if "sex" in roles:
        return Said("fact", "sex", "patient", roles["sex"])
    for scope in ("leg", "patient"):
        if scope in roles and roles[scope][1] == "bool":
            return Said("fact", roles[scope][0], scope)
    for regex, scope, path, kind in _SAID:
        m = regex.fullmatch(text)
        if m:
            return Said("fact", path, scope, convert(kind, m["value"]))
    known = sorted([p for p, r in GLOSSARY.items() if {"finding", "condition", "allergy", "sex"}
                    & set(r) or r.get("leg", r.get("patient", ("", "")))[1] == "bool"]
                   + [r["said"] for r in GLOSSARY.values() if "said" in r])
    raise AssertionError(f"{text!r} names no known reason; known: {known}")
