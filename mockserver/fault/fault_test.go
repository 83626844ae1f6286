package fault_test

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name  string
		f     fault.Fault
		wants string // "" means valid
	}{
		{"Valid", fault.Fault{Target: "openai", Kind: fault.KindRateLimit}, ""},
		{"StatusOnly", fault.Fault{Target: "analyze", Status: 503}, ""},
		{"NoTarget", fault.Fault{Kind: fault.KindError}, "target is required"},
		{"UnknownKind", fault.Fault{Target: "*", Kind: "explode"}, `kind "explode"`},
		{"BadStatus", fault.Fault{Target: "*", Status: 99}, "not an HTTP status"},
		{"BadRate", fault.Fault{Target: "*", ErrorRate: 1.5}, "error_rate"},
		{"RangeBackwards", fault.Fault{Target: "*", Latency: fault.Duration(time.Second), LatencyMax: fault.Duration(time.Millisecond)}, "latency_max"},
		{"P50Alone", fault.Fault{Target: "*", P50: fault.Duration(time.Second)}, "go together"},
		{"NegativeTimes", fault.Fault{Target: "*", Times: -1}, "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.f.Validate()
			switch {
			case tt.wants == "" && err != nil:
				t.Fatalf("expected valid, got %v", err)
			case tt.wants != "" && (err == nil || !strings.Contains(err.Error(), tt.wants)):
				t.Fatalf("expected an error containing %q, got %v", tt.wants, err)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	var s fault.Set
	if d := s.Decide("openai"); d.Kind != fault.KindNone || d.Delay != 0 {
		t.Fatalf("empty set decided %+v", d)
	}
	if _, err := s.Replace([]fault.Fault{
		{Target: "openai:gpt-4o", Kind: fault.KindRateLimit, RetryAfter: fault.Duration(2 * time.Second), Times: 2},
		{Target: "openai", Latency: fault.Duration(10 * time.Millisecond)},
		{Target: "anthropic", Status: 529},
	}); err != nil {
		t.Fatal(err)
	}
	d := s.Decide("openai:gpt-4o", "openai", "*")
	if d.Kind != fault.KindRateLimit || d.RetryAfter != 2*time.Second || d.Delay != 10*time.Millisecond {
		t.Fatalf("expected rate_limit after 10ms, got %+v", d)
	}
	if d := s.Decide("openai:gpt-4o-mini", "openai", "*"); d.Kind != fault.KindNone || d.Delay != 10*time.Millisecond {
		t.Fatalf("another model: expected latency only, got %+v", d)
	}
	if d := s.Decide("anthropic"); d.Kind != fault.KindError || d.Status != 529 {
		t.Fatalf("status without kind: expected error 529, got %+v", d)
	}
	s.Decide("openai:gpt-4o") // second and last use of the Times: 2 fault
	if d := s.Decide("openai:gpt-4o"); d.Kind != fault.KindNone {
		t.Fatalf("a fault with times: 2 fired a third time: %+v", d)
	}
	if n := len(s.List()); n != 2 {
		t.Fatalf("expected the spent fault to be removed, %d left", n)
	}
	if _, err := s.Replace([]fault.Fault{{Target: "x"}, {Kind: "bad"}}); err == nil {
		t.Fatal("Replace accepted an invalid fault")
	}
	if n := len(s.List()); n != 2 {
		t.Fatalf("a failed Replace changed the set: %d faults", n)
	}
	f, err := s.Add(fault.Fault{Target: "*", Kind: fault.KindReset})
	if err != nil || f.ID == "" {
		t.Fatalf("Add: %+v, %v", f, err)
	}
	if !s.Remove(f.ID) || s.Remove(f.ID) {
		t.Fatal("Remove should succeed once")
	}
	s.Clear()
	if len(s.List()) != 0 {
		t.Fatal("Clear left faults")
	}
}

func TestDelay(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	uniform := fault.Fault{Target: "*", Latency: fault.Duration(10 * time.Millisecond), LatencyMax: fault.Duration(20 * time.Millisecond)}
	for range 1000 {
		if d := uniform.Delay(r); d < 10*time.Millisecond || d > 20*time.Millisecond {
			t.Fatalf("uniform delay %v outside [10ms, 20ms]", d)
		}
	}
	lognormal := fault.Fault{Target: "*", P50: fault.Duration(100 * time.Millisecond), P99: fault.Duration(time.Second)}
	below := 0
	for range 10000 {
		if lognormal.Delay(r) <= 100*time.Millisecond {
			below++
		}
	}
	if below < 4500 || below > 5500 {
		t.Fatalf("p50 of 100ms: expected about half the samples below it, got %d of 10000", below)
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name, in string
		want     int
		wantErr  string
	}{
		{"YAMLFile", "faults:\n  - target: analyze\n    latency: 250ms\n  - target: openai\n    kind: overloaded\n", 2, ""},
		{"YAMLList", "- target: \"GET /api/health\"\n  latency: 1.5\n", 1, ""},
		{"JSON", `{"faults":[{"target":"gemini","kind":"stream_drop","times":1}]}`, 1, ""},
		{"Empty", "  ", 0, ""},
		{"UnknownField", "faults:\n  - target: x\n    latncy: 1s\n", 0, "latncy"},
		{"BadDuration", "faults:\n  - target: x\n    latency: soon\n", 0, "bad duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := fault.Parse([]byte(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("expected an error containing %q, got %v", tt.wantErr, err)
				}
				return
			}
			if err != nil || len(got) != tt.want {
				t.Fatalf("expected %d faults, got %d (%v)", tt.want, len(got), err)
			}
		})
	}
}

func TestDurationJSON(t *testing.T) {
	var f fault.Fault
	if err := json.Unmarshal([]byte(`{"target":"*","latency":0.25,"ttft":"2s"}`), &f); err != nil {
		t.Fatal(err)
	}
	if f.Latency.D() != 250*time.Millisecond || f.TTFT.D() != 2*time.Second {
		t.Fatalf("expected 250ms and 2s, got %v and %v", f.Latency.D(), f.TTFT.D())
	}
	b, _ := json.Marshal(f)
	if !strings.Contains(string(b), `"latency":"250ms"`) {
		t.Fatalf("expected latency written as 250ms, got %s", b)
	}
	if err := json.Unmarshal([]byte(`{"latency":"-1s"}`), &f); err == nil {
		t.Fatal("accepted a negative duration")
	}
}
