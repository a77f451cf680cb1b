"""Japanese and English labels for every code a plan shows (actions, statuses, reasons,
phases, tracks, findings). Japanese labels use the clinic's own terms."""

from __future__ import annotations

from typing import Any

from .errors import UsageError

LANGS = ("en", "ja")

ACTIONS: dict[str, tuple[str, str]] = {
    "duplex_ultrasound": ("duplex ultrasound", "下肢静脈エコー検査"),
    "knee_xray": ("knee X-ray", "膝のレントゲン検査"),
    "abi_measurement": ("ankle-brachial index measurement", "ABI（足関節上腕血圧比）検査"),
    "toe_pressure": ("toe pressure measurement", "足趾血圧測定"),
    "blood_test": ("blood test (eGFR)", "血液検査（eGFR）"),
    "d_dimer": ("D-dimer test", "Dダイマー検査"),
    "pregnancy_test": ("pregnancy test", "妊娠検査"),
    "topical_nsaid": ("topical NSAID (compress or gel)", "外用NSAIDs（湿布・塗り薬）"),
    "oral_analgesic": ("oral analgesic", "内服鎮痛薬"),
    "haemostasis": ("haemostasis (elevation, direct pressure, compression bandage)",
                    "止血処置（挙上・直接圧迫・圧迫包帯）"),
    "anticoagulation": ("anticoagulation", "抗凝固療法"),
    "pad_management": ("PAD care (walking, antiplatelet and statin review, risk factors)",
                       "末梢動脈疾患の管理（歩行運動・抗血小板薬とスタチンの見直し・危険因子）"),
    "exercise_therapy": ("exercise therapy", "運動療法"),
    "hyaluronic_acid_injection": ("hyaluronic acid injection", "ヒアルロン酸注射"),
    "steroid_injection": ("steroid injection", "ステロイド注射"),
    "compression_stockings": ("compression stockings", "弾性ストッキング"),
    "endovenous_thermal_ablation": ("endovenous thermal ablation", "血管内焼灼術"),
    "cyanoacrylate_closure": ("cyanoacrylate glue closure", "グルー治療（血管内塞栓術）"),
    "wound_care": ("wound care", "創傷ケア"),
    "intra_arterial_injection": ("intra-arterial injection (動注治療)", "動注治療"),
    "exosome_injection": ("exosome injection", "エクソソーム注射"),
    "medical_diet": ("medical diet", "メディカルダイエット"),
    "referral": ("referral", "紹介"),
    "avoid_prolonged_standing": ("avoid prolonged standing", "長時間の立ちっぱなしを避ける"),
    "avoid_prolonged_sitting": ("avoid sitting for hours without a break",
                                "長時間の座りっぱなしを避ける"),
    "avoid_floor_sitting": ("avoid sitting on the floor", "正座・横座りを避ける"),
    "use_western_toilet": ("use a Western-style toilet", "洋式トイレを使う"),
    "use_bed_not_futon": ("sleep in a bed rather than on a futon", "布団ではなくベッドで寝る"),
    "stop_smoking": ("stop smoking", "禁煙"),
    "limit_alcohol": ("drink less alcohol", "飲酒を控える"),
    "walk_within_pain_free_range": ("walk within the pain-free range",
                                    "痛みのない範囲でウォーキング"),
    "elevate_legs": ("rest with the legs raised", "足を高くして休む"),
    "stay_hydrated": ("drink enough water", "こまめな水分補給"),
    "weight_management": ("weight management", "体重管理"),
}

STATUSES = {
    "recommended": ("recommended", "推奨"),
    "option": ("option", "選択肢"),
    "contraindicated": ("contraindicated", "禁忌"),
    "not_recommended": ("not recommended", "非推奨"),
    "deferred": ("deferred", "保留"),
    "next_step": ("next step", "次の段階"),
}

PHASES = {
    "referral": ("referral", "紹介"),
    "assessment": ("assessment", "検査"),
    "conservative": ("insured conservative care", "保険診療（保存療法）"),
    "venous_intervention": ("endovenous treatment", "血管内治療"),
    "self_pay": ("self-pay options", "自費診療"),
}

TRACKS = {
    "safety": ("safety", "安全確認"),
    "knee": ("knee track", "膝の治療"),
    "vein": ("vein track", "静脈の治療"),
    "general": ("lifestyle", "生活習慣"),
}

KINDS = {
    "referral": ("referral", "紹介"),
    "assessment": ("assessment", "検査"),
    "treatment": ("treatment", "治療"),
    "advice": ("advice", "生活指導"),
}

URGENCIES = {
    "emergency": ("emergency", "緊急"),
    "urgent": ("urgent", "至急"),
    "routine": ("routine", "通常"),
}

COVERAGES = {"insurance": ("insurance", "保険診療"), "self_pay": ("self-pay", "自費診療")}

