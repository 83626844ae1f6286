package verify_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/spec"
	"github.com/ultra-kit/ultra/verify"
)

// TestEdgeOnlyTheCoveragePhaseFinds is the new user's experience: listOrders documents limit from 0
// and breaks only at 0. Random generation finds that by luck, for some seeds; the coverage phase sends
// limit=0 whatever the seed.
func TestEdgeOnlyTheCoveragePhaseFinds(t *testing.T) {
	doc := mustShopDoc(t)
	lucky := 0
	for seed := int64(1); seed <= 10; seed++ {
		rep := runAgainst(t, doc, newShop(t, doc, bugZeroLimit), verify.Options{Seed: seed, Include: []string{"listOrders"},
			Phases: []string{verify.PhaseExamples, verify.PhasePositive, verify.PhaseNegative}})
		if !rep.OK() {
			lucky++
		}
		rep = runAgainst(t, doc, newShop(t, doc, bugZeroLimit), verify.Options{Seed: seed, Include: []string{"listOrders"},
			Phases: []string{verify.PhaseCoverage}})
		fails := rep.Failures()
		if len(fails) == 0 || !strings.Contains(fails[0].Curl, "limit=0") || fails[0].Check != verify.CheckServerError {
			t.Fatalf("seed %d: expected the coverage phase to send limit=0 and fail not_a_server_error, got %+v", seed, fails)
		}
	}
	t.Logf("random generation found the limit=0 edge for %d of seeds 1-10; the coverage phase for all 10", lucky)
}

// TestCoverageIsLinearAndDeterministic checks the boundary phase sends the same requests every time,
// changing one field per request.
func TestCoverageIsLinearAndDeterministic(t *testing.T) {
	doc := mustShopDoc(t)
	var counts [2]int
	for i := range counts {
		rep := runAgainst(t, doc, newShop(t, doc), verify.Options{Seed: int64(i), Include: []string{"listOrders"},
			Phases: []string{verify.PhaseCoverage}})
		counts[i] = rep.Requests
	}
	// limit: 0, -1, 50, 51; X-Tenant: missing, "a", "", 16 and 17 characters; 5 undocumented methods.
	if counts[0] != counts[1] || counts[0] != 4+5+5 {
		t.Errorf("expected 14 coverage requests for every seed, got %v", counts)
	}
}

// TestStatefulFailureShowsTheSequence checks a use_after_free failure carries the whole sequence, in
// order, with the captured id and the seed.
func TestStatefulFailureShowsTheSequence(t *testing.T) {
	doc := mustShopDoc(t)
	rep := runAgainst(t, doc, newShop(t, doc, bugKeepsDeleted), verify.Options{Seed: 5, Phases: []string{verify.PhaseStateful}})
	var f *verify.Failure
	for _, g := range rep.Failures() {
		if g.Check == verify.CheckUseAfterFree {
			f = &g
			break
		}
	}
	if f == nil {
		t.Fatalf("expected a use_after_free failure, got %+v", rep.Failures())
	}
	want := []string{"-X POST", "# captured id=", "-X GET", "-X PUT", "-X GET", "-X DELETE"}
	if len(f.Sequence) != len(want) {
		t.Fatalf("expected %d sequence lines, got %q", len(want), f.Sequence)
	}
	for i, w := range want {
		if !strings.Contains(f.Sequence[i], w) {
			t.Errorf("sequence line %d: expected %q, got %q", i, w, f.Sequence[i])
		}
	}
	var buf bytes.Buffer
	rep.WriteText(&buf)
	if !strings.Contains(buf.String(), "sequence (seed 5), run in order:") {
		t.Errorf("expected the text report to show the sequence and seed:\n%s", buf.String())
	}
}

// TestStatefulFollowsLinks checks a documented OpenAPI link decides where the id comes from.
func TestStatefulFollowsLinks(t *testing.T) {
	raw, err := os.ReadFile("testdata/shop.yaml")
	if err != nil {
		t.Fatal(err)
	}
	linked := strings.Replace(string(raw), `        '201':
          description: Created.
`, `        '201':
          description: Created.
          links:
            ReadIt:
              operationId: getItem
              parameters:
                id: $response.body#/id
`, 1)
	doc, err := spec.Load([]byte(linked), spec.Options{Name: "shop-links.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	rep := runAgainst(t, doc, newShop(t, doc, bugLosesCreated), verify.Options{Seed: 2, Phases: []string{verify.PhaseStateful}})
	for _, f := range rep.Failures() {
		if f.Check == verify.CheckResourceAvailable && len(f.Sequence) > 1 && strings.Contains(f.Sequence[1], "from link $response.body#/id") {
			return
		}
	}
	t.Errorf("expected ensure_resource_availability with the id captured through the link, got %+v", rep.Failures())
}
