@assessment
Feature: Assessment - what must be known first, and what waits for it
  Before treating, the clinic checks what the treatment depends on: an X-ray grade for knee
  injections, a duplex ultrasound of every painful knee's leg, the arterial status before
  compression or intervention, the kidney function before the intra-arterial injection
  (動注治療), and whether a woman of child-bearing age is pregnant.

  A value that is not known is never taken as normal. The test is recommended, and the
  treatments that depend on it are deferred, naming what is missing. Nothing else waits: a
  leg not at risk needs no ankle-brachial index, and a man, a girl under 12 or a woman over 55
  is never held for an unknown pregnancy status.

  Rule: A painful knee without an X-ray grade gets a knee X-ray; knee injections wait for it

    @ASSESS_KNEE_XRAY_NO_GRADE @KNEE_STEROID @KNEE_HYALURONIC_ACID_GRADE_UNKNOWN @KNEE_EXERCISE
    @FINDING_KNEE_OA_CLINICAL
    Scenario: A painful knee without an X-ray grade gets a knee X-ray before any injection
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)  | 6             |
        | knee pain pattern | start-up pain |
      When the plan is made
      Then knee X-ray is recommended for the right leg
      And its reasons include the knee pain (0-10) of 6
      And steroid injection is deferred for the right leg because of waiting for the knee X-ray
      And hyaluronic acid injection is deferred for the right leg because of KL grade unknown
      And exercise therapy is recommended for the right leg

    @KNEE_STEROID @KNEE_HYALURONIC_ACID @FINDING_KNEE_OA_XRAY
    Scenario: A knee with an X-ray grade needs no new X-ray
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      When the plan is made
      Then knee X-ray is not offered for the right leg
      And hyaluronic acid injection is recommended for the right leg
      And steroid injection is an option for the right leg

  Rule: A knee after recent trauma gets an X-ray; knee injections wait for it
    The X-ray is taken after any knee injury, even one that does not suggest a fracture.

    @ASSESS_KNEE_XRAY_TRAUMA @KNEE_HYALURONIC_ACID @KNEE_STEROID @KNEE_EXERCISE
    @FINDING_KNEE_OA_XRAY
    Scenario: After a knee injury the knee injections wait for a new X-ray
      Given a 48-year-old man
      And his right leg shows:
        | knee pain (0-10)        | 5   |
        | Kellgren-Lawrence grade | 2   |
        | recent knee trauma      | yes |
        | cannot bear weight      | no  |
      When the plan is made
      Then knee X-ray is recommended for the right leg
      And its reasons include the recent knee trauma of yes
      And hyaluronic acid injection is deferred for the right leg because of waiting for the knee X-ray
      And steroid injection is deferred for the right leg because of waiting for the knee X-ray
      And exercise therapy is recommended for the right leg
      And there is no referral for the right leg

  Rule: A leg with a painful knee or a vein symptom and no duplex ultrasound gets one
    The clinic checks the vessels of every painful knee: its pain may be partly vascular.
    Endovenous treatment is planned only from a duplex ultrasound.

    Scenario Outline: A painful knee or a vein symptom calls for a duplex ultrasound
      Given a 60-year-old man
      And his right leg shows:
        | knee pain (0-10) | <knee pain>     |
        | vein symptoms    | <vein symptoms> |
      When the plan is made
      Then duplex ultrasound is <duplex> for the right leg

      @ASSESS_DUPLEX
      Examples: a painful knee or a vein symptom
        | knee pain | vein symptoms | duplex      |
        | 1         | none          | recommended |
        | 6         | none          | recommended |
        | 0         | heaviness     | recommended |
        | 0         | night cramps  | recommended |

      Examples: neither
        | knee pain | vein symptoms | duplex      |
        | 0         | none          | not offered |

    @ASSESS_DUPLEX @VEIN_STOCKINGS @FINDING_VENOUS_DISEASE_CEAP
    Scenario: Without a duplex ultrasound endovenous treatment cannot be planned
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms       | bulging veins, heaviness |
        | CEAP clinical class | 3                        |
      When the plan is made
      Then duplex ultrasound is recommended for the right leg
      And endovenous thermal ablation is not offered for the right leg
      And cyanoacrylate glue closure is not offered for the right leg
      And compression stockings are recommended for the right leg

    @VEIN_THERMAL_ABLATION @VEIN_ENDOVENOUS_QUALIFIES @VEIN_ENDOVENOUS_CANDIDATE
    @FINDING_SUPERFICIAL_REFLUX_GSV
    Scenario: A leg whose duplex ultrasound is recorded needs no other
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then duplex ultrasound is not offered for the right leg
      And endovenous thermal ablation is recommended for the right leg
      And its reasons include the great saphenous reflux (ms) of 900

  Rule: An at-risk leg without an ankle-brachial index gets one before compression or intervention
    The arteries are at risk from age 65, with diabetes, in a smoker, or with known arterial
    disease. The index is measured only where a treatment depends on it: compression
    stockings, endovenous treatment or the intra-arterial injection. Until it is known, those
    treatments wait. A leg not at risk needs no index and nothing waits for one.

    @ASSESS_ARTERIAL_STATUS_FOR_STOCKINGS @VEIN_STOCKINGS @FINDING_VENOUS_DISEASE_CEAP
    Scenario Outline: The arteries are at risk from age 65
      Given a <age>-year-old woman
      And her right leg shows:
        | CEAP clinical class | 2 |
      When the plan is made
      Then ankle-brachial index measurement is <ABI measurement> for the right leg
      And compression stockings are <stockings> for the right leg
      And its reasons include the <reason>

      @ASSESS_ABI_AT_RISK @FINDING_ARTERIAL_RISK
      Examples: at risk
        | age | ABI measurement | stockings | reason    |
        | 65  | recommended     | deferred  | age of 65 |
        | 80  | recommended     | deferred  | age of 80 |

      Examples: not at risk
        | age | ABI measurement | stockings   | reason                   |
        | 64  | not offered     | recommended | CEAP clinical class of 2 |

    @ASSESS_ABI_AT_RISK @FINDING_ARTERIAL_RISK @ASSESS_ARTERIAL_STATUS_FOR_STOCKINGS
    @VEIN_STOCKINGS @FINDING_VENOUS_DISEASE_CEAP
    Scenario Outline: Diabetes or known arterial disease put the arteries at risk at any age
      Given a 58-year-old woman
      And she has <condition>
      And her right leg shows:
        | CEAP clinical class | 2 |
      When the plan is made
      Then ankle-brachial index measurement is recommended for the right leg
      And compression stockings are deferred for the right leg because of ankle-brachial index unknown

      Examples:
        | condition                   |
        | diabetes                    |
        | type 1 diabetes             |
        | peripheral arterial disease |

    @ASSESS_ABI_AT_RISK @FINDING_ARTERIAL_RISK @ASSESS_ARTERIAL_STATUS_FOR_STOCKINGS
    @VEIN_STOCKINGS @FINDING_VENOUS_DISEASE_CEAP @ADVICE_STOP_SMOKING
    Scenario: A smoker's leg is at risk
      Given a 50-year-old man
      And he is:
        | smoker | yes |
      And his right leg shows:
        | CEAP clinical class | 2 |
      When the plan is made
      Then ankle-brachial index measurement is recommended for the right leg
      And its reasons include the smoker of yes
      And compression stockings are deferred for the right leg because of ankle-brachial index unknown
      And stop smoking is recommended for the patient

    @ASSESS_ABI_AT_RISK @FINDING_ARTERIAL_RISK @ASSESS_ARTERIAL_STATUS_FOR_ENDOVENOUS
    @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION @VEIN_ENDOVENOUS_QUALIFIES
    @FINDING_SUPERFICIAL_REFLUX_GSV
    Scenario: Endovenous treatment of an at-risk leg waits for the ankle-brachial index
      Given a 70-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then ankle-brachial index measurement is recommended for the right leg
      And endovenous thermal ablation is deferred for the right leg because of ankle-brachial index unknown
      And its reasons include the age of 70
      And cyanoacrylate glue closure is deferred for the right leg because of ankle-brachial index unknown

    @ASSESS_ABI_AT_RISK @FINDING_ARTERIAL_RISK @ASSESS_ARTERIAL_STATUS_FOR_INTRA_ARTERIAL
    @SELF_PAY_IA_OPTION @SELF_PAY_IA_CANDIDATE @SELF_PAY_EXOSOME_OPTION @FINDING_KNEE_CARE_FAILED
    @FINDING_KNEE_OA_XRAY
    Scenario: The intra-arterial injection (動注治療) for an at-risk leg waits for the ankle-brachial index
      Given a 70-year-old woman
      And she accepts self-pay treatment
      And she is:
        | eGFR | 70 |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 16 weeks with a partial response
      When the plan is made
      Then ankle-brachial index measurement is recommended for the right leg
      And the intra-arterial injection (動注治療) is deferred for the right leg because of ankle-brachial index unknown
      And an exosome injection is an option for the right leg

    @FINDING_ARTERIAL_RISK @KNEE_EXERCISE @KNEE_HYALURONIC_ACID @FINDING_KNEE_OA_XRAY
    Scenario: An at-risk leg whose treatment does not depend on its arteries needs no index
      Given a 70-year-old man
      And his right leg shows:
        | knee pain (0-10)        | 5 |
        | Kellgren-Lawrence grade | 2 |
      When the plan is made
      Then ankle-brachial index measurement is not offered for the right leg
      And hyaluronic acid injection is recommended for the right leg

    @VEIN_THERMAL_ABLATION @VEIN_STOCKINGS @VEIN_ENDOVENOUS_QUALIFIES
    @ASSESS_ARTERIAL_STATUS_FOR_ENDOVENOUS @FINDING_SUPERFICIAL_REFLUX_GSV
    Scenario: A leg not at risk holds nothing for an unknown ankle-brachial index
      Given a 50-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then ankle-brachial index measurement is not offered for the right leg
      And endovenous thermal ablation is recommended for the right leg
      And compression stockings are recommended for the right leg

  Rule: An ankle-brachial index above 1.4 is unreliable; toe pressure is measured first
    Above 1.4 the ankle arteries do not compress (calcified): the index cannot show arterial
    disease, at risk or not. The toe pressure is measured before compression or intervention.

    @ASSESS_ARTERIAL_STATUS_FOR_STOCKINGS @VEIN_STOCKINGS @FINDING_VENOUS_DISEASE_CEAP
    Scenario Outline: The toe pressure is measured above an ankle-brachial index of 1.4
      Given a <age>-year-old man
      And his right leg shows:
        | ankle-brachial index | <ABI> |
        | CEAP clinical class  | 2     |
      When the plan is made
      Then toe pressure measurement is <toe pressure> for the right leg
      And compression stockings are <stockings> for the right leg
      And its reasons include the <reason>

      @ASSESS_TOE_PRESSURE
      Examples: above 1.4
        | age | ABI  | toe pressure | stockings | reason                         |
        | 50  | 1.41 | recommended  | deferred  | ankle-brachial index of 1.41   |
        | 70  | 1.41 | recommended  | deferred  | ankle-brachial index of 1.41   |
        | 70  | 1.8  | recommended  | deferred  | ankle-brachial index of 1.8    |

      Examples: 1.4 or below
        | age | ABI | toe pressure | stockings   | reason                   |
        | 50  | 1.4 | not offered  | recommended | CEAP clinical class of 2 |
        | 70  | 1.4 | not offered  | recommended | CEAP clinical class of 2 |

    @ASSESS_TOE_PRESSURE @ASSESS_ARTERIAL_STATUS_FOR_STOCKINGS @VEIN_STOCKINGS
    @FINDING_VENOUS_DISEASE_CEAP
    Scenario: Non-compressible arteries hold the leg's stockings
      Given a 68-year-old woman
      And she has diabetes
      And her right leg shows:
        | ankle-brachial index | 1.5 |
        | CEAP clinical class  | 3   |
      When the plan is made
      Then compression stockings are deferred for the right leg because of non-compressible arteries (ABI above 1.4)
      And toe pressure measurement is recommended for the right leg
      And ankle-brachial index measurement is not offered for the right leg

  Rule: Without an eGFR, a blood test comes before the intra-arterial injection
    The contrast medium of the intra-arterial injection needs the kidney function (eGFR).
    The blood test is ordered only when the injection would be offered now: after failed
    knee care, and when nothing else rules it out.

    @SELF_PAY_IA_CANDIDATE @FINDING_KNEE_OA_XRAY
    Scenario Outline: An unknown eGFR matters once the intra-arterial injection would be offered
      Given a 60-year-old woman
      And she accepts self-pay treatment
      And she is:
        | eGFR | <eGFR> |
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for <weeks> weeks with a partial response
      When the plan is made
      Then blood test (eGFR) is <blood test> for the right leg
      And the intra-arterial injection is <injection> for the right leg

      @ASSESS_BLOOD_TEST_EGFR @SELF_PAY_IA_OPTION @FINDING_KNEE_CARE_FAILED
      Examples: offered now, eGFR unknown
        | weeks | eGFR    | blood test  | injection |
        | 12    | unknown | recommended | deferred  |

      @SELF_PAY_IA_OPTION @FINDING_KNEE_CARE_FAILED
      Examples: offered now, eGFR known
        | weeks | eGFR | blood test  | injection |
        | 12    | 70   | not offered | an option |

      @SELF_PAY_IA_NEXT_STEP
      Examples: not yet offered
        | weeks | eGFR    | blood test  | injection     |
        | 11    | unknown | not offered | the next step |

    @ASSESS_BLOOD_TEST_EGFR @SELF_PAY_IA_OPTION @FINDING_KNEE_CARE_FAILED
    Scenario: The intra-arterial injection waits for the blood test
      Given a 60-year-old woman
      And she accepts self-pay treatment
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 16 weeks with a partial response
      When the plan is made
      Then blood test (eGFR) is recommended for the right leg
      And its reasons go through the finding insured knee care failed
      And the intra-arterial injection is deferred for the right leg because of eGFR unknown

    @SELF_PAY_IA_NOT_WITH_RHEUMATOID_ARTHRITIS @SELF_PAY_IA_CANDIDATE @FINDING_KNEE_CARE_FAILED
    Scenario: No blood test when the intra-arterial injection is ruled out anyway
      Given a 60-year-old woman
      And she accepts self-pay treatment
      And she has rheumatoid arthritis
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 16 weeks with a partial response
      When the plan is made
      Then the intra-arterial injection is contraindicated for the right leg because of rheumatoid arthritis
      And blood test (eGFR) is not offered for the right leg

  Rule: For a woman aged 12-55 whose pregnancy status is unknown, interventions and self-pay treatments wait until it is known
    Endovenous treatment, the intra-arterial injection, the exosome injection and the medical
    diet (メディカルダイエット) wait. Stockings, insured knee care and advice go on.

    @ASSESS_PREGNANCY_UNKNOWN @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION @SELF_PAY_IA_OPTION
    @SELF_PAY_EXOSOME_OPTION @SELF_PAY_DIET_OPTION @VEIN_STOCKINGS @KNEE_HYALURONIC_ACID
    @FINDING_OBESITY @FINDING_KNEE_CARE_FAILED @FINDING_SUPERFICIAL_REFLUX_GSV
    Scenario: An unknown pregnancy status holds interventions and self-pay treatments
      Given a 40-year-old woman
      And she accepts self-pay treatment
      And she is:
        | pregnant | not known |
        | BMI      | 28        |
        | eGFR     | 80        |
      And her right leg shows:
        | knee pain (0-10)              | 6         |
        | Kellgren-Lawrence grade       | 2         |
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And she had hyaluronic acid injections in the right knee for 16 weeks with a partial response
      When the plan is made
      Then endovenous thermal ablation is deferred for the right leg because of pregnancy status unknown
      And its reasons include the age of 40
      And cyanoacrylate glue closure is deferred for the right leg because of pregnancy status unknown
      And the intra-arterial injection is deferred for the right leg because of pregnancy status unknown
      And an exosome injection is deferred for the right leg because of pregnancy status unknown
      And the medical diet is deferred for the patient because of pregnancy status unknown
      And compression stockings are recommended for the right leg
      And hyaluronic acid injection is recommended for the right leg

    @VEIN_THERMAL_ABLATION @VEIN_ENDOVENOUS_QUALIFIES @VEIN_ENDOVENOUS_CANDIDATE
    @FINDING_SUPERFICIAL_REFLUX_GSV
    Scenario Outline: Pregnancy must be known for a woman aged 12 to 55
      Given a <age>-year-old <person>
      And the patient is:
        | pregnant | not known |
      And the patient's right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then endovenous thermal ablation is <ablation> for the right leg
      And its reasons include the <reason>

      @ASSESS_PREGNANCY_UNKNOWN
      Examples: a woman aged 12 to 55
        | age | person | ablation | reason    |
        | 12  | woman  | deferred | age of 12 |
        | 55  | woman  | deferred | age of 55 |

      Examples: a girl under 12, a woman over 55, a man
        | age | person | ablation    | reason                   |
        | 11  | woman  | recommended | CEAP clinical class of 3 |
        | 56  | woman  | recommended | CEAP clinical class of 3 |
        | 30  | man    | recommended | CEAP clinical class of 3 |

    @VEIN_THERMAL_ABLATION @VEIN_ENDOVENOUS_QUALIFIES @FINDING_SUPERFICIAL_REFLUX_GSV
    Scenario: A known pregnancy status holds nothing
      Given a 40-year-old woman
      And she is:
        | pregnant | no |
      And her right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then endovenous thermal ablation is recommended for the right leg

  Rule: A leg where deep vein thrombosis is likely gets a duplex ultrasound, whatever its symptoms

    @ASSESS_DUPLEX_FOR_SUSPECTED_DVT @SAFETY_SUSPECTED_DVT
    Scenario: A Wells score of 2 without knee pain or vein symptoms still gets a duplex
      Given a 50-year-old man
      And his right leg shows:
        | Wells score | 2 |
      When the plan is made
      Then duplex ultrasound is recommended for the right leg
      And its reasons include the Wells score of 2
      And a referral for suspected deep vein thrombosis is recommended urgently for the right leg

  Rule: The exosome injection into the knee also waits for the knee X-ray

    @ASSESS_KNEE_XRAY_TRAUMA @SELF_PAY_EXOSOME_OPTION
    Scenario: After a fall the exosome injection waits for the X-ray
      Given a 50-year-old woman
      And she is:
        | accepts self-pay treatment | yes |
      And her right leg shows:
        | knee pain (0-10)        | 6   |
        | Kellgren-Lawrence grade | 2   |
        | recent knee trauma      | yes |
      And she had hyaluronic acid injections in the right knee for 12 weeks with a partial response
      When the plan is made
      Then knee X-ray is recommended for the right leg
      And the exosome injection is deferred for the right leg because of waiting for the knee X-ray
