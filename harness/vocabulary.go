package harness

import "github.com/cucumber/godog"

// Step groups, as `ultra features --list-steps` shows them.
const (
	GroupHTTP       = "HTTP"
	GroupAssertions = "assertions"
	GroupAuth       = "auth"
	GroupCaptures   = "captures"
	GroupPolling    = "polling"
	GroupMock       = "mock control"
	GroupUltra      = "Ultra"
)

// StepInfo describes one step of the vocabulary.
type StepInfo struct {
	// Group is one of the Group constants.
	Group string
	// Pattern is the step's regular expression, as godog matches it against the step text.
	Pattern string
	// Example is one line a feature file could hold.
	Example string
}

// stepDef is one step: what --list-steps prints and what every scenario registers.
type stepDef struct {
	StepInfo
	fn any
}

func def(group, pattern, example string, fn any) stepDef {
	return stepDef{StepInfo{Group: group, Pattern: pattern, Example: example}, fn}
}

// Steps returns every step the suites understand, in the order they are registered.
func Steps() []StepInfo {
	var out []StepInfo
	for _, d := range (&steps{}).vocabulary() {
		out = append(out, d.StepInfo)
	}
	return out
}

// register binds every step of the vocabulary to the scenario, one line per step.
func (st *steps) registerVocabulary(sc *godog.ScenarioContext) {
	for _, d := range st.vocabulary() {
		sc.Step(d.Pattern, d.fn)
	}
}

// Argument patterns shared by the steps.
const (
	methods = `(GET|POST|PUT|PATCH|DELETE)`
	quoted  = `"([^"]*)"`
	// jsonLiteral matches the values a step may compare a field with.
	jsonLiteral = `("[^"]*"|true|false|null|-?\d+(?:\.\d+)?)`
)

// vocabulary is the list of steps, group by group. Each line names the function that runs the step.
func (st *steps) vocabulary() []stepDef {
	var out []stepDef
	for _, group := range [][]stepDef{st.vocabHTTP(), st.vocabAssertions(), st.vocabCaptures(), st.vocabAuth(), st.vocabPolling(), st.vocabMock(), st.vocabUltra(), st.vocabReplicas(), st.vocabLoad()} {
		out = append(out, group...)
	}
	return out
}

func (st *steps) vocabHTTP() []stepDef {
	return []stepDef{
		def(GroupHTTP, `^I send `+methods+` `+quoted+`$`, `When I send GET "/books/{id}"`, st.sendRequest),
		def(GroupHTTP, `^I send `+methods+` `+quoted+` with the header `+quoted+` set to `+quoted+`$`, `When I send GET "/api/health" with the header "Accept" set to "application/json"`, st.sendWithHeader),
		def(GroupHTTP, `^I send `+methods+` `+quoted+` with:$`, `When I send POST "/books" with: (and a """ doc string body)`, st.sendWithBody),
		def(GroupHTTP, `^I send the non-conforming request `+methods+` `+quoted+` with:$`, `When I send the non-conforming request POST "/api/analyze" with: (and a doc string)`, st.sendNonConforming),
		def(GroupHTTP, `^I send the non-conforming request `+methods+` `+quoted+` without credentials$`, `When I send the non-conforming request GET "/api/available-models" without credentials`, st.sendWithoutCredentials),
		def(GroupHTTP, `^I send `+methods+` `+quoted+` with the fields:$`, `When I send POST "/books" with the fields: (and a | field | value | table)`, st.sendTable),
		def(GroupHTTP, `^the header `+quoted+` is `+quoted+`$`, `Given the header "X-Tenant" is "{env:TENANT}"`, st.setHeader),
	}
}

