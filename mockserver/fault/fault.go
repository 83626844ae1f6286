// Package fault describes the faults the mock server injects (latency, errors, resets, truncated bodies,
// broken streams) and keeps the active set, shared by the spec-driven mocks and the provider mocks.
package fault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Kind is what a fault does besides delaying.
type Kind string

// Fault kinds. The zero Kind with a Status or ErrorRate answers an error response.
const (
	KindNone               Kind = ""
	KindError              Kind = "error"                // answer an error status (Status, default 500; spec mocks use a documented error response)
	KindReset              Kind = "reset"                // close the connection without answering
	KindTruncate           Kind = "truncate"             // send headers and half the body, then close
	KindRateLimit          Kind = "rate_limit"           // 429 with Retry-After (providers: also retry-after-ms)
	KindOverloaded         Kind = "overloaded"           // 529 for Anthropic, 503 for the others
	KindUnauthorized       Kind = "unauthorized"         // 401 in the provider's format, as for a rejected key
	KindStreamError        Kind = "stream_error"         // a stream that sends an error event mid-way
	KindStreamDrop         Kind = "stream_drop"          // a stream whose connection closes mid-way
	KindStreamNoTerminator Kind = "stream_no_terminator" // a stream that ends cleanly without its terminator
)

var kinds = map[Kind]bool{KindNone: true, KindError: true, KindReset: true, KindTruncate: true, KindRateLimit: true,
	KindOverloaded: true, KindUnauthorized: true, KindStreamError: true, KindStreamDrop: true, KindStreamNoTerminator: true}

// Duration is a time.Duration that reads "250ms", "2s" or a bare number of seconds, and writes "250ms".
type Duration time.Duration

// D is the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// MarshalJSON writes the duration as a Go duration string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads a duration string or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	return d.set(v)
}

// UnmarshalYAML reads a duration string or a number of seconds.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var v any
	if err := n.Decode(&v); err != nil {
		return err
	}
	return d.set(v)
}

func (d *Duration) set(v any) error {
	switch t := v.(type) {
	case float64:
		*d = Duration(t * float64(time.Second))
	case int:
		*d = Duration(time.Duration(t) * time.Second)
	case string:
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			*d = Duration(f * float64(time.Second))
			return nil
		}
		p, err := time.ParseDuration(t)
		if err != nil {
			return fmt.Errorf("bad duration %q: use 250ms, 2s or a number of seconds", t)
		}
		*d = Duration(p)
	case nil:
		*d = 0
	default:
		return fmt.Errorf("bad duration %v", v)
	}
	if *d < 0 {
		return fmt.Errorf("duration %v is negative", time.Duration(*d))
	}
	return nil
}

// Fault is one rule. Target says what it applies to: an operationId or "METHOD /path" for the spec
// mocks; "openai", "anthropic", "gemini", or "openai:gpt-4o" (one model) for the provider mocks; "*"
// for everything.
type Fault struct {
	ID     string `json:"id,omitempty" yaml:"id,omitempty"`
	Target string `json:"target" yaml:"target"`

	// Latency before answering: fixed (Latency), uniform in [Latency, LatencyMax], or log-normal from
	// a P50/P99 pair.
	Latency    Duration `json:"latency,omitempty" yaml:"latency,omitempty"`
	LatencyMax Duration `json:"latency_max,omitempty" yaml:"latency_max,omitempty"`
	P50        Duration `json:"p50,omitempty" yaml:"p50,omitempty"`
	P99        Duration `json:"p99,omitempty" yaml:"p99,omitempty"`

	Kind       Kind     `json:"kind,omitempty" yaml:"kind,omitempty"`
	Status     int      `json:"status,omitempty" yaml:"status,omitempty"`         // forced status; with no Kind it means KindError
	ErrorRate  float64  `json:"error_rate,omitempty" yaml:"error_rate,omitempty"` // fraction of requests that get Kind; 0 means all
	RetryAfter Duration `json:"retry_after,omitempty" yaml:"retry_after,omitempty"`

	// Streams (provider mocks): time to first token and between tokens.
	TTFT       Duration `json:"ttft,omitempty" yaml:"ttft,omitempty"`
	InterToken Duration `json:"inter_token,omitempty" yaml:"inter_token,omitempty"`

	// Times limits the fault to the next N matching requests; 0 means until removed.
	Times int `json:"times,omitempty" yaml:"times,omitempty"`
	// Remaining is how many applications are left when Times was set. It is read-only: accepted and
	// ignored on input (Times sets it), so that a listed set of faults can be put back as it is.
	Remaining int `json:"remaining,omitempty" yaml:"remaining,omitempty"`
}

// Validate reports the first thing wrong with a fault.
func (f *Fault) Validate() error {
	switch {
	case strings.TrimSpace(f.Target) == "":
		return errors.New("target is required (an operationId, \"METHOD /path\", a provider, provider:model or *)")
	case !kinds[f.Kind]:
		return fmt.Errorf("kind %q is not one of error, reset, truncate, rate_limit, overloaded, unauthorized, stream_error, stream_drop, stream_no_terminator", f.Kind)
	case f.Status != 0 && (f.Status < 100 || f.Status > 599):
		return fmt.Errorf("status %d is not an HTTP status", f.Status)
	case f.ErrorRate < 0 || f.ErrorRate > 1:
		return fmt.Errorf("error_rate %v is not between 0 and 1", f.ErrorRate)
	case f.LatencyMax != 0 && f.LatencyMax < f.Latency:
		return errors.New("latency_max is below latency")
	case (f.P50 == 0) != (f.P99 == 0):
		return errors.New("p50 and p99 go together")
	case f.P99 < f.P50:
		return errors.New("p99 is below p50")
	case f.Times < 0:
		return errors.New("times is negative")
	}
	return nil
}

