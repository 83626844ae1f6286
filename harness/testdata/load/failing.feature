Feature: Load steps that must fail

  Scenario: A latency above the bound
    When I send 20 requests per second of POST "/slow" for 1 second with:
      """
      {"wait_ms": 30}
      """
    Then the p50 latency is under 10 ms

  Scenario: An error rate above the bound
    When I send 40 requests per second of GET "/flaky" for 1 second
    Then the error rate is under 1%

  Scenario: Responses that break the contract
    When I send 40 requests per second of GET "/flaky" for 1 second
    Then no response violated the contract

  Scenario: A status the table does not list
    When I send 40 requests per second of GET "/flaky" for 1 second
    Then the status counts are:
      | status | count       |
      | 200    | at least 1  |

  Scenario: A count the table does not allow
    When I send 20 requests per second of GET "/ok" for 1 second
    Then the status counts are:
      | status | count      |
      | 200    | at most 5  |

  Scenario: A request that breaks the contract is not sent
    When I send 20 requests per second of POST "/slow" for 1 second with:
      """
      {"wait": 30}
      """

  Scenario: A rate beyond the bound
    When I send 100000 requests per second of GET "/ok" for 1 second

  Scenario: A judgement without a load
    Then the p99 latency is under 100 ms

  Scenario: A count that is not a number
    When I send 10 requests per second of GET "/ok" for 1 second
    Then the status counts are:
      | 200 | about 10 |

  Scenario: A p99 below the p50
    Given every mock provider answers with a p50 latency of 100 ms and a p99 of 10 ms
