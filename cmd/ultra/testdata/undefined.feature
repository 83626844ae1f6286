Feature: A feature with mistakes

  Scenario: Typos
    When I send GET "/books"
    Then the respons status is 200
    And the response field "id" is a non-empty string
