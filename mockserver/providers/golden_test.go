package providers_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/ultra-kit/ultra/mockserver/providers"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// volatile matches the parts of a body that change per response: ids and timestamps.
var volatile = regexp.MustCompile(`("(?:id|responseId)":")[^"]*(")|("created":)\d+`)

// TestWireGolden pins the exact wire form of each provider's answers, plain and streamed, in
// testdata/*.golden (regenerate with go test -update).
func TestWireGolden(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	for _, tg := range targets() {
		for _, stream := range []bool{false, true} {
			name := tg.provider
			if stream {
				name += "-stream"
			}
			t.Run(name, func(t *testing.T) {
				url, body, headers := tg.request(srv.URL, stream)
				resp, got := call(t, srv.Client(), "POST", url, body, headers)
				if resp.StatusCode != 200 {
					t.Fatalf("expected 200, got %d: %s", resp.StatusCode, got)
				}
				got = volatile.ReplaceAll(got, []byte("${1}${3}X$2"))
				path := filepath.Join("testdata", name+".golden")
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("read golden file (run go test -update to create it): %v", err)
				}
				if string(got) != string(want) {
					t.Errorf("%s changed (run go test -update if intended):\ngot:\n%s\nwant:\n%s", path, got, want)
				}
			})
		}
	}
}
