"""Japanese and English labels for every code a plan shows (actions, statuses, reasons,
phases, tracks, findings). Japanese labels use the clinic's own terms."""

from __future__ import annotations

LANGS = ("en", "ja")

ACTIONS: dict[str, tuple[str, str]] = {
    "duplex_ultrasound": ("duplex ultrasound", "下肢静脈エコー検査"),
    "knee_xray": ("knee X-ray", "膝のレントゲン検査"),
    "abi_measurement": ("ankle-brachial index measurement", "ABI（足関節上腕血圧比）検査"),
    "toe_pressure": ("toe pressure measurement", "足趾血圧測定"),
    "blood_test": ("blood test (eGFR)", "血液検査（eGFR）"),
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
    "self_pay_cost": ("self-pay cost", "自費診療の費用"),
    "main_risks": ("main risks and side effects", "主なリスク・副作用"),
    "off_label_use": ("off-label use of an approved drug", "承認薬の適応外使用"),
    "unapproved_product": ("unapproved product; physician responsibility",
                           "未承認製品（医師の責任で使用）"),
}

REASONS = {
    "suspected_dvt": ("suspected deep vein thrombosis", "深部静脈血栓症の疑い"),
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
    "tried_without_benefit": ("tried for 12 weeks or more without benefit",
                              "12週以上効果なし"),
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
    "superficial_thrombophlebitis": ("acute superficial thrombophlebitis", "急性表在性血栓性静脈炎"),
    "low_expected_benefit_kl_4": ("KL 4: low expected benefit", "KL4のため効果が期待しにくい"),
    "rheumatoid_arthritis": ("rheumatoid arthritis", "関節リウマチ"),
    "malignancy": ("malignancy", "悪性腫瘍"),
    "low_egfr": ("eGFR below 45", "eGFR 45未満"),
    "contrast_media_allergy": ("contrast-media allergy", "造影剤アレルギー"),
    "bleeding_disorder": ("bleeding disorder or anticoagulation", "出血性疾患・抗凝固療法"),
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
    "stockings_failed": ("stockings failed or contraindicated", "弾性ストッキングで改善せず・禁忌"),
    "endovenous_candidate": ("endovenous treatment on the path", "血管内治療の適応候補"),
    "endovenous_qualifies": ("qualifies for endovenous treatment", "血管内治療の適応"),
    "veins_first": ("the veins come first", "静脈の治療を優先"),
    "self_pay_considered": ("self-pay options considered", "自費診療を検討"),
    "self_pay_ready": ("self-pay options open", "自費診療の選択肢あり"),
    "intra_arterial_candidate": ("candidate for the intra-arterial injection", "動注治療の候補"),
}

SIDES = {"right": ("right leg", "右脚"), "left": ("left leg", "左脚"),
         None: ("whole patient", "全身")}

_TABLES = {
    "action": ACTIONS, "status": STATUSES, "phase": PHASES, "track": TRACKS, "kind": KINDS,
    "urgency": URGENCIES, "coverage": COVERAGES, "disclosure": DISCLOSURES, "reason": REASONS,
    "finding": FINDINGS, "side": SIDES,
}


def label(kind: str, code: str | None, lang: str = "en") -> str:
    """The label of a code in a language; an unknown code shows as itself, never blank."""
    table = _TABLES[kind]
    pair = table.get(code)  # type: ignore[call-overload]
    if pair is None:
        return str(code)
    return pair[LANGS.index(lang)]