func (st *steps) vocabAssertions() []stepDef {
	return []stepDef{
		def(GroupAssertions, `^the response status is (\d+)$`, `Then the response status is 200`, st.statusIs),
		def(GroupAssertions, `^the response is a problem with status (\d+) and code `+quoted+`$`, `Then the response is a problem with status 404 and code "not_found"`, st.isProblem),
		def(GroupAssertions, `^the problem has a field error at `+quoted+`$`, `And the problem has a field error at "/prompt"`, st.problemFieldError),
		def(GroupAssertions, `^the response header `+quoted+` is present$`, `And the response header "X-Request-Id" is present`, st.headerPresent),
		def(GroupAssertions, `^the response header `+quoted+` is `+quoted+`$`, `And the response header "Cache-Control" is "no-store"`, st.headerIs),
		def(GroupAssertions, `^the response header `+quoted+` contains `+quoted+`$`, `And the response header "Content-Type" contains "json"`, st.headerContains),
		def(GroupAssertions, `^the response header `+quoted+` is a (positive|non-negative) integer$`, `And the response header "Retry-After" is a positive integer`, st.headerInteger),
		def(GroupAssertions, `^the response field `+quoted+` is one of `+quoted+`$`, `And the response field "status" is one of "ok, degraded"`, st.fieldOneOf),
		def(GroupAssertions, `^the response field `+quoted+` is a non-empty string$`, `And the response field "id" is a non-empty string`, st.fieldNonEmptyString),
		def(GroupAssertions, `^the response field `+quoted+` is a number at least (-?\d+(?:\.\d+)?)$`, `And the response field "total" is a number at least 1`, st.fieldNumberAtLeast),
		def(GroupAssertions, `^the response field `+quoted+` is an empty list$`, `And the response field "items" is an empty list`, st.fieldEmptyList),
		def(GroupAssertions, `^the response field `+quoted+` is a non-empty list$`, `And the response field "items" is a non-empty list`, st.fieldNonEmptyList),
		def(GroupAssertions, `^the response field `+quoted+` is present$`, `And the response field "created_at" is present`, st.fieldPresent),
		def(GroupAssertions, `^the response field `+quoted+` is absent$`, `And the response field "error" is absent`, st.fieldAbsent),
		def(GroupAssertions, `^the response field `+quoted+` is `+jsonLiteral+`$`, `And the response field "title" is "Dune" (or a number, true, false, null)`, st.fieldIs),
		def(GroupAssertions, `^the response field `+quoted+` contains `+quoted+`$`, `And the response field "detail" contains "not found"`, st.fieldContains),
		def(GroupAssertions, `^the response field `+quoted+` lists `+quoted+`$`, `And the response field "items.#.title" lists "Dune, Emma"`, st.fieldLists),
		def(GroupAssertions, `^the response field `+quoted+` does not list `+quoted+`$`, `And the response field "items.#.id" does not list "{id}"`, st.fieldDoesNotList),
		def(GroupAssertions, `^the response field `+quoted+` matches "(.*)"$`, `And the response field "id" matches "^[0-9a-f-]{36}$"`, st.fieldMatches),
		def(GroupAssertions, `^the response body contains:$`, `And the response body contains: (and a JSON doc string, matched as a subset)`, st.bodyContains),
		def(GroupAssertions, `^the response time is under (\d+) ms$`, `And the response time is under 500 ms`, st.respondedWithin),
		def(GroupAssertions, `^each item of `+quoted+` has `+quoted+`$`, `And each item of "items" has "id"`, st.eachItemHas),
	}
}

func (st *steps) vocabCaptures() []stepDef {
	return []stepDef{
		def(GroupCaptures, `^I save the response field `+quoted+` as `+quoted+`$`, `When I save the response field "id" as "bookId"`, st.saveField),
		def(GroupCaptures, `^I save the response header `+quoted+` as `+quoted+`$`, `And I save the response header "Location" as "where"`, st.saveHeader),
		def(GroupCaptures, `^I remember `+quoted+` as `+quoted+`$`, `Given I remember "{uuid}" as "orderRef"`, st.setVar),
	}
}

func (st *steps) vocabAuth() []stepDef {
	return []stepDef{
		def(GroupAuth, `^I am authenticated as `+quoted+`$`, `Given I am authenticated as "alice"`, st.authenticatedAs),
		def(GroupAuth, `^I use an expired token for `+quoted+`$`, `Given I use an expired token for "alice"`, st.expiredToken),
		def(GroupAuth, `^I use a token for `+quoted+` signed with the wrong key$`, `Given I use a token for "alice" signed with the wrong key`, st.wrongKeyToken),
		def(GroupAuth, `^I use an unsigned "alg: none" token for `+quoted+`$`, `Given I use an unsigned "alg: none" token for "alice"`, st.algNoneToken),
		def(GroupAuth, `^I use a token for `+quoted+` with the audience `+quoted+`$`, `Given I use a token for "alice" with the audience "someone-else"`, st.audienceToken),
		def(GroupAuth, `^I use the bearer token `+quoted+`$`, `Given I use the bearer token "{env:API_TOKEN}"`, st.bearerAuth),
		def(GroupAuth, `^I use basic auth with user `+quoted+` and password `+quoted+`$`, `Given I use basic auth with user "qa" and password "{env:QA_PASSWORD}"`, st.basicAuth),
		def(GroupAuth, `^I use the API key `+quoted+` in the header `+quoted+`$`, `Given I use the API key "{env:API_KEY}" in the header "X-API-Key"`, st.apiKeyAuth),
	}
}