DISCLOSURES = {
    "treatment_content": ("what the treatment is", "治療の内容"),
    "sessions_and_period": ("number of sessions and treatment period", "治療の回数と期間"),
    "self_pay_cost": ("self-pay cost", "自費診療の費用"),
    "main_risks": ("main risks and side effects", "主なリスク・副作用"),
    "insured_alternatives": ("what insurance still offers (including surgery for KL 3-4)",
                             "保険診療で受けられる他の治療（KL分類3〜4では手術を含む）"),
    "separate_from_insured_care": ("kept separate from insured care (no mixed billing)",
                                   "保険診療とは別に行う（混合診療の禁止）"),
    "off_label_use": ("off-label use of an approved drug", "承認薬の適応外使用"),
    "unapproved_product": ("unapproved product; physician responsibility",
                           "未承認製品（医師の責任で使用）"),
    "procurement_route": ("how the product is obtained", "入手経路"),
    "domestic_approved_alternatives": ("approved alternatives in Japan",
                                       "国内で承認された代替の医薬品・治療"),
    "foreign_safety_information": ("safety information from other countries",
                                   "諸外国での安全性情報"),
    "relief_system_not_covered": ("not covered by the adverse-drug-reaction relief system",
                                  "医薬品副作用被害救済制度の対象外"),
}

PRECAUTIONS = {
    "anticoagulation_plan": ("peri-procedural plan for the anticoagulant",
                             "抗凝固薬の周術期管理"),
    "hold_metformin": ("hold metformin around the contrast", "造影剤使用前後のメトホルミン休薬"),
    "contrast_kidney_care": ("kidney care for the contrast (hydration, no NSAIDs)",
                             "造影剤腎症の予防（補液・NSAIDsの中止）"),
    "estrogen_thrombosis_risk": ("oestrogen or SERM: thrombosis risk",
                                 "エストロゲン製剤・SERMによる血栓症リスク"),
    "thrombophilia_prophylaxis": ("thromboprophylaxis for thrombophilia",
                                  "血栓性素因に対する血栓予防"),
    "prior_dvt_deep_vein_check": ("check the deep veins (previous DVT)",
                                  "深部静脈の確認（深部静脈血栓症の既往）"),
    "immobility_thromboprophylaxis": ("thromboprophylaxis (unable to walk)",
                                      "血栓予防（歩行困難）"),
    "heart_failure_monitoring": ("monitor for fluid overload (heart failure)",
                                 "体液過剰の観察（心不全）"),
    "glucose_monitoring": ("glucose monitoring (diabetes)", "血糖の確認（糖尿病）"),
    "hypoglycaemia_risk": ("hypoglycaemia risk (insulin or sulfonylurea)",
                           "低血糖のおそれ（インスリン・SU薬）"),
    "nsaid_kidney_bleeding_risk": ("oral NSAID: kidney and bleeding risk",
                                   "内服NSAIDsによる腎障害・出血のリスク"),
    "small_trunk_diameter": ("refluxing trunk narrower than 3 mm", "逆流静脈の径が3 mm未満"),
    "donning_aid": ("donning aid and help to put the stockings on", "着用補助具と着用の支援"),
    "bleeding_disorder_plan": ("plan with the haematologist (bleeding disorder)",
                               "血液内科と相談した計画（出血性疾患）"),
    "bleeding_risk_plan": ("bleeding-risk plan", "出血リスクへの対策"),
    "heparin_only": ("heparin only (pregnancy)", "ヘパリンに限る（妊娠中）"),
    "renal_agent_choice": ("anticoagulant chosen for the kidneys", "腎機能に応じた抗凝固薬の選択"),
    "anticoagulant_failure": ("thrombosis on an anticoagulant: specialist review, malignancy "
                              "check", "抗凝固薬服用中の血栓症：専門的再評価と悪性腫瘍の検索"),
    "steroid_before_arthroplasty": ("avoid in the months before a knee replacement",
                                    "人工膝関節置換術前の数か月は避ける"),
    "cardiac_risk_assessment": ("cardiac risk assessment", "心臓のリスク評価"),
    "corticosteroid_healing_risk": ("slower healing on corticosteroids",
                                    "ステロイドによる創傷治癒の遅れ"),
}

QUESTIONS = {
    "conditions": ("past and current conditions", "既往歴・併存疾患"),
    "allergies": ("allergies", "アレルギー歴"),
    "medications": ("medications", "服薬歴"),
}

MEDICATIONS = {
    "anticoagulant": ("anticoagulant (warfarin or a DOAC)", "抗凝固薬（ワルファリン・DOAC）"),
    "antiplatelet": ("antiplatelet", "抗血小板薬"),
    "valproate": ("valproate", "バルプロ酸"),
    "metformin": ("metformin", "メトホルミン"),
    "insulin_or_sulfonylurea": ("insulin or a sulfonylurea", "インスリン・SU薬"),
    "glp1_receptor_agonist": ("GLP-1 receptor agonist", "GLP-1受容体作動薬"),
    "estrogen_therapy": ("oestrogen therapy (pill, LEP, HRT)", "エストロゲン製剤（OC・LEP・HRT）"),
    "serm": ("SERM (raloxifene, bazedoxifene)", "SERM（ラロキシフェン・バゼドキシフェン）"),
    "systemic_corticosteroid": ("systemic corticosteroid", "全身性ステロイド"),
}

