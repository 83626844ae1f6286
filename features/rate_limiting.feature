Feature: Rate limiting
  Each identity has its own quota. Exceeding it gives 429 with Retry-After and the RateLimit-*
  headers; other identities are unaffected, and the window recovers.

  Background:
    Given the Ultra gateway is running

  Scenario: Exceeding the limit gives 429, another identity is unaffected, and the window recovers
    Given I am authenticated as "rita"
    When I send GET "/api/patterns" until it answers 429, at most 400 times
    Then the response is a problem with status 429 and code "rate_limited"
    And the response header "Retry-After" is a positive integer
    And the response header "RateLimit-Limit" is a non-negative integer
    And the response header "RateLimit-Remaining" is "0"
    And the response header "RateLimit-Reset" is a non-negative integer
    Given I am authenticated as "sam"
    When I send GET "/api/patterns"
    Then the response status is 200
    Given I am authenticated as "rita"
    When I wait for the Retry-After time of the last 429
    And I send GET "/api/patterns"
    Then the response status is 200

  Scenario: Analyses have their own, smaller quota
    Given I am authenticated as "carl"
    When I request "gut" analyses of "Name one benefit of code review." by "gemini15flash" synthesized by "gemini15flash" until one answers 429, at most 100 times
    Then the response is a problem with status 429 and code "rate_limited"
    And the response header "Retry-After" is a positive integer
