@safety
Feature: The safety gate - red flags stop elective care
  A red flag is a finding that needs another service before elective care goes on. It gives
  a referral with its urgency, and every treatment that would have been recommended or
  offered is deferred, naming the flag.

  A flag on one leg holds that leg's treatments and the treatments for the whole patient.
  Suspected deep vein thrombosis, septic arthritis and acute limb ischaemia also hold the
  invasive treatments of the other leg (endovenous treatment, knee injections, the
  intra-arterial injection (動注治療) and the exosome injection); that leg's non-invasive care
  goes on. Sepsis and suspected malignancy hold everything elective, tests included.

  Still given under a flag: the referral itself, a duplex ultrasound for a suspected clot,
  a knee X-ray for a possible fracture, and lifestyle advice.

  Some findings need only a routine referral, which holds nothing: a painful artificial knee,
  late knee osteoarthritis after failed knee care, and a very low ankle-brachial index.

  Rule: Suspected deep vein thrombosis is referred urgently and holds elective care
    Deep vein thrombosis is likely with a two-level Wells score of 2 or more, or when the
    duplex ultrasound shows it (Wells, NEJM 2003).

    @SAFETY_SUSPECTED_DVT
    Scenario: A Wells score of 2 makes deep vein thrombosis likely
      Given a 60-year-old woman
      And her right leg shows:
        | Wells score         | 2 |
        | CEAP clinical class | 2 |
      When the plan is made
      Then a referral for suspected deep vein thrombosis is recommended urgently for the right leg
      And its reasons include the Wells score of 2
      And compression stockings are deferred for the right leg because of suspected deep vein thrombosis
      And no treatment is recommended or offered for the right leg

    @VEIN_STOCKINGS @FINDING_VENOUS_DISEASE_CEAP
    Scenario Outline: Deep vein thrombosis becomes likely at a Wells score of 2
      Given a 60-year-old woman
      And her right leg shows:
        | Wells score         | <Wells score> |
        | CEAP clinical class | 2             |
      When the plan is made
      Then a referral for suspected deep vein thrombosis is <referral> for the right leg
      And compression stockings are <stockings> for the right leg
      And its reasons include the <reason>

      @SAFETY_SUSPECTED_DVT
      Examples: Wells 2 or more - likely
        | Wells score | referral             | stockings | reason           |
        | 2           | recommended urgently | deferred  | Wells score of 2 |
        | 3           | recommended urgently | deferred  | Wells score of 3 |

      Examples: Wells 1 or less - unlikely
        | Wells score | referral | stockings   | reason                   |
        | 1           | not made | recommended | CEAP clinical class of 2 |
        | -2          | not made | recommended | CEAP clinical class of 2 |

    @SAFETY_SUSPECTED_DVT @VEIN_ENDOVENOUS_NOT_WITH_DVT_ON_DUPLEX @VEIN_ENDOVENOUS_CANDIDATE
    @FINDING_SUPERFICIAL_REFLUX_GSV
    Scenario: A deep vein thrombosis seen on the duplex ultrasound is referred urgently
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                  | heaviness |
        | CEAP clinical class            | 3         |
        | great saphenous reflux (ms)    | 900       |
        | great saphenous diameter (mm)  | 6         |
        | deep vein thrombosis on duplex | yes       |
      When the plan is made
      Then a referral for suspected deep vein thrombosis is recommended urgently for the right leg
      And its reasons include the deep vein thrombosis on duplex of yes
      And compression stockings are deferred for the right leg because of suspected deep vein thrombosis
      And endovenous thermal ablation is contraindicated for the right leg because of deep vein thrombosis on duplex

    @SAFETY_SUSPECTED_DVT @VEIN_THERMAL_ABLATION @VEIN_STOCKINGS @KNEE_HYALURONIC_ACID
    @KNEE_EXERCISE @FINDING_KNEE_OA_XRAY @FINDING_SUPERFICIAL_REFLUX_GSV
    Scenario: Suspected deep vein thrombosis also holds the invasive treatments of the other leg
      Given a 60-year-old man
      And his right leg shows:
        | Wells score | 2 |
      And his left leg shows:
        | knee pain (0-10)              | 5         |
        | Kellgren-Lawrence grade       | 2         |
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then endovenous thermal ablation is deferred for the left leg because of suspected deep vein thrombosis
      And cyanoacrylate glue closure is deferred for the left leg because of suspected deep vein thrombosis
      And hyaluronic acid injection is deferred for the left leg because of suspected deep vein thrombosis
      And compression stockings are recommended for the left leg
      And exercise therapy is recommended for the left leg

    @SAFETY_SUSPECTED_DVT @ASSESS_DUPLEX @ASSESS_DUPLEX_FOR_SUSPECTED_DVT @ADVICE_STOP_SMOKING
    Scenario: Under suspected deep vein thrombosis the duplex ultrasound and advice are still given
      Given a 60-year-old man
      And he is:
        | smoker | yes |
      And his right leg shows:
        | Wells score   | 2         |
        | vein symptoms | heaviness |
      When the plan is made
      Then a referral for suspected deep vein thrombosis is recommended urgently for the right leg
      And duplex ultrasound is recommended for the right leg
      And its reasons include the Wells score of 2
      And stop smoking is recommended for the patient

  Rule: Signs of acute limb ischaemia are an emergency and hold elective care
    Pain, pallor, pulselessness, paraesthesia or paralysis of a leg: the limb is threatened.

    @SAFETY_ACUTE_LIMB_ISCHEMIA @KNEE_EXERCISE @FINDING_KNEE_OA_XRAY
    Scenario: Signs of acute ischaemia are referred as an emergency
      Given a 70-year-old man
      And his right leg shows:
        | signs of acute ischaemia | yes |
        | ankle-brachial index     | 1.0 |
        | knee pain (0-10)         | 5   |
        | Kellgren-Lawrence grade  | 2   |
      When the plan is made
      Then a referral for acute limb ischaemia is recommended as an emergency for the right leg
      And its reasons include the acute ischaemia signs of yes
      And exercise therapy is deferred for the right leg because of acute limb ischaemia
      And no treatment is recommended or offered for the right leg

    @SAFETY_ACUTE_LIMB_ISCHEMIA @SELF_PAY_IA_OPTION @SELF_PAY_EXOSOME_OPTION @KNEE_EXERCISE
    @FINDING_KNEE_CARE_FAILED @FINDING_KNEE_OA_XRAY
    Scenario: Acute limb ischaemia also holds the self-pay injections of the other leg
      Given a 60-year-old woman
      And she accepts self-pay treatment
      And she is:
        | eGFR | 70 |
      And her right leg shows:
        | signs of acute ischaemia | yes |
      And her left leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the left knee for 16 weeks with a partial response
      When the plan is made
      Then a referral for acute limb ischaemia is recommended as an emergency for the right leg
      And the intra-arterial injection (動注治療) is deferred for the left leg because of acute limb ischaemia
      And an exosome injection is deferred for the left leg because of acute limb ischaemia
      And exercise therapy is recommended for the left leg

  Rule: A hot swollen knee is septic arthritis until proven otherwise
    Even without fever (BSR/BHPR/BOA hot swollen joint guideline).

    @SAFETY_SEPTIC_ARTHRITIS @KNEE_STEROID @FINDING_KNEE_OA_XRAY
    Scenario: A hot swollen knee is referred urgently as suspected septic arthritis
      Given a 66-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 7   |
        | Kellgren-Lawrence grade | 2   |
        | hot swollen knee        | yes |
      When the plan is made
      Then a referral for suspected septic arthritis is recommended urgently for the right leg
      And its reasons include the hot swollen knee of yes
      And steroid injection is deferred for the right leg because of suspected septic arthritis
      And no treatment is recommended or offered for the right leg

    @SAFETY_SEPTIC_ARTHRITIS @KNEE_HYALURONIC_ACID @KNEE_STEROID @KNEE_EXERCISE
    @FINDING_KNEE_OA_XRAY
    Scenario: Septic arthritis holds injections into the other knee, not its exercise therapy
      Given a 66-year-old woman
      And her right leg shows:
        | knee pain (0-10) | 7   |
        | hot swollen knee | yes |
      And her left leg shows:
        | knee pain (0-10)        | 4 |
        | Kellgren-Lawrence grade | 2 |
      When the plan is made
      Then hyaluronic acid injection is deferred for the left leg because of suspected septic arthritis
      And steroid injection is deferred for the left leg because of suspected septic arthritis
      And exercise therapy is recommended for the left leg

  Rule: Knee trauma at age 55 or over, or with inability to bear weight, may be a fracture
    The Ottawa knee rule, simplified: after a knee injury, an X-ray from age 55, or at any
    age when the patient cannot bear weight. The knee X-ray itself is always done.

    @ASSESS_KNEE_XRAY_TRAUMA @KNEE_EXERCISE @FINDING_KNEE_OA_XRAY
    Scenario Outline: A knee injury may be a fracture from age 55, or when weight cannot be borne
      Given a <age>-year-old man
      And his right leg shows:
        | knee pain (0-10)        | 6                    |
        | Kellgren-Lawrence grade | 2                    |
        | recent knee trauma      | yes                  |
        | cannot bear weight      | <cannot bear weight> |
      When the plan is made
      Then a referral for possible fracture is <referral> for the right leg
      And knee X-ray is recommended for the right leg
      And exercise therapy is <exercise> for the right leg
      And its reasons include the <reason>

      @SAFETY_POSSIBLE_FRACTURE
      Examples: a possible fracture
        | age | cannot bear weight | referral             | exercise | reason                    |
        | 55  | no                 | recommended urgently | deferred | age of 55                 |
        | 54  | yes                | recommended urgently | deferred | cannot bear weight of yes |
        | 30  | yes                | recommended urgently | deferred | cannot bear weight of yes |

      Examples: no fracture suspected
        | age | cannot bear weight | referral | exercise    | reason                       |
        | 54  | no                 | not made | recommended | Kellgren-Lawrence grade of 2 |

  Rule: A bleeding varicose vein is referred at once
    NICE CG168: refer immediately.

    @SAFETY_BLEEDING_VARICOSE_VEIN @VEIN_STOCKINGS @FINDING_VENOUS_DISEASE_CEAP
    Scenario: A bleeding varicose vein is referred urgently and holds that leg's treatment
      Given a 72-year-old woman
      And her right leg shows:
        | bleeding varicose vein | yes  |
        | CEAP clinical class    | 2    |
        | ankle-brachial index   | 1.05 |
      When the plan is made
      Then a referral for bleeding varicose vein is recommended urgently for the right leg
      And its reasons include the bleeding varicose vein of yes
      And compression stockings are deferred for the right leg because of bleeding varicose vein

    @SAFETY_BLEEDING_VARICOSE_VEIN @SELF_PAY_DIET_OPTION @SELF_PAY_IA_OPTION @KNEE_HYALURONIC_ACID
    @FINDING_OBESITY @FINDING_KNEE_CARE_FAILED @FINDING_KNEE_OA_XRAY
    Scenario: A leg flag holds the treatments for the whole patient, not the other leg's
      Given a 60-year-old woman
      And she accepts self-pay treatment
      And she is:
        | BMI  | 28 |
        | eGFR | 70 |
      And her right leg shows:
        | bleeding varicose vein | yes |
      And her left leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the left knee for 16 weeks with a partial response
      When the plan is made
      Then the medical diet is deferred for the patient because of bleeding varicose vein
      And the intra-arterial injection is an option for the left leg
      And hyaluronic acid injection is recommended for the left leg

  Rule: Sepsis is an emergency and holds everything elective
    Treatments and tests wait, except a duplex ultrasound for a suspected clot and a knee
    X-ray for a possible fracture.

    @SAFETY_SEPSIS @SAFETY_SEPSIS_HOLDS_ROUTINE_DUPLEX @SAFETY_SEPSIS_HOLDS_ROUTINE_KNEE_XRAY
    @ASSESS_DUPLEX @ASSESS_KNEE_XRAY_NO_GRADE @KNEE_EXERCISE @KNEE_WALK_ADVICE
    @FINDING_KNEE_OA_CLINICAL
    Scenario: Sepsis is an emergency and holds treatments and tests, not advice
      Given a 60-year-old man
      And he has sepsis
      And his right leg shows:
        | knee pain (0-10)  | 5             |
        | knee pain pattern | start-up pain |
        | Wells score       | 0             |
      When the plan is made
      Then a referral for sepsis is recommended as an emergency for the patient
      And its reasons include that he has sepsis
      And knee X-ray is deferred for the right leg because of sepsis
      And duplex ultrasound is deferred for the right leg because of sepsis
      And exercise therapy is deferred for the right leg because of sepsis
      And walk within the pain-free range is recommended for the patient

    @SAFETY_SEPSIS @SAFETY_SEPSIS_HOLDS_ROUTINE_DUPLEX @SAFETY_SUSPECTED_DVT @ASSESS_DUPLEX
    Scenario: With sepsis a duplex ultrasound for a suspected clot is still done
      Given a 60-year-old man
      And he has sepsis
      And his right leg shows:
        | Wells score   | 2         |
        | vein symptoms | heaviness |
      And his left leg shows:
        | Wells score   | 1         |
        | vein symptoms | heaviness |
      When the plan is made
      Then duplex ultrasound is recommended for the right leg
      And duplex ultrasound is deferred for the left leg because of sepsis

    @SAFETY_SEPSIS @ASSESS_DUPLEX
    Scenario: With sepsis and no Wells score the duplex ultrasound is still done
      An unknown Wells score does not mean a clot is unlikely.
      Given a 60-year-old man
      And he has sepsis
      And his right leg shows:
        | vein symptoms | heaviness |
      When the plan is made
      Then duplex ultrasound is recommended for the right leg

  Rule: Suspected malignancy is referred urgently and holds everything elective
    Treatments and tests wait, except a duplex ultrasound for a suspected clot and a knee
    X-ray for a possible fracture.

    @SAFETY_SUSPECTED_MALIGNANCY @SAFETY_SUSPECTED_MALIGNANCY_HOLDS_ROUTINE_DUPLEX
    @SAFETY_SUSPECTED_MALIGNANCY_HOLDS_ROUTINE_KNEE_XRAY @ASSESS_DUPLEX
    @ASSESS_KNEE_XRAY_NO_GRADE @VEIN_STOCKINGS @FINDING_VENOUS_DISEASE_CEAP @ADVICE_ELEVATE_LEGS
    Scenario: Suspected malignancy is referred urgently and holds treatments and tests, not advice
      Given a 60-year-old woman
      And she has a suspected malignancy
      And her right leg shows:
        | knee pain (0-10)    | 4         |
        | vein symptoms       | heaviness |
        | CEAP clinical class | 2         |
        | Wells score         | 0         |
      When the plan is made
      Then a referral for suspected malignancy is recommended urgently for the patient
      And its reasons include that she has a suspected malignancy
      And knee X-ray is deferred for the right leg because of suspected malignancy
      And duplex ultrasound is deferred for the right leg because of suspected malignancy
      And compression stockings are deferred for the right leg because of suspected malignancy
      And rest with the legs raised is recommended for the patient

    @SAFETY_SUSPECTED_MALIGNANCY @SAFETY_SUSPECTED_MALIGNANCY_HOLDS_ROUTINE_KNEE_XRAY
    @SAFETY_POSSIBLE_FRACTURE @ASSESS_KNEE_XRAY_TRAUMA @ASSESS_KNEE_XRAY_NO_GRADE
    Scenario: With suspected malignancy a knee X-ray for a possible fracture is still done
      Given a 70-year-old woman
      And she has a suspected malignancy
      And her right leg shows:
        | knee pain (0-10)   | 6   |
        | recent knee trauma | yes |
      And her left leg shows:
        | knee pain (0-10) | 3 |
      When the plan is made
      Then a referral for possible fracture is recommended urgently for the right leg
      And knee X-ray is recommended for the right leg
      And knee X-ray is deferred for the left leg because of suspected malignancy

  Rule: A painful artificial knee is referred for orthopaedic review
    A routine referral: it holds nothing.

    @SAFETY_ORTHOPAEDIC_REVIEW_ARTHROPLASTY @VEIN_STOCKINGS @FINDING_VENOUS_DISEASE_CEAP
    Scenario: A painful artificial knee is referred routinely and the leg's care goes on
      Given a 74-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 5    |
        | artificial knee         | yes  |
        | Kellgren-Lawrence grade | 4    |
        | CEAP clinical class     | 2    |
        | ankle-brachial index    | 1.05 |
      When the plan is made
      Then a referral for orthopaedic review is recommended routinely for the right leg
      And its reasons include the artificial knee of yes
      And compression stockings are recommended for the right leg

    Scenario: An artificial knee without pain is not referred
      Given a 74-year-old woman
      And her right leg shows:
        | knee pain (0-10) | 0   |
        | artificial knee  | yes |
      When the plan is made
      Then there is no referral for the right leg

  Rule: Late knee osteoarthritis (KL 4) after failed knee care is referred for orthopaedic review
    A routine referral: it holds nothing.

    @SAFETY_ORTHOPAEDIC_REVIEW_LATE_OA @KNEE_HYALURONIC_ACID_LATE @FINDING_KNEE_OA_LATE
    @FINDING_KNEE_CARE_FAILED @FINDING_KNEE_OA_XRAY
    Scenario: Late knee osteoarthritis after failed knee care is referred routinely
      Given a 72-year-old man
      And his right leg shows:
        | knee pain (0-10)        | 7 |
        | Kellgren-Lawrence grade | 4 |
      And he had exercise therapy in the right knee for 16 weeks with a partial response
      When the plan is made
      Then a referral for orthopaedic review is recommended routinely for the right leg
      And its reasons include the Kellgren-Lawrence grade of 4
      And hyaluronic acid injection is an option for the right leg

    @KNEE_HYALURONIC_ACID_LATE @FINDING_KNEE_OA_LATE
    Scenario: Late knee osteoarthritis still in its first course of care is not yet referred
      Given a 72-year-old man
      And his right leg shows:
        | knee pain (0-10)        | 7 |
        | Kellgren-Lawrence grade | 4 |
      And he had exercise therapy in the right knee for 8 weeks with a partial response
      When the plan is made
      Then there is no referral for the right leg
      And hyaluronic acid injection is an option for the right leg

  Rule: An ankle-brachial index below 0.5 is referred for arterial review
    A routine referral: it holds nothing.

    @SAFETY_ARTERIAL_REVIEW @KNEE_HYALURONIC_ACID @FINDING_ARTERIAL_DISEASE_ABI
    Scenario: An ankle-brachial index of 0.45 is referred routinely for arterial review
      Given a 70-year-old man
      And his right leg shows:
        | ankle-brachial index    | 0.45 |
        | knee pain (0-10)        | 5    |
        | Kellgren-Lawrence grade | 2    |
      When the plan is made
      Then a referral for arterial review is recommended routinely for the right leg
      And its reasons include the ankle-brachial index of 0.45
      And hyaluronic acid injection is recommended for the right leg

    @KNEE_HYALURONIC_ACID @FINDING_ARTERIAL_DISEASE_ABI
    Scenario Outline: Arterial review starts below an ankle-brachial index of 0.5
      Given a 70-year-old man
      And his right leg shows:
        | ankle-brachial index    | <ABI> |
        | knee pain (0-10)        | 5     |
        | Kellgren-Lawrence grade | 2     |
      When the plan is made
      Then a referral for arterial review is <referral> for the right leg
      And hyaluronic acid injection is recommended for the right leg

      @SAFETY_ARTERIAL_REVIEW
      Examples: below 0.5
        | ABI  | referral              |
        | 0.49 | recommended routinely |

      Examples: 0.5 or more
        | ABI | referral |
        | 0.5 | not made |
