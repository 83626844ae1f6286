Feature: Health endpoints
  Operators and load balancers read the gateway's health without credentials. Health is honest: it
  reports degraded or unavailable providers instead of always claiming "ok", and readiness answers
  503 when no analysis can be served.

  Background:
    Given the Ultra gateway is running

  Scenario: The health document has every field with a healthy status
    When I send GET "/api/health"
    Then the response status is 200
    And the response header "Content-Type" contains "application/json"
    And the response header "X-Request-ID" is present
    And the response field "status" is "ok"
    And the response field "environment" is one of "development, testing, production"
    And the response field "version" is a non-empty string
    And the response field "uptime_seconds" is a number at least 0
    And the response field "timestamp" is a non-empty string
    And the response field "mock_mode" is present
    And the response field "services.openai" is "healthy"
    And the response field "services.anthropic" is "healthy"
    And the response field "services.gemini" is "healthy"
    And the response field "services.mistral" is "healthy"
    And the response field "degraded_services" is an empty list

  Scenario: A client-supplied request ID is echoed
    When I send GET "/api/health" with the header "X-Request-ID" set to "qa-health-check-0001"
    Then the response status is 200
    And the response header "X-Request-ID" is "qa-health-check-0001"

  Scenario: Liveness answers while the process serves HTTP
    When I send GET "/api/health/live"
    Then the response status is 200
    And the response field "status" is "ok"

  Scenario: Readiness answers 200 when providers are usable
    When I send GET "/api/health/ready"
    Then the response status is 200
    And the response field "ready" is true
    And the response field "status" is "ready"

  @mock-providers @slow
  Scenario: Readiness flips to 503 when every provider is down, and back when they recover
    Given every mock provider fails with status 503
    Then within 15 seconds GET "/api/health/ready" answers 503
    And the response field "ready" is false
    And the response field "status" is "not_ready"
    And the response field "reason" is a non-empty string
    When I send GET "/api/health"
    Then the response field "status" is "unavailable"
    And the response field "degraded_services" lists "openai, anthropic, gemini, mistral"
    When the mock faults are cleared
    Then within 20 seconds GET "/api/health/ready" answers 200
    And the response field "status" is "ready"
