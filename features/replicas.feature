@replicas
Feature: Rate limits shared across replicas
  With RATE_LIMIT_STORE pointing at one Redis, every gateway replica draws an identity's requests from
  one budget, with the same RateLimit-* and Retry-After headers as a single gateway. While Redis is
  unreachable RATE_LIMIT_REDIS_FAILURE applies and health says why; when it is back the replicas use
  it again without being restarted. In process, each scenario starts its own Redis (Debian's
  redis-server) and two replicas with a default-class burst of 4 and one token per 10 seconds; against
  external replicas (ULTRA_REPLICA_URLS) configured that way, the scenarios of their failure policy
  run, and the Redis-stop ones only when the harness controls their Redis.

  Scenario: Two replicas share one identity's burst; another identity is unaffected
    Given two gateway replicas share one Redis rate-limit store
    And I am authenticated as "rhea"
    When I use replica 1
    And I send GET "/api/patterns"
    Then the response header "RateLimit-Remaining" is "3"
    When I use replica 2
    And I send GET "/api/patterns"
    Then the response header "RateLimit-Remaining" is "2"
    When I use replica 1
    And I send GET "/api/patterns"
    And I use replica 2
    And I send GET "/api/patterns"
    Then the response status is 200
    And the response header "RateLimit-Remaining" is "0"
    When I use replica 1
    And I send GET "/api/patterns"
    Then the response is a problem with status 429 and code "rate_limited"
    And the response header "Retry-After" is a positive integer
    And the response header "RateLimit-Limit" is "4"
    Given I am authenticated as "theo"
    When I use replica 2
    And I send GET "/api/patterns"
    Then the response status is 200
    And the response header "RateLimit-Remaining" is "3"

  @redis-control @redis-fails-open
  Scenario: With Redis down the open policy lets requests through and health says why; a restart recovers
    Given two gateway replicas share one Redis rate-limit store, failing "open"
    And I am authenticated as "uma"
    When the Redis rate-limit store stops
    And I use replica 1
    And I send GET "/api/patterns"
    Then the response status is 200
    And the response header "RateLimit-Limit" is absent
    When I send GET "/api/health"
    Then the response field "status" is "degraded"
    And the response field "rate_limit_store.status" is "unavailable"
    And the response field "rate_limit_store.failure_policy" is "open"
    And the response field "rate_limit_store.reason" contains "connection refused"
    When I use replica 2
    Then within 5 seconds GET "/api/health" has "rate_limit_store.status" equal to "unavailable"
    When I send GET "/api/health/ready"
    Then the response status is 200
    And the response field "reason" contains "requests are allowed without limits (RATE_LIMIT_REDIS_FAILURE=open)"
    When the Redis rate-limit store restarts
    And I send GET "/api/patterns"
    Then the response status is 200
    And the response header "RateLimit-Remaining" is "3"
    And within 5 seconds GET "/api/health" has "rate_limit_store.status" equal to "healthy"
    When I use replica 1
    Then within 5 seconds GET "/api/health" has "rate_limit_store.status" equal to "healthy"

  @redis-control @redis-fails-closed
  Scenario: With Redis down the closed policy refuses limited requests and takes the replicas out of readiness
    Given two gateway replicas share one Redis rate-limit store, failing "closed"
    And I am authenticated as "vic"
    When the Redis rate-limit store stops
    And I use replica 2
    And I send GET "/api/patterns"
    Then the response is a problem with status 503 and code "rate_limit_store_unavailable"
    And the response header "Retry-After" is "1"
    And within 5 seconds GET "/api/health/ready" answers 503
    When I use replica 1
    Then within 5 seconds GET "/api/health/ready" answers 503
    And within 5 seconds GET "/api/health" has "status" equal to "unavailable"
    When the Redis rate-limit store restarts
    Then within 5 seconds GET "/api/health/ready" answers 200
    When I send GET "/api/patterns"
    Then the response status is 200
    And the response header "RateLimit-Remaining" is "3"