REASONS = {
    "suspected_dvt": ("suspected deep vein thrombosis", "深部静脈血栓症の疑い"),
    "deep_vein_thrombosis": ("deep vein thrombosis", "深部静脈血栓症"),
    "critical_limb_ischemia": ("critical limb ischaemia", "包括的高度慢性下肢虚血（CLTI）"),
    "superficial_vein_thrombosis": ("superficial vein thrombosis", "表在静脈血栓症"),
    "conditions_not_recorded": ("conditions not asked", "既往歴・併存疾患が未聴取"),
    "allergies_not_recorded": ("allergies not asked", "アレルギー歴が未聴取"),
    "medications_not_recorded": ("medications not asked", "服薬歴が未聴取"),
    "low_toe_pressure": ("toe pressure below 30 mmHg", "足趾血圧30 mmHg未満"),
    "severe_heart_failure": ("severe heart failure", "重症心不全"),
    "local_anaesthetic_allergy": ("local-anaesthetic allergy", "局所麻酔薬アレルギー"),
    "low_expected_benefit": ("low expected benefit", "効果が期待しにくい"),
    "prior_knee_surgery": ("previous knee surgery", "膝の手術歴"),
    "severe_thyroid_disease": ("severe thyroid disease", "重篤な甲状腺疾患"),
    "veins_first": ("the veins are treated first (clinic policy)", "静脈の治療を優先（当院方針）"),
    "sarcopenia_risk": ("age 75 or over, or frailty: sarcopenia risk",
                        "75歳以上またはフレイル：サルコペニアのおそれ"),
    "eating_disorder": ("eating disorder", "摂食障害"),
    "glp1_label": ("a contraindication on the GLP-1 label", "GLP-1製剤の添付文書上の禁忌"),
    "insured_route_available": ("GLP-1 is prescribed through insured diabetes care",
                                "GLP-1製剤は保険診療の糖尿病治療で処方する"),
    "fluid_restriction": ("fluid intake set by the cardiologist or kidney doctor",
                          "水分摂取は循環器内科・腎臓内科の指示による"),
    "acute_limb_ischemia": ("acute limb ischaemia", "急性下肢虚血"),
    "septic_arthritis": ("suspected septic arthritis", "化膿性関節炎の疑い"),
    "possible_fracture": ("possible fracture", "骨折の可能性"),
    "bleeding_varicose_vein": ("bleeding varicose vein", "静脈瘤からの出血"),
    "sepsis": ("sepsis", "敗血症"),
    "suspected_malignancy": ("suspected malignancy", "悪性腫瘍の疑い"),
    "orthopaedic_review": ("orthopaedic review", "整形外科での評価"),
    "arterial_review": ("arterial review", "動脈の精査"),
    "awaiting_knee_xray": ("waiting for the knee X-ray", "膝のレントゲン待ち"),
    "kl_grade_unknown": ("KL grade unknown", "KL分類が未確定"),
    "abi_unknown": ("ankle-brachial index unknown", "ABI未測定"),
    "non_compressible_arteries": ("non-compressible arteries (ABI above 1.4)",
                                  "動脈の石灰化（ABI 1.4超）"),
    "egfr_unknown": ("eGFR unknown", "eGFR未測定"),
    "pregnancy_unknown": ("pregnancy status unknown", "妊娠の有無が未確認"),
    "pregnancy": ("pregnancy", "妊娠"),
    "tried_without_benefit": ("already tried without benefit",
                              "以前に行って効果がなかった"),
    "not_tolerated": ("not tolerated before", "以前に副作用で中止"),
    "oral_nsaid_contraindicated": ("oral NSAIDs contraindicated (acetaminophen instead)",
                                   "内服NSAIDsは禁忌（アセトアミノフェンを使用）"),
    "imipenem_contraindicated": ("imipenem/cilastatin contraindicated (microspheres instead)",
                                 "イミペネム・シラスタチンは禁忌（マイクロスフィアを使用）"),
    "low_abi": ("ankle-brachial index below 0.6", "ABI 0.6未満"),
    "acute_ischemia_signs": ("signs of acute ischaemia", "急性虚血の徴候"),
    "heart_failure": ("heart failure", "心不全"),
    "severe_neuropathy": ("severe neuropathy", "重度の神経障害"),
    "skin_infection": ("skin infection", "皮膚感染症"),
    "stocking_material_allergy": ("allergy to the stocking material", "ストッキング素材アレルギー"),
    "dvt_history": ("previous deep vein thrombosis", "深部静脈血栓症の既往"),
    "duplex_dvt": ("deep vein thrombosis on duplex", "エコーで深部静脈血栓"),
    "arterial_disease": ("arterial disease", "動脈疾患"),
    "immobile": ("unable to walk", "歩行困難"),
    "thrombophilia": ("thrombophilia", "血栓性素因"),
    "hormone_therapy": ("hormone therapy", "ホルモン療法"),
    "active_infection": ("active infection", "活動性感染症"),
    "cyanoacrylate_allergy": ("cyanoacrylate allergy", "シアノアクリレートアレルギー"),
    "refluxing_trunk_too_wide": ("refluxing trunk wider than 12 mm", "逆流のある静脈径が12mm超"),
    "trunk_diameter_unknown": ("diameter of the refluxing trunk unknown", "逆流静脈の径が未測定"),
    "superficial_thrombophlebitis": ("acute superficial thrombophlebitis",
                                     "急性表在性血栓性静脈炎"),
    "low_expected_benefit_kl_4": ("KL 4: low expected benefit", "KL4のため効果が期待しにくい"),
    "rheumatoid_arthritis": ("rheumatoid arthritis", "関節リウマチ"),
    "malignancy": ("malignancy", "悪性腫瘍"),
    "low_egfr": ("eGFR below 45", "eGFR 45未満"),
    "contrast_media_allergy": ("contrast-media allergy", "造影剤アレルギー"),
    "bleeding_disorder": ("bleeding disorder", "出血性疾患"),
    "type1_diabetes": ("type 1 diabetes", "1型糖尿病"),
    "medullary_thyroid_cancer_or_men2": ("medullary thyroid cancer or MEN2",
                                         "甲状腺髄様癌・MEN2"),
    "pancreatitis_history": ("previous pancreatitis", "膵炎の既往"),
    "active_ulcer": ("active venous ulcer (C6)", "活動性潰瘍（C6）"),
}

