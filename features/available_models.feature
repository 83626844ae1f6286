Feature: Available models
  Clients discover which models they may select. Every configured model is listed with its provider
  and availability; models of a provider whose circuit is open are reported unavailable.

  Background:
    Given the Ultra gateway is running
    And I am authenticated as "mia"

  Scenario: Every configured model is listed and available
    When I send GET "/api/available-models"
    Then the response status is 200
    And the response field "status" is "ok"
    And the response field "available_models" lists "gpt4o, gpt4turbo, claude3opus, claude3sonnet, gemini15pro, gemini15flash"
    And every model in "models" has "available" equal to true
    And the model "gpt4o" is served by "openai" as "gpt-4o"
    And the model "claude3opus" is served by "anthropic" as "claude-3-opus-20240229"
    And the model "gemini15flash" is served by "gemini" as "gemini-1.5-flash"
    And the model "mistrallarge" is served by "mistral" as "mistral-large-latest"
    And the response header "RateLimit-Limit" is a non-negative integer
    And the response header "RateLimit-Remaining" is a non-negative integer
    And the response header "RateLimit-Reset" is a non-negative integer

  Scenario: The analysis patterns are listed
    When I send GET "/api/patterns"
    Then the response status is 200
    And the response field "patterns.#.name" lists "gut, confidence, critique, fact_check, perspective, scenario"

  @mock-providers @slow
  Scenario: Models of a provider whose circuit is open are unavailable
    Given the mock provider "anthropic" fails with status 503
    And I request "gut" analyses by "claude3sonnet" as many times as the "anthropic" breaker's failure threshold
    And within 5 seconds GET "/api/health/circuit-breakers" has "breakers.anthropic.state" equal to "open"
    When I send GET "/api/available-models"
    Then the response status is 200
    And the response field "status" is "degraded"
    And the models of provider "anthropic" are unavailable with status "circuit_open"
    And the models of provider "openai" are available
    And the response field "available_models" does not list "claude3opus, claude3sonnet"
