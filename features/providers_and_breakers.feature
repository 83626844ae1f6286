Feature: Provider health and circuit breakers
  Each provider has a circuit breaker. Repeated upstream failures open it, health says so with the
  expected recovery time, and after the recovery timeout one probe closes it again. A rejected API
  key is reported as such, never as a vague "degraded", and never leaks the key.

  Background:
    Given the Ultra gateway is running

  Scenario: Every provider is reachable and no secret is reported
    When I send GET "/api/health/llm/providers"
    Then the response status is 200
    And the response field "providers.openai.status" is "ok"
    And the response field "providers.openai.api_key_configured" is true
    And the response field "providers.openai.circuit_state" is "closed"
    And the response field "providers.anthropic.status" is "ok"
    And the response field "providers.gemini.status" is "ok"
    And the response field "providers.mistral.status" is "ok"
    And the response field "checked_at" is a non-empty string
    And the response body does not contain the provider API keys

  Scenario: Every breaker starts closed with its configuration
    When I send GET "/api/health/circuit-breakers"
    Then the response status is 200
    And the response field "breakers.openai.state" is "closed"
    And the response field "breakers.anthropic.state" is "closed"
    And the response field "breakers.gemini.state" is "closed"
    And the response field "breakers.mistral.state" is "closed"
    And the response field "breakers.openai.failure_threshold" is a number at least 1
    And the response field "breakers.openai.expected_recovery_seconds" is null

  @mock-providers @slow
  Scenario: A failing provider opens its breaker, health says so, and one probe closes it after recovery
    Given I am authenticated as "bruno"
    And the mock provider "openai" fails with status 500
    When I request "gut" analyses by "gpt4o" as many times as the "openai" breaker's failure threshold
    Then within 5 seconds GET "/api/health/circuit-breakers" has "breakers.openai.state" equal to "open"
    And the breaker of "openai" expects to recover within its recovery timeout
    And the response field "breakers.anthropic.state" is "closed"
    When I send GET "/api/health"
    Then the response field "status" is "degraded"
    And the response field "services.openai" is one of "degraded, unavailable"
    And the response field "degraded_services" lists "openai"
    When I send GET "/api/health/llm/providers"
    Then the response field "providers.openai.circuit_state" is "open"
    When the mock faults are cleared
    Then within 10 seconds GET "/api/health/circuit-breakers" has "breakers.openai.state" equal to one of "half_open, closed"
    When I request a "gut" analysis of "Recovery probe: name one HTTP status code." by "gpt4o" synthesized by "gpt4o"
    Then the response status is 200
    When I send GET "/api/health/circuit-breakers"
    Then the response field "breakers.openai.state" is "closed"
    And the response field "breakers.openai.expected_recovery_seconds" is null

  @mock-providers @slow
  Scenario: An open breaker makes an analysis on that provider alone answer 503
    Given I am authenticated as "olivia"
    And the mock provider "openai" fails with status 500
    And I request "gut" analyses by "gpt4o" as many times as the "openai" breaker's failure threshold
    And within 5 seconds GET "/api/health/circuit-breakers" has "breakers.openai.state" equal to "open"
    When I request a "gut" analysis of "Is it worth caching DNS lookups in a CLI tool?" by "gpt4o" synthesized by "gpt4o"
    Then the response is a problem with status 503 and code "circuit_open"

  @mock-providers @slow
  Scenario: A rejected API key reads as api_key_valid false, not as degraded
    Given the mock provider "gemini" rejects every API key
    Then within 15 seconds GET "/api/health/llm/providers" has "providers.gemini.api_key_valid" equal to false
    And the response field "providers.gemini.status" is "unavailable"
    And the response field "providers.gemini.api_key_configured" is true
    And the response field "providers.gemini.last_status_code" is 401
    And the response field "providers.gemini.circuit_state" is "closed"
    And the response field "providers.openai.api_key_valid" is true
    When the mock faults are cleared
    Then within 20 seconds GET "/api/health/llm/providers" has "providers.gemini.api_key_valid" equal to true
