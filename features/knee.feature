@knee
Feature: The knee track - insured care for knee osteoarthritis
  Knee osteoarthritis (変形性膝関節症) is first treated with insured care (保険診療):
  exercise therapy (運動療法), hyaluronic acid injections (ヒアルロン酸注射) and steroid
  injections (ステロイド注射), with advice to keep walking within the pain-free range.
  The Kellgren-Lawrence (KL) grade of the knee X-ray decides how strongly hyaluronic acid is
  advised; an injection that did not help is not repeated, and no injection is given through
  infection or with a bleeding risk. The clinic's stages are early (KL 1-2), middle (KL 3) and
  late (KL 4), a local convention.

  Rule: Knee osteoarthritis is diagnosed from the X-ray grade, or without an X-ray from age 45

    @FINDING_KNEE_OA_XRAY @KNEE_EXERCISE
    Scenario Outline: The Kellgren-Lawrence grade gives the clinic's stage
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 5       |
        | Kellgren-Lawrence grade | <grade> |
      When the plan is made
      Then the plan shows the finding knee osteoarthritis for the right leg
      And the plan shows the finding <stage> for the right leg

      @FINDING_KNEE_OA_EARLY
      Examples: early stage (初期)
        | grade | stage                     |
        | 1     | early knee osteoarthritis |
        | 2     | early knee osteoarthritis |

      @FINDING_KNEE_OA_MIDDLE
      Examples: middle stage (中期)
        | grade | stage                            |
        | 3     | middle-stage knee osteoarthritis |

      @FINDING_KNEE_OA_LATE
      Examples: late stage (末期)
        | grade | stage                    |
        | 4     | late knee osteoarthritis |

    @ASSESS_DUPLEX
    Scenario: A normal X-ray (KL 0) is not knee osteoarthritis; the veins are still examined
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 5             |
        | knee pain pattern       | start-up pain |
        | Kellgren-Lawrence grade | 0             |
      When the plan is made
      Then the plan does not show the finding knee osteoarthritis for the right leg
      And exercise therapy is not offered for the right leg
      And hyaluronic acid injection is not offered for the right leg
      And duplex ultrasound is recommended for the right leg

    @ASSESS_KNEE_XRAY_NO_GRADE
    Scenario Outline: Without an X-ray, activity-related knee pain is osteoarthritis from age 45
      Given a <age>-year-old man
      And his right leg shows:
        | knee pain (0-10)  | 4         |
        | knee pain pattern | <pattern> |
      When the plan is made
      Then the plan <shows> the finding knee osteoarthritis for the right leg
      And exercise therapy is <exercise> for the right leg
      And knee X-ray is recommended for the right leg

      Examples: too young for a clinical diagnosis
        | age | pattern          | shows         | exercise    |
        | 44  | start-up pain    | does not show | not offered |

      @FINDING_KNEE_OA_CLINICAL @KNEE_EXERCISE
      Examples: from age 45, start-up pain or pain on movement
        | age | pattern          | shows | exercise    |
        | 45  | start-up pain    | shows | recommended |
        | 45  | pain on movement | shows | recommended |

      Examples: pain at rest alone is not activity-related
        | age | pattern          | shows         | exercise    |
        | 60  | pain at rest     | does not show | not offered |

    @SAFETY_ORTHOPAEDIC_REVIEW_ARTHROPLASTY
    Scenario: An artificial knee is not knee osteoarthritis: it is referred for orthopaedic review
      Given a 70-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 6   |
        | Kellgren-Lawrence grade | 3   |
        | artificial knee         | yes |
      When the plan is made
      Then a referral for orthopaedic review is recommended routinely for the right leg
      And the plan does not show the finding knee osteoarthritis for the right leg
      And exercise therapy is not offered for the right leg
      And hyaluronic acid injection is not offered for the right leg
      And steroid injection is not offered for the right leg

  Rule: Knee osteoarthritis gets exercise therapy and advice to walk within the pain-free range

    @FINDING_KNEE_OA_XRAY @FINDING_KNEE_OA_EARLY @KNEE_EXERCISE
    Scenario: Exercise therapy is recommended and covered by insurance
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 5 |
        | Kellgren-Lawrence grade | 2 |
      When the plan is made
      Then exercise therapy is recommended for the right leg
      And it is covered by insurance
      And its reasons include the Kellgren-Lawrence grade of 2
      And its reasons go through the finding knee osteoarthritis

    @FINDING_KNEE_OA_XRAY @KNEE_WALK_ADVICE
    Scenario: Walking within the pain-free range is advised
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 5 |
        | Kellgren-Lawrence grade | 3 |
      When the plan is made
      Then walk within the pain-free range is recommended for the patient
      And its reasons include the Kellgren-Lawrence grade of 3

  Rule: Hyaluronic acid (ヒアルロン酸注射) is recommended for KL 1-3, an option for KL 4, and waits while the grade is unknown

    @FINDING_KNEE_OA_XRAY
    Scenario Outline: The KL grade sets how strongly hyaluronic acid is advised
      Given a 66-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 5       |
        | Kellgren-Lawrence grade | <grade> |
      When the plan is made
      Then hyaluronic acid injection is <status> for the right leg
      And it is covered by insurance
      And its reasons include the Kellgren-Lawrence grade of <grade>

      @KNEE_HYALURONIC_ACID
      Examples: KL 1-3
        | grade | status      |
        | 1     | recommended |
        | 3     | recommended |

      @KNEE_HYALURONIC_ACID_LATE
      Examples: KL 4, late osteoarthritis
        | grade | status    |
        | 4     | an option |

    @FINDING_KNEE_OA_CLINICAL @KNEE_HYALURONIC_ACID_GRADE_UNKNOWN @ASSESS_KNEE_XRAY_NO_GRADE
    Scenario: Hyaluronic acid waits for the X-ray while the KL grade is unknown
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)  | 5             |
        | knee pain pattern | start-up pain |
      When the plan is made
      Then hyaluronic acid injection is deferred for the right leg because of KL grade unknown
      And knee X-ray is recommended for the right leg
      And exercise therapy is recommended for the right leg

  Rule: A steroid injection (ステロイド注射) is an option

    @FINDING_KNEE_OA_XRAY @KNEE_STEROID
    Scenario: A steroid injection is an option beside hyaluronic acid
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      When the plan is made
      Then steroid injection is an option for the right leg
      And it is covered by insurance
      And its reasons go through the finding knee osteoarthritis

    @FINDING_KNEE_OA_CLINICAL @KNEE_STEROID @ASSESS_KNEE_XRAY_NO_GRADE
    Scenario: A steroid injection also waits for the knee X-ray
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)  | 6                |
        | knee pain pattern | pain on movement |
      When the plan is made
      Then steroid injection is deferred for the right leg because of waiting for the knee X-ray

  Rule: An injection that did not help over 12 weeks, or was not tolerated, is not repeated

    @FINDING_KNEE_OA_XRAY
    Scenario Outline: Hyaluronic acid without any response is stopped after 12 weeks
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for <weeks> weeks with no response
      When the plan is made
      Then hyaluronic acid injection is <status> for the right leg

      @KNEE_HYALURONIC_ACID
      Examples: less than 12 weeks
        | weeks | status      |
        | 11    | recommended |

      @KNEE_HYALURONIC_ACID_NOT_REPEATED @FINDING_KNEE_CARE_FAILED
      Examples: 12 weeks
        | weeks | status          |
        | 12    | contraindicated |

    @FINDING_KNEE_OA_XRAY @KNEE_HYALURONIC_ACID
    Scenario: Hyaluronic acid that helped partly is continued
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 16 weeks with a partial response
      When the plan is made
      Then hyaluronic acid injection is recommended for the right leg

    @FINDING_KNEE_OA_XRAY @KNEE_STEROID_NOT_REPEATED @KNEE_HYALURONIC_ACID
    Scenario: A steroid injection that was not tolerated is not repeated; hyaluronic acid still is
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had steroid injections in the right knee for 12 weeks and it was not tolerated
      When the plan is made
      Then steroid injection is contraindicated for the right leg because of already tried without benefit or not tolerated
      And hyaluronic acid injection is recommended for the right leg

    @FINDING_KNEE_OA_XRAY @KNEE_HYALURONIC_ACID_NOT_TOLERATED
    Scenario: Hyaluronic acid that was not tolerated is not repeated, even after 2 weeks
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had hyaluronic acid injections in the right knee for 2 weeks and it was not tolerated
      When the plan is made
      Then hyaluronic acid injection is contraindicated for the right leg because of not tolerated before

    @FINDING_KNEE_OA_XRAY @KNEE_STEROID_NOT_TOLERATED
    Scenario: A steroid injection that was not tolerated is not repeated, even after 2 weeks
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she had steroid injections in the right knee for 2 weeks and it was not tolerated
      When the plan is made
      Then steroid injection is contraindicated for the right leg because of not tolerated before

  Rule: A knee without pain gets no injection

    @FINDING_KNEE_OA_XRAY @KNEE_EXERCISE
    Scenario: Osteoarthritis on the X-ray of a knee that does not hurt
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 0 |
        | Kellgren-Lawrence grade | 2 |
      When the plan is made
      Then exercise therapy is recommended for the right leg
      And hyaluronic acid injection is not offered for the right leg
      And steroid injection is not offered for the right leg

  Rule: No knee injection with an infection, sepsis or a bleeding risk

    @FINDING_KNEE_OA_XRAY @KNEE_EXERCISE
    Scenario Outline: Infection, sepsis or a bleeding disorder rules out knee injections
      Given a 62-year-old woman
      And her right leg shows:
        | knee pain (0-10)        | 6 |
        | Kellgren-Lawrence grade | 2 |
      And she has <condition>
      When the plan is made
      Then hyaluronic acid injection is contraindicated for the right leg because of <reason>
      And steroid injection is contraindicated for the right leg because of <reason>

      @KNEE_INJECTION_NOT_WITH_ACTIVE_INFECTION
      Examples: active infection
        | condition           | reason           |
        | an active infection | active infection |

      @KNEE_INJECTION_NOT_WITH_SKIN_INFECTION
      Examples: skin infection
        | condition        | reason         |
        | a skin infection | skin infection |

      @KNEE_INJECTION_NOT_WITH_SEPSIS @SAFETY_SEPSIS
      Examples: sepsis (also referred as an emergency)
        | condition | reason |
        | sepsis    | sepsis |

      @KNEE_INJECTION_NOT_WITH_BLEEDING_DISORDER
      Examples: bleeding disorder or anticoagulation
        | condition           | reason                                |
        | a bleeding disorder | bleeding disorder or anticoagulation |
