Feature: Load steps that pass

  Scenario: A steady GET meets its objectives
    When I send 40 requests per second of GET "/ok" for 1 second
    Then the p99 latency is under 2000 ms
    And the max latency is under 5000 ms
    And the error rate is under 1%
    And no response violated the contract
    And the status counts are:
      | status | count       |
      | 200    | at least 35 |

  Scenario: A POST with a body, spread over users
    Given the load is spread over 3 users
    When I send 20 requests per second of POST "/slow" for 1 second with:
      """
      {"wait_ms": 5}
      """
    Then the p50 latency is under 2000 ms
    And the status counts are:
      | 200 | at least 15 |
