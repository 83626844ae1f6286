Feature: Multi-model analysis
  POST /api/analyze sends one prompt to several models in parallel and has an "ultra" model
  synthesize their answers with an analysis pattern. Failures are never reported with 200 OK.

  Background:
    Given the Ultra gateway is running
    And I am authenticated as "ana"

  Scenario Outline: Every analysis pattern synthesizes the answers of several models (<pattern>)
    When I request a "<pattern>" analysis of "<prompt>" by "<models>" synthesized by "<ultra>"
    Then the response status is 200
    And the response field "status" is "success"
    And the response field "analysis_id" is a non-empty string
    And every selected model answered with text and usage
    And the response field "ultra_response.model" is "<ultra>"
    And the response field "ultra_response.text" is a non-empty string
    And the response field "metadata.pattern" is "<pattern>"
    And the response field "metadata.models_used" lists "<models>"
    And the response field "performance.total_ms" is a number at least 0
    And the response header "RateLimit-Remaining" is a non-negative integer

    Examples:
      | pattern     | models                          | ultra         | prompt                                                                                   |
      | gut         | gpt4o, claude3opus              | claude3opus   | What are the main risks of migrating a monolith to microservices?                         |
      | confidence  | gpt4o, claude3sonnet, gemini15pro | gpt4o       | Is PostgreSQL a good default database for a new B2B SaaS product in 2025?                 |
      | critique    | gpt4turbo, gemini15flash        | gemini15flash | Should a 20-person startup adopt Kubernetes? Give a recommendation and its main caveat.   |
      | fact_check  | claude3opus, gemini15pro        | claude3sonnet | The Great Wall of China is visible from low Earth orbit with the naked eye. True or false? |
      | perspective | gpt4o, claude3sonnet            | gpt4turbo     | How should a city weigh bike lanes against street parking on a busy commercial street?    |
      | scenario    | gpt4o, claude3opus, gemini15flash | claude3opus | What happens to our on-call load if we move the nightly batch jobs to event-driven queues? |
      | confidence  | mistrallarge, gemini15flash     | mistralsmall  | Is a monorepo a good fit for a team of eight working on three services?                   |

  Scenario: The pattern and output format default to confidence and txt
    When I send POST "/api/analyze" with:
      """
      {
        "prompt": "Summarize the trade-offs between optimistic and pessimistic locking in two sentences.",
        "selected_models": ["gpt4o", "gemini15flash"],
        "ultra_model": "gpt4o"
      }
      """
    Then the response status is 200
    And the response field "metadata.pattern" is "confidence"
    And the response field "metadata.output_format" is "txt"

  Scenario: A model name that does not exist is rejected, naming the valid ones
    When I send POST "/api/analyze" with:
      """
      {
        "prompt": "Compare Rust and Go for a high-throughput HTTP proxy.",
        "selected_models": ["gpt4o", "gpt-5-turbo"],
        "ultra_model": "gpt4o"
      }
      """
    Then the response is a problem with status 400 and code "unknown_model"
    And the response field "detail" contains "gpt-5-turbo"
    And the response field "valid_models" lists "gpt4o, gpt4turbo, claude3opus, claude3sonnet, gemini15pro, gemini15flash"

  Scenario: An empty prompt is rejected with a field error
    When I send the non-conforming request POST "/api/analyze" with:
      """
      {"prompt": "", "selected_models": ["gpt4o"], "ultra_model": "gpt4o"}
      """
    Then the response is a problem with status 400 and code "validation_failed"
    And the problem has a field error at "/prompt"

  Scenario: A body that is not JSON is rejected as a problem
    When I send the non-conforming request POST "/api/analyze" with:
      """
      {"prompt": "unterminated
      """
    Then the response is a problem with status 400 and code "invalid_json"

  @mock-providers
  Scenario: One provider failing gives a partial success carrying that model's error
    Given the model "claude3opus" fails at its provider with status 500
    When I request a "critique" analysis of "Which of these is the riskiest assumption in our launch plan: pricing, channel or timing?" by "gpt4o, claude3opus, gemini15flash" synthesized by "gpt4o"
    Then the response status is 200
    And the response field "status" is "partial_success"
    And the response field "model_responses.claude3opus.status" is "error"
    And the response field "model_responses.claude3opus.error.code" is a non-empty string
    And the response field "model_responses.claude3opus.text" is absent
    And the response field "model_responses.gpt4o.status" is "ok"
    And the response field "model_responses.gemini15flash.status" is "ok"
    And the response field "metadata.models_used" does not list "claude3opus"

  @mock-providers
  Scenario: Every provider failing gives 502, never 200
    Given the model "gpt4o" fails at its provider with status 500
    And the model "claude3sonnet" fails at its provider with status 529
    When I request a "confidence" analysis of "Estimate the monthly cost of running three m5.large instances." by "gpt4o, claude3sonnet" synthesized by "gpt4o"
    Then the response is a problem with status 502 and code "all_providers_failed"

  @mock-providers
  Scenario: A slow provider and a short deadline give 504
    Given the model "gemini15pro" answers after 5 seconds
    When I send POST "/api/analyze" with:
      """
      {
        "prompt": "Draft a one-paragraph incident summary for a 20 minute checkout outage.",
        "selected_models": ["gemini15pro"],
        "ultra_model": "gemini15pro",
        "options": {"timeout_seconds": 0.5}
      }
      """
    Then the response is a problem with status 504 and code "upstream_timeout"

  @real-providers
  Scenario: The real providers answer a short analysis
    When I request a "gut" analysis of "In one sentence: what is a circuit breaker in distributed systems?" by "gpt4o, claude3sonnet, gemini15flash" synthesized by "gpt4o"
    Then the response status is 200
    And the response field "status" is "success"
