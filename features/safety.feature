@safety
Feature: The safety gate - red flags stop elective care
  A red flag gives a referral with its urgency and puts elective treatment on hold.
  Advice and the tests that answer the flag are still given.

  Rule: Suspected deep vein thrombosis is referred urgently and holds elective care

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
