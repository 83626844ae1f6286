package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ultra-kit/ultra/gateway/providers"
)

// maxParallelCalls bounds the concurrent provider calls of one analysis.
const maxParallelCalls = 4

// analyzeRequest is the contract's AnalyzeRequest.
type analyzeRequest struct {
	Prompt         string   `json:"prompt"`
	SelectedModels []string `json:"selected_models"`
	UltraModel     string   `json:"ultra_model"`
	Pattern        string   `json:"pattern"`
	OutputFormat   string   `json:"output_format"`
	Options        *struct {
		Temperature    *float64 `json:"temperature"`
		MaxTokens      *int     `json:"max_tokens"`
		TimeoutSeconds *float64 `json:"timeout_seconds"`
	} `json:"options"`
}

// decodeAnalyzeRequest parses an analyze body strictly: one JSON object, no unknown fields, no
// trailing data. Errors are *jsonError.
func decodeAnalyzeRequest(data []byte) (analyzeRequest, error) {
	var req analyzeRequest
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, &jsonError{err}
	}
	if dec.More() {
		return req, &jsonError{errors.New("unexpected data after the JSON object")}
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, &jsonError{errors.New("unexpected data after the JSON object")}
	}
	return req, nil
}

type tokenUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
}

type modelError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Status  *int   `json:"status"`
}

type modelResponse struct {
	Status        string      `json:"status"`
	Provider      string      `json:"provider"`
	ProviderModel string      `json:"provider_model"`
	DurationMS    float64     `json:"duration_ms"`
	Text          *string     `json:"text,omitempty"`
	Usage         *tokenUsage `json:"usage,omitempty"`
	Error         *modelError `json:"error,omitempty"`
}

type ultraResponse struct {
	Model      string     `json:"model"`
	Provider   string     `json:"provider"`
	Text       string     `json:"text"`
	DurationMS float64    `json:"duration_ms"`
	Usage      tokenUsage `json:"usage"`
}

type analyzeResponse struct {
	Status         string                   `json:"status"`
	AnalysisID     string                   `json:"analysis_id"`
	ModelResponses map[string]modelResponse `json:"model_responses"`
	UltraResponse  ultraResponse            `json:"ultra_response"`
	Performance    struct {
		TotalMS float64            `json:"total_ms"`
		ModelMS map[string]float64 `json:"model_ms"`
	} `json:"performance"`
	Metadata struct {
		Pattern      string    `json:"pattern"`
		ModelsUsed   []string  `json:"models_used"`
		UltraModel   string    `json:"ultra_model"`
		OutputFormat string    `json:"output_format"`
		Timestamp    time.Time `json:"timestamp"`
	} `json:"metadata"`
}

type callResult struct {
	model Model
	resp  *providers.Response
	err   error
	dur   time.Duration
}

func (g *Gateway) handleAnalyze() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, r, g.logger, err)
			return
		}
		req, err := decodeAnalyzeRequest(body)
		if err != nil {
			writeError(w, r, g.logger, err)
			return
		}
		resp, err := g.analyze(r.Context(), req)
		if err != nil {
			if r.Context().Err() != nil {
				g.logger.InfoContext(r.Context(), "client went away; analysis cancelled")
				return
			}
			writeError(w, r, g.logger, err)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	})
}

