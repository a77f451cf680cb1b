@follow_up
Feature: Follow-up - the review and the escalation path (経過観察)
  Every plan says when it is reviewed: after 12 weeks, unless the clinic sets another
  interval. Besides what to do now, the plan lists the next steps: what the protocol
  escalates to if the current step has not helped at the review, so the doctor sees the whole
  path from where the patient stands. Each leg is followed on its own: a finding, a past
  treatment or a contraindication on one leg changes nothing on the other leg. Only advice
  (for the whole patient) and the red flags of the safety gate reach beyond one leg.

  Rule: The plan is reviewed after 12 weeks unless the clinic sets another interval

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    Scenario: The review is after 12 weeks
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class | 2 |
      When the plan is made
      Then the plan is to be reviewed after 12 weeks

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    Scenario: The clinic reviews after 8 weeks
      Given a 60-year-old man
      And the clinic sets review after weeks to 8
      And his right leg shows:
        | CEAP clinical class | 2 |
      When the plan is made
      Then the plan is to be reviewed after 8 weeks
      And compression stockings are recommended for the right leg

  Rule: The next steps show the escalation path from where the patient stands

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    @VEIN_STOCKINGS_PRESSURE_MILD @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NEXT_STEP
    Scenario: Stockings now; endovenous treatment if they have not helped at the review
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness, evening swelling |
        | CEAP clinical class           | 2                           |
        | great saphenous reflux (ms)   | 900                         |
        | great saphenous diameter (mm) | 6                           |
      When the plan is made
      Then the right leg's vein track is:
        | compression stockings       | recommended   |
        | endovenous thermal ablation | the next step |
        | cyanoacrylate glue closure  | a next step   |
      And the next steps for the right leg are:
        | endovenous thermal ablation | the next step |
        | cyanoacrylate glue closure  | a next step   |
      And the plan is to be reviewed after 12 weeks

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    @FINDING_STOCKINGS_FAILED_COURSE @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
    Scenario: At the review after 12 weeks of stockings without good response, endovenous treatment is now
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness, evening swelling |
        | CEAP clinical class           | 2                           |
        | great saphenous reflux (ms)   | 900                         |
        | great saphenous diameter (mm) | 6                           |
      And he had compression stockings on the right leg for 12 weeks with a partial response
      When the plan is made
      Then the right leg's vein track is:
        | compression stockings       | recommended |
        | endovenous thermal ablation | recommended |
        | cyanoacrylate glue closure  | an option   |
      And the right leg has no next steps

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @FINDING_VASCULAR_PAIN_VENOUS
    @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NEXT_STEP @VEIN_VEINS_FIRST
    @SELF_PAY_IA_NEXT_STEP @SELF_PAY_EXOSOME_NEXT_STEP
    Scenario: Knee pain that may be vascular - the veins first, then the self-pay knee options
      Given a 60-year-old man
      And he has:
        | eGFR                       | 70  |
        | accepts self-pay treatment | yes |
      And his right leg shows:
        | knee pain (0-10)              | 6                    |
        | knee pain pattern             | worse after standing |
        | Kellgren-Lawrence grade       | 2                    |
        | vein symptoms                 | heaviness            |
        | CEAP clinical class           | 2                    |
        | great saphenous reflux (ms)   | 900                  |
        | great saphenous diameter (mm) | 6                    |
      And he had hyaluronic acid injections in the right knee for 16 weeks with a partial response
      When the plan is made
      Then compression stockings are recommended for the right leg
      And the plan shows the finding the veins come first for the right leg
      And the next steps for the right leg are:
        | endovenous thermal ablation        | the next step |
        | cyanoacrylate glue closure         | a next step   |
        | intra-arterial injection (動注治療) | a next step   |
        | exosome injection                  | a next step   |

  Rule: Each leg is its own track - a decision for one leg never reaches the other

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    @VEIN_STOCKINGS_PRESSURE_STRONG @VEIN_STOCKINGS_PRESSURE_MILD @VEIN_ENDOVENOUS_CANDIDATE
    @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
    Scenario: Only the leg with reflux is on the path to endovenous treatment
      Given a 60-year-old woman
      And her right leg shows:
        | vein symptoms                 | heaviness, evening swelling |
        | CEAP clinical class           | 3                           |
        | great saphenous reflux (ms)   | 900                         |
        | great saphenous diameter (mm) | 6                           |
      And her left leg shows:
        | vein symptoms       | visible blue veins |
        | CEAP clinical class | 2                  |
      When the plan is made
      Then the right leg's vein track is:
        | compression stockings       | recommended |
        | endovenous thermal ablation | recommended |
        | cyanoacrylate glue closure  | an option   |
      And the left leg's vein track is:
        | duplex ultrasound     | recommended |
        | compression stockings | recommended |
      And compression stockings are recommended for the right leg
      And the stockings are 30-40 mmHg
      And compression stockings are recommended for the left leg
      And the stockings are 20-30 mmHg

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_ENDOVENOUS_CANDIDATE
    @FINDING_STOCKINGS_FAILED_COURSE @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION
    @VEIN_ENDOVENOUS_NEXT_STEP
    Scenario: Stockings that failed on one leg qualify only that leg
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 2         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And his left leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 2         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he had compression stockings on the right leg for 12 weeks with no response
      When the plan is made
      Then endovenous thermal ablation is recommended for the right leg
      And its reasons show the finding stockings failed or contraindicated
      And endovenous thermal ablation is the next step for the left leg
      And the plan does not show the finding stockings failed or contraindicated for the left leg

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_ENDOVENOUS_CANDIDATE
    @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
    Scenario: A leg already treated does not stop treatment of the other leg
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And his left leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he had endovenous thermal ablation on the right leg for 26 weeks with a good response
      When the plan is made
      Then endovenous thermal ablation is not offered for the right leg
      And cyanoacrylate glue closure is not offered for the right leg
      And endovenous thermal ablation is recommended for the left leg
      And cyanoacrylate glue closure is an option for the left leg

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_ENDOVENOUS_WAITS_FOR_THROMBOPHLEBITIS @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
    Scenario: Thrombophlebitis on one leg holds only that leg
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And his left leg shows:
        | vein symptoms                      | heaviness |
        | CEAP clinical class                | 3         |
        | acute superficial thrombophlebitis | yes       |
        | great saphenous reflux (ms)        | 900       |
        | great saphenous diameter (mm)      | 6         |
      When the plan is made
      Then endovenous thermal ablation is deferred for the left leg because of acute superficial thrombophlebitis
      And cyanoacrylate glue closure is deferred for the left leg because of acute superficial thrombophlebitis
      And endovenous thermal ablation is recommended for the right leg
      And cyanoacrylate glue closure is an option for the right leg

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_ENDOVENOUS_CANDIDATE
    @FINDING_ARTERIAL_DISEASE_ABI @VEIN_STOCKINGS_PRESSURE_REDUCED @VEIN_STOCKINGS_PRESSURE_STRONG
    @VEIN_ENDOVENOUS_NOT_WITH_ARTERIAL_DISEASE @VEIN_THERMAL_ABLATION
    Scenario: A low ankle-brachial index on one leg changes only that leg
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | ankle-brachial index          | 1.1       |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And his left leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | ankle-brachial index          | 0.7       |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then compression stockings are recommended for the left leg
      And the stockings are <=20 mmHg
      And endovenous thermal ablation is contraindicated for the left leg because of arterial disease
      And compression stockings are recommended for the right leg
      And the stockings are 30-40 mmHg
      And endovenous thermal ablation is recommended for the right leg
      And the plan shows the finding arterial disease for the left leg
      And the plan does not show the finding arterial disease for the right leg

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_PRESSURE_MILD
    Scenario: A leg without venous disease gets nothing on the vein track
      Given a 60-year-old woman
      And her right leg shows:
        | CEAP clinical class | 2 |
      And her left leg shows:
        | CEAP clinical class | 1 |
      When the plan is made
      Then compression stockings are recommended for the right leg
      And the left leg has nothing on the vein track

    @FINDING_VENOUS_DISEASE_CEAP @ADVICE_ELEVATE_LEGS @ADVICE_ELEVATE_LEGS_NOT_WITH_ISCHEMIA
    @SAFETY_ACUTE_LIMB_ISCHEMIA @VEIN_STOCKINGS @VEIN_STOCKINGS_PRESSURE_MILD
    Scenario: Advice is for the whole patient, so signs of ischaemia in one leg stop leg elevation
      Given a 60-year-old woman
      And her right leg shows:
        | CEAP clinical class | 2 |
      And her left leg shows:
        | signs of acute ischaemia | yes |
      When the plan is made
      Then a referral for acute limb ischaemia is recommended as an emergency for the left leg
      And rest with the legs raised is contraindicated for the patient because of signs of acute ischaemia
      And compression stockings are recommended for the right leg
      And the stockings are 20-30 mmHg
