package mockserver

import (
	"sync"
	"time"

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

// journal is a bounded ring of the latest requests, so memory stays flat under load.
type journal struct {
	mu    sync.Mutex
	ring  []entry
	next  int // where the next entry goes
	count int
}

func newJournal(size int) *journal {
	if size <= 0 {
		size = defaultJournalSize
	}
	return &journal{ring: make([]entry, size)}
}

func (j *journal) add(e entry) {
	j.mu.Lock()
	j.ring[j.next] = e
	j.next = (j.next + 1) % len(j.ring)
	if j.count < len(j.ring) {
		j.count++
	}
	j.mu.Unlock()
}

// list returns the entries, newest first.
func (j *journal) list() []entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]entry, 0, j.count)
	for i := 1; i <= j.count; i++ {
		e := j.ring[(j.next-i+len(j.ring))%len(j.ring)]
		if e.Errors == nil {
			e.Errors = spec.ValidationErrors{}
		}
		out = append(out, e)
	}
	return out
}

func (j *journal) clear() {
	j.mu.Lock()
	clear(j.ring)
	j.next, j.count = 0, 0
	j.mu.Unlock()
}