func (st *steps) vocabPolling() []stepDef {
	return []stepDef{
		def(GroupPolling, `^I send `+methods+` `+quoted+` until it answers (\d+), at most (\d+) times$`, `When I send GET "/jobs/{id}" until it answers 200, at most 10 times`, st.sendUntil),
		def(GroupPolling, `^I wait for the Retry-After time of the last 429$`, `And I wait for the Retry-After time of the last 429`, st.waitRetryAfter),
		def(GroupPolling, `^within (\d+) seconds GET `+quoted+` answers (\d+)$`, `Then within 5 seconds GET "/jobs/{id}" answers 200`, st.withinStatus),
		def(GroupPolling, `^within (\d+) seconds GET `+quoted+` has `+quoted+` equal to one of `+quoted+`$`, `Then within 5 seconds GET "/jobs/{id}" has "state" equal to one of "done, failed"`, st.withinOneOf),
		def(GroupPolling, `^within (\d+) seconds GET `+quoted+` has `+quoted+` equal to `+jsonLiteral+`$`, `Then within 5 seconds GET "/jobs/{id}" has "done" equal to true`, st.withinEqual),
	}
}

func (st *steps) vocabMock() []stepDef {
	return []stepDef{
		def(GroupMock, `^I send `+methods+` `+quoted+` to the mock server$`, `When I send GET "/__admin/health" to the mock server`, st.mockSend),
		def(GroupMock, `^I send `+methods+` `+quoted+` to the mock server with a bearer token$`, `When I send GET "/api/models" to the mock server with a bearer token`, st.mockSendBearer),
		def(GroupMock, `^I send `+methods+` `+quoted+` to the mock server with the header `+quoted+` set to `+quoted+`$`, `When I send GET "/api/health" to the mock server with the header "Prefer" set to "code=503"`, st.mockSendHeader),
		def(GroupMock, `^I send the non-conforming request `+methods+` `+quoted+` to the mock server with:$`, `When I send the non-conforming request POST "/api/analyze" to the mock server with: (and a doc string)`, st.mockSendNonConforming),
		def(GroupMock, `^every mock provider fails with status (\d+)$`, `Given every mock provider fails with status 503`, st.everyProviderFails),
		def(GroupMock, `^the mock provider `+quoted+` fails with status (\d+)$`, `Given the mock provider "openai" fails with status 500`, st.providerFails),
		def(GroupMock, `^the mock provider `+quoted+` rejects every API key$`, `Given the mock provider "anthropic" rejects every API key`, st.providerRejectsKeys),
		def(GroupMock, `^the model `+quoted+` fails at its provider with status (\d+)$`, `Given the model "gpt-4o" fails at its provider with status 500`, st.modelFails),
		def(GroupMock, `^the model `+quoted+` answers after (\d+) seconds$`, `Given the model "gpt-4o" answers after 3 seconds`, st.modelSlow),
		def(GroupMock, `^I add the mock fault:$`, `Given I add the mock fault: (and a JSON doc string)`, st.addMockFault),
		def(GroupMock, `^the mock faults are cleared$`, `When the mock faults are cleared`, st.clearMockFaults),
		def(GroupMock, `^the mock server journal shows the last request as invalid at `+quoted+`$`, `Then the mock server journal shows the last request as invalid at "/prompt"`, st.journalInvalidAt),
		def(GroupMock, `^the mock server lists (\d+) faults?$`, `Then the mock server lists 1 fault`, st.mockListsFaults),
	}
}

