@advice
Feature: Lifestyle advice (生活指導)
  The clinic gives everyday advice whenever its trigger holds, at every phase of care and also
  while a red flag holds elective treatment. Advice is for the whole patient, not for one
  leg. Each piece of advice answers one habit the clinic asks about: long standing (立ち仕事),
  sitting on the floor (正座・横座り), a Japanese-style toilet (和式トイレ), sleeping on a
  futon (布団), smoking and drinking; and, for venous disease or knee pain that may be
  vascular, resting with the legs raised (足を高くして休む) and drinking enough water
  (こまめな水分補給), unless the arteries or the heart make that advice unsafe. Weight
  management (体重管理) is advised from a BMI of 25.

  Rule: Four or more hours a day on one's feet - avoid prolonged standing

    @ADVICE_AVOID_PROLONGED_STANDING
    Scenario: A patient who stands at work
      Given a 52-year-old man
      And the right leg is examined
      And he has:
        | hours standing a day | 8 |
      When the plan is made
      Then avoid prolonged standing is recommended for the patient
      And its reasons include the hours standing a day of 8

    Scenario Outline: Standing counts from four hours a day
      Given a 52-year-old man
      And the right leg is examined
      And he has:
        | hours standing a day | <hours> |
      When the plan is made
      Then avoid prolonged standing is <advice> for the patient

      @ADVICE_AVOID_PROLONGED_STANDING
      Examples: four hours or more
        | hours | advice      |
        | 4     | recommended |

      Examples: less than four hours
        | hours | advice          |
        | 3.9   | not in the plan |

  Rule: Sitting on the floor (seiza or side-sitting) - sit on a chair instead

    @ADVICE_AVOID_FLOOR_SITTING
    Scenario: A patient who sits on the floor
      Given a 70-year-old woman
      And the right leg is examined
      And she has:
        | sits on the floor | yes |
      When the plan is made
      Then avoid sitting on the floor is recommended for the patient
      And its reasons include sits on the floor of yes

  Rule: A Japanese-style toilet - use a Western-style toilet

    @ADVICE_USE_WESTERN_TOILET
    Scenario: A patient who uses a Japanese-style toilet
      Given a 70-year-old woman
      And the right leg is examined
      And she has:
        | Japanese-style toilet | yes |
      When the plan is made
      Then use a Western-style toilet is recommended for the patient
      And its reasons include the Japanese-style toilet of yes

  Rule: Sleeping on a futon - sleep in a bed

    @ADVICE_USE_BED
    Scenario: A patient who sleeps on a futon
      Given a 70-year-old woman
      And the right leg is examined
      And she has:
        | sleeps on a futon | yes |
      When the plan is made
      Then sleep in a bed rather than on a futon is recommended for the patient
      And its reasons include sleeps on a futon of yes

  Rule: A smoker is advised to stop (禁煙)

    @ADVICE_STOP_SMOKING
    Scenario: A smoker
      Given a 50-year-old man
      And the right leg is examined
      And he has:
        | smoker | yes |
      When the plan is made
      Then stop smoking is recommended for the patient
      And its reasons include the smoker of yes

    @ADVICE_STOP_SMOKING @SAFETY_SUSPECTED_DVT
    Scenario: Advice is still given while a red flag holds elective treatment
      Given a 50-year-old man
      And he has:
        | smoker | yes |
      And his right leg shows:
        | Wells score         | 2 |
        | CEAP clinical class | 2 |
      When the plan is made
      Then a referral for suspected deep vein thrombosis is recommended urgently for the right leg
      And compression stockings are deferred for the right leg because of suspected deep vein thrombosis
      And stop smoking is recommended for the patient

  Rule: Drinking more than 14 drinks a week (men) or 7 (women) - drink less (飲酒を控える)

    Scenario Outline: The limit is 14 standard drinks a week for a man and 7 for a woman
      Given a 55-year-old <sex>
      And the right leg is examined
      And the patient has:
        | alcohol (drinks a week) | <drinks> |
      When the plan is made
      Then drink less alcohol is <advice> for the patient

      @ADVICE_LIMIT_ALCOHOL_MEN
      Examples: a man drinking more than 14
        | sex | drinks | advice      |
        | man | 15     | recommended |

      Examples: a man drinking 14 or fewer
        | sex | drinks | advice          |
        | man | 14     | not in the plan |
        | man | 8      | not in the plan |

      @ADVICE_LIMIT_ALCOHOL_WOMEN
      Examples: a woman drinking more than 7
        | sex   | drinks | advice      |
        | woman | 8      | recommended |

      Examples: a woman drinking 7 or fewer
        | sex   | drinks | advice          |
        | woman | 7      | not in the plan |

    @ADVICE_LIMIT_ALCOHOL_WOMEN
    Scenario: The reasons show the drinks and the sex
      Given a 55-year-old woman
      And the right leg is examined
      And she has:
        | alcohol (drinks a week) | 10 |
      When the plan is made
      Then drink less alcohol is recommended for the patient
      And its reasons include the alcohol (drinks a week) of 10
      And its reasons include the sex of female

  Rule: Venous disease or vascular knee pain - rest with the legs raised and drink enough water

    @FINDING_VENOUS_DISEASE_CEAP @ADVICE_ELEVATE_LEGS @ADVICE_STAY_HYDRATED
    Scenario: Varicose veins
      Given a 60-year-old woman
      And her right leg shows:
        | vein symptoms       | evening swelling |
        | CEAP clinical class | 2                |
      When the plan is made
      Then rest with the legs raised is recommended for the patient
      And its reasons show the finding venous disease
      And its reasons include the CEAP clinical class of 2
      And drink enough water is recommended for the patient
      And its reasons show the finding venous disease

    @FINDING_VASCULAR_PAIN_SYMPTOMS @ADVICE_ELEVATE_LEGS @ADVICE_STAY_HYDRATED
    Scenario: Knee pain that may be vascular, before any venous disease is found
      Given a 60-year-old woman
      And her right leg shows:
        | knee pain (0-10)    | 4                          |
        | knee pain pattern   | worse after standing       |
        | vein symptoms       | heaviness, evening swelling |
        | CEAP clinical class | 1                          |
      When the plan is made
      Then the plan does not show the finding venous disease for the right leg
      And rest with the legs raised is recommended for the patient
      And its reasons show the finding vascular knee pain suspected
      And drink enough water is recommended for the patient

    Scenario Outline: Two vein symptoms with standing-related knee pain make the pain look vascular
      Given a 60-year-old woman
      And her right leg shows:
        | knee pain (0-10)    | 4                 |
        | knee pain pattern   | <pattern>         |
        | vein symptoms       | <symptoms>        |
        | CEAP clinical class | 1                 |
      When the plan is made
      Then the plan <shows> the finding vascular knee pain suspected for the right leg
      And rest with the legs raised is <advice> for the patient
      And drink enough water is <advice> for the patient

      @FINDING_VASCULAR_PAIN_SYMPTOMS @ADVICE_ELEVATE_LEGS @ADVICE_STAY_HYDRATED
      Examples: two vein symptoms and a standing-related pattern
        | pattern               | symptoms                   | shows | advice      |
        | relieved by elevation | night cramps, heaviness    | shows | recommended |

      Examples: one vein symptom, or pain only on movement
        | pattern              | symptoms                | shows         | advice          |
        | worse after standing | heaviness               | does not show | not in the plan |
        | pain on movement     | night cramps, heaviness | does not show | not in the plan |

  Rule: Legs are not raised when a leg shows signs of acute ischaemia or its ankle-brachial index is below 0.6

    @FINDING_VENOUS_DISEASE_CEAP @ADVICE_ELEVATE_LEGS @ADVICE_ELEVATE_LEGS_NOT_WITH_ISCHEMIA
    @ADVICE_STAY_HYDRATED @SAFETY_ACUTE_LIMB_ISCHEMIA
    Scenario: Signs of acute ischaemia
      Given a 60-year-old woman
      And her right leg shows:
        | CEAP clinical class      | 2   |
        | signs of acute ischaemia | yes |
      When the plan is made
      Then a referral for acute limb ischaemia is recommended as an emergency for the right leg
      And rest with the legs raised is contraindicated for the patient because of signs of acute ischaemia
      And its reasons include the signs of acute ischaemia of yes
      And drink enough water is recommended for the patient

    @FINDING_VENOUS_DISEASE_CEAP @ADVICE_ELEVATE_LEGS @ADVICE_STAY_HYDRATED
    Scenario Outline: An ankle-brachial index below 0.6
      Given a 60-year-old woman
      And her right leg shows:
        | CEAP clinical class  | 3     |
        | ankle-brachial index | <abi> |
      When the plan is made
      Then rest with the legs raised is <advice> for the patient
      And drink enough water is recommended for the patient

      @ADVICE_ELEVATE_LEGS_NOT_WITH_LOW_ABI
      Examples: ABI below 0.6
        | abi  | advice          |
        | 0.59 | contraindicated |

      Examples: ABI of 0.6 or more
        | abi  | advice      |
        | 0.6  | recommended |

    @FINDING_VENOUS_DISEASE_CEAP @ADVICE_ELEVATE_LEGS @ADVICE_ELEVATE_LEGS_NOT_WITH_LOW_ABI
    Scenario: The reason names the low ankle-brachial index
      Given a 60-year-old woman
      And her right leg shows:
        | CEAP clinical class  | 3    |
        | ankle-brachial index | 0.55 |
      When the plan is made
      Then rest with the legs raised is contraindicated for the patient because of ankle-brachial index below 0.6
      And its reasons include the ankle-brachial index of 0.55

  Rule: With heart failure, fluid advice is left to the cardiologist

    @FINDING_VENOUS_DISEASE_CEAP @ADVICE_STAY_HYDRATED @ADVICE_HYDRATION_NOT_WITH_HEART_FAILURE
    @ADVICE_ELEVATE_LEGS
    Scenario: Heart failure
      Given a 60-year-old woman
      And her right leg shows:
        | CEAP clinical class | 2 |
      And she has heart failure
      When the plan is made
      Then drink enough water is contraindicated for the patient because of heart failure
      And its reasons name heart failure
      And rest with the legs raised is recommended for the patient

  Rule: A BMI of 25 or more (obesity, JSSO) - weight management

    @FINDING_OBESITY @ADVICE_WEIGHT_MANAGEMENT
    Scenario: An overweight patient
      Given a 60-year-old woman
      And the right leg is examined
      And she has:
        | BMI | 27.5 |
      When the plan is made
      Then weight management is recommended for the patient
      And its reasons include the BMI of 27.5
      And its reasons show the finding obesity (BMI 25 or more)

    Scenario Outline: Weight management from a BMI of 25
      Given a 60-year-old woman
      And the right leg is examined
      And she has:
        | BMI | <bmi> |
      When the plan is made
      Then weight management is <advice> for the patient

      @FINDING_OBESITY @ADVICE_WEIGHT_MANAGEMENT
      Examples: BMI of 25 or more
        | bmi | advice      |
        | 25  | recommended |

      Examples: BMI below 25
        | bmi  | advice          |
        | 24.9 | not in the plan |
