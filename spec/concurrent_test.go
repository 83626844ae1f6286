package spec_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

// TestConcurrentFirstUse exercises what a server does on its first requests: every operation validates
// a response and generates a value at the same time, so validators of paths sharing schemas are built
// concurrently. libopenapi's rendering writes into the shared model; run with -race to see it is guarded.
func TestConcurrentFirstUse(t *testing.T) {
	doc := mustLoad(t, "../openapi.yaml")
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4*len(doc.Operations()))
	for _, op := range doc.Operations() {
		for range 2 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				ex, err := op.Example(spec.ExampleQuery{})
				if err != nil {
					errs <- err
					return
				}
				req := mustRequest(t, op.Method, op.Path, "") // the Ultra contract has no path parameters
				if err := op.ValidateResponseParts(req, ex.Status, http.Header{"Content-Type": {ex.MediaType}}, ex.Body); err != nil {
					errs <- err
				}
			}()
			go func() {
				defer wg.Done()
				<-start
				if _, err := op.Example(spec.ExampleQuery{Dynamic: true}); err != nil {
					errs <- err
				}
			}()
		}
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
