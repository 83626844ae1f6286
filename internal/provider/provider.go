// Package provider is the one table of the LLM providers Ultra knows: their names, the environment
// variables that configure them, their public base URLs and how their official SDKs spell those URLs,
// where the mock server answers for them, and which error format they use. The gateway's
// configuration, health checks and model list, the mock server, cmd/ultra and the harness all range
// over All; adding a provider is one row here, one gateway client and one mock.
//
// It is a leaf: it imports only the standard library, so gateway and mockserver can both import it
// without importing each other.
package provider

import (
	"regexp"
	"strings"
)

// Names of the providers, as used in models.yaml, fault targets and the health reports.
const (
	OpenAI    = "openai"
	Anthropic = "anthropic"
	Gemini    = "gemini"
	Mistral   = "mistral"
)

// APIs a provider can speak: the gateway has one client per API, picked by the row's API column, so a
// provider whose API is already known (an OpenAI-compatible one) needs no new client.
const (
	// APIOpenAI is OpenAI's own Chat Completions (max_completion_tokens, refusals).
	APIOpenAI = "openai"
	// APIOpenAICompatible is the Chat Completions shape OpenAI-compatible services accept (max_tokens).
	APIOpenAICompatible = "openai-compatible"
	// APIAnthropic is Anthropic's Messages API.
	APIAnthropic = "anthropic"
	// APIGemini is Google's generateContent.
	APIGemini = "gemini"
)

// Error body formats (the ErrorFormat column).
const (
	// ErrorFormatOpenAI is {"error":{"message","type","code"}}.
	ErrorFormatOpenAI = "openai"
	// ErrorFormatAnthropic is {"type":"error","error":{"type","message"}}.
	ErrorFormatAnthropic = "anthropic"
	// ErrorFormatGoogle is {"error":{"code","message","status","details"}}, sometimes inside an array.
	ErrorFormatGoogle = "google"
	// ErrorFormatMistral is {"object":"error","message","type","code"}: the fields at the top level.
	ErrorFormatMistral = "mistral"
)

// Provider is one row of the table.
type Provider struct {
	// Name is the provider's id: openai, anthropic, gemini, mistral.
	Name string
	// Title is the provider's display name (OpenAI).
	Title string
	// KeyVar is the environment variable holding the API key (OPENAI_API_KEY).
	KeyVar string
	// BaseURLVar is the environment variable overriding the base URL (OPENAI_BASE_URL).
	BaseURLVar string
	// DefaultBaseURL is the public base URL, spelled as the provider's SDKs spell it (with or without
	// the API version, see VersionInBase).
	DefaultBaseURL string
	// VersionInBase says that the SDKs' base URL ends with the API version (OpenAI's and
	// Mistral's SDKs: https://api.openai.com/v1); false means the SDKs add the version themselves (Anthropic's
	// add /v1/messages, Google's genai adds /v1beta/models/...).
	VersionInBase bool
	// Versions are the API versions the provider serves, the one the gateway calls first. The mock
	// server answers under MockMount + "/" + each of them.
	Versions []string
	// MockMount is the path prefix the mock server answers this provider under (/openai).
	MockMount string
	// API is the API the provider speaks (APIOpenAI...); the gateway builds its client from it.
	API string
	// ErrorFormat names the shape of the provider's error bodies (ErrorFormatOpenAI...); the gateway's
	// caller parses failures by it and the provider mocks write theirs in it.
	ErrorFormat string
}

// All returns the table, in report order. The slice is new on every call: callers may keep or modify it.
func All() []Provider {
	return []Provider{
		{
			Name: OpenAI, Title: "OpenAI", KeyVar: "OPENAI_API_KEY", BaseURLVar: "OPENAI_BASE_URL",
			DefaultBaseURL: "https://api.openai.com/v1", VersionInBase: true, Versions: []string{"v1"},
			MockMount: "/openai", API: APIOpenAI, ErrorFormat: ErrorFormatOpenAI,
		},
		{
			Name: Anthropic, Title: "Anthropic", KeyVar: "ANTHROPIC_API_KEY", BaseURLVar: "ANTHROPIC_BASE_URL",
			DefaultBaseURL: "https://api.anthropic.com", Versions: []string{"v1"},
			MockMount: "/anthropic", API: APIAnthropic, ErrorFormat: ErrorFormatAnthropic,
		},
		{
			Name: Gemini, Title: "Gemini", KeyVar: "GOOGLE_API_KEY", BaseURLVar: "GEMINI_BASE_URL",
			DefaultBaseURL: "https://generativelanguage.googleapis.com", Versions: []string{"v1beta", "v1"},
			MockMount: "/gemini", API: APIGemini, ErrorFormat: ErrorFormatGoogle,
		},
		{
			Name: Mistral, Title: "Mistral", KeyVar: "MISTRAL_API_KEY", BaseURLVar: "MISTRAL_BASE_URL",
			DefaultBaseURL: "https://api.mistral.ai/v1", VersionInBase: true, Versions: []string{"v1"},
			MockMount: "/mistral", API: APIOpenAICompatible, ErrorFormat: ErrorFormatMistral,
		},
	}
}

// Names returns the providers' names in report order.
func Names() []string {
	all := All()
	names := make([]string, len(all))
	for i, p := range all {
		names[i] = p.Name
	}
	return names
}

// Lookup returns the provider called name, and false when there is none.
func Lookup(name string) (Provider, bool) {
	for _, p := range All() {
		if p.Name == name {
			return p, true
		}
	}
	return Provider{}, false
}

// versionRE matches an API version path segment: v1, v2, v1beta, v1alpha2.
var versionRE = regexp.MustCompile(`^v[0-9]+((alpha|beta)[0-9]*)?$`)

// APIRoot turns a base URL in either convention into the root the operation paths are appended to:
// a base that already ends with an API version segment (https://api.anthropic.com/v1,
// http://127.0.0.1:8086/gemini/v1) is kept, any other gets the provider's first version added
// (https://api.anthropic.com → https://api.anthropic.com/v1). An empty base means DefaultBaseURL.
// Trailing slashes are dropped.
func (p Provider) APIRoot(base string) string {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if base == "" {
		base = strings.TrimRight(p.DefaultBaseURL, "/")
	}
	if HasVersion(base) || len(p.Versions) == 0 {
		return base
	}
	return base + "/" + p.Versions[0]
}

// HasVersion reports whether a URL's last path segment is an API version (v1, v1beta).
func HasVersion(url string) bool {
	url = strings.TrimRight(url, "/")
	if i := strings.Index(url, "://"); i >= 0 {
		rest := url[i+3:]
		if !strings.Contains(rest, "/") {
			return false // host only
		}
	}
	last := url[strings.LastIndexByte(url, '/')+1:]
	return versionRE.MatchString(last)
}

// SDKBaseURL is the base URL to give the provider's official SDK (and the gateway's BaseURLVar) for
// a mock server at root: root + MockMount, plus the first version when the SDKs expect it in the
// base (http://127.0.0.1:8086/openai/v1, http://127.0.0.1:8086/anthropic).
func (p Provider) SDKBaseURL(root string) string {
	u := strings.TrimRight(root, "/") + p.MockMount
	if p.VersionInBase && len(p.Versions) > 0 {
		u += "/" + p.Versions[0]
	}
	return u
}

// MockRoots are the path prefixes the mock answers this provider's API under, one per version
// (/gemini/v1beta, /gemini/v1).
func (p Provider) MockRoots() []string {
	out := make([]string, len(p.Versions))
	for i, v := range p.Versions {
		out[i] = p.MockMount + "/" + v
	}
	return out
}
