Feature: Authentication
  Every analysis and model endpoint needs a bearer JWT. Missing, expired, forged, unsigned and
  misaddressed tokens are refused with 401 problems; the test-mode header works only outside
  production and only with the right secret.

  Background:
    Given the Ultra gateway is running

  Scenario: No token is refused
    When I send the non-conforming request GET "/api/available-models" without credentials
    Then the response is a problem with status 401 and code "missing_token"
    And the response header "WWW-Authenticate" contains "Bearer"

  @token-minting
  Scenario: An expired token is refused
    Given I use an expired token for "eve"
    When I send GET "/api/available-models"
    Then the response is a problem with status 401 and code "expired_token"

  @token-minting
  Scenario: A token signed with another key is refused
    Given I use a token for "mallory" signed with the wrong key
    When I send GET "/api/available-models"
    Then the response is a problem with status 401 and code "invalid_signature"

  @token-minting
  Scenario: An unsigned token (alg none) is refused
    Given I use an unsigned "alg: none" token for "mallory"
    When I send GET "/api/available-models"
    Then the response status is 401
    And the response field "code" is one of "invalid_signature, invalid_token"

  @token-minting @jwt-audience
  Scenario: A token for another audience is refused
    Given I use a token for "trent" with the audience "some-other-api"
    When I send GET "/api/available-models"
    Then the response is a problem with status 401 and code "invalid_claims"

  Scenario: A valid token is accepted
    Given I am authenticated as "alice"
    When I send GET "/api/available-models"
    Then the response status is 200

  @test-mode
  Scenario: The test-mode header with the right secret is accepted in testing
    When I send the non-conforming request GET "/api/patterns" with the right test-mode secret
    Then the response status is 200

  @test-mode
  Scenario: The test-mode header with a wrong secret is refused
    When I send the non-conforming request GET "/api/patterns" with the test-mode secret "not-the-secret"
    Then the response is a problem with status 401 and code "invalid_test_mode"

  @in-process-only
  Scenario: The test-mode header is refused in production, whatever its value
    Given a production gateway is running
    When I send the non-conforming request GET "/api/patterns" with the test-mode secret "anything"
    Then the response is a problem with status 401 and code "test_mode_forbidden"
