@mock-providers
Feature: The mock server
  The mock server serves the Ultra contract from its examples, rejects invalid requests (422, or the
  operation's documented 400), lets a test choose a documented status with "Prefer: code=", and injects provider faults through its
  admin API that change what the gateway reports.

  Scenario: The mock server serves the contract's examples
    When I send GET "/api/health" to the mock server
    Then the response status is 200
    And the response field "status" is one of "ok, degraded, unavailable"
    And the response field "services.openai" is present
    When I send GET "/api/patterns" to the mock server with a bearer token
    Then the response status is 200
    And the response field "patterns.#.name" lists "gut, confidence, critique, fact_check, perspective, scenario"

  Scenario: The mock server rejects an invalid request with a problem and journals why
    # The mock answers 422 for an invalid request unless the operation documents its own 400, as
    # POST /api/analyze does: then it serves that documented problem.
    When I send the non-conforming request POST "/api/analyze" to the mock server with:
      """
      {"prompt": "", "selected_models": [], "ultra_model": "gpt4o"}
      """
    Then the response is a problem with status 400 and code "validation_failed"
    And the response field "errors" is a non-empty list
    And the mock server journal shows the last request as invalid at "/prompt"

  Scenario: "Prefer: code=" picks a documented response
    When I send GET "/api/health/ready" to the mock server with the header "Prefer" set to "code=503"
    Then the response status is 503
    And the response field "ready" is false
    And the response field "status" is "not_ready"

  Scenario: Faults are listed, added and removed through the admin API
    When I add the mock fault:
      """
      {"target": "openai:gpt-4o", "kind": "error", "status": 500}
      """
    Then the mock server lists 1 fault
    When the mock faults are cleared
    Then the mock server lists 0 faults

  Scenario: A provider fault set through the admin API changes what the gateway reports
    Given the Ultra gateway is running
    And I am authenticated as "fiona"
    When I add the mock fault:
      """
      {"target": "openai:gpt-4o", "kind": "rate_limit", "retry_after": "30s"}
      """
    And I request a "gut" analysis of "List two ways to reduce cold-start latency in serverless functions." by "gpt4o, claude3sonnet" synthesized by "claude3sonnet"
    Then the response status is 200
    And the response field "status" is "partial_success"
    And the response field "model_responses.gpt4o.status" is "error"
    And the response field "model_responses.gpt4o.error.status" is 429