// analyze runs one analysis. Errors: *unknownModelError, *circuitOpenError, *allFailedError,
// errAnalyzeTimeout, or the context's error when the caller went away.
func (g *Gateway) analyze(ctx context.Context, req analyzeRequest) (*analyzeResponse, error) {
	start := g.now()
	selected, ultra, err := g.resolveModels(req)
	if err != nil {
		return nil, err
	}
	pat, ok := findPattern(req.Pattern)
	if req.Pattern == "" {
		pat, ok = findPattern("confidence")
	}
	if !ok {
		return nil, &invalidPatternError{req.Pattern}
	}
	format := req.OutputFormat
	if format == "" {
		format = "txt"
	}
	if err := g.circuitsUsable(selected, ultra); err != nil {
		return nil, err
	}
	timeout := g.cfg.AnalyzeTimeout
	base := providers.Request{Prompt: req.Prompt}
	if o := req.Options; o != nil {
		base.Temperature = o.Temperature
		if o.MaxTokens != nil {
			base.MaxTokens = *o.MaxTokens
		}
		if o.TimeoutSeconds != nil && *o.TimeoutSeconds > 0 {
			timeout = time.Duration(*o.TimeoutSeconds * float64(time.Second))
		}
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, errAnalyzeTimeout)
	defer cancel()
	timedOut := func() error {
		return fmt.Errorf("%w: the analysis did not complete within %s", errAnalyzeTimeout, timeout)
	}

	results := make([]callResult, len(selected))
	sem := make(chan struct{}, maxParallelCalls)
	var wg sync.WaitGroup
	for i, m := range selected {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = callResult{model: m, err: ctx.Err()}
				return
			}
			defer func() { <-sem }()
			defer func() {
				if v := recover(); v != nil {
					g.logger.ErrorContext(ctx, "provider call panicked", "model", m.Name, "panic", fmt.Sprint(v))
					results[i] = callResult{model: m, err: fmt.Errorf("provider %s panicked", m.Provider)}
				}
			}()
			r := base
			r.Model = m.ProviderModel
			t0 := g.now()
			resp, err := g.callModel(ctx, m, r)
			results[i] = callResult{model: m, resp: resp, err: err, dur: g.now().Sub(t0)}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		if errors.Is(context.Cause(ctx), errAnalyzeTimeout) {
			return nil, timedOut()
		}
		return nil, err
	}

	out := &analyzeResponse{AnalysisID: uuid.NewString(), ModelResponses: map[string]modelResponse{}, Status: "success"}
	out.Performance.ModelMS = map[string]float64{}
	out.Metadata.ModelsUsed = []string{}
	var answers []namedAnswer
	var failures []string
	allOpen := true
	for _, res := range results {
		mr := modelResponse{Provider: res.model.Provider, ProviderModel: res.model.ProviderModel, DurationMS: ms(res.dur)}
		out.Performance.ModelMS[res.model.Name] = mr.DurationMS
		if res.err != nil {
			mr.Status, mr.Error = "error", modelErrorFor(res.err)
			out.Status = "partial_success"
			failures = append(failures, fmt.Sprintf("%s (%s)", res.model.Name, failureSummary(mr.Error)))
			allOpen = allOpen && mr.Error.Code == "circuit_open"
		} else {
			text := res.resp.Text
			mr.Status, mr.Text = "ok", &text
			mr.Usage = &tokenUsage{res.resp.InputTokens, res.resp.OutputTokens}
			answers = append(answers, namedAnswer{res.model.Name, text})
			out.Metadata.ModelsUsed = append(out.Metadata.ModelsUsed, res.model.Name)
		}
		out.ModelResponses[res.model.Name] = mr
	}
	if len(answers) == 0 {
		if allOpen {
			return nil, g.openCircuitError(selected)
		}
		return nil, &allFailedError{code: "all_providers_failed",
			detail: fmt.Sprintf("All %d selected models failed: %s.", len(selected), strings.Join(failures, ", "))}
	}

	system, user := synthesisPrompt(pat, format, req.Prompt, answers)
	sreq := base
	sreq.Model, sreq.System, sreq.Prompt = ultra.ProviderModel, system, user
	t0 := g.now()
	sresp, err := g.callModel(ctx, ultra, sreq)
	sdur := g.now().Sub(t0)
	if err != nil {
		switch {
		case errors.Is(context.Cause(ctx), errAnalyzeTimeout):
			return nil, timedOut()
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case isCircuitOpen(err):
			return nil, g.openCircuitError([]Model{ultra})
		}
		return nil, &allFailedError{code: "synthesis_failed",
			detail: fmt.Sprintf("The synthesis by %s failed: %s.", ultra.Name, failureSummary(modelErrorFor(err)))}
	}
	out.UltraResponse = ultraResponse{Model: ultra.Name, Provider: ultra.Provider, Text: sresp.Text, DurationMS: ms(sdur),
		Usage: tokenUsage{sresp.InputTokens, sresp.OutputTokens}}
	out.Performance.TotalMS = ms(g.now().Sub(start))
	out.Metadata.Pattern, out.Metadata.UltraModel, out.Metadata.OutputFormat = pat.Name, ultra.Name, format
	out.Metadata.Timestamp = g.now().UTC()
	return out, nil
}

// invalidPatternError is an analysis pattern the gateway does not know.
type invalidPatternError struct{ name string }

func (e *invalidPatternError) Error() string { return "invalid pattern " + e.name }

func (g *Gateway) resolveModels(req analyzeRequest) ([]Model, Model, error) {
	var ue unknownModelError
	selected := make([]Model, 0, len(req.SelectedModels))
	for i, name := range req.SelectedModels {
		m, ok := g.modelsByName[name]
		if !ok {
			ue.names = append(ue.names, name)
			ue.errors = append(ue.errors, fieldError{Pointer: fmt.Sprintf("/selected_models/%d", i), Reason: fmt.Sprintf("unknown model %q", name), In: "body"})
			continue
		}
		selected = append(selected, m)
	}
	ultra, ok := g.modelsByName[req.UltraModel]
	if !ok {
		ue.names = append(ue.names, req.UltraModel)
		ue.errors = append(ue.errors, fieldError{Pointer: "/ultra_model", Reason: fmt.Sprintf("unknown model %q", req.UltraModel), In: "body"})
	}
	if len(ue.names) > 0 {
		for _, m := range g.models {
			ue.valid = append(ue.valid, m.Name)
		}
		return nil, Model{}, &ue
	}
	if len(selected) == 0 {
		return nil, Model{}, &unknownModelError{names: []string{""}, valid: g.modelNames(),
			errors: []fieldError{{Pointer: "/selected_models", Reason: "must contain at least 1 item", In: "body"}}}
	}
	return selected, ultra, nil
}

