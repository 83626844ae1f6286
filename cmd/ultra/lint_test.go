package main

import (
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/testenv"
)

// runCmd runs the program with args and returns stdout and stderr together, and the exit status.
func runCmd(t *testing.T, args ...string) (string, int) {
	t.Helper()
	stdout, stderr, code := runCLI(t, nil, args...)
	return stdout + stderr, code
}

// sharedArg marks an argument as a third-party document in ULTRA_SPECS_DIR (../shared/specs).
const sharedArg = "shared/"

// sharedArgs resolves marked arguments inside the subtest, so a missing document skips that case
// alone (or fails it with ULTRA_REQUIRE_SPECS=1).
func sharedArgs(tb testing.TB, args []string) []string {
	tb.Helper()
	out := make([]string, len(args))
	for i, a := range args {
		if name, ok := strings.CutPrefix(a, sharedArg); ok {
			a = testenv.Spec(tb, name)
		}
		out[i] = a
	}
	return out
}

func TestRunLint(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"EmbeddedContract", []string{"lint"}, 0, "0 errors"},
		{"ContractFile", []string{"lint", "../../openapi.yaml"}, 0, "0 errors"},
		{"TrainTravel", []string{"lint", sharedArg + "train-travel.yaml"}, 0, "0 errors"},
		{"OpenAI", []string{"lint", sharedArg + "openai.yaml"}, 0, "0 errors"},
		{"BigAPI", []string{"lint", "../../internal/testdocs/bigapi/bigapi.yaml"}, 0, "363 operations, 0 errors, 1 warnings"},
		{"Problems", []string{"lint", "../../spec/testdata/lint/problems.yaml"}, 1, "../../spec/testdata/lint/problems.yaml:20:26: error: "},
		{"YAMLSyntax", []string{"lint", "../../spec/testdata/invalid/yaml-syntax.yaml"}, 1, "yaml-syntax.yaml:9:3: invalid YAML"},
		{"MissingFile", []string{"lint", "nope.yaml"}, 1, "nope.yaml: no such file"},
		{"TwoFiles", []string{"lint", "a.yaml", "b.yaml"}, 2, ""},
		{"Help", []string{"lint", "--help"}, 0, "Usage: ultra lint"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, code := runCmd(t, sharedArgs(t, tt.args)...)
			if code != tt.code || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, want %d; output:\n%s\nwant it to contain %q", code, tt.code, out, tt.want)
			}
		})
	}
}

func TestRunVersion(t *testing.T) {
	out, code := runCmd(t, "version")
	if code != 0 || !strings.HasPrefix(out, "ultra ") || !strings.Contains(out, "(contract ") {
		t.Errorf("exit %d, output %q", code, out)
	}
}

func TestRunUsage(t *testing.T) {
	out, code := runCmd(t, "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(out, "  "+c.name) {
			t.Errorf("usage does not list %s:\n%s", c.name, out)
		}
	}
	if _, code := runCmd(t, "frobnicate"); code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}