FINDINGS = {
    "significant_superficial_reflux": ("significant superficial reflux", "表在静脈の有意な逆流"),
    "deep_reflux": ("deep reflux", "深部静脈の逆流"),
    "venous_disease": ("venous disease", "静脈疾患"),
    "vascular_pain_suspected": ("vascular knee pain suspected", "血管性の膝痛の疑い"),
    "arterial_disease": ("arterial disease", "動脈疾患"),
    "arterial_risk": ("arteries at risk", "動脈疾患のリスク"),
    "arterial_status_needed": ("arterial status needed", "動脈評価が必要"),
    "knee_oa": ("knee osteoarthritis", "変形性膝関節症"),
    "knee_oa_early": ("early knee osteoarthritis", "初期の変形性膝関節症"),
    "knee_oa_middle": ("middle-stage knee osteoarthritis", "中期の変形性膝関節症"),
    "knee_oa_late": ("late knee osteoarthritis", "末期の変形性膝関節症"),
    "obesity": ("obesity (BMI 25 or more)", "肥満（BMI 25以上）"),
    "knee_care_failed": ("insured knee care failed", "保険診療で改善せず"),
    "stockings_failed": ("stockings failed", "弾性ストッキングで改善せず"),
    "endovenous_candidate": ("endovenous treatment on the path", "血管内治療の適応候補"),
    "endovenous_qualifies": ("qualifies for endovenous treatment", "血管内治療の適応"),
    "veins_first": ("the veins come first", "静脈の治療を優先"),
    "self_pay_considered": ("self-pay options considered", "自費診療を検討"),
    "self_pay_ready": ("self-pay options open", "自費診療の選択肢あり"),
    "intra_arterial_candidate": ("candidate for the intra-arterial injection", "動注治療の候補"),
    "active_ulcer": ("active venous ulcer on a leg", "下肢の活動性潰瘍"),
    "untreated_trunk_reflux": ("reflux in an untreated trunk", "未治療の静脈幹の逆流"),
    "limb_tissue_threat": ("limb threatened (rest pain, tissue loss or a threatened ulcer)",
                           "下肢を脅かす所見（安静時痛・組織欠損・血流の乏しい潰瘍）"),
    "dvt_excluded": ("deep vein thrombosis excluded", "深部静脈血栓症を否定"),
    "dvt_acute": ("acute deep vein thrombosis", "急性の深部静脈血栓症"),
    "dvt_history": ("previous deep vein thrombosis", "深部静脈血栓症の既往"),
    "svt_acute": ("acute superficial vein thrombosis", "急性の表在静脈血栓症"),
    "orthopaedic_review_due": ("orthopaedic review due", "整形外科での評価が必要"),
    "exosome_candidate": ("candidate for the exosome injection", "エクソソーム注射の候補"),
    "self_pay_knee": ("a knee for which self-pay care is accepted", "自費診療を希望する膝"),
    "knee_care_failed_any": ("insured care failed on either knee",
                             "いずれかの膝で保険診療で改善せず"),
    "medical_diet_considered": ("medical diet considered", "メディカルダイエットを検討"),
}

SIDES = {"right": ("right leg", "右脚"), "left": ("left leg", "左脚"),
         None: ("whole patient", "全身")}

# --- the patient document's codes (docs/patient.md#codes) ---------------------------------
CONDITIONS = {
    "diabetes": ("diabetes", "糖尿病"),
    "type1_diabetes": ("type 1 diabetes", "1型糖尿病"),
    "peripheral_arterial_disease": ("peripheral arterial disease", "末梢動脈疾患"),
    "heart_failure": ("heart failure", "心不全"),
    "severe_neuropathy": ("severe neuropathy", "重度の神経障害"),
    "skin_infection": ("skin infection", "皮膚感染症"),
    "rheumatoid_arthritis": ("rheumatoid arthritis", "関節リウマチ"),
    "active_infection": ("active infection", "活動性感染症"),
    "sepsis": ("sepsis", "敗血症"),
    "malignancy": ("malignancy", "悪性腫瘍"),
    "suspected_malignancy": ("suspected malignancy", "悪性腫瘍の疑い"),
    "pancreatitis_history": ("previous pancreatitis", "膵炎の既往"),
    "medullary_thyroid_cancer_or_men2": ("medullary thyroid cancer or MEN2",
                                         "甲状腺髄様癌・MEN2"),
    "thrombophilia": ("thrombophilia", "血栓性素因"),
    "dvt_history": ("previous deep vein thrombosis", "深部静脈血栓症の既往"),
    "hormone_therapy": ("hormone therapy", "ホルモン療法"),
    "immobile": ("unable to walk", "歩行困難"),
    "bleeding_disorder": ("bleeding disorder", "出血性疾患"),
    "severe_heart_failure": ("severe heart failure (NYHA IV)", "重症心不全（NYHA IV度）"),
    "breastfeeding": ("breastfeeding", "授乳中"),
    "eating_disorder": ("eating disorder", "摂食障害"),
    "frailty": ("frailty", "フレイル"),
    "dialysis": ("dialysis", "透析"),
    "severe_thyroid_disease": ("severe thyroid disease", "重篤な甲状腺疾患"),
}

