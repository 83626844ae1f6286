package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"

	"github.com/ultra-kit/ultra/internal/provider"
)

// Fault is a mock server fault as its admin API takes it (see mockserver/fault).
type Fault struct {
	Target     string `json:"target"`
	Kind       string `json:"kind,omitempty"`
	Status     int    `json:"status,omitempty"`
	Latency    string `json:"latency,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"`
}

func (st *steps) everyProviderFails(ctx context.Context, status int) error {
	for _, p := range provider.Names() {
		if err := st.addFault(ctx, Fault{Target: p, Kind: "error", Status: status}); err != nil {
			return err
		}
	}
	return nil
}

func (st *steps) providerFails(ctx context.Context, provider string, status int) error {
	return st.addFault(ctx, Fault{Target: provider, Kind: "error", Status: status})
}

func (st *steps) providerRejectsKeys(ctx context.Context, provider string) error {
	return st.addFault(ctx, Fault{Target: provider, Kind: "unauthorized"})
}

func (st *steps) modelFails(ctx context.Context, model string, status int) error {
	target, err := st.modelTarget(ctx, model)
	if err != nil {
		return err
	}
	return st.addFault(ctx, Fault{Target: target, Kind: "error", Status: status})
}

func (st *steps) modelSlow(ctx context.Context, model string, secs int) error {
	target, err := st.modelTarget(ctx, model)
	if err != nil {
		return err
	}
	return st.addFault(ctx, Fault{Target: target, Latency: fmt.Sprintf("%ds", secs)})
}

func (st *steps) addMockFault(ctx context.Context, doc *godog.DocString) error {
	var f json.RawMessage
	if err := json.Unmarshal([]byte(doc.Content), &f); err != nil {
		return fmt.Errorf("step: the fault is not JSON: %w", err)
	}
	return st.addFault(ctx, f)
}

func (st *steps) clearMockFaults(ctx context.Context) error { return st.clearFaults(ctx) }

func (st *steps) journalInvalidAt(ctx context.Context, pointer string) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	if s.last == nil {
		return fmt.Errorf("expected a request sent to the mock server, got none")
	}
	path, ok := strings.CutPrefix(s.last.URL, st.target.AdminURL())
	if !ok || st.target.AdminURL() == "" {
		return fmt.Errorf("expected the last request to go to the mock server at %q, got %s", st.target.AdminURL(), s.last.URL)
	}
	x, err := st.admin(ctx, http.MethodGet, "/__admin/requests", nil, 200)
	if err != nil {
		return err
	}
	// The journal also holds the gateway's provider calls: find the newest request like ours.
	for _, r := range gjson.GetBytes(x.Body, "requests").Array() {
		if r.Get("method").String() != s.last.Method || r.Get("path").String() != path {
			continue
		}
		if r.Get("valid").Bool() {
			return fmt.Errorf("expected the journaled %s %s to be invalid, got valid\n  journal entry: %s", s.last.Method, path, r.Raw)
		}
		for _, e := range r.Get("errors").Array() {
			if e.Get("pointer").String() == pointer {
				return nil
			}
		}
		return fmt.Errorf("expected a journaled error at %s, got %s", pointer, r.Get("errors").Raw)
	}
	return fmt.Errorf("expected the journal to hold %s %s, got none\n  exchange: %s", s.last.Method, path, x)
}

func (st *steps) mockListsFaults(ctx context.Context, n int) error {
	x, err := st.admin(ctx, http.MethodGet, "/__admin/faults", nil, 200)
	if err != nil {
		return err
	}
	if got := len(gjson.GetBytes(x.Body, "faults").Array()); got != n {
		return fmt.Errorf("expected the mock server to list %d faults, got %d\n  exchange: %s", n, got, x)
	}
	return nil
}

func (st *steps) mockSend(ctx context.Context, method, path string) error {
	return st.toMock(ctx, Request{Method: method, Path: path})
}

