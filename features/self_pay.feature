@self_pay
Feature: The knee track - self-pay options after insured knee care
  When insured care (保険診療) for knee osteoarthritis has not helped enough, the clinic offers
  self-pay treatment (自費診療): the intra-arterial injection (動注治療, a catheter injection
  that blocks the abnormal small vessels around the knee), the exosome injection (エクソソーム注射)
  and the medical diet (メディカルダイエット). They are considered only when the patient accepts
  self-pay care. Before insured care has failed they are the next step; after, they are
  options. On a leg whose knee pain may be vascular, open vein treatment comes first. The
  patient pays, and must be told the cost, the main risks, and any off-label or unapproved use.
  The evidence is stated honestly: mixed for the intra-arterial injection, none approved for
  exosomes (their exclusions are local policy).

  Rule: Self-pay options are considered only for knee osteoarthritis, and only when the patient accepts self-pay care

    @FINDING_KNEE_OA_XRAY @FINDING_KNEE_CARE_FAILED @FINDING_OBESITY @ADVICE_WEIGHT_MANAGEMENT
    Scenario: Without the patient's agreement to self-pay care no self-pay option appears
      Given a 60-year-old woman
      And she is:
        | BMI  | 27 |
        | eGFR | 70 |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is not offered for the right leg
      And the exosome injection is not offered for the right leg
      And the medical diet is not offered for the patient
      And weight management is recommended for the patient

    @SAFETY_ORTHOPAEDIC_REVIEW_ARTHROPLASTY
    Scenario: An artificial knee is not knee osteoarthritis: orthopaedic review, no self-pay option
      Given a 70-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6   |
        | Kellgren-Lawrence grade | 3   |
        | artificial knee         | yes |
        | ankle-brachial index    | 1.1 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with no response
      When the plan is made
      Then a referral for orthopaedic review is recommended routinely for the right leg
      And the plan does not show the finding self-pay options considered for the right leg
      And the intra-arterial injection is not offered for the right leg
      And the exosome injection is not offered for the right leg

  Rule: Self-pay options are the next step until insured knee care has failed, and options after

    Insured knee care has failed when hyaluronic acid, steroid injections or exercise therapy
    were given for 12 weeks or more without a good response, and the knee still hurts 4 or
    more out of 10 or the patient wants further improvement. Courses are not added together.

    @FINDING_KNEE_OA_XRAY @SELF_PAY_CONSIDERED @SELF_PAY_IA_CANDIDATE
    Scenario Outline: Twelve weeks of insured care without a good response opens the self-pay options
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for <weeks> weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is <status> for the right leg
      And the exosome injection is <status> for the right leg

      @SELF_PAY_IA_NEXT_STEP @SELF_PAY_EXOSOME_NEXT_STEP
      Examples: less than 12 weeks
        | weeks | status        |
        | 11    | the next step |

      @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @SELF_PAY_IA_OPTION @SELF_PAY_EXOSOME_OPTION
      Examples: 12 weeks
        | weeks | status    |
        | 12    | an option |

    @FINDING_KNEE_OA_XRAY @SELF_PAY_CONSIDERED
    Scenario Outline: Insured care has failed only while the knee still hurts 4 or more
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | <pain> |
        | Kellgren-Lawrence grade | 2      |
      And she had hyaluronic acid injections in the right knee for 16 weeks with a partial response
      When the plan is made
      Then the exosome injection is <status> for the right leg

      @SELF_PAY_EXOSOME_NEXT_STEP
      Examples: pain 3
        | pain | status        |
        | 3    | the next step |

      @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @SELF_PAY_EXOSOME_OPTION
      Examples: pain 4
        | pain | status    |
        | 4    | an option |

    @FINDING_KNEE_OA_XRAY @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @SELF_PAY_EXOSOME_OPTION
    Scenario: With milder pain, a wish for further improvement also counts as failed insured care
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
        | wants further improvement  | yes |
      And her right leg shows:
        | knee pain (0-10)        | 3 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 16 weeks with a partial response
      When the plan is made
      Then the exosome injection is an option for the right leg
      And its reasons show the finding insured knee care failed

    @FINDING_KNEE_OA_XRAY @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @SELF_PAY_EXOSOME_OPTION
    Scenario: Exercise therapy without benefit for 12 weeks is failed insured care too
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 5 |
        | Kellgren-Lawrence grade | 2 |
      And she had exercise therapy in the right knee for 12 weeks with no response
      When the plan is made
      Then the exosome injection is an option for the right leg
      And its reasons show the finding insured knee care failed

    @FINDING_KNEE_OA_XRAY @SELF_PAY_EXOSOME_NEXT_STEP
    Scenario: Two short courses are not added together
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 8 weeks with no response
      And she had steroid injections in the right knee for 8 weeks with no response
      When the plan is made
      Then the plan does not show the finding insured knee care failed for the right leg
      And the exosome injection is the next step for the right leg

    @FINDING_KNEE_OA_XRAY @SELF_PAY_EXOSOME_NEXT_STEP
    Scenario: Insured care that works is continued
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 4 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 16 weeks with a good response
      When the plan is made
      Then the plan does not show the finding insured knee care failed for the right leg
      And the exosome injection is the next step for the right leg
      And hyaluronic acid injection is recommended for the right leg

  Rule: On a leg whose knee pain may be vascular, open vein treatment comes before the self-pay options

    Knee pain that is worse after standing or eased by raising the leg, on a leg with venous
    disease, may be partly vascular (血管性の膝痛). While endovenous treatment of that leg is
    recommended or the next step and not yet done, the self-pay options stay the next step.

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VASCULAR_PAIN_VENOUS @VEIN_ENDOVENOUS_CANDIDATE @VEIN_VEINS_FIRST @FINDING_KNEE_CARE_FAILED @SELF_PAY_IA_NEXT_STEP @SELF_PAY_EXOSOME_NEXT_STEP
    Scenario Outline: The veins come first, whether endovenous treatment is recommended or the next step
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)              | 6                    |
        | knee pain pattern             | worse after standing |
        | Kellgren-Lawrence grade       | 2                    |
        | vein symptoms                 | heaviness            |
        | CEAP clinical class           | <ceap>               |
        | great saphenous reflux (ms)   | 900                  |
        | great saphenous diameter (mm) | 6                    |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then endovenous thermal ablation is <ablation> for the right leg
      And the plan shows the finding the veins come first for the right leg
      And the intra-arterial injection is the next step for the right leg
      And the exosome injection is the next step for the right leg

      @VEIN_ENDOVENOUS_NEXT_STEP
      Examples: varicose veins (C2): stockings first, then endovenous treatment
        | ceap | ablation      |
        | 2    | the next step |

      @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION
      Examples: oedema (C3): endovenous treatment now
        | ceap | ablation    |
        | 3    | recommended |

    @FINDING_VASCULAR_PAIN_VENOUS @VEIN_ENDOVENOUS_NOT_AFTER_DVT @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @SELF_PAY_IA_OPTION @SELF_PAY_EXOSOME_OPTION
    Scenario: When endovenous treatment is contraindicated, the self-pay options open
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And she has a history of deep vein thrombosis
      And her right leg shows:
        | knee pain (0-10)              | 6                    |
        | knee pain pattern             | worse after standing |
        | Kellgren-Lawrence grade       | 2                    |
        | vein symptoms                 | heaviness            |
        | CEAP clinical class           | 2                    |
        | great saphenous reflux (ms)   | 900                  |
        | great saphenous diameter (mm) | 6                    |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then endovenous thermal ablation is contraindicated for the right leg because of previous deep vein thrombosis
      And the plan does not show the finding the veins come first for the right leg
      And the intra-arterial injection is an option for the right leg
      And the exosome injection is an option for the right leg

    @FINDING_VASCULAR_PAIN_VENOUS @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @SELF_PAY_EXOSOME_OPTION
    Scenario: Once the veins have been treated, the self-pay options open
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)            | 6                    |
        | knee pain pattern           | worse after standing |
        | Kellgren-Lawrence grade     | 2                    |
        | vein symptoms               | heaviness            |
        | CEAP clinical class         | 2                    |
        | great saphenous reflux (ms) | 0                    |
      And she had endovenous thermal ablation of the right leg 12 weeks ago with a good response
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then endovenous thermal ablation is not offered for the right leg
      And the plan shows the finding vascular knee pain suspected for the right leg
      And the exosome injection is an option for the right leg

  Rule: The intra-arterial injection (動注治療) is for knee pain of 4 or more with KL 1-3

    The injection uses imipenem/cilastatin, an antibiotic, as a temporary embolic: an
    off-label use of an approved drug. With an imipenem allergy microspheres are used. The
    evidence is mixed: single-arm series were positive but a sham-controlled trial was negative.

    @FINDING_KNEE_OA_XRAY @SELF_PAY_CONSIDERED @SELF_PAY_IA_CANDIDATE @ASSESS_ARTERIAL_STATUS_FOR_INTRA_ARTERIAL @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @SELF_PAY_IA_OPTION @SELF_PAY_IA_AGENT_IMIPENEM
    Scenario: After failed insured care the intra-arterial injection is an option, with imipenem/cilastatin
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is an option for the right leg
      And the agent is imipenem/cilastatin
      And it is covered by the patient (self-pay)
      And the patient must be told about self-pay cost
      And the patient must be told about main risks and side effects
      And the patient must be told about off-label use of an approved drug
      And its evidence says sham-controlled
      And its reasons include the knee pain (0-10) of 6
      And its reasons include the Kellgren-Lawrence grade of 2
      And its reasons show the finding insured knee care failed

    @SELF_PAY_IA_CANDIDATE @SELF_PAY_IA_OPTION @SELF_PAY_IA_AGENT_MICROSPHERES
    Scenario: With an imipenem allergy the intra-arterial injection uses microspheres
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And she is allergic to imipenem
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is an option for the right leg
      And the agent is microspheres

    @FINDING_KNEE_OA_XRAY @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY
    Scenario Outline: KL 4 is not offered the intra-arterial injection (low expected benefit)
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6       |
        | Kellgren-Lawrence grade | <grade> |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is <status> for the right leg

      @FINDING_KNEE_OA_MIDDLE @SELF_PAY_IA_CANDIDATE @SELF_PAY_IA_OPTION
      Examples: KL 3
        | grade | status    |
        | 3     | an option |

      @FINDING_KNEE_OA_LATE @SELF_PAY_IA_NOT_FOR_LATE_OA
      Examples: KL 4
        | grade | status          |
        | 4     | contraindicated |

    @FINDING_KNEE_OA_XRAY @FINDING_KNEE_OA_LATE @FINDING_KNEE_CARE_FAILED @SELF_PAY_IA_NOT_FOR_LATE_OA @SAFETY_ORTHOPAEDIC_REVIEW_LATE_OA
    Scenario: Late osteoarthritis after failed insured care is referred for orthopaedic review instead
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 4 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is contraindicated for the right leg because of KL 4: low expected benefit
      And its reasons include the Kellgren-Lawrence grade of 4
      And a referral for orthopaedic review is recommended routinely for the right leg

    @FINDING_KNEE_OA_XRAY @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY
    Scenario Outline: The intra-arterial injection needs knee pain of 4 or more
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
        | wants further improvement  | yes |
      And her right leg shows:
        | knee pain (0-10)        | <pain> |
        | Kellgren-Lawrence grade | 2      |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is <status> for the right leg

      Examples: pain 3
        | pain | status      |
        | 3    | not offered |

      @SELF_PAY_IA_CANDIDATE @SELF_PAY_IA_OPTION
      Examples: pain 4
        | pain | status    |
        | 4    | an option |

    @FINDING_KNEE_OA_CLINICAL @FINDING_KNEE_CARE_FAILED @SELF_PAY_IA_GRADE_UNKNOWN @ASSESS_KNEE_XRAY_NO_GRADE
    Scenario: Without an X-ray the intra-arterial injection waits for the KL grade
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)  | 6             |
        | knee pain pattern | start-up pain |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is deferred for the right leg because of KL grade unknown
      And knee X-ray is recommended for the right leg

    @SELF_PAY_IA_CANDIDATE @SELF_PAY_READY @ASSESS_BLOOD_TEST_EGFR
    Scenario: Without an eGFR a blood test comes first
      Given a 60-year-old woman
      And she accepts self-pay treatment
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then blood test (eGFR) is recommended for the right leg
      And the intra-arterial injection is deferred for the right leg because of eGFR unknown

    @SELF_PAY_IA_CANDIDATE @FINDING_ARTERIAL_RISK @ASSESS_ARTERIAL_STATUS_FOR_INTRA_ARTERIAL @ASSESS_ABI_AT_RISK
    Scenario: From age 65 the ankle-brachial index is measured first
      Given a 66-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then ankle-brachial index measurement is recommended for the right leg
      And the intra-arterial injection is deferred for the right leg because of ankle-brachial index unknown

  Rule: The intra-arterial injection is contraindicated by rheumatoid arthritis, infection, malignancy, poor kidney function, contrast allergy, a bleeding risk or arterial disease

    @SELF_PAY_IA_CANDIDATE
    Scenario Outline: A condition rules out the intra-arterial injection
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And she has <condition>
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is contraindicated for the right leg because of <reason>

      @SELF_PAY_IA_NOT_WITH_RHEUMATOID_ARTHRITIS
      Examples: rheumatoid arthritis
        | condition            | reason               |
        | rheumatoid arthritis | rheumatoid arthritis |

      @SELF_PAY_IA_NOT_WITH_ACTIVE_INFECTION
      Examples: active infection
        | condition           | reason           |
        | an active infection | active infection |

      @SELF_PAY_IA_NOT_WITH_MALIGNANCY
      Examples: malignancy
        | condition    | reason     |
        | a malignancy | malignancy |

      @SELF_PAY_IA_NOT_WITH_BLEEDING_DISORDER
      Examples: bleeding disorder or anticoagulation
        | condition           | reason                               |
        | a bleeding disorder | bleeding disorder or anticoagulation |

      @SELF_PAY_IA_NOT_WITH_ARTERIAL_DISEASE @FINDING_ARTERIAL_DISEASE_KNOWN
      Examples: known peripheral arterial disease
        | condition                   | reason           |
        | peripheral arterial disease | arterial disease |

    @SELF_PAY_IA_CANDIDATE @SELF_PAY_READY
    Scenario Outline: An eGFR below 45 rules out the intra-arterial injection (contrast)
      Given a 60-year-old woman
      And she is:
        | eGFR                       | <egfr> |
        | accepts self-pay treatment | yes    |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is <status> for the right leg

      @SELF_PAY_IA_NOT_WITH_LOW_EGFR
      Examples: eGFR 44
        | egfr | status          |
        | 44   | contraindicated |

      @SELF_PAY_IA_OPTION
      Examples: eGFR 45
        | egfr | status    |
        | 45   | an option |

    @SELF_PAY_IA_CANDIDATE @SELF_PAY_IA_NOT_WITH_LOW_EGFR
    Scenario: The eGFR that rules it out is shown
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 30  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is contraindicated for the right leg because of eGFR below 45
      And its reasons include the eGFR of 30

    @SELF_PAY_IA_CANDIDATE @SELF_PAY_IA_NOT_WITH_CONTRAST_ALLERGY
    Scenario: A contrast-media allergy rules out the intra-arterial injection
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And she is allergic to contrast media
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is contraindicated for the right leg because of contrast-media allergy

    @SELF_PAY_IA_CANDIDATE @FINDING_ARTERIAL_DISEASE_ABI @SELF_PAY_IA_NOT_WITH_ARTERIAL_DISEASE
    Scenario: An ankle-brachial index below 0.8 rules out the intra-arterial injection
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6   |
        | Kellgren-Lawrence grade | 2   |
        | ankle-brachial index    | 0.7 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is contraindicated for the right leg because of arterial disease
      And its reasons include the ankle-brachial index of 0.7

  Rule: The exosome injection (エクソソーム注射) is an unapproved product given on the physician's responsibility

    No exosome product is approved in Japan. Its exclusions (infection, malignancy, pregnancy)
    are the clinic's local policy, not guideline-derived.

    @FINDING_KNEE_OA_XRAY @SELF_PAY_CONSIDERED @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @SELF_PAY_EXOSOME_OPTION
    Scenario: After failed insured care the exosome injection is an option, disclosed as unapproved
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the exosome injection is an option for the right leg
      And it is covered by the patient (self-pay)
      And the patient must be told about self-pay cost
      And the patient must be told about main risks and side effects
      And the patient must be told about unapproved product; physician responsibility
      And its evidence says unapproved
      And its reasons show the finding insured knee care failed

    @SELF_PAY_CONSIDERED
    Scenario Outline: Infection or malignancy rules out the exosome injection (local policy)
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And she has <condition>
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the exosome injection is contraindicated for the right leg because of <reason>
      And its evidence says local policy

      @SELF_PAY_EXOSOME_NOT_WITH_ACTIVE_INFECTION
      Examples: active infection
        | condition           | reason           |
        | an active infection | active infection |

      @SELF_PAY_EXOSOME_NOT_WITH_SKIN_INFECTION
      Examples: skin infection
        | condition        | reason         |
        | a skin infection | skin infection |

      @SELF_PAY_EXOSOME_NOT_WITH_MALIGNANCY
      Examples: malignancy
        | condition    | reason     |
        | a malignancy | malignancy |

      @SELF_PAY_EXOSOME_NOT_WITH_BLEEDING_DISORDER
      Examples: bleeding disorder, as for the other knee injections
        | condition           | reason                               |
        | a bleeding disorder | bleeding disorder or anticoagulation |

  Rule: A self-pay injection that did not help over 12 weeks, or was not tolerated, is not repeated

    @SELF_PAY_CONSIDERED @SELF_PAY_EXOSOME_NOT_REPEATED
    Scenario: An exosome injection that did not help over 12 weeks is not repeated
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      And she had an exosome injection in the right knee for 12 weeks with no response
      When the plan is made
      Then the exosome injection is contraindicated for the right leg because of already tried without benefit or not tolerated

    @SELF_PAY_IA_CANDIDATE @SELF_PAY_IA_NOT_REPEATED
    Scenario: An intra-arterial injection that was not tolerated is not repeated
      Given a 60-year-old woman
      And she is:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      And she had the intra-arterial injection in the right knee for 4 weeks and it was not tolerated
      When the plan is made
      Then the intra-arterial injection is contraindicated for the right leg because of already tried without benefit or not tolerated

  Rule: The medical diet (メディカルダイエット) is for a BMI of 25 or more

    Obesity in Japan is a BMI of 25 or more (JSSO); with knee osteoarthritis it is an obesity
    disease (肥満症). The diet may use GLP-1 drugs outside their label. From age 65 the target is
    a BMI of 22-25, to avoid frailty. Weight management advice is given at every phase.

    @FINDING_KNEE_OA_XRAY @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY
    Scenario Outline: The medical diet starts at a BMI of 25
      Given a 60-year-old woman
      And she is:
        | BMI                        | <bmi> |
        | eGFR                       | 70    |
        | accepts self-pay treatment | yes   |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the medical diet is <diet> for the patient
      And weight management is <advice> for the patient

      Examples: BMI 24.9
        | bmi  | diet        | advice      |
        | 24.9 | not offered | not offered |

      @FINDING_OBESITY @SELF_PAY_DIET_OPTION @ADVICE_WEIGHT_MANAGEMENT
      Examples: BMI 25
        | bmi | diet      | advice      |
        | 25  | an option | recommended |

    @FINDING_KNEE_OA_XRAY @FINDING_OBESITY @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @SELF_PAY_DIET_OPTION
    Scenario: After failed insured care the medical diet is an option, disclosed as off-label
      Given a 60-year-old woman
      And she is:
        | BMI                        | 27  |
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the medical diet is an option for the patient
      And it is covered by the patient (self-pay)
      And the patient must be told about self-pay cost
      And the patient must be told about main risks and side effects
      And the patient must be told about off-label use of an approved drug
      And its evidence says off-label
      And its reasons include the BMI of 27
      And its reasons show the finding insured knee care failed

    @FINDING_KNEE_OA_XRAY @FINDING_OBESITY @SELF_PAY_CONSIDERED @SELF_PAY_DIET_NEXT_STEP @ADVICE_WEIGHT_MANAGEMENT
    Scenario: Before insured care has failed the medical diet is the next step; weight advice is given now
      Given a 60-year-old woman
      And she is:
        | BMI                        | 27  |
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      When the plan is made
      Then the medical diet is the next step for the patient
      And its reasons include the BMI of 27
      And weight management is recommended for the patient

    @FINDING_KNEE_OA_XRAY @FINDING_OBESITY @FINDING_KNEE_CARE_FAILED @SELF_PAY_DIET_OPTION
    Scenario Outline: From age 65 the diet aims at a BMI of 22-25
      Given a <age>-year-old woman
      And she is:
        | BMI                        | 28  |
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6   |
        | Kellgren-Lawrence grade | 2   |
        | ankle-brachial index    | 1.1 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the medical diet is an option for the patient
      And its target BMI is <target>

      Examples: age 64
        | age | target  |
        | 64  | not set |

      @SELF_PAY_DIET_ELDERLY_TARGET
      Examples: age 65
        | age | target |
        | 65  | 22-25  |

    @FINDING_OBESITY @SELF_PAY_CONSIDERED
    Scenario Outline: Some conditions rule out the medical diet (GLP-1 drugs)
      Given a 60-year-old woman
      And she is:
        | BMI                        | 27  |
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And she has <condition>
      And her right leg shows:
        | knee pain (0-10)        | 6   |
        | Kellgren-Lawrence grade | 2   |
        | ankle-brachial index    | 1.1 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the medical diet is contraindicated for the patient because of <reason>

      @SELF_PAY_DIET_NOT_WITH_TYPE1_DIABETES
      Examples: type 1 diabetes
        | condition       | reason          |
        | type 1 diabetes | type 1 diabetes |

      @SELF_PAY_DIET_NOT_WITH_MTC_MEN2
      Examples: medullary thyroid cancer or MEN2
        | condition                        | reason                           |
        | medullary thyroid cancer or MEN2 | medullary thyroid cancer or MEN2 |

      @SELF_PAY_DIET_NOT_AFTER_PANCREATITIS
      Examples: previous pancreatitis
        | condition                 | reason                |
        | a history of pancreatitis | previous pancreatitis |

  Rule: No self-pay treatment in pregnancy, and none until pregnancy is known

    @FINDING_KNEE_OA_XRAY @FINDING_OBESITY @SELF_PAY_CONSIDERED @SELF_PAY_IA_CANDIDATE @SELF_PAY_IA_NOT_IN_PREGNANCY @SELF_PAY_EXOSOME_NOT_IN_PREGNANCY @SELF_PAY_DIET_NOT_IN_PREGNANCY
    Scenario: In pregnancy every self-pay option is contraindicated
      Given a 38-year-old woman
      And she is:
        | pregnant                   | yes |
        | BMI                        | 27  |
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is contraindicated for the right leg because of pregnancy
      And the exosome injection is contraindicated for the right leg because of pregnancy
      And its evidence says local policy
      And the medical diet is contraindicated for the patient because of pregnancy

    @FINDING_KNEE_OA_XRAY @FINDING_OBESITY @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @ASSESS_PREGNANCY_UNKNOWN
    Scenario: For a woman under 56, the self-pay options wait until pregnancy is known
      Given a 45-year-old woman
      And she is:
        | BMI                        | 27  |
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is deferred for the right leg because of pregnancy status unknown
      And the exosome injection is deferred for the right leg because of pregnancy status unknown
      And the medical diet is deferred for the patient because of pregnancy status unknown

  Rule: With an active venous ulcer (CEAP C6) the self-pay options wait

    @FINDING_KNEE_OA_XRAY @FINDING_OBESITY @FINDING_KNEE_CARE_FAILED @SELF_PAY_READY @SELF_PAY_IA_WAITS_FOR_ULCER @SELF_PAY_EXOSOME_WAITS_FOR_ULCER @SELF_PAY_ACTIVE_ULCER @SELF_PAY_DIET_WAITS_FOR_ULCER @VEIN_WOUND_CARE_ULCER
    Scenario: The ulcer is treated before any self-pay option
      Given a 60-year-old woman
      And she is:
        | BMI                        | 27  |
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
        | CEAP clinical class     | 6 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then wound care is recommended for the right leg
      And the intra-arterial injection is deferred for the right leg because of active venous ulcer (C6)
      And the exosome injection is deferred for the right leg because of active venous ulcer (C6)
      And the medical diet is deferred for the patient because of active venous ulcer (C6)

    @SELF_PAY_ACTIVE_ULCER @SELF_PAY_DIET_WAITS_FOR_ULCER @SELF_PAY_READY
    Scenario: An ulcer on the other leg holds the medical diet, not the knee's own options
      Given a 60-year-old woman
      And she is:
        | BMI                        | 27  |
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And her left leg shows:
        | CEAP clinical class | 6 |
        | ankle-brachial index | 1.0 |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then the medical diet is deferred for the patient because of active venous ulcer (C6)
      And the exosome injection is an option for the right leg
