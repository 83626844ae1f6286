Feature: Flow steps that must fail

  Scenario: An unknown variable
    Given I remember "1" as "known"
    When I send GET "/echo?x={unknown}"

  Scenario: An unset environment variable
    When I send GET "/echo?x={env:NOT_SET}"

  Scenario: A field that does not match
    When I send GET "/echo"
    Then the response field "query" matches "^ref="

  Scenario: A body that does not contain the subset
    When I send GET "/echo"
    Then the response body contains:
      """
      {"items": [{"n": 3}]}
      """

  Scenario: A response slower than the bound
    When I send GET "/echo"
    Then the response time is under 0 ms

  Scenario: An item without the key
    When I send GET "/echo"
    Then each item of "items" has "missing"

  Scenario: Saving a field that is absent
    When I send GET "/echo"
    And I save the response field "nope" as "x"