// Delay samples the fault's latency.
func (f *Fault) Delay(r *rand.Rand) time.Duration {
	switch {
	case f.P50 > 0:
		// log-normal with median p50 and 99th percentile p99 (z(0.99) = 2.3263)
		mu := math.Log(float64(f.P50))
		sigma := (math.Log(float64(f.P99)) - mu) / 2.3263
		return time.Duration(math.Exp(mu + sigma*r.NormFloat64()))
	case f.LatencyMax > f.Latency:
		return f.Latency.D() + time.Duration(r.Int64N(int64(f.LatencyMax-f.Latency)+1))
	default:
		return f.Latency.D()
	}
}

// Decision is what one request gets from the matching faults.
type Decision struct {
	Delay      time.Duration
	Kind       Kind // KindNone: answer normally (after Delay)
	Status     int  // for KindError; 0 lets the server choose
	RetryAfter time.Duration
	TTFT       time.Duration
	InterToken time.Duration
	FaultIDs   []string
}

// Set is the active faults, safe for concurrent use. The zero value is empty and ready.
type Set struct {
	mu     sync.Mutex
	faults []*Fault
	nextID int
	rnd    *rand.Rand
}

// Replace swaps the whole set after validating every fault; on error nothing changes.
func (s *Set) Replace(faults []Fault) ([]Fault, error) {
	list := make([]*Fault, 0, len(faults))
	for i := range faults {
		f := faults[i]
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("fault %d: %w", i, err)
		}
		list = append(list, &f)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = s.faults[:0]
	for _, f := range list {
		s.addLocked(f)
	}
	return s.listLocked(), nil
}

// Add validates and adds one fault, returning it with its id.
func (s *Set) Add(f Fault) (Fault, error) {
	if err := f.Validate(); err != nil {
		return Fault{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(&f)
	return f, nil
}

func (s *Set) addLocked(f *Fault) {
	s.nextID++
	if f.ID == "" {
		f.ID = "f" + strconv.Itoa(s.nextID)
	}
	f.Remaining = f.Times
	s.faults = append(s.faults, f)
}

// Remove deletes the fault with the id and reports whether it existed.
func (s *Set) Remove(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.ID == id {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
			return true
		}
	}
	return false
}

// Clear removes every fault.
func (s *Set) Clear() {
	s.mu.Lock()
	s.faults = nil
	s.mu.Unlock()
}

// List returns a copy of the active faults.
func (s *Set) List() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.listLocked()
}

func (s *Set) listLocked() []Fault {
	out := make([]Fault, 0, len(s.faults))
	for _, f := range s.faults {
		out = append(out, *f)
	}
	return out
}

// Decide finds the faults whose Target is one of targets (in the order given, e.g. "openai:gpt-4o",
// "openai", "*") and combines them: latencies add up, the first fault that fires decides the kind.
// A fault with Times counts down each time it applies and disappears at zero.
func (s *Set) Decide(targets ...string) Decision {
	var d Decision
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.faults) == 0 {
		return d
	}
	if s.rnd == nil {
		s.rnd = rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x9e3779b97f4a7c15))
	}
	kept := s.faults[:0]
	for _, f := range s.faults {
		applied := false
		if matches(f.Target, targets) {
			applied = true
			d.Delay += f.Delay(s.rnd)
			if f.TTFT > 0 {
				d.TTFT = f.TTFT.D()
			}
			if f.InterToken > 0 {
				d.InterToken = f.InterToken.D()
			}
			kind := f.Kind
			if kind == KindNone && f.Status != 0 {
				kind = KindError
			}
			if kind != KindNone && d.Kind == KindNone && (f.ErrorRate == 0 || s.rnd.Float64() < f.ErrorRate) {
				d.Kind, d.Status, d.RetryAfter = kind, f.Status, f.RetryAfter.D()
			}
			d.FaultIDs = append(d.FaultIDs, f.ID)
		}
		if applied && f.Times > 0 {
			f.Remaining--
			if f.Remaining <= 0 {
				continue
			}
		}
		kept = append(kept, f)
	}
	s.faults = kept
	return d
}

func matches(target string, targets []string) bool {
	if target == "*" {
		return true
	}
	for _, t := range targets {
		if strings.EqualFold(target, t) {
			return true
		}
	}
	return false
}

// File is the shape of a --faults file and of PUT /__admin/faults: {"faults": [...]}. A bare list is
// accepted too.
type File struct {
	Faults []Fault `json:"faults" yaml:"faults"`
}

// Parse reads faults from YAML or JSON, either {"faults": [...]} or a bare list, rejecting unknown fields.
func Parse(data []byte) ([]Fault, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(trimmed))
	dec.KnownFields(true)
	if trimmed[0] == '[' || trimmed[0] == '-' {
		var list []Fault
		if err := dec.Decode(&list); err != nil {
			return nil, fmt.Errorf("faults: %w", err)
		}
		return list, nil
	}
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("faults: %w", err)
	}
	return f.Faults, nil
}
