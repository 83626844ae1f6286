Feature: Contract conformance
  Every request the suite sends and every response it receives is checked against openapi.yaml as it
  happens; a violation fails the step that saw it. This feature touches every operation once more and
  then checks the run's record as a whole.

  Background:
    Given the Ultra gateway is running
    And I am authenticated as "connie"

  Scenario: Every operation answers within its contract
    When I send GET "/api/health"
    And I send GET "/api/health/live"
    And I send GET "/api/health/ready"
    And I send GET "/api/health/llm/providers"
    And I send GET "/api/health/circuit-breakers"
    And I send GET "/api/available-models"
    And I send GET "/api/patterns"
    And I send GET "/metrics"
    And I request a "perspective" analysis of "Should we write our design docs in Markdown or in a wiki?" by "gpt4o, gemini15pro" synthesized by "gemini15pro"
    Then every response in this scenario conformed to the contract
    And every operation of the contract was exercised in this scenario

  Scenario: Every response seen during the run validated against the contract
    Then every response seen so far in this run conformed to the contract
