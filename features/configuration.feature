@in-process-only
Feature: Configuration
  The gateway refuses to start in production with any insecure setting and names every problem at
  once; in development it starts with no configuration at all.

  Scenario Outline: Production refuses an insecure setting: <setting>
    Given a secure production environment
    And the variable "<variable>" is set to "<value>"
    When the gateway configuration is loaded
    Then the configuration is refused naming "<named>"

    Examples:
      | setting               | variable         | value                   | named            |
      | short JWT secret      | JWT_SECRET       | too-short               | JWT_SECRET       |
      | default JWT secret    | JWT_SECRET       | changeme                | JWT_SECRET       |
      | wildcard CORS         | CORS_ORIGINS     | *                       | CORS_ORIGINS     |
      | mock providers        | USE_MOCK         | true                    | USE_MOCK         |
      | test mode enabled     | TEST_MODE_SECRET | let-me-in               | TEST_MODE_SECRET |
      | plain-http provider   | OPENAI_BASE_URL  | http://api.openai.com/v1 | OPENAI_BASE_URL |

  Scenario: Production names every insecure setting at once
    Given a secure production environment
    And the variable "JWT_SECRET" is set to "secret"
    And the variable "CORS_ORIGINS" is set to "*"
    And the variable "USE_MOCK" is set to "true"
    And the variable "TEST_MODE_SECRET" is set to "let-me-in"
    When the gateway configuration is loaded
    Then the configuration is refused naming "JWT_SECRET, CORS_ORIGINS, USE_MOCK, TEST_MODE_SECRET"
    And the configuration error lists 4 problems

  Scenario: Production with no secret and no provider key names both
    Given a secure production environment
    And the variable "JWT_SECRET" is unset
    And the variable "OPENAI_API_KEY" is unset
    And the variable "ANTHROPIC_API_KEY" is unset
    And the variable "GOOGLE_API_KEY" is unset
    And the variable "MISTRAL_API_KEY" is unset
    When the gateway configuration is loaded
    Then the configuration is refused naming "JWT_SECRET, API key"

  Scenario: A secure production environment is accepted
    Given a secure production environment
    When the gateway configuration is loaded
    Then the configuration is accepted

  Scenario: Development starts with zero configuration
    Given an empty environment
    When the gateway configuration is loaded
    Then the configuration is accepted
    And the loaded configuration has environment "development" and mock mode on
    When a gateway is started from that configuration with its providers pointed at the mock
    And I send GET "/api/health"
    Then the response status is 200
    And the response field "environment" is "development"
    And the response field "mock_mode" is true
