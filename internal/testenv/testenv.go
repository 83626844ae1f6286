// Package testenv is the one home for what a test needs from outside the repository: the third-party
// OpenAPI documents in ../shared/specs, a Docker engine, and whatever comes next (a Redis server).
//
// A test asks for the thing it needs. When it is there the call returns; when it is not, the test is
// skipped with a message that says what is missing and how to get it, or it fails instead when the
// matching ULTRA_REQUIRE_* variable is "1" (CI sets them, so nothing is silently left out there).
// Every skip is also appended to the file named by ULTRA_SKIP_LOG, when set, so that `make test` can
// say in one line at the end how many tests did not run and why.
package testenv

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The environment variables this package reads.
const (
	// SpecsDirEnv names the folder holding the third-party documents. Default: ../shared/specs beside the
	// repository; a relative value is taken relative to the repository root.
	SpecsDirEnv = "ULTRA_SPECS_DIR"
	// RequireSpecsEnv set to "1" makes a missing document a failure instead of a skip.
	RequireSpecsEnv = "ULTRA_REQUIRE_SPECS"
	// RequireDockerEnv set to "1" makes a missing Docker engine a failure instead of a skip.
	RequireDockerEnv = "ULTRA_REQUIRE_DOCKER"
	// SkipLogEnv names a file that receives one line per skipped test: what was missing, how to get
	// it and the test's name, separated by tabs. Unset: nothing is recorded.
	SkipLogEnv = "ULTRA_SKIP_LOG"
)

// DefaultSpecsDir is where the documents are looked for when ULTRA_SPECS_DIR is unset, relative to
// the repository root.
const DefaultSpecsDir = "../shared/specs"

// Specs lists the third-party documents the tests use, for messages.
const specsList = "openai.yaml and train-travel.yaml"

// Require returns at once when err is nil. Otherwise what the test needs is missing: when the
// environment variable envVar is "1" the test fails, else it is skipped and the skip is recorded in
// ULTRA_SKIP_LOG. what names the missing thing the same way for every test that needs it ("a Docker
// engine"), so that make test's summary can count them; how says how to get it ("run
// harness/ci-docker.sh"); err is the detail, shown in the test's own output. An empty envVar means
// absence is never a failure.
func Require(tb testing.TB, what, envVar, how string, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	if envVar != "" && os.Getenv(envVar) == "1" {
		tb.Fatalf("%s=1 but this test cannot run without %s: %v (%s)", envVar, what, err, how)
		return
	}
	if logErr := record(os.Getenv(SkipLogEnv), what, how, tb.Name()); logErr != nil {
		tb.Errorf("record the skip in $%s: %v", SkipLogEnv, logErr)
	}
	hint := ""
	if envVar != "" {
		hint = fmt.Sprintf("; set %s=1 to make this a failure", envVar)
	}
	tb.Skipf("NOT RUN: needs %s: %v (%s%s)", what, err, how, hint)
}

// RequireDocker skips the test (fails it with ULTRA_REQUIRE_DOCKER=1) when err, the answer of a
// Docker engine probe, is not nil.
func RequireDocker(tb testing.TB, err error) {
	tb.Helper()
	Require(tb, "a Docker engine", RequireDockerEnv, "run harness/ci-docker.sh", err)
}

// Spec returns the path of the third-party document name (e.g. "openai.yaml") in ULTRA_SPECS_DIR.
// When it is missing the test is skipped, or fails with ULTRA_REQUIRE_SPECS=1; a repository root that
// cannot be found (no go.mod above the working directory) always fails.
func Spec(tb testing.TB, name string) string {
	tb.Helper()
	dir, shown := SpecsDir(tb)
	path := filepath.Join(dir, name)
	_, err := os.Stat(path)
	if err != nil && errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("%s is missing", filepath.Join(shown, name))
	}
	Require(tb, "the documents in "+shown, RequireSpecsEnv,
		"set "+SpecsDirEnv+" to a folder with "+specsList+", see README", err)
	return path
}

// SpecsDir returns the folder of the third-party documents as an absolute path, and as the user
// spelled it (ULTRA_SPECS_DIR, else DefaultSpecsDir) for messages. It does not check that it exists.
func SpecsDir(tb testing.TB) (dir, shown string) {
	tb.Helper()
	shown = os.Getenv(SpecsDirEnv)
	if shown == "" {
		shown = DefaultSpecsDir
	}
	if filepath.IsAbs(shown) {
		return filepath.Clean(shown), shown
	}
	return filepath.Join(RepoRoot(tb), shown), shown
}

// RepoRoot returns the repository root: the nearest folder at or above the working directory that
// holds go.mod (every package's tests run in their own folder). It fails the test when there is none.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatalf("find the repository root: %v", err)
		return ""
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		if filepath.Dir(dir) == dir {
			tb.Fatalf("find the repository root: no go.mod in %s or above", wd)
			return ""
		}
	}
}

// record appends one line for a skipped test to the log at path; an empty path records nothing.
// Each line is one write to a file opened with O_APPEND, so test binaries running in parallel
// do not interleave their lines.
func record(path, what, how, test string) error {
	if path == "" {
		return nil
	}
	clean := strings.NewReplacer("\t", " ", "\n", " ")
	line := clean.Replace(what) + "\t" + clean.Replace(how) + "\t" + clean.Replace(test) + "\n"
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(line)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
