package testenv_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ultra-kit/ultra/internal/testenv"
)

// fakeTB records what a helper asked of the test instead of stopping it. Methods it does not
// override panic (the embedded interface is nil), so a helper calling anything else shows up.
type fakeTB struct {
	testing.TB
	name             string
	skipped, fatal   string
	errored, helpers int
}

func (f *fakeTB) Helper()                         { f.helpers++ }
func (f *fakeTB) Name() string                    { return f.name }
func (f *fakeTB) Skipf(format string, a ...any)   { f.skipped = fmt.Sprintf(format, a...) }
func (f *fakeTB) Fatalf(format string, a ...any)  { f.fatal = fmt.Sprintf(format, a...) }
func (f *fakeTB) Errorf(format string, a ...any)  { f.errored++; f.fatal = fmt.Sprintf(format, a...) }
func (f *fakeTB) Logf(format string, args ...any) {}

func readLog(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return string(b)
}

func TestRequire(t *testing.T) {
	missing := errors.New("dial unix /var/run/docker.sock: no such file")
	cases := []struct {
		name       string
		require    string // value of ULTRA_REQUIRE_DOCKER
		err        error
		wantSkip   string // substring of the skip message, "" for no skip
		wantFatal  string // substring of the failure, "" for no failure
		wantLogged string // the line in ULTRA_SKIP_LOG, "" for none
	}{
		{"Present", "", nil, "", "", ""},
		{"PresentAndRequired", "1", nil, "", "", ""},
		{"MissingSkips", "", missing, "needs a Docker engine: dial unix", "", "a Docker engine\trun harness/ci-docker.sh\tTestX/Y\n"},
		{"MissingSkipsUnlessExactlyOne", "yes", missing, "set ULTRA_REQUIRE_DOCKER=1", "", "a Docker engine\trun harness/ci-docker.sh\tTestX/Y\n"},
		{"MissingAndRequiredFails", "1", missing, "", "ULTRA_REQUIRE_DOCKER=1 but this test cannot run without a Docker engine: dial unix", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "skips")
			t.Setenv(testenv.SkipLogEnv, log)
			t.Setenv(testenv.RequireDockerEnv, tc.require)
			tb := &fakeTB{name: "TestX/Y"}
			testenv.RequireDocker(tb, tc.err)
			if tc.wantSkip == "" && tb.skipped != "" || !strings.Contains(tb.skipped, tc.wantSkip) {
				t.Errorf("expected a skip containing %q, got %q", tc.wantSkip, tb.skipped)
			}
			if tc.wantFatal == "" && tb.fatal != "" || !strings.Contains(tb.fatal, tc.wantFatal) {
				t.Errorf("expected a failure containing %q, got %q", tc.wantFatal, tb.fatal)
			}
			if got := readLog(t, log); got != tc.wantLogged {
				t.Errorf("expected the skip log %q, got %q", tc.wantLogged, got)
			}
		})
	}
}

func TestRequireWithoutSkipLogOnlySkips(t *testing.T) {
	t.Setenv(testenv.SkipLogEnv, "")
	t.Setenv("ULTRA_REQUIRE_REDIS", "") // CI sets it; this test is about the skip
	tb := &fakeTB{name: "TestRedis"}
	testenv.Require(tb, "a Redis server", "ULTRA_REQUIRE_REDIS", "start redis-server", errors.New("connection refused"))
	if !strings.Contains(tb.skipped, "needs a Redis server: connection refused (start redis-server") || tb.fatal != "" {
		t.Errorf("expected a plain skip, got skip %q, failure %q", tb.skipped, tb.fatal)
	}
}

func TestRequireUnwritableSkipLogIsAnError(t *testing.T) {
	t.Setenv(testenv.SkipLogEnv, filepath.Join(t.TempDir(), "no-such-dir", "skips"))
	tb := &fakeTB{name: "TestX"}
	testenv.Require(tb, "a thing", "", "get one", errors.New("absent"))
	if tb.errored != 1 || tb.skipped == "" {
		t.Errorf("expected an error about the log and a skip, got %d errors (%q), skip %q", tb.errored, tb.fatal, tb.skipped)
	}
}

