package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
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

// analyzer runs analyses: it fans a prompt out to the selected models through their breakers and has
// the ultra model synthesize the answers.
type analyzer struct {
	logger       *slog.Logger
	now          func() time.Time
	models       []Model
	modelsByName map[string]Model
	providers    map[string]Provider
	keyed        map[string]bool // providers with an API key configured
	breakers     map[string]*breaker
	metrics      *metrics
	// timeout bounds one analysis unless the request sets its own; callTimeout bounds one model call.
	timeout, callTimeout time.Duration
}

func newAnalyzer(cfg Config, providers map[string]Provider, breakers map[string]*breaker, m *metrics, now func() time.Time, logger *slog.Logger) *analyzer {
	a := &analyzer{logger: logger, now: now, models: cfg.Models, modelsByName: map[string]Model{},
		providers: providers, keyed: map[string]bool{}, breakers: breakers, metrics: m,
		timeout: cfg.AnalyzeTimeout, callTimeout: cfg.ProviderTimeout}
	for _, md := range cfg.Models {
		a.modelsByName[md.Name] = md
	}
	for name, key := range cfg.APIKeys {
		a.keyed[name] = key != ""
	}
	return a
}

func handleAnalyze(logger *slog.Logger, a *analyzer) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		req, err := decodeAnalyzeRequest(body)
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		resp, err := a.analyze(r.Context(), req)
		if err != nil {
			if r.Context().Err() != nil {
				logger.InfoContext(r.Context(), "client went away; analysis cancelled")
				return
			}
			writeError(w, r, logger, err)
			return
		}
		writeJSON(w, http.StatusOK, resp)
	})
}

// plan is one analysis resolved against the models and patterns: who is asked, who synthesizes, how.
type plan struct {
	selected []Model
	ultra    Model
	pattern  pattern
	format   string
	base     providers.Request // the options every call shares
	timeout  time.Duration
}

// analyze runs one analysis: plan → fan out → collect → synthesize. Errors: *unknownModelError,
// *invalidPatternError, *circuitOpenError, *allFailedError, errAnalyzeTimeout, or the context's error
// when the caller went away.
func (a *analyzer) analyze(ctx context.Context, req analyzeRequest) (*analyzeResponse, error) {
	start := a.now()
	p, err := a.plan(req)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeoutCause(ctx, p.timeout, errAnalyzeTimeout)
	defer cancel()
	results := a.fanOut(ctx, p)
	if ctx.Err() != nil {
		return nil, p.ctxError(ctx)
	}
	out, answers, err := a.collect(p, results)
	if err != nil {
		return nil, err
	}
	if err := a.synthesize(ctx, p, req.Prompt, answers, out); err != nil {
		return nil, err
	}
	out.Performance.TotalMS = ms(a.now().Sub(start))
	out.Metadata.Pattern, out.Metadata.UltraModel, out.Metadata.OutputFormat = p.pattern.Name, p.ultra.Name, p.format
	out.Metadata.Timestamp = a.now().UTC()
	return out, nil
}

// plan resolves the request's models and pattern, fails fast when their breakers are open, and
// works out the shared options and the analysis timeout.
func (a *analyzer) plan(req analyzeRequest) (plan, error) {
	selected, ultra, err := a.resolveModels(req)
	if err != nil {
		return plan{}, err
	}
	pat, ok := findPattern(req.Pattern)
	if req.Pattern == "" {
		pat, ok = findPattern("confidence")
	}
	if !ok {
		return plan{}, &invalidPatternError{req.Pattern}
	}
	p := plan{selected: selected, ultra: ultra, pattern: pat, format: req.OutputFormat, timeout: a.timeout,
		base: providers.Request{Prompt: req.Prompt}}
	if p.format == "" {
		p.format = "txt"
	}
	if err := a.circuitsUsable(selected, ultra); err != nil {
		return plan{}, err
	}
	if o := req.Options; o != nil {
		p.base.Temperature = o.Temperature
		if o.MaxTokens != nil {
			p.base.MaxTokens = *o.MaxTokens
		}
		if o.TimeoutSeconds != nil && *o.TimeoutSeconds > 0 {
			p.timeout = time.Duration(*o.TimeoutSeconds * float64(time.Second))
		}
	}
	return p, nil
}

// ctxError is the error of an analysis whose context ended: errAnalyzeTimeout when its own deadline
// passed, else the context's error.
func (p plan) ctxError(ctx context.Context) error {
	if errors.Is(context.Cause(ctx), errAnalyzeTimeout) {
		return fmt.Errorf("%w: the analysis did not complete within %s", errAnalyzeTimeout, p.timeout)
	}
	return ctx.Err()
}

// fanOut asks every selected model, at most maxParallelCalls at a time, and returns the results in
// the order of p.selected. A panicking provider becomes that model's error.
func (a *analyzer) fanOut(ctx context.Context, p plan) []callResult {
	results := make([]callResult, len(p.selected))
	sem := make(chan struct{}, maxParallelCalls)
	var wg sync.WaitGroup
	for i, m := range p.selected {
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
					a.logger.ErrorContext(ctx, "provider call panicked", "model", m.Name, "panic", fmt.Sprint(v))
					results[i] = callResult{model: m, err: fmt.Errorf("provider %s panicked", m.Provider)}
				}
			}()
			r := p.base
			r.Model = m.ProviderModel
			t0 := a.now()
			resp, err := a.callModel(ctx, m, r)
			results[i] = callResult{model: m, resp: resp, err: err, dur: a.now().Sub(t0)}
		}()
	}
	wg.Wait()
	return results
}

// collect turns the results into the response's model section and the answers to synthesize. It
// fails when no model answered: *circuitOpenError when every failure was an open breaker, else
// *allFailedError.
func (a *analyzer) collect(p plan, results []callResult) (*analyzeResponse, []namedAnswer, error) {
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
			return nil, nil, a.openCircuitError(p.selected)
		}
		return nil, nil, &allFailedError{code: "all_providers_failed",
			detail: fmt.Sprintf("All %d selected models failed: %s.", len(p.selected), strings.Join(failures, ", "))}
	}
	return out, answers, nil
}

// synthesize has the ultra model combine the answers by the plan's pattern and sets out.UltraResponse.
func (a *analyzer) synthesize(ctx context.Context, p plan, prompt string, answers []namedAnswer, out *analyzeResponse) error {
	system, user := synthesisPrompt(p.pattern, p.format, prompt, answers)
	sreq := p.base
	sreq.Model, sreq.System, sreq.Prompt = p.ultra.ProviderModel, system, user
	t0 := a.now()
	sresp, err := a.callModel(ctx, p.ultra, sreq)
	sdur := a.now().Sub(t0)
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return p.ctxError(ctx)
		case isCircuitOpen(err):
			return a.openCircuitError([]Model{p.ultra})
		}
		return &allFailedError{code: "synthesis_failed",
			detail: fmt.Sprintf("The synthesis by %s failed: %s.", p.ultra.Name, failureSummary(modelErrorFor(err)))}
	}
	out.UltraResponse = ultraResponse{Model: p.ultra.Name, Provider: p.ultra.Provider, Text: sresp.Text, DurationMS: ms(sdur),
		Usage: tokenUsage{sresp.InputTokens, sresp.OutputTokens}}
	return nil
}
