package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runCLI runs the program with args and returns stdout, stderr and the exit status main would use.
func runCLI(t *testing.T, getenv func(string) string, args ...string) (string, string, int) {
	t.Helper()
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"ultra"}, args...), getenv, strings.NewReader(""), &stdout, &stderr)
	if err != nil {
		stderr.WriteString(err.Error())
	}
	return stdout.String(), stderr.String(), exitStatus(err)
}

func TestDiffCommand(t *testing.T) {
	const data = "../../spec/testdata/diff/"
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"Breaking", []string{"diff", data + "breaking-response-removed/old.yaml", data + "breaking-response-removed/new.yaml"}, 1, "response 404 removed"},
		{"NonBreaking", []string{"diff", data + "nonbreaking-operation-added/old.yaml", data + "nonbreaking-operation-added/new.yaml"}, 0, "path /owners added"},
		{"Markdown", []string{"diff", "--format", "markdown", data + "breaking-enum-narrowed/old.yaml", data + "breaking-enum-narrowed/new.yaml"}, 1, "| `/components/schemas/NewPet/properties/kind` |"},
		{"JSON", []string{"diff", "--format=json", data + "breaking-type-changed/old.yaml", data + "breaking-type-changed/new.yaml"}, 1, `"rule": "type-changed"`},
		{"MajorAllowed", []string{"diff", "--allow-major", data + "major-version-bump/old.yaml", data + "major-version-bump/new.yaml"}, 0, "response 404 removed"},
		{"MajorNotAllowedByDefault", []string{"diff", data + "major-version-bump/old.yaml", data + "major-version-bump/new.yaml"}, 1, "response 404 removed"},
		{"MissingFile", []string{"diff", "nope.yaml", data + "breaking-type-changed/new.yaml"}, 2, ""},
		{"OneArgument", []string{"diff", "nope.yaml"}, 2, ""},
		{"BadFormat", []string{"diff", "--format", "xml", "a", "b"}, 2, ""},
		{"GitUnknownRevision", []string{"diff", "git:no-such-rev-xyz:openapi.yaml", data + "breaking-type-changed/new.yaml"}, 2, ""},
		{"GitSameRevision", []string{"diff", "git:HEAD:spec/testdata/diff/breaking-type-changed/old.yaml", data + "breaking-type-changed/old.yaml"}, 0, "0 breaking, 0 non-breaking"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("expected exit %d, got %d (stdout %q, stderr %q)", tt.wantCode, code, out, errOut)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("expected output to contain %q, got:\n%s", tt.wantOut, out)
			}
			if code == 2 && strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("expected a one-line error, got %q", errOut)
			}
		})
	}
}
