package mockserver

import (
	"time"

	"github.com/ultra-kit/ultra/internal/ring"
	"github.com/ultra-kit/ultra/spec"
)

// defaultJournalSize is how many requests the journal keeps when Config.JournalSize is 0.
const defaultJournalSize = 1000

// entry is one journaled request, as GET /__admin/requests shows it.
type entry struct {
	Method      string                `json:"method"`
	Path        string                `json:"path"`
	OperationID string                `json:"operation_id"`
	Status      int                   `json:"status"`
	Valid       bool                  `json:"valid"`
	Errors      spec.ValidationErrors `json:"errors"`
	StartedAt   time.Time             `json:"started_at"`
	DurationMS  float64               `json:"duration_ms"`
	RequestID   string                `json:"request_id"`
	Fault       string                `json:"fault,omitempty"`
}

// journal is the bounded ring of the latest requests (internal/ring, shared with the proxy).
type journal struct{ r *ring.Ring[entry] }

func newJournal(size int) *journal { return &journal{r: ring.New[entry](size, defaultJournalSize)} }

func (j *journal) add(e entry) { j.r.Add(e) }

// list returns the entries, newest first.
func (j *journal) list() []entry {
	out := j.r.List()
	for i := range out {
		if out[i].Errors == nil {
			out[i].Errors = spec.ValidationErrors{}
		}
	}
	return out
}

func (j *journal) clear() { j.r.Clear() }