func (g *Gateway) modelNames() []string {
	names := make([]string, len(g.models))
	for i, m := range g.models {
		names[i] = m.Name
	}
	return names
}

// circuitsUsable fails fast, calling nobody, when the ultra model's breaker or every selected model's
// breaker is open.
func (g *Gateway) circuitsUsable(selected []Model, ultra Model) error {
	if g.breakers[ultra.Provider].open() {
		return g.openCircuitError([]Model{ultra})
	}
	for _, m := range selected {
		if !g.breakers[m.Provider].open() {
			return nil
		}
	}
	return g.openCircuitError(selected)
}

func (g *Gateway) openCircuitError(models []Model) error {
	e := &circuitOpenError{}
	seen := map[string]bool{}
	for _, m := range models {
		if seen[m.Provider] {
			continue
		}
		seen[m.Provider] = true
		e.providers = append(e.providers, m.Provider)
		if d := g.breakers[m.Provider].recoveryIn(); e.recovery == 0 || d > 0 && d < e.recovery {
			e.recovery = d
		}
	}
	return e
}

// callModel calls one model through its provider's breaker, bounded by PROVIDER_TIMEOUT.
func (g *Gateway) callModel(ctx context.Context, m Model, req providers.Request) (*providers.Response, error) {
	p, ok := g.providers[m.Provider]
	if !ok || g.cfg.APIKey(m.Provider) == "" {
		g.metrics.providerCalls.WithLabelValues(m.Provider, "no_api_key").Inc()
		return nil, &providers.Error{Provider: m.Provider, Code: providers.CodeNoAPIKey, Message: "no API key configured"}
	}
	ctx, cancel := context.WithTimeout(ctx, g.cfg.ProviderTimeout)
	defer cancel()
	t0 := g.now()
	resp, err := g.breakers[m.Provider].call(func() (*providers.Response, error) {
		resp, err := p.Complete(ctx, req)
		if err == nil && resp == nil {
			err = &providers.Error{Provider: m.Provider, Code: providers.CodeInvalidResponse, Message: "empty response"}
		}
		return resp, err
	})
	outcome := "ok"
	var pe *providers.Error
	switch {
	case err == nil:
	case isCircuitOpen(err):
		outcome = "circuit_open"
	case errors.Is(err, context.Canceled):
		outcome = "canceled"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &pe) && pe.Timeout:
		outcome = "timeout"
	default:
		outcome = "error"
	}
	g.metrics.providerCalls.WithLabelValues(m.Provider, outcome).Inc()
	if outcome != "circuit_open" {
		g.metrics.providerLatency.WithLabelValues(m.Provider).Observe(g.now().Sub(t0).Seconds())
	}
	return resp, err
}

// modelErrorFor describes a failed call without secrets (provider bodies can echo masked keys).
func modelErrorFor(err error) *modelError {
	var pe *providers.Error
	switch {
	case isCircuitOpen(err):
		return &modelError{Code: "circuit_open", Message: "circuit breaker open; the provider was not called"}
	case errors.As(err, &pe) && pe.Code == providers.CodeNoAPIKey:
		return &modelError{Code: "no_api_key", Message: "no API key configured for " + pe.Provider}
	case errors.As(err, &pe) && pe.Timeout, errors.Is(err, context.DeadlineExceeded):
		return &modelError{Code: "provider_timeout", Message: "the provider did not answer in time"}
	case errors.As(err, &pe) && pe.KeyRejected():
		return &modelError{Code: "provider_auth_failed", Message: fmt.Sprintf("%s rejected the API key (HTTP %d)", pe.Provider, pe.Status), Status: statusPtr(pe.Status)}
	case errors.As(err, &pe) && pe.Status == http.StatusTooManyRequests:
		return &modelError{Code: "provider_rate_limited", Message: fmt.Sprintf("%s returned HTTP 429 (rate limited)", pe.Provider), Status: statusPtr(pe.Status)}
	case errors.As(err, &pe):
		msg := pe.Error()
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return &modelError{Code: "provider_error", Message: msg, Status: statusPtr(pe.Status)}
	case errors.Is(err, context.Canceled):
		return &modelError{Code: "canceled", Message: "the call was cancelled"}
	}
	return &modelError{Code: "provider_error", Message: "provider call failed"}
}

func failureSummary(e *modelError) string {
	if e.Status != nil {
		return fmt.Sprintf("HTTP %d %s", *e.Status, e.Code)
	}
	return e.Code
}

func statusPtr(s int) *int {
	if s < 100 || s > 599 {
		return nil
	}
	return &s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