ALLERGIES = {
    "cyanoacrylate": ("cyanoacrylate allergy", "シアノアクリレートアレルギー"),
    "contrast_media": ("contrast-media allergy", "造影剤アレルギー"),
    "imipenem": ("imipenem allergy", "イミペネムアレルギー"),
    "stocking_material": ("allergy to the stocking material", "ストッキング素材アレルギー"),
    "local_anaesthetic": ("local-anaesthetic allergy", "局所麻酔薬アレルギー"),
}

# The clinic's own words for the symptoms and pain patterns (clinic article).
PAIN_PATTERNS = {
    "start_up": ("start-up pain", "動き始めの痛み"),
    "on_movement": ("pain on movement", "動作中の痛み"),
    "at_rest": ("pain at rest", "安静時の痛み"),
    "worse_after_standing": ("worse after standing", "長時間の立ち仕事で悪化"),
    "relieved_by_elevation": ("relieved by elevation", "足を上げて休むと軽くなる"),
}

VEIN_SYMPTOMS = {
    "bulging_veins": ("bulging veins", "血管がボコボコと浮き上がる"),
    "visible_blue_veins": ("visible blue veins", "血管が青く目立つ"),
    "heaviness": ("heaviness", "だるさ・重さ"),
    "evening_swelling": ("evening swelling", "夕方のむくみ"),
    "night_cramps": ("night cramps", "夜間のこむら返り"),
    "leg_fatigue_pain": ("leg fatigue and pain", "足の疲れ・痛み"),
    "skin_pigmentation": ("skin pigmentation", "皮膚の黒ずみ・色素沈着"),
}

RESPONSES = {
    "none": ("no response", "効果なし"),
    "partial": ("a partial response", "一部改善"),
    "good": ("a good response", "改善"),
    "not_tolerated": ("not tolerated", "継続できず"),
}

SEXES = {"female": ("female", "女性"), "male": ("male", "男性")}

VERIFICATIONS = {
    "V": ("verified", "確認済み"),
    "S": ("secondary source only", "二次資料のみ"),
    "U": ("unverified", "未確認"),
}