func (st *steps) vocabUltra() []stepDef {
	return []stepDef{
		def(GroupUltra, `^the Ultra gateway is running$`, `Given the Ultra gateway is running`, st.gatewayRunning),
		def(GroupUltra, `^a production gateway is running$`, `Given a production gateway is running`, st.productionGateway),
		def(GroupUltra, `^I send the non-conforming request `+methods+` `+quoted+` with the right test-mode secret$`, `When I send the non-conforming request POST "/api/analyze" with the right test-mode secret`, st.sendWithRightTestMode),
		def(GroupUltra, `^I send the non-conforming request `+methods+` `+quoted+` with the test-mode secret `+quoted+`$`, `When I send the non-conforming request POST "/api/analyze" with the test-mode secret "wrong"`, st.sendWithTestMode),
		def(GroupUltra, `^I request an? `+quoted+` analysis of `+quoted+` by `+quoted+` synthesized by `+quoted+`$`, `When I request a "gut" analysis of "Why?" by "gpt-4o, claude" synthesized by "gpt-4o"`, st.requestAnalysis),
		def(GroupUltra, `^I request `+quoted+` analyses of `+quoted+` by `+quoted+` synthesized by `+quoted+` until one answers (\d+), at most (\d+) times$`, `When I request "gut" analyses of "Why?" by "gpt-4o" synthesized by "gpt-4o" until one answers 429, at most 20 times`, st.requestAnalysesUntil),
		def(GroupUltra, `^I request `+quoted+` analyses by `+quoted+` as many times as the `+quoted+` breaker's failure threshold$`, `When I request "gut" analyses by "gpt-4o" as many times as the "openai" breaker's failure threshold`, st.tripBreaker),
		def(GroupUltra, `^the response body does not contain the provider API keys$`, `And the response body does not contain the provider API keys`, st.noProviderKeys),
		def(GroupUltra, `^every model in `+quoted+` has `+quoted+` equal to `+jsonLiteral+`$`, `Then every model in "models" has "available" equal to true`, st.everyModelHas),
		def(GroupUltra, `^the model `+quoted+` is served by `+quoted+` as `+quoted+`$`, `Then the model "gpt-4o" is served by "openai" as "gpt-4o"`, st.modelServedBy),
		def(GroupUltra, `^the models of provider `+quoted+` are unavailable with status `+quoted+`$`, `Then the models of provider "openai" are unavailable with status "circuit_open"`, st.providerUnavailable),
		def(GroupUltra, `^the models of provider `+quoted+` are available$`, `Then the models of provider "openai" are available`, st.providerAvailable),
		def(GroupUltra, `^every selected model answered with text and usage$`, `Then every selected model answered with text and usage`, st.everyModelAnswered),
		def(GroupUltra, `^the breaker of `+quoted+` expects to recover within its recovery timeout$`, `Then the breaker of "openai" expects to recover within its recovery timeout`, st.breakerRecovers),
		def(GroupUltra, `^every response in this scenario conformed to the contract$`, `Then every response in this scenario conformed to the contract`, st.scenarioConformed),
		def(GroupUltra, `^every response seen so far in this run conformed to the contract$`, `Then every response seen so far in this run conformed to the contract`, st.runConformed),
		def(GroupUltra, `^every operation of the contract was exercised in this scenario$`, `Then every operation of the contract was exercised in this scenario`, st.everyOperationExercised),
		def(GroupUltra, `^a secure production environment$`, `Given a secure production environment`, st.secureProductionEnv),
		def(GroupUltra, `^an empty environment$`, `Given an empty environment`, st.emptyEnv),
		def(GroupUltra, `^the variable `+quoted+` is set to `+quoted+`$`, `And the variable "JWT_SECRET" is set to "short"`, st.setVariable),
		def(GroupUltra, `^the variable `+quoted+` is unset$`, `And the variable "JWT_SECRET" is unset`, st.unsetVariable),
		def(GroupUltra, `^the gateway configuration is loaded$`, `When the gateway configuration is loaded`, st.loadConfig),
		def(GroupUltra, `^the configuration is refused naming `+quoted+`$`, `Then the configuration is refused naming "JWT_SECRET"`, st.configRefused),
		def(GroupUltra, `^the configuration error lists (\d+) problems$`, `And the configuration error lists 2 problems`, st.configProblems),
		def(GroupUltra, `^the configuration is accepted$`, `Then the configuration is accepted`, st.configAccepted),
		def(GroupUltra, `^the loaded configuration has environment `+quoted+` and mock mode on$`, `And the loaded configuration has environment "development" and mock mode on`, st.configTestingMock),
		def(GroupUltra, `^a gateway is started from that configuration with its providers pointed at the mock$`, `When a gateway is started from that configuration with its providers pointed at the mock`, st.startConfiguredGateway),
	}
}
