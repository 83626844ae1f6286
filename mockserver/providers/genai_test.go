package providers_test

import (
	"encoding/json"
	"strings"
	"testing"

	"google.golang.org/genai"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// genaiClient is Google's current SDK with its defaults, only the base URL (and, for v1, the API
// version) changed.
func genaiClient(t *testing.T, srvURL, version string) *genai.Client {
	t.Helper()
	c, err := genai.NewClient(t.Context(), &genai.ClientConfig{APIKey: "g-key", Backend: genai.BackendGeminiAPI,
		HTTPOptions: genai.HTTPOptions{BaseURL: srvURL + "/gemini/", APIVersion: version}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func rawSchema(tb testing.TB, s string) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestGenaiSDK(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	weather, order := mustSchema(t, weatherSchema), mustSchema(t, orderSchema)
	// Google's own Schema type, as the SDK sends it: upper-case types, int64 bounds.
	googleWeather := &genai.Schema{Type: genai.TypeObject, Required: []string{"city", "unit"}, Properties: map[string]*genai.Schema{
		"city": {Type: genai.TypeString, MinLength: genai.Ptr[int64](2)},
		"unit": {Type: genai.TypeString, Format: "enum", Enum: []string{"celsius", "fahrenheit"}},
		"days": {Type: genai.TypeInteger, Minimum: genai.Ptr(1.0), Maximum: genai.Ptr(7.0)},
	}}
	googleWeatherJSON := mustSchema(t, `{"type":"object","required":["city","unit"],"properties":{"city":{"type":"string","minLength":2},"unit":{"type":"string","enum":["celsius","fahrenheit"]},"days":{"type":"integer","minimum":1,"maximum":7}}}`)
	for _, version := range []string{"v1beta", "v1"} {
		client := genaiClient(t, srv.URL, version)
		t.Run(version+"/Text", func(t *testing.T) {
			got, err := client.Models.GenerateContent(t.Context(), "gemini-2.0-flash", genai.Text("Compare the two proposals"), nil)
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			if want := providers.Answer("gemini-2.0-flash", "Compare the two proposals"); got.Text() != want {
				t.Errorf("expected %q, got %q", want, got.Text())
			}
		})
		t.Run(version+"/FunctionCallAny", func(t *testing.T) {
			cfg := &genai.GenerateContentConfig{
				Tools: []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{
					{Name: "get_weather", Description: "weather forecast", Parameters: googleWeather},
					{Name: "get_order", Description: "order status", ParametersJsonSchema: rawSchema(t, orderSchema)},
				}}},
				ToolConfig: &genai.ToolConfig{FunctionCallingConfig: &genai.FunctionCallingConfig{Mode: genai.FunctionCallingConfigModeAny}},
			}
			for prompt, check := range map[string]struct {
				name   string
				schema interface{ Validate([]byte) error }
			}{"weather in Paris": {"get_weather", googleWeatherJSON}, "status of my order": {"get_order", order}} {
				got, err := client.Models.GenerateContent(t.Context(), "gemini-2.0-flash", genai.Text(prompt), cfg)
				if err != nil {
					t.Fatalf("generate: %v", err)
				}
				calls := got.FunctionCalls()
				if len(calls) != 1 || calls[0].Name != check.name {
					t.Fatalf("%s: expected a call of %s, got %+v", prompt, check.name, calls)
				}
				args, _ := json.Marshal(calls[0].Args)
				if err := check.schema.Validate(args); err != nil {
					t.Errorf("%s: args %s do not validate: %v", prompt, args, err)
				}
			}
			cfg.ToolConfig.FunctionCallingConfig.Mode = genai.FunctionCallingConfigModeNone
			got, err := client.Models.GenerateContent(t.Context(), "gemini-2.0-flash", genai.Text("weather in Paris"), cfg)
			if err != nil || len(got.FunctionCalls()) != 0 || got.Text() == "" {
				t.Errorf("expected NONE to answer text, got %v %+v", err, got)
			}
		})
		t.Run(version+"/FunctionResponseAnsweredWithText", func(t *testing.T) {
			cfg := &genai.GenerateContentConfig{Tools: []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{
				{Name: "get_weather", Description: "weather forecast", ParametersJsonSchema: rawSchema(t, weatherSchema)}}}}}
			first, err := client.Models.GenerateContent(t.Context(), "gemini-2.0-flash", genai.Text("weather in Paris"), cfg)
			if err != nil || len(first.FunctionCalls()) != 1 {
				t.Fatalf("expected AUTO to call get_weather, got %v %+v", err, first)
			}
			if err := weather.Validate(mustJSON(t, first.FunctionCalls()[0].Args)); err != nil {
				t.Errorf("args do not validate: %v", err)
			}
			contents := append(genai.Text("weather in Paris"), first.Candidates[0].Content,
				genai.NewContentFromFunctionResponse("get_weather", map[string]any{"temp": 21}, genai.RoleUser))
			got, err := client.Models.GenerateContent(t.Context(), "gemini-2.0-flash", contents, cfg)
			if err != nil || len(got.FunctionCalls()) != 0 || !strings.Contains(got.Text(), "temp") {
				t.Errorf("expected a text answer about the result, got %v %+v", err, got)
			}
		})
		t.Run(version+"/StructuredOutput", func(t *testing.T) {
			for name, cfg := range map[string]*genai.GenerateContentConfig{
				"responseJsonSchema": {ResponseMIMEType: "application/json", ResponseJsonSchema: rawSchema(t, orderSchema)},
				"responseSchema":     {ResponseMIMEType: "application/json", ResponseSchema: googleWeather},
			} {
				got, err := client.Models.GenerateContent(t.Context(), "gemini-1.5-pro", genai.Text("Summarise order 42"), cfg)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				s := order
				if name == "responseSchema" {
					s = googleWeatherJSON
				}
				if err := s.Validate([]byte(got.Text())); err != nil {
					t.Errorf("%s: %s does not validate: %v", name, got.Text(), err)
				}
			}
		})
		t.Run(version+"/Stream", func(t *testing.T) {
			var b strings.Builder
			chunks := 0
			for resp, err := range client.Models.GenerateContentStream(t.Context(), "gemini-1.5-flash", genai.Text("Compare the two proposals"), nil) {
				if err != nil {
					t.Fatalf("stream: %v", err)
				}
				chunks++
				b.WriteString(resp.Text())
			}
			if want := providers.Answer("gemini-1.5-flash", "Compare the two proposals"); b.String() != want || chunks < 3 {
				t.Errorf("expected %q in several chunks, got %q in %d", want, b.String(), chunks)
			}
		})
		t.Run(version+"/Embeddings", func(t *testing.T) {
			contents := []*genai.Content{genai.NewContentFromText("the cat sat on the mat", genai.RoleUser),
				genai.NewContentFromText("a cat on a mat", genai.RoleUser), genai.NewContentFromText("quarterly revenue grew", genai.RoleUser)}
			for model, want := range map[string]int{"text-embedding-004": 768, "gemini-embedding-001": 3072} {
				got, err := client.Models.EmbedContent(t.Context(), model, contents, nil)
				if err != nil {
					t.Fatalf("%s: %v", model, err)
				}
				if len(got.Embeddings) != 3 || len(got.Embeddings[0].Values) != want {
					t.Fatalf("%s: expected 3 vectors of %d, got %d", model, want, len(got.Embeddings))
				}
				f := func(i int) []float64 {
					out := make([]float64, len(got.Embeddings[i].Values))
					for j, x := range got.Embeddings[i].Values {
						out[j] = float64(x)
					}
					return out
				}
				if near, far := cosine(f(0), f(1)), cosine(f(0), f(2)); near <= far {
					t.Errorf("%s: expected related texts closer (%.3f) than unrelated (%.3f)", model, near, far)
				}
			}
			got, err := client.Models.EmbedContent(t.Context(), "gemini-embedding-001", contents[:1], &genai.EmbedContentConfig{OutputDimensionality: genai.Ptr[int32](128)})
			if err != nil || len(got.Embeddings[0].Values) != 128 {
				t.Errorf("expected 128 values with outputDimensionality, got %v", err)
			}
		})
		t.Run(version+"/CountTokens", func(t *testing.T) {
			got, err := client.Models.CountTokens(t.Context(), "gemini-1.5-pro", genai.Text("one two three four five six"), nil)
			if err != nil || got.TotalTokens != int32(providers.Tokens("one two three four five six\n")) {
				t.Errorf("expected %d tokens, got %v %+v", providers.Tokens("one two three four five six"), err, got)
			}
		})
	}
}

func TestGeminiFunctionCallStreamFaults(t *testing.T) {
	srv := mustServer(t, providers.Config{Faults: mustFaults(t, fault.Fault{Target: "gemini", Kind: fault.KindStreamError})})
	client := genaiClient(t, srv.URL, "")
	cfg := &genai.GenerateContentConfig{Tools: []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{
		{Name: "get_weather", Description: "weather forecast", ParametersJsonSchema: rawSchema(t, weatherSchema)}}}}}
	calls, failed := 0, false
	for resp, err := range client.Models.GenerateContentStream(t.Context(), "gemini-2.0-flash", genai.Text("weather in Paris"), cfg) {
		if err != nil {
			failed = true
			break
		}
		calls += len(resp.FunctionCalls())
	}
	if !failed || calls != 1 {
		t.Errorf("expected the call chunk then the injected error, got %d calls, failed %v", calls, failed)
	}
}

func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