# The facts rules test (careflow/facts.py names), in the feature files' clinical words.
FACTS = {
    "age": ("age", "年齢"),
    "sex": ("sex", "性別"),
    "bmi": ("BMI", "BMI"),
    "pregnant": ("pregnant", "妊娠"),
    "egfr": ("eGFR", "eGFR"),
    "lifestyle.smoker": ("smoker", "喫煙"),
    "lifestyle.alcohol_drinks_per_week": ("alcohol (drinks a week)",
                                          "飲酒量（週あたりドリンク数）"),
    "lifestyle.standing_hours_per_day": ("hours standing a day", "1日の立ち仕事の時間"),
    "lifestyle.sitting_hours_per_day": ("hours sitting without a break a day",
                                        "1日の座りっぱなしの時間"),
    "lifestyle.sits_on_floor": ("sits on the floor", "床に座る（正座・横座り）"),
    "lifestyle.japanese_style_toilet": ("Japanese-style toilet", "和式トイレの使用"),
    "lifestyle.sleeps_on_futon": ("sleeps on a futon", "布団で寝る"),
    "preferences.accepts_self_pay": ("accepts self-pay treatment", "自費診療を希望"),
    "preferences.wants_further_improvement": ("wants further improvement",
                                              "さらなる改善を希望"),
    "preferences.prefers_non_thermal": ("prefers treatment without heat",
                                        "熱を使わない治療を希望"),
    "side": ("side", "左右"),
    "abi": ("ankle-brachial index", "ABI（足関節上腕血圧比）"),
    "acute_ischemia_signs": ("signs of acute ischaemia", "急性虚血の徴候"),
    "wells_score": ("Wells score", "Wellsスコア"),
    "toe_pressure_mmhg": ("toe pressure (mmHg)", "足趾血圧（mmHg）"),
    "ischemic_rest_pain": ("ischaemic rest pain", "虚血性安静時痛"),
    "arterial_ulcer_or_gangrene": ("arterial ulcer or gangrene", "動脈性の潰瘍・壊疽"),
    "conditions.asked": ("conditions asked", "既往歴・併存疾患の聴取"),
    "allergies.asked": ("allergies asked", "アレルギー歴の聴取"),
    "medications.asked": ("medications asked", "服薬歴の聴取"),
    "knee.examined": ("knee complaint", "膝の訴え"),
    "knee.painful": ("painful knee", "膝の痛み"),
    "knee.pain_nrs": ("knee pain (0-10)", "膝の痛み（0-10）"),
    "knee.kl_grade": ("Kellgren-Lawrence grade", "KL分類"),
    "knee.hot_swollen_joint": ("hot swollen knee", "膝の熱感・腫れ"),
    "knee.recent_trauma": ("recent knee trauma", "最近の膝の外傷"),
    "knee.cannot_bear_weight": ("cannot bear weight", "体重をかけられない"),
    "knee.ottawa_positive": ("Ottawa knee rule findings", "オタワ膝ルールの所見"),
    "knee.fracture_excluded": ("fracture excluded by imaging", "画像で骨折を否定"),
    "knee.septic_arthritis_excluded": ("septic arthritis excluded", "化膿性関節炎を否定"),
    "knee.prior_knee_surgery": ("previous knee surgery", "膝の手術歴"),
    "knee.prior_arthroplasty": ("artificial knee", "人工膝関節"),
    "veins.symptoms": ("vein symptoms", "静脈瘤の症状"),
    "veins.symptom_count": ("number of vein symptoms", "静脈瘤の症状の数"),
    "veins.ceap_c": ("CEAP clinical class", "CEAP臨床分類"),
    "veins.bleeding": ("bleeding varicose vein", "静脈瘤からの出血"),
    "veins.superficial_thrombophlebitis": ("acute superficial thrombophlebitis",
                                           "急性表在性血栓性静脈炎"),
    "veins.svt_length_cm": ("superficial thrombus length (cm)", "表在静脈血栓の長さ（cm）"),
    "veins.svt_junction_distance_cm": ("thrombus distance to the junction (cm)",
                                       "血栓先端から接合部までの距離（cm）"),
    "veins.svt_days": ("days since the superficial thrombosis", "表在静脈血栓症の診断からの日数"),
    "veins.svt_diagnosed_on": ("date the superficial thrombosis was diagnosed",
                               "表在静脈血栓症の診断日"),
    "duplex.days": ("days since the duplex", "下肢静脈エコー検査からの日数"),
    "duplex.performed_on": ("date of the duplex", "下肢静脈エコー検査の日付"),
    "duplex.aasv_reflux_ms": ("anterior accessory saphenous reflux (ms)",
                              "前副伏在静脈の逆流時間（ms）"),
    "duplex.aasv_diameter_mm": ("anterior accessory saphenous diameter (mm)",
                                "前副伏在静脈の径（mm）"),
    "history.endovenous.gsv_treated": ("great saphenous vein treated before",
                                       "大伏在静脈の治療歴"),
    "history.endovenous.ssv_treated": ("small saphenous vein treated before",
                                       "小伏在静脈の治療歴"),
    "history.endovenous.aasv_treated": ("anterior accessory saphenous vein treated before",
                                        "前副伏在静脈の治療歴"),
    "history.endovenous.weeks_since": ("weeks since the last endovenous treatment",
                                       "前回の血管内治療からの週数"),
    "duplex.done": ("duplex ultrasound done", "下肢静脈エコー検査済み"),
    "duplex.gsv_reflux_ms": ("great saphenous reflux (ms)", "大伏在静脈の逆流時間（ms）"),
    "duplex.ssv_reflux_ms": ("small saphenous reflux (ms)", "小伏在静脈の逆流時間（ms）"),
    "duplex.deep_reflux_ms": ("deep reflux (ms)", "深部静脈の逆流時間（ms）"),
    "duplex.gsv_diameter_mm": ("great saphenous diameter (mm)", "大伏在静脈の径（mm）"),
    "duplex.ssv_diameter_mm": ("small saphenous diameter (mm)", "小伏在静脈の径（mm）"),
    "duplex.dvt": ("deep vein thrombosis on duplex", "エコーで深部静脈血栓"),
}

HISTORY_FACTS = {
    "weeks": ("weeks of treatment", "治療期間（週）"),
    "weeks_failed": ("weeks without a good response", "効果不十分だった期間（週）"),
    "weeks_no_response": ("weeks with no response", "効果がなかった期間（週）"),
    "tried": ("tried before", "治療歴あり"),
    "not_tolerated": ("not tolerated before", "以前に継続できなかった"),
}

# the rule files' areas (rules/*.yaml `area:`), for the protocol book
AREAS = {
    "safety": ("safety gate: red flags", "安全確認（危険徴候）"),
    "assessment": ("assessment", "検査"),
    "findings": ("derived findings", "所見"),
    "knee": ("knee track: insured care", "膝の治療（保険診療）"),
    "veins": ("vein track: stockings and endovenous treatment",
              "静脈の治療（弾性ストッキング・血管内治療）"),
    "self_pay": ("knee track: self-pay options", "膝の治療（自費診療）"),
    "advice": ("lifestyle advice", "生活指導"),
    "follow_up": ("follow-up", "経過観察"),
}