// Parallel test binaries append to one log: every line must arrive whole.
func TestSkipLogLinesStayWhole(t *testing.T) {
	log := filepath.Join(t.TempDir(), "skips")
	t.Setenv(testenv.SkipLogEnv, log)
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			testenv.Require(&fakeTB{name: fmt.Sprintf("Test%d", i)}, "the documents in x", "", strings.Repeat("how ", 50), errors.New("gone"))
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSuffix(readLog(t, log), "\n"), "\n")
	if len(lines) != n {
		t.Fatalf("expected %d lines, got %d", n, len(lines))
	}
	for _, l := range lines {
		if f := strings.Split(l, "\t"); len(f) != 3 || f[0] != "the documents in x" || !strings.HasPrefix(f[2], "Test") {
			t.Errorf("expected what, how and test name, got %q", l)
		}
	}
}

func TestSpec(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "openai.yaml"), []byte("openapi: 3.1.0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "skips")
	t.Setenv(testenv.SkipLogEnv, log)
	t.Setenv(testenv.SpecsDirEnv, dir)

	t.Run("Present", func(t *testing.T) {
		t.Setenv(testenv.RequireSpecsEnv, "1")
		tb := &fakeTB{}
		if got := testenv.Spec(tb, "openai.yaml"); got != filepath.Join(dir, "openai.yaml") || tb.skipped+tb.fatal != "" {
			t.Errorf("expected %s with no skip, got %q (skip %q, failure %q)", filepath.Join(dir, "openai.yaml"), got, tb.skipped, tb.fatal)
		}
	})
	t.Run("MissingSkips", func(t *testing.T) {
		t.Setenv(testenv.RequireSpecsEnv, "")
		tb := &fakeTB{name: "TestLoad/train"}
		testenv.Spec(tb, "train-travel.yaml")
		if want := filepath.Join(dir, "train-travel.yaml") + " is missing"; !strings.Contains(tb.skipped, want) {
			t.Errorf("expected a skip naming %q, got %q", want, tb.skipped)
		}
		if got, want := readLog(t, log), "the documents in "+dir+"\tset ULTRA_SPECS_DIR to a folder with openai.yaml and train-travel.yaml, see README\tTestLoad/train\n"; got != want {
			t.Errorf("expected the log line %q, got %q", want, got)
		}
	})
	t.Run("MissingAndRequiredFails", func(t *testing.T) {
		t.Setenv(testenv.RequireSpecsEnv, "1")
		tb := &fakeTB{}
		testenv.Spec(tb, "train-travel.yaml")
		if !strings.Contains(tb.fatal, "ULTRA_REQUIRE_SPECS=1 but this test cannot run without the documents in "+dir+": "+dir+"/train-travel.yaml is missing") || tb.skipped != "" {
			t.Errorf("expected a failure, got failure %q, skip %q", tb.fatal, tb.skipped)
		}
	})
}

func TestSpecsDirDefaultsBesideTheRepository(t *testing.T) {
	t.Setenv(testenv.SpecsDirEnv, "")
	root := testenv.RepoRoot(t)
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("expected go.mod in the root %s: %v", root, err)
	}
	if wd, _ := os.Getwd(); filepath.Join(root, "internal", "testenv") != wd {
		t.Errorf("expected the root two folders above %s, got %s", wd, root)
	}
	dir, shown := testenv.SpecsDir(t)
	if dir != filepath.Join(filepath.Dir(root), "shared", "specs") || shown != "../shared/specs" {
		t.Errorf("expected ../shared/specs beside %s, got %s (shown %s)", root, dir, shown)
	}
	t.Setenv(testenv.SpecsDirEnv, "testdata/specs")
	if dir, _ := testenv.SpecsDir(t); dir != filepath.Join(root, "testdata", "specs") {
		t.Errorf("expected a relative ULTRA_SPECS_DIR taken from the root, got %s", dir)
	}
}

func TestRepoRootOutsideAModuleFails(t *testing.T) {
	t.Chdir(t.TempDir())
	tb := &fakeTB{}
	if got := testenv.RepoRoot(tb); got != "" || !strings.Contains(tb.fatal, "no go.mod in") {
		t.Errorf("expected a failure naming the missing go.mod, got %q (failure %q)", got, tb.fatal)
	}
}
