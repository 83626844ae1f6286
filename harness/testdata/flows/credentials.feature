Feature: Credentials and headers from variables

  Background:
    Given the header "X-Tenant" is "{env:TENANT}"

  Scenario: A bearer token from the environment
    Given I use the bearer token "{env:API_TOKEN}"
    When I send GET "/echo?ref={env:TENANT}"
    Then the response status is 200
    And the response field "headers.authorization" is "Bearer tok-123"
    And the response field "headers.x-tenant" is "acme"
    And the response field "query" is "ref=acme"

  Scenario: Basic auth from a saved variable
    Given I remember "s3cret" as "password"
    And I use basic auth with user "qa" and password "{password}"
    When I send GET "/echo"
    Then the response field "headers.authorization" is "Basic cWE6czNjcmV0"

  Scenario: An API key in a header
    Given I use the API key "{env:API_TOKEN}" in the header "X-API-Key"
    When I send GET "/echo"
    Then the response field "headers.x-api-key" is "tok-123"
    And the response field "headers.x-tenant" is "acme"
    And each item of "items" has "n"
    And the response body contains:
      """
      {"headers": {"x-tenant": "{env:TENANT}"}, "items": [{"n": 2}]}
      """
