package harness

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/cucumber/godog"
)

// ScenarioReport is one scenario that ran, as reports show it.
type ScenarioReport struct {
	Feature, Scenario string
	// Passed is false when a step failed, was undefined, pending or ambiguous.
	Passed   bool
	Duration time.Duration
	Steps    []StepReport
}

// StepReport is one step of a scenario that ran.
type StepReport struct {
	Text string
	// Status is godog's: passed, failed, skipped, undefined, pending or ambiguous.
	Status   string
	Duration time.Duration
	// Err is why the step failed ("" unless it did).
	Err string
	// Exchange is the last exchange the step sent; for a failed step that sent none, the exchange it
	// judged (the scenario's last). Nil otherwise.
	Exchange *Exchange
	// Load is what the step measured when it was a load step; nil otherwise.
	Load *LoadReport
}

// recorder collects scenario outcomes; hooks may run concurrently.
type recorder struct {
	mu        sync.Mutex
	scenarios int
	failures  []Failure
	lastStep  map[string]Failure // by scenario id: the step that failed
	running   map[string]*running
	reports   []ScenarioReport
}

// running is what the recorder keeps of a scenario until it ends.
type running struct {
	start, stepStart time.Time
	stepExchanges    int
	stepLoads        int
	steps            []StepReport
}

func newRecorder() *recorder {
	return &recorder{lastStep: map[string]Failure{}, running: map[string]*running{}}
}

func failedStatus(s godog.StepResultStatus) bool {
	return s == godog.StepFailed || s == godog.StepUndefined || s == godog.StepPending || s == godog.StepAmbiguous
}

func (rec *recorder) hooks(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) {
		if s, err := stateFrom(ctx); err == nil {
			rec.begin(s)
		}
		return ctx, nil
	})
	sc.StepContext().Before(func(ctx context.Context, step *godog.Step) (context.Context, error) {
		if s, err := stateFrom(ctx); err == nil {
			rec.mu.Lock()
			if r := rec.running[s.id]; r != nil {
				r.stepStart, r.stepExchanges, r.stepLoads = time.Now(), len(s.exchanges), len(s.loads)
			}
			rec.mu.Unlock()
		}
		return ctx, nil
	})
	sc.StepContext().After(func(ctx context.Context, step *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
		s, serr := stateFrom(ctx)
		if serr != nil {
			return ctx, nil
		}
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if failedStatus(status) {
			if _, seen := rec.lastStep[s.id]; !seen {
				if err == nil {
					err = fmt.Errorf("step is %s", status)
				}
				rec.lastStep[s.id] = Failure{Step: step.Text, Err: err}
			}
		}
		rec.step(s, step.Text, status, err)
		return ctx, nil
	})
	sc.After(rec.scenarioDone)
}

// step adds one step's outcome to its scenario's report.
func (rec *recorder) step(s *scenario, text string, status godog.StepResultStatus, err error) {
	r := rec.running[s.id]
	if r == nil {
		r = &running{start: time.Now(), stepStart: time.Now(), stepExchanges: len(s.exchanges), stepLoads: len(s.loads)}
		rec.running[s.id] = r
	}
	sr := StepReport{Text: text, Status: status.String()}
	if status != godog.StepSkipped && status != godog.StepUndefined {
		sr.Duration = time.Since(r.stepStart)
	}
	if err != nil {
		sr.Err = err.Error()
	}
	if len(s.exchanges) > r.stepExchanges {
		sr.Exchange = s.exchanges[len(s.exchanges)-1]
	} else if failedStatus(status) {
		sr.Exchange = s.last // an assertion fails on the exchange before it
	}
	if len(s.loads) > r.stepLoads {
		sr.Load = s.loads[len(s.loads)-1]
	}
	r.steps = append(r.steps, sr)
	r.stepStart, r.stepExchanges, r.stepLoads = time.Now(), len(s.exchanges), len(s.loads)
}

func (rec *recorder) scenarioDone(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.scenarios++
	sr := ScenarioReport{Feature: featureOf(p.Uri), Scenario: p.Name, Passed: err == nil}
	s, serr := stateFrom(ctx)
	if serr == nil {
		if r := rec.running[s.id]; r != nil {
			sr.Duration, sr.Steps = time.Since(r.start), r.steps
			delete(rec.running, s.id)
		}
	}
	rec.reports = append(rec.reports, sr)
	if err == nil {
		return ctx, nil
	}
	f := Failure{Feature: featureOf(p.Uri), Scenario: p.Name, Err: err}
	if serr == nil {
		if st, ok := rec.lastStep[s.id]; ok {
			f.Step, f.Err = st.Step, st.Err
		}
	}
	rec.failures = append(rec.failures, f)
	return ctx, nil
}

// begin notes that a scenario started.
func (rec *recorder) begin(s *scenario) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.running[s.id] = &running{start: time.Now(), stepStart: time.Now()}
}

// fill copies the recorded outcomes into res.
func (rec *recorder) fill(res *Result) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	res.Scenarios, res.Failures, res.Failed = rec.scenarios, rec.failures, len(rec.failures)
	res.Report = rec.reports
}
