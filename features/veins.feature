@veins
Feature: The vein track - compression stockings first, then endovenous treatment
  Lower-limb venous disease (下肢静脈瘤, chronic venous insufficiency) is treated leg by leg.
  A leg with venous disease gets compression stockings (弾性ストッキング) at a pressure that
  suits its CEAP clinical class, the patient's age and the leg's arteries. A leg whose duplex
  ultrasound (下肢静脈エコー検査) shows significant superficial reflux is on the path to
  endovenous treatment: endovenous thermal ablation (血管内焼灼術, laser or radiofrequency) or
  cyanoacrylate glue closure (グルー治療, 血管内塞栓術). The leg qualifies at CEAP C3 (oedema)
  or above, or once stockings have failed or cannot be worn; until then endovenous treatment
  is the next step. Endovenous treatment is insured; stockings are paid by the patient except
  for an active venous ulcer (C6).

  Rule: Superficial reflux longer than 500 ms and deep reflux longer than 1 second are significant

    Scenario Outline: Saphenous reflux counts from more than 500 ms
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms        | heaviness |
        | <trunk> reflux (ms)  | <reflux>  |
        | <trunk> diameter (mm)| 6         |
      When the plan is made
      Then the plan <shows> the finding significant superficial reflux for the right leg
      And endovenous thermal ablation is <ablation> for the right leg

      @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_REFLUX @VEIN_STOCKINGS
      @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NEXT_STEP
      Examples: great saphenous reflux longer than 500 ms
        | trunk           | reflux | shows | ablation      |
        | great saphenous | 501    | shows | the next step |

      @FINDING_SUPERFICIAL_REFLUX_SSV @FINDING_VENOUS_DISEASE_REFLUX @VEIN_STOCKINGS
      @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NEXT_STEP
      Examples: small saphenous reflux longer than 500 ms
        | trunk           | reflux | shows | ablation      |
        | small saphenous | 501    | shows | the next step |

      Examples: saphenous reflux of 500 ms or less
        | trunk           | reflux | shows         | ablation    |
        | great saphenous | 500    | does not show | not offered |
        | small saphenous | 500    | does not show | not offered |

    Scenario Outline: Femoral or popliteal reflux counts from more than 1 second
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms       | evening swelling |
        | CEAP clinical class | 1                |
        | deep reflux (ms)    | <deep>           |
      When the plan is made
      Then the plan <shows> the finding deep reflux for the right leg
      And compression stockings are <stockings> for the right leg
      And endovenous thermal ablation is not offered for the right leg

      @FINDING_DEEP_REFLUX @FINDING_VENOUS_DISEASE_REFLUX @VEIN_STOCKINGS
      Examples: deep reflux longer than 1 second
        | deep | shows | stockings   |
        | 1001 | shows | recommended |

      Examples: deep reflux of 1 second or less
        | deep | shows         | stockings   |
        | 1000 | does not show | not offered |

  Rule: Venous disease is CEAP C2 (varicose veins) or above, or significant reflux with a vein symptom

    Scenario Outline: Varicose veins are venous disease without a duplex
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class | <ceap> |
      When the plan is made
      Then the plan <shows> the finding venous disease for the right leg
      And compression stockings are <stockings> for the right leg

      @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_PRESSURE_MILD
      Examples: varicose veins (C2)
        | ceap | shows | stockings   |
        | 2    | shows | recommended |

      Examples: spider or reticular veins only (C1)
        | ceap | shows         | stockings   |
        | 1    | does not show | not offered |

    @FINDING_SUPERFICIAL_REFLUX_GSV
    Scenario: Significant reflux without a vein symptom or varicose veins is not treated
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class           | 1   |
        | great saphenous reflux (ms)   | 900 |
        | great saphenous diameter (mm) | 6   |
      When the plan is made
      Then the plan shows the finding significant superficial reflux for the right leg
      And the plan does not show the finding venous disease for the right leg
      And compression stockings are not offered for the right leg
      And endovenous thermal ablation is not offered for the right leg
      And cyanoacrylate glue closure is not offered for the right leg

  Rule: Stockings are 20-30 mmHg up to CEAP C2 and 30-40 mmHg from C3, paid by the patient

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_PRESSURE_MILD
    Scenario: Varicose veins get 20-30 mmHg stockings at the patient's own cost
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms       | heaviness, bulging veins |
        | CEAP clinical class | 2                        |
      When the plan is made
      Then compression stockings are recommended for the right leg
      And its reasons include the CEAP clinical class of 2
      And its reasons show the finding venous disease
      And the stockings are 20-30 mmHg
      And the pressure is set by the CEAP clinical class of 2
      And they are covered by the patient (self-pay)

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    Scenario Outline: The pressure steps up at CEAP C3 (oedema)
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class | <ceap> |
      When the plan is made
      Then compression stockings are recommended for the right leg
      And the stockings are <pressure> mmHg
      And the pressure is set by the CEAP clinical class of <ceap>

      @VEIN_STOCKINGS_PRESSURE_MILD
      Examples: up to C2
        | ceap | pressure |
        | 2    | 20-30    |

      @VEIN_STOCKINGS_PRESSURE_STRONG
      Examples: from C3
        | ceap | pressure |
        | 3    | 30-40    |

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_REFLUX @VEIN_STOCKINGS
    @VEIN_STOCKINGS_PRESSURE_MILD
    Scenario: Without a CEAP class, stockings are 20-30 mmHg
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | night cramps         |
        | CEAP clinical class           | not known            |
        | great saphenous reflux (ms)   | 800                  |
        | great saphenous diameter (mm) | 6                    |
      When the plan is made
      Then compression stockings are recommended for the right leg
      And its reasons show the finding significant superficial reflux
      And the stockings are 20-30 mmHg

  Rule: From age 75 stockings are 20-30 mmHg whatever the CEAP class

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    Scenario Outline: An older patient gets the milder stockings
      Given a <age>-year-old woman
      And her right leg shows:
        | CEAP clinical class  | 3    |
        | ankle-brachial index | 1.05 |
      When the plan is made
      Then compression stockings are recommended for the right leg
      And the stockings are <pressure> mmHg
      And the pressure is set by the age of <age>

      @VEIN_STOCKINGS_PRESSURE_STRONG
      Examples: under 75
        | age | pressure |
        | 74  | 30-40    |

      @VEIN_STOCKINGS_PRESSURE_ELDERLY
      Examples: from 75
        | age | pressure |
        | 75  | 20-30    |

  Rule: With an ankle-brachial index (ABI) from 0.6 to below 0.8 stockings are of reduced pressure

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    Scenario Outline: The ankle-brachial index lowers the pressure
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class  | 3     |
        | ankle-brachial index | <abi> |
      When the plan is made
      Then compression stockings are recommended for the right leg
      And the stockings are <pressure> mmHg
      And the pressure is set by the ankle-brachial index of <abi>

      @VEIN_STOCKINGS_PRESSURE_REDUCED
      Examples: ABI from 0.6 to below 0.8
        | abi  | pressure |
        | 0.6  | <=20     |
        | 0.79 | <=20     |

      @VEIN_STOCKINGS_PRESSURE_STRONG
      Examples: ABI of 0.8 or more
        | abi | pressure |
        | 0.8 | 30-40    |

  Rule: Stockings for an active venous ulcer (C6) are insured, and the ulcer gets wound care (創傷ケア)

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_PRESSURE_STRONG
    @VEIN_STOCKINGS_INSURED_FOR_ULCER @VEIN_WOUND_CARE_ULCER
    Scenario: An active venous ulcer
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms       | skin pigmentation |
        | CEAP clinical class | 6                 |
      When the plan is made
      Then compression stockings are recommended for the right leg
      And the stockings are 30-40 mmHg
      And they are covered by insurance
      And the coverage is set by the CEAP clinical class of 6
      And wound care is recommended for the right leg
      And its reasons include the CEAP clinical class of 6
      And it is covered by insurance

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    Scenario Outline: Only an active ulcer is insured; a healed ulcer (C5) is not
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class | <ceap> |
      When the plan is made
      Then compression stockings are recommended for the right leg
      And they are covered by <coverage>
      And wound care is <wound care> for the right leg

      @VEIN_STOCKINGS_INSURED_FOR_ULCER @VEIN_WOUND_CARE_ULCER
      Examples: active ulcer
        | ceap | coverage              | wound care  |
        | 6    | insurance             | recommended |

      Examples: healed ulcer
        | ceap | coverage              | wound care  |
        | 5    | the patient (self-pay) | not offered |

  Rule: Stockings are not used where compression can harm the leg

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_NOT_WITH_LOW_ABI
    @FINDING_ARTERIAL_DISEASE_ABI
    Scenario: An ankle-brachial index below 0.6
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class  | 3    |
        | ankle-brachial index | 0.59 |
      When the plan is made
      Then compression stockings are contraindicated for the right leg because of ankle-brachial index below 0.6
      And its reasons include the ankle-brachial index of 0.59
      And no stocking pressure is prescribed
      And the plan shows the finding arterial disease for the right leg

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_NOT_WITH_ACUTE_ISCHEMIA
    @SAFETY_ACUTE_LIMB_ISCHEMIA
    Scenario: Signs of acute ischaemia
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class      | 2   |
        | signs of acute ischaemia | yes |
      When the plan is made
      Then a referral for acute limb ischaemia is recommended as an emergency for the right leg
      And compression stockings are contraindicated for the right leg because of signs of acute ischaemia

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_NOT_WITH_HEART_FAILURE
    Scenario: Heart failure
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class | 3 |
      And he has heart failure
      When the plan is made
      Then compression stockings are contraindicated for the right leg because of heart failure
      And its reasons name heart failure
      And no stocking pressure is prescribed

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_NOT_WITH_SEVERE_NEUROPATHY
    Scenario: Severe neuropathy
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class | 2 |
      And he has severe neuropathy
      When the plan is made
      Then compression stockings are contraindicated for the right leg because of severe neuropathy
      And its reasons name severe neuropathy

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_NOT_WITH_SKIN_INFECTION
    Scenario: A skin infection
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class | 4 |
      And he has a skin infection
      When the plan is made
      Then compression stockings are contraindicated for the right leg because of skin infection
      And its reasons name a skin infection

    @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS @VEIN_STOCKINGS_NOT_WITH_MATERIAL_ALLERGY
    Scenario: An allergy to the stocking material
      Given a 60-year-old man
      And his right leg shows:
        | CEAP clinical class | 2 |
      And he is allergic to the stocking material
      When the plan is made
      Then compression stockings are contraindicated for the right leg because of allergy to the stocking material
      And its reasons name an allergy to the stocking material

  Rule: Significant superficial reflux with a vein symptom or varicose veins puts endovenous treatment on the path

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NEXT_STEP
    Scenario: Stockings now, endovenous treatment next
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 2         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then compression stockings are recommended for the right leg
      And endovenous thermal ablation is the next step for the right leg
      And its reasons show the finding endovenous treatment on the path
      And its reasons include the great saphenous reflux (ms) of 900
      And it is covered by insurance
      And cyanoacrylate glue closure is a next step for the right leg

    @FINDING_SUPERFICIAL_REFLUX_GSV
    Scenario Outline: The reflux must come with a vein symptom or varicose veins
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | <symptoms> |
        | CEAP clinical class           | <ceap>     |
        | great saphenous reflux (ms)   | 900        |
        | great saphenous diameter (mm) | 6          |
      When the plan is made
      Then endovenous thermal ablation is <ablation> for the right leg
      And cyanoacrylate glue closure is <glue> for the right leg

      @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NEXT_STEP
      Examples: a vein symptom or varicose veins
        | symptoms       | ceap | ablation      | glue        |
        | night cramps   | 1    | the next step | a next step |
        | none           | 2    | the next step | a next step |

      Examples: neither
        | symptoms | ceap | ablation    | glue        |
        | none     | 1    | not offered | not offered |

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    Scenario Outline: A leg already treated is not offered endovenous treatment again
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he had <treatment> on the right leg for 20 weeks with a good response
      When the plan is made
      Then compression stockings are recommended for the right leg
      And endovenous thermal ablation is not offered for the right leg
      And cyanoacrylate glue closure is not offered for the right leg
      And the plan does not show the finding endovenous treatment on the path for the right leg

      Examples:
        | treatment                   |
        | endovenous thermal ablation |
        | cyanoacrylate glue closure  |

  Rule: The leg qualifies for endovenous treatment at CEAP C3 or above, or after stockings failed

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_ENDOVENOUS_CANDIDATE
    Scenario Outline: CEAP C3 (oedema) qualifies without a stockings trial
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | <ceap>    |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then endovenous thermal ablation is <ablation> for the right leg
      And its reasons include the CEAP clinical class of <ceap>
      And cyanoacrylate glue closure is <glue> for the right leg

      @VEIN_ENDOVENOUS_NEXT_STEP
      Examples: up to C2
        | ceap | ablation      | glue        |
        | 2    | the next step | a next step |

      @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
      Examples: from C3
        | ceap | ablation    | glue      |
        | 3    | recommended | an option |

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_ENDOVENOUS_CANDIDATE
    Scenario Outline: Twelve weeks of stockings without good response qualify the leg
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 2         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he had compression stockings on the right leg for <weeks> weeks with <response>
      When the plan is made
      Then endovenous thermal ablation is <ablation> for the right leg
      And cyanoacrylate glue closure is <glue> for the right leg

      @FINDING_STOCKINGS_FAILED_COURSE @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION
      @VEIN_GLUE_OPTION
      Examples: stockings failed
        | weeks | response           | ablation    | glue      |
        | 12    | a partial response | recommended | an option |
        | 12    | no response        | recommended | an option |

      @VEIN_ENDOVENOUS_NEXT_STEP
      Examples: stockings not yet failed
        | weeks | response           | ablation      | glue        |
        | 11    | a partial response | the next step | a next step |
        | 12    | a good response    | the next step | a next step |

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_ENDOVENOUS_CANDIDATE
    @FINDING_STOCKINGS_FAILED_COURSE @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION
    Scenario: Stockings not tolerated for twelve weeks have failed
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 2         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he had compression stockings on the right leg for 12 weeks and it was not tolerated
      When the plan is made
      Then endovenous thermal ablation is recommended for the right leg
      And its reasons show the finding stockings failed or contraindicated

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @VEIN_STOCKINGS
    @VEIN_STOCKINGS_NOT_WITH_MATERIAL_ALLERGY @FINDING_STOCKINGS_FAILED_CONTRAINDICATED
    @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
    Scenario: Stockings that cannot be worn count as failed stockings
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 2         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he is allergic to the stocking material
      When the plan is made
      Then compression stockings are contraindicated for the right leg because of allergy to the stocking material
      And endovenous thermal ablation is recommended for the right leg
      And its reasons show the finding stockings failed or contraindicated
      And cyanoacrylate glue closure is an option for the right leg

  Rule: Thermal ablation is recommended with glue as the alternative, swapped when the patient prefers treatment without heat

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
    Scenario: Thermal ablation first, glue the alternative
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness, evening swelling |
        | CEAP clinical class           | 3                           |
        | great saphenous reflux (ms)   | 1200                        |
        | great saphenous diameter (mm) | 7.5                         |
      When the plan is made
      Then endovenous thermal ablation is recommended for the right leg
      And its reasons show the finding qualifies for endovenous treatment
      And its evidence says NICE CG168
      And cyanoacrylate glue closure is an option for the right leg

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_GLUE_PREFERRED @VEIN_THERMAL_ABLATION_ALTERNATIVE
    Scenario: A patient who prefers treatment without heat gets glue
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he prefers treatment without heat
      When the plan is made
      Then cyanoacrylate glue closure is recommended for the right leg
      And its reasons name a preference for treatment without heat
      And endovenous thermal ablation is an option for the right leg

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_GLUE_NOT_WITH_ALLERGY @VEIN_THERMAL_ABLATION
    Scenario: If glue cannot be used, thermal ablation is recommended even to a patient who prefers glue
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he prefers treatment without heat
      And he is allergic to cyanoacrylate
      When the plan is made
      Then cyanoacrylate glue closure is contraindicated for the right leg because of cyanoacrylate allergy
      And endovenous thermal ablation is recommended for the right leg

  Rule: Endovenous treatment is contraindicated by pregnancy, deep vein thrombosis, arterial disease, inability to walk, thrombophilia, hormone therapy and active infection

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NOT_IN_PREGNANCY
    @VEIN_STOCKINGS
    Scenario: Pregnancy
      Given a 32-year-old woman
      And she is:
        | pregnant | yes |
      And her right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then endovenous thermal ablation is contraindicated for the right leg because of pregnancy
      And its reasons name pregnancy
      And its evidence says JSP 2010
      And cyanoacrylate glue closure is contraindicated for the right leg because of pregnancy
      And compression stockings are recommended for the right leg

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NOT_AFTER_DVT
    Scenario: A previous deep vein thrombosis (深部静脈血栓症)
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he has a history of deep vein thrombosis
      When the plan is made
      Then endovenous thermal ablation is contraindicated for the right leg because of previous deep vein thrombosis
      And its reasons name a history of deep vein thrombosis
      And its evidence says JSP 2010
      And cyanoacrylate glue closure is contraindicated for the right leg because of previous deep vein thrombosis

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE
    @VEIN_ENDOVENOUS_NOT_WITH_DVT_ON_DUPLEX @SAFETY_SUSPECTED_DVT
    Scenario: A deep vein thrombosis on the duplex
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                  | heaviness |
        | CEAP clinical class            | 3         |
        | great saphenous reflux (ms)    | 900       |
        | great saphenous diameter (mm)  | 6         |
        | deep vein thrombosis on duplex | yes       |
      When the plan is made
      Then a referral for suspected deep vein thrombosis is recommended urgently for the right leg
      And endovenous thermal ablation is contraindicated for the right leg because of deep vein thrombosis on duplex
      And its reasons include the deep vein thrombosis on duplex of yes
      And its evidence says JSP 2010
      And cyanoacrylate glue closure is contraindicated for the right leg because of deep vein thrombosis on duplex
      And compression stockings are deferred for the right leg because of suspected deep vein thrombosis

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @FINDING_ARTERIAL_DISEASE_ABI
    Scenario Outline: Arterial disease with an ankle-brachial index below 0.8
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | ankle-brachial index          | <abi>     |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then the plan shows the finding arterial disease for the right leg
      And endovenous thermal ablation is <ablation> for the right leg
      And cyanoacrylate glue closure is <glue> for the right leg

      @VEIN_ENDOVENOUS_NOT_WITH_ARTERIAL_DISEASE
      Examples: ABI below 0.8
        | abi  | ablation        | glue            |
        | 0.79 | contraindicated | contraindicated |

      @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
      Examples: ABI of 0.8 or more
        | abi | ablation    | glue      |
        | 0.8 | recommended | an option |

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @FINDING_ARTERIAL_DISEASE_ABI
    @VEIN_ENDOVENOUS_NOT_WITH_ARTERIAL_DISEASE
    Scenario: An ankle-brachial index of 0.79 is arterial disease that excludes endovenous treatment
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | ankle-brachial index          | 0.79      |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      When the plan is made
      Then endovenous thermal ablation is contraindicated for the right leg because of arterial disease
      And its reasons include the ankle-brachial index of 0.79
      And its evidence says JSP 2010

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @FINDING_ARTERIAL_DISEASE_KNOWN
    @VEIN_ENDOVENOUS_NOT_WITH_ARTERIAL_DISEASE @FINDING_ARTERIAL_RISK @ASSESS_ABI_AT_RISK
    Scenario: Known peripheral arterial disease excludes endovenous treatment before the ABI is measured
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he has peripheral arterial disease
      When the plan is made
      Then the plan shows the finding arterial disease for the right leg
      And endovenous thermal ablation is contraindicated for the right leg because of arterial disease
      And its reasons name peripheral arterial disease
      And cyanoacrylate glue closure is contraindicated for the right leg because of arterial disease
      And ankle-brachial index measurement is recommended for the right leg
      And compression stockings are deferred for the right leg because of ankle-brachial index unknown

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NOT_WHEN_IMMOBILE
    Scenario: A patient who cannot walk
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he has immobility
      When the plan is made
      Then endovenous thermal ablation is contraindicated for the right leg because of unable to walk
      And its reasons name immobility
      And its evidence says JSP 2010
      And cyanoacrylate glue closure is contraindicated for the right leg because of unable to walk

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NOT_WITH_THROMBOPHILIA
    Scenario: Thrombophilia
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he has thrombophilia
      When the plan is made
      Then endovenous thermal ablation is contraindicated for the right leg because of thrombophilia
      And its reasons name thrombophilia
      And its evidence says JSP 2010
      And cyanoacrylate glue closure is contraindicated for the right leg because of thrombophilia

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE
    @VEIN_ENDOVENOUS_NOT_WITH_HORMONE_THERAPY
    Scenario: Hormone therapy
      Given a 58-year-old woman
      And her right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And she has hormone therapy
      When the plan is made
      Then endovenous thermal ablation is contraindicated for the right leg because of hormone therapy
      And its reasons name hormone therapy
      And its evidence says JSP 2010
      And cyanoacrylate glue closure is contraindicated for the right leg because of hormone therapy

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE
    @VEIN_ENDOVENOUS_NOT_WITH_ACTIVE_INFECTION
    Scenario: An active infection
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he has an active infection
      When the plan is made
      Then endovenous thermal ablation is contraindicated for the right leg because of active infection
      And its reasons name an active infection
      And cyanoacrylate glue closure is contraindicated for the right leg because of active infection

  Rule: Glue is not used with a cyanoacrylate allergy, sepsis or a refluxing trunk wider than 12 mm

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_GLUE_NOT_WITH_ALLERGY @VEIN_THERMAL_ABLATION
    Scenario: A cyanoacrylate allergy
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he is allergic to cyanoacrylate
      When the plan is made
      Then cyanoacrylate glue closure is contraindicated for the right leg because of cyanoacrylate allergy
      And its reasons name an allergy to cyanoacrylate
      And its evidence says VenaSeal
      And endovenous thermal ablation is recommended for the right leg

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_GLUE_NOT_WITH_SEPSIS @VEIN_THERMAL_ABLATION @SAFETY_SEPSIS
    Scenario: Sepsis
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 6         |
      And he has sepsis
      When the plan is made
      Then a referral for sepsis is recommended as an emergency for the patient
      And cyanoacrylate glue closure is contraindicated for the right leg because of sepsis
      And its reasons name sepsis
      And endovenous thermal ablation is deferred for the right leg because of sepsis

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_GLUE_NOT_FOR_WIDE_TRUNK @VEIN_THERMAL_ABLATION
    Scenario: A refluxing great saphenous trunk wider than 12 mm
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 12.1      |
      When the plan is made
      Then cyanoacrylate glue closure is contraindicated for the right leg because of refluxing trunk wider than 12 mm
      And its reasons include the great saphenous diameter (mm) of 12.1
      And its reasons include the great saphenous reflux (ms) of 900
      And endovenous thermal ablation is recommended for the right leg

    @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES @VEIN_THERMAL_ABLATION
    Scenario Outline: Glue is used for a refluxing trunk up to 12 mm wide
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms          | heaviness  |
        | CEAP clinical class    | 3          |
        | <trunk> reflux (ms)    | 900        |
        | <trunk> diameter (mm)  | <diameter> |
      When the plan is made
      Then cyanoacrylate glue closure is <glue> for the right leg
      And endovenous thermal ablation is recommended for the right leg

      @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_GLUE_OPTION
      Examples: great saphenous trunk up to 12 mm
        | trunk           | diameter | glue      |
        | great saphenous | 12       | an option |

      @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_GLUE_NOT_FOR_WIDE_TRUNK
      Examples: great saphenous trunk wider than 12 mm
        | trunk           | diameter | glue            |
        | great saphenous | 12.1     | contraindicated |

      @FINDING_SUPERFICIAL_REFLUX_SSV @VEIN_GLUE_OPTION
      Examples: small saphenous trunk up to 12 mm
        | trunk           | diameter | glue      |
        | small saphenous | 12       | an option |

      @FINDING_SUPERFICIAL_REFLUX_SSV @VEIN_GLUE_NOT_FOR_WIDE_TRUNK
      Examples: small saphenous trunk wider than 12 mm
        | trunk           | diameter | glue            |
        | small saphenous | 12.1     | contraindicated |

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_THERMAL_ABLATION @VEIN_GLUE_OPTION
    Scenario: A wide trunk without reflux does not stop glue
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | 8         |
        | small saphenous reflux (ms)   | 0         |
        | small saphenous diameter (mm) | 13        |
      When the plan is made
      Then cyanoacrylate glue closure is an option for the right leg

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_GLUE_WAITS_FOR_DIAMETER @VEIN_THERMAL_ABLATION
    Scenario: Glue waits while the refluxing trunk's diameter is unknown
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                 | heaviness |
        | CEAP clinical class           | 3         |
        | great saphenous reflux (ms)   | 900       |
        | great saphenous diameter (mm) | not measured |
      When the plan is made
      Then cyanoacrylate glue closure is deferred for the right leg because of diameter of the refluxing trunk unknown
      And its reasons include the great saphenous reflux (ms) of 900
      And endovenous thermal ablation is recommended for the right leg

  Rule: Endovenous treatment waits while superficial thrombophlebitis (表在性血栓性静脈炎) is acute

    @FINDING_SUPERFICIAL_REFLUX_GSV @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_QUALIFIES
    @VEIN_ENDOVENOUS_WAITS_FOR_THROMBOPHLEBITIS @VEIN_STOCKINGS
    Scenario: Acute superficial thrombophlebitis
      Given a 60-year-old man
      And his right leg shows:
        | vein symptoms                      | heaviness |
        | CEAP clinical class                | 3         |
        | acute superficial thrombophlebitis | yes       |
        | great saphenous reflux (ms)        | 900       |
        | great saphenous diameter (mm)      | 6         |
      When the plan is made
      Then endovenous thermal ablation is deferred for the right leg because of acute superficial thrombophlebitis
      And its reasons include the acute superficial thrombophlebitis of yes
      And cyanoacrylate glue closure is deferred for the right leg because of acute superficial thrombophlebitis
      And compression stockings are recommended for the right leg

  Rule: When the knee pain may be vascular, the veins are treated before the self-pay knee options

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @FINDING_VASCULAR_PAIN_VENOUS
    @VEIN_ENDOVENOUS_CANDIDATE @VEIN_VEINS_FIRST
    Scenario: Knee pain worse after standing with varicose veins and reflux
      Given a 60-year-old man
      And his right leg shows:
        | knee pain (0-10)              | 5                    |
        | knee pain pattern             | worse after standing |
        | Kellgren-Lawrence grade       | 2                    |
        | vein symptoms                 | heaviness            |
        | CEAP clinical class           | 2                    |
        | great saphenous reflux (ms)   | 900                  |
        | great saphenous diameter (mm) | 6                    |
      When the plan is made
      Then the plan shows the finding vascular knee pain suspected for the right leg
      And the plan shows the finding the veins come first for the right leg

    @FINDING_SUPERFICIAL_REFLUX_GSV @FINDING_VENOUS_DISEASE_CEAP @FINDING_VASCULAR_PAIN_VENOUS
    @VEIN_ENDOVENOUS_CANDIDATE @VEIN_ENDOVENOUS_NOT_WITH_HORMONE_THERAPY
    Scenario: Endovenous treatment that cannot be done does not hold the knee options back
      Given a 58-year-old woman
      And her right leg shows:
        | knee pain (0-10)              | 5                     |
        | knee pain pattern             | relieved by elevation |
        | Kellgren-Lawrence grade       | 2                     |
        | vein symptoms                 | heaviness             |
        | CEAP clinical class           | 2                     |
        | great saphenous reflux (ms)   | 900                   |
        | great saphenous diameter (mm) | 6                     |
      And she has hormone therapy
      When the plan is made
      Then the plan shows the finding vascular knee pain suspected for the right leg
      And endovenous thermal ablation is contraindicated for the right leg because of hormone therapy
      And the plan does not show the finding the veins come first for the right leg
