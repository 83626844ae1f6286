@container
Feature: Containerized deployment
  The gateway and the mock providers run as two containers built FROM scratch on a private network;
  the gateway reaches the providers through the mock container's network alias.

  Scenario: The gateway container reaches the mock container's providers
    Given the Ultra gateway is running
    Then within 15 seconds GET "/api/health/llm/providers" has "providers.openai.last_status_code" equal to 200
    And the response field "providers.anthropic.status" is "ok"
    And the response field "providers.gemini.status" is "ok"
    When I send GET "/api/health"
    Then the response field "environment" is "testing"
    And the response field "mock_mode" is false
