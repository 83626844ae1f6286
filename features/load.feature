@load @mock-providers
Feature: Load and service levels
  Under steady load the gateway keeps its latency and error-rate objectives, every response still
  conforms to the contract, one identity cannot exceed its analysis quota, and a dead provider trips
  its breaker so analyses fail fast instead of each waiting for the timeout. The load is sent with
  vegeta at a fixed rate, only to loopback targets, a few seconds per scenario; the mock providers'
  latency faults make the provider time realistic.

  Background:
    Given the Ultra gateway is running

  Scenario: Steady analyses over realistic provider latency meet their objectives
    Given every mock provider answers with a p50 latency of 20 ms and a p99 of 120 ms
    And the load is spread over 30 users
    When I send 15 requests per second of POST "/api/analyze" for 2 seconds with:
      """
      {
        "prompt": "Summarise last night's checkout incident in one line.",
        "selected_models": ["gpt4o", "claude3sonnet"],
        "ultra_model": "gpt4o",
        "pattern": "gut"
      }
      """
    Then the p99 latency is under 1500 ms
    And the p50 latency is under 800 ms
    And the error rate is under 1%
    And no response violated the contract
    And the status counts are:
      | status | count        |
      | 200    | at least 25  |

  Scenario: One identity sending analyses faster than its quota gets 429s, the rest get through
    Given I am authenticated as "lola"
    When I send 10 requests per second of POST "/api/analyze" for 2 seconds with:
      """
      {"prompt": "One word: yes or no?", "selected_models": ["gpt4o"], "ultra_model": "gpt4o", "pattern": "gut"}
      """
    Then the status counts are:
      | status | count       |
      | 200    | at least 1  |
      | 429    | at least 5  |
    And no response violated the contract
    And the error rate is under 1%

  Scenario: A dead provider opens its breaker under load, so analyses fail fast instead of waiting
    Given the model "gpt4o" answers after 30 seconds
    And the load is spread over 40 users
    When I send 20 requests per second of POST "/api/analyze" for 2 seconds with:
      """
      {
        "prompt": "Is the payment provider up?",
        "selected_models": ["gpt4o"],
        "ultra_model": "gpt4o",
        "options": {"timeout_seconds": 0.5}
      }
      """
    Then the p50 latency is under 250 ms
    And the status counts are:
      | status | count        |
      | 503    | at least 20  |
      | 504    | at most 20   |
    And no response violated the contract