func (st *steps) mockSendBearer(ctx context.Context, method, path string) error {
	return st.toMock(ctx, Request{Method: method, Path: path, Header: http.Header{"Authorization": {"Bearer any.mock.token"}}})
}

func (st *steps) mockSendHeader(ctx context.Context, method, path, name, value string) error {
	return st.toMock(ctx, Request{Method: method, Path: path, Header: http.Header{http.CanonicalHeaderKey(name): {value}}})
}

func (st *steps) mockSendNonConforming(ctx context.Context, method, path string, body *godog.DocString) error {
	return st.toMock(ctx, Request{Method: method, Path: path, Body: []byte(body.Content), NonConforming: true,
		Header: http.Header{"Authorization": {"Bearer any.mock.token"}}})
}

func (st *steps) toMock(ctx context.Context, r Request) error {
	base := st.target.AdminURL()
	if base == "" {
		return fmt.Errorf("expected a mock server, got none for target %s", st.target.Name())
	}
	r.Base = base
	_, err := st.send(ctx, r)
	return err
}

// admin calls the mock server's admin API (not part of the contract) and expects the status.
func (st *steps) admin(ctx context.Context, method, path string, body any, want int) (*Exchange, error) {
	base := st.target.AdminURL()
	if base == "" {
		return nil, fmt.Errorf("expected a mock server admin API, got none for target %s", st.target.Name())
	}
	var data []byte
	if body != nil {
		var err error
		if data, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("encode admin request: %w", err)
		}
	}
	h := http.Header{}
	if data != nil {
		h.Set("Content-Type", "application/json")
	}
	x, err := st.client.Do(ctx, Request{Base: base, Method: method, Path: path, Body: data, Header: h, NoContract: true})
	if err != nil {
		return x, err
	}
	if x.Status != want {
		return x, fmt.Errorf("expected the mock admin API to answer %s %s with %d, got %d\n  exchange: %s", method, path, want, x.Status, x)
	}
	return x, nil
}

func (st *steps) addFault(ctx context.Context, f any) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	s.faultsTouched = true
	_, err = st.admin(ctx, http.MethodPost, "/__admin/faults", f, http.StatusCreated)
	return err
}

func (st *steps) clearFaults(ctx context.Context) error {
	_, err := st.admin(ctx, http.MethodDelete, "/__admin/faults", nil, http.StatusNoContent)
	if err != nil {
		// Some admin APIs answer 200 to a DELETE; accept that too.
		if x, err2 := st.admin(ctx, http.MethodGet, "/__admin/faults", nil, 200); err2 == nil && len(gjson.GetBytes(x.Body, "faults").Array()) == 0 {
			return nil
		}
	}
	return err
}

// modelTarget returns the fault target "provider:provider_model" of a gateway model name, read from
// the gateway's /api/available-models (so the same feature works whatever the models file says).
func (st *steps) modelTarget(ctx context.Context, model string) (string, error) {
	s, err := stateFrom(ctx)
	if err != nil {
		return "", err
	}
	if s.models == nil {
		tok, err := st.target.Token(s.identity("fault-setup"))
		if err != nil {
			return "", fmt.Errorf("expected a token to read the models, got %w", err)
		}
		x, err := st.client.Do(ctx, Request{Base: s.base, Method: http.MethodGet, Path: "/api/available-models",
			Header: http.Header{"Authorization": {"Bearer " + tok}}})
		if err != nil {
			return "", err
		}
		if x.Status != 200 {
			return "", fmt.Errorf("expected GET /api/available-models to answer 200, got %d\n  exchange: %s", x.Status, x)
		}
		s.models = map[string]modelInfo{}
		for _, m := range gjson.GetBytes(x.Body, "models").Array() {
			s.models[m.Get("name").String()] = modelInfo{provider: m.Get("provider").String(), providerModel: m.Get("provider_model").String()}
		}
	}
	m, ok := s.models[model]
	if !ok {
		return "", fmt.Errorf("expected the gateway to know the model %q, got none by that name", model)
	}
	return m.provider + ":" + m.providerModel, nil
}