# keys of an item's detail and of a treatment-history entry, and the detail values
DETAIL_KEYS = {
    "pressure_mmhg": ("pressure (mmHg)", "圧迫圧（mmHg）"),
    "agent": ("agent", "薬剤"),
    "target_bmi": ("target BMI", "目標BMI"),
    "target_veins": ("veins to treat", "治療する静脈"),
    "indication": ("indication", "適応"),
    "regimen": ("regimen", "投与法"),
    "japan": ("in Japan", "国内での扱い"),
    "purpose": ("purpose", "目的"),
    "suggest": ("suggestion", "提案"),
    "garment": ("garment", "弾性着衣"),
    "glp1_drug": ("GLP-1 drug", "GLP-1製剤"),
    "support": ("support", "支援"),
    "long_term_care_insurance": ("long-term-care insurance", "介護保険"),
    "supervised_walking": ("supervised walking", "監視下歩行運動"),
    "vein": ("vein", "静脈"),
    "treatment": ("treatment", "治療"),
    "side": ("side", "左右"),
    "weeks": ("weeks", "週数"),
    "response": ("response", "効果"),
}

DETAIL_VALUES = {
    "imipenem_cilastatin": ("imipenem/cilastatin", "イミペネム・シラスタチン"),
    "microspheres": ("microspheres", "マイクロスフィア"),
    "acetaminophen_first": ("acetaminophen first; an oral NSAID with care",
                            "まずアセトアミノフェン（内服NSAIDsは慎重に）"),
    "acetaminophen_only": ("acetaminophen only (an oral NSAID is contraindicated)",
                           "アセトアミノフェンのみ（内服NSAIDsは禁忌）"),
    "gsv": ("great saphenous vein", "大伏在静脈"),
    "ssv": ("small saphenous vein", "小伏在静脈"),
    "aasv": ("anterior accessory saphenous vein", "前副伏在静脈"),
    "dvt": ("deep vein thrombosis", "深部静脈血栓症"),
    "svt": ("superficial vein thrombosis", "表在静脈血栓症"),
    "svt_near_junction": ("superficial vein thrombosis near the junction",
                          "接合部近くの表在静脈血栓症"),
    "acute_limb_ischemia": ("acute limb ischaemia", "急性下肢虚血"),
    "heparin_while_arranging_transfer": ("heparin while the transfer is arranged",
                                         "搬送の手配中にヘパリン投与"),
    "prophylactic_45_days": ("prophylactic dose for 45 days", "予防量を45日間"),
    "therapeutic": ("therapeutic dose", "治療量"),
    "fondaparinux_off_label": ("fondaparinux for SVT is off-label (payment not assured)",
                               "表在静脈血栓症へのフォンダパリヌクスは適応外（保険請求は保証されない）"),
    "post_procedure": ("check after the procedure (EHIT, DVT)",
                       "治療後の確認（EHIT・深部静脈血栓）"),
    "another_class_or_style": ("another pressure class or style", "別の圧迫圧または形状"),
    "ryoyohi_once_per_ulcer_episode": ("reimbursed as 療養費, once per ulcer episode",
                                       "療養費として払い戻し（潰瘍1回につき1回）"),
    "off_label": ("off-label for weight loss", "減量目的の適応外使用"),
    "insured_smoking_cessation_clinic": ("the insured smoking-cessation clinic",
                                         "保険診療の禁煙外来"),
    "housing_adaptation_if_certified": ("home adaptation (if certified; otherwise apply)",
                                        "住宅改修（要介護認定があれば。未認定なら申請を勧める）"),
    "care_bed_from_care_level_2": ("care-bed rental from care level 2 (otherwise apply)",
                                   "特殊寝台の貸与（要介護2以上。未認定なら申請を勧める）"),
}

_TABLES: dict[str, dict[Any, tuple[str, str]]] = {
    "action": ACTIONS, "status": STATUSES, "phase": PHASES, "track": TRACKS, "kind": KINDS,
    "urgency": URGENCIES, "coverage": COVERAGES, "disclosure": DISCLOSURES, "reason": REASONS,
    "finding": FINDINGS, "side": SIDES, "condition": CONDITIONS, "allergy": ALLERGIES,
    "medication": MEDICATIONS, "precaution": PRECAUTIONS, "question": QUESTIONS,
    "pain_pattern": PAIN_PATTERNS, "vein_symptom": VEIN_SYMPTOMS, "response": RESPONSES,
    "sex": SEXES, "verification": VERIFICATIONS, "fact": FACTS, "history_fact": HISTORY_FACTS,
    "detail_key": DETAIL_KEYS, "detail_value": DETAIL_VALUES, "area": AREAS,
}


def lang_index(lang: str) -> int:
    """The position of a language in LANGS; an unknown language is a UsageError."""
    if lang not in LANGS:
        raise UsageError(f"unknown language {lang!r}: choose {' or '.join(LANGS)}")
    return LANGS.index(lang)


def label(kind: str, code: str | None, lang: str = "en") -> str:
    """The label of a code in a language; an unknown code shows as itself, never blank."""
    table = _TABLES[kind]
    pair = table.get(code)
    if pair is None:
        return str(code)
    return pair[lang_index(lang)]


