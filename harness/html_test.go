package harness_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/ultra-kit/ultra/harness"
	"github.com/ultra-kit/ultra/internal/testenv"
)

// chromium finds Debian's chromium, or skips (fails with ULTRA_REQUIRE_CHROMIUM=1) without it.
func chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.Require(tb, "a chromium browser", "ULTRA_REQUIRE_CHROMIUM", "apt-get install -y chromium", errors.New("no chromium, chromium-browser or google-chrome on PATH"))
	return ""
}

// TestHTMLReportInBrowser writes the report of a run with a failure and a skipped scenario, opens it
// in headless chromium, and checks what a reader sees: the totals, the failed step's exchange
// expanding to its request, response and curl, the skipped scenario's reason, no console errors and
// no network fetches.
func TestHTMLReportInBrowser(t *testing.T) {
	bin := chromium(t)
	res := runBookshop(t, deleteDoesNothing)
	res.Skipped = append(res.Skipped, harness.Skip{Feature: "x.feature", Scenario: "Needs faults", Reason: "@mock-providers: no mock"})
	load := runLoadFeature(t, "passing.feature", newLoadTarget(t, newSet(), ""))
	res.Report = append(res.Report, load.Report...)
	res.Scenarios += load.Scenarios
	file := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := harness.WriteHTML(f, "bookshop", res); err != nil {
		t.Fatal(err)
	}
	f.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.Flag("headless", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancel = context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	var fetches []string
	var mu sync.Mutex
	var consoleErrors []string
	chromedp.ListenTarget(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				consoleErrors = append(consoleErrors, string(e.Type))
			}
		case *runtime.EventExceptionThrown:
			consoleErrors = append(consoleErrors, e.ExceptionDetails.Text)
		}
	})
	var failed, total, summary, skipped string
	var openBefore, openAfter bool
	var curl string
	var charts int
	steps := []struct {
		name string
		act  chromedp.Action
	}{
		{"open", chromedp.Navigate("file://" + file)},
		{"totals", chromedp.Text("#total-failed", &failed, chromedp.ByQuery)},
		{"scenarios", chromedp.Text("#total-scenarios", &total, chromedp.ByQuery)},
		{"skipped", chromedp.Text("#skipped", &skipped, chromedp.ByQuery)},
		{"summary", chromedp.Text("details.exchange summary", &summary, chromedp.ByQuery)},
		{"closed", chromedp.Evaluate(`document.querySelector("details.exchange").open`, &openBefore)},
		{"click", chromedp.Click("details.exchange summary", chromedp.ByQuery)},
		{"opened", chromedp.Evaluate(`document.querySelector("details.exchange").open`, &openAfter)},
		{"curl", chromedp.Text("details.exchange pre.curl", &curl, chromedp.ByQuery, chromedp.NodeVisible)},
		{"charts", chromedp.Evaluate(`[...document.querySelectorAll("svg.load-latency, svg.load-throughput")].filter(s => s.getBoundingClientRect().width > 100).length`, &charts)},
		{"fetches", chromedp.Evaluate(`performance.getEntriesByType("resource").map(e => e.name)`, &fetches)},
	}
	for _, st := range steps {
		if err = chromedp.Run(ctx, st.act); err != nil {
			err = fmt.Errorf("%s: %w", st.name, err)
			break
		}
	}
	if err != nil {
		t.Fatalf("load the report in chromium: %v", err)
	}
	if failed != "2" || total != "8" {
		t.Errorf("expected the totals to show 2 failed of 8, got %s failed of %s", failed, total)
	}
	if charts != 4 {
		t.Errorf("expected the 2 load steps' latency and throughput charts drawn, got %d visible", charts)
	}
	if !strings.Contains(summary, "GET ") || !strings.Contains(summary, "→ 200") {
		t.Errorf("expected the failed step's exchange summary to name the request and its 200, got %q", summary)
	}
	if openBefore || !openAfter {
		t.Errorf("expected the exchange to be closed and open after a click, got open %v then %v", openBefore, openAfter)
	}
	if !strings.HasPrefix(curl, "curl -i -X GET ") {
		t.Errorf("expected a visible curl command, got %q", curl)
	}
	if !strings.Contains(skipped, "Needs faults") || !strings.Contains(skipped, "@mock-providers: no mock") {
		t.Errorf("expected the skipped scenario with its reason, got %q", skipped)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(consoleErrors) > 0 {
		t.Errorf("expected no console errors, got %v", consoleErrors)
	}
	if len(fetches) > 0 {
		t.Errorf("expected a self-contained page, got fetches %v", fetches)
	}
}