def fact_label(name: str, lang: str = "en") -> str:
    """The label of a fact a rule tests (`veins.ceap_c`, `condition.sepsis`,
    `history.steroid_injection.tried`, ...); an unknown name shows as itself."""
    i = lang_index(lang)
    if name in FACTS:
        return FACTS[name][i]
    head, _, rest = name.partition(".")
    if head == "condition" and rest in CONDITIONS:
        return CONDITIONS[rest][i]
    if head == "allergy" and rest in ALLERGIES:
        return ALLERGIES[rest][i]
    if head == "medication" and rest in MEDICATIONS:
        return MEDICATIONS[rest][i]
    if name.startswith("knee.pain_pattern.") and name.rsplit(".", 1)[1] in PAIN_PATTERNS:
        return PAIN_PATTERNS[name.rsplit(".", 1)[1]][i]
    if head == "history":
        code, _, suffix = rest.rpartition(".")
        if code in ACTIONS and suffix in HISTORY_FACTS:
            sep = ": " if lang == "en" else "："
            return ACTIONS[code][i] + sep + HISTORY_FACTS[suffix][i]
    return name


# patient-document paths (plan reasons) -> fact names, where they differ
_PATHS = {
    "knee": "knee.examined", "veins.duplex": "duplex.done",
    **{f"veins.duplex.{n}": f"duplex.{n}" for n in (
        "gsv_reflux_ms", "ssv_reflux_ms", "aasv_reflux_ms", "deep_reflux_ms",
        "gsv_diameter_mm", "ssv_diameter_mm", "aasv_diameter_mm", "dvt", "performed_on")},
}


def reason_label(fact: str, lang: str = "en") -> str:
    """The label of a plan reason's `fact`: a patient-document path (`legs.right.veins.ceap_c`,
    `conditions.sepsis`, `history[0]`), a finding name, or a claim (`action status`)."""
    i = lang_index(lang)
    derived = _derived_name(fact, lang)
    if derived is None:
        derived = _derived_form(fact, lang)
    if derived is not None:
        return derived
    if fact.startswith("history[") and fact.endswith("]"):
        n = fact[len("history["):-1]
        if n.isdigit():
            return (f"treatment history entry {int(n) + 1}", f"治療歴 {int(n) + 1}")[i]
    if fact.startswith("legs."):
        _, side, rest = fact.split(".", 2) if fact.count(".") >= 2 else (fact, "", "")
        if side in SIDES and rest:
            name = _PATHS.get(rest, rest)
            inner = fact_label(name, lang)
            if inner == name:
                return fact
            sep = ": " if lang == "en" else "："
            return SIDES[side][i] + sep + inner
        return fact
    head, _, rest = fact.partition(".")
    if head == "conditions" and rest in CONDITIONS:
        return CONDITIONS[rest][i]
    if head == "allergies" and rest in ALLERGIES:
        return ALLERGIES[rest][i]
    if head == "medications" and rest in MEDICATIONS:
        return MEDICATIONS[rest][i]
    if fact in QUESTIONS:  # the whole list: it was not asked
        return QUESTIONS[fact][i]
    return fact_label(fact, lang)


# how the plan names a derived fact read by its truth rather than its value (the labels of
# careflow.rulebook.program.Atom): "X not established", "X not excluded", "not X"
_DERIVED_FORMS = (
    (" not established", ("{x}: not established", "{x}：確認されていない")),
    (" not excluded", ("{x}: not excluded", "{x}：否定されていない")),
)


def _derived_form(fact: str, lang: str) -> str | None:
    """The words for a finding or a claim read by its truth (`knee_care_failed not
    established`, `not knee_oa`), or None when `fact` is not such a label."""
    i = lang_index(lang)
    for suffix, words in _DERIVED_FORMS:
        if fact.endswith(suffix):
            inner = _derived_name(fact[: -len(suffix)], lang)
            return None if inner is None else words[i].format(x=inner)
    if fact.startswith("not "):
        inner = _derived_name(fact[len("not "):], lang)
        return None if inner is None else ("{x}: ruled out", "{x}：否定")[i].format(x=inner)
    return None


def _derived_name(name: str, lang: str) -> str | None:
    """A finding's or a claim's (`action status`) words, None for anything else."""
    i = lang_index(lang)
    if name in FINDINGS:
        return FINDINGS[name][i]
    action, _, status = name.partition(" ")
    if action in ACTIONS and status in STATUSES:
        sep = ": " if lang == "en" else "："
        return ACTIONS[action][i] + sep + STATUSES[status][i]
    return None


def value_label(value: object, lang: str = "en") -> str:
    """A reason's value as words: yes/no, lists joined, codes labelled where known."""
    i = lang_index(lang)
    if isinstance(value, bool):
        return (("no", "yes"), ("いいえ", "はい"))[i][value]
    if value is None:
        return ("unknown", "不明")[i]
    if isinstance(value, (list, tuple)):
        if not value:
            return ("none", "なし")[i]
        return ("、" if lang == "ja" else ", ").join(value_label(x, lang) for x in value)
    if isinstance(value, dict):
        sep = ", " if lang == "en" else "、"
        colon = ": " if lang == "en" else "："
        return sep.join(f"{label('detail_key', k, lang)}{colon}{value_label(v, lang)}"
                        for k, v in value.items())
    if isinstance(value, str):
        for table in (VEIN_SYMPTOMS, PAIN_PATTERNS, ACTIONS, RESPONSES, SIDES, DETAIL_VALUES,
                      SEXES):
            if value in table:
                return table[value][i]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
