package main

import (
	"strings"
	"testing"
)

func TestFeaturesListSteps(t *testing.T) {
	out, _, err := runFeaturesCmd(t, nil, "--list-steps")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nHTTP\n", "\nassertions\n", "\nauth\n", "\ncaptures\n", "\npolling\n", "\nmock control\n", "\nUltra\n",
		`^I save the response field "([^"]*)" as "([^"]*)"$`, `e.g. When I save the response field "id" as "bookId"`} {
		if !strings.Contains(out, want) {
			t.Errorf("expected --list-steps to show %q, got:\n%s", want, out)
		}
	}
}

func TestFeaturesDryRun(t *testing.T) {
	out, _, err := runFeaturesCmd(t, nil, "--dry-run", "--features", "testdata/undefined.feature")
	if exitStatus(err) != 2 {
		t.Fatalf("expected exit status 2 for an undefined step, got %d: %v\n%s", exitStatus(err), err, out)
	}
	want := `testdata/undefined.feature:5: undefined step "the respons status is 200"; closest known step: Then the response status is 200`
	if !strings.Contains(out, want) || strings.Count(out, "undefined step") != 1 {
		t.Errorf("expected exactly the typo reported as\n  %s\ngot:\n%s", want, out)
	}
	out, _, err = runFeaturesCmd(t, nil, "--dry-run", "--features", "../../examples/bookshop")
	if err != nil || !strings.Contains(out, "every step is defined") {
		t.Errorf("expected the bookshop example to be fully defined, got %v\n%s", err, out)
	}
}

func TestFeaturesQAUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"HTMLWithoutFile", []string{"--format", "html"}, "needs a file name"},
		{"EmbeddedAlone", []string{"--embedded"}, "only makes sense with --features"},
		{"MissingFeatures", []string{"--features", "testdata/nope.feature"}, "no such file"},
		{"NotAFeature", []string{"--features", "features_test.go"}, "is not a .feature file"},
		{"BrokenSpec", []string{"--features", "testdata/undefined.feature", "--spec", "features_test.go"}, "features_test.go"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := runFeaturesCmd(t, nil, tc.args...)
			if exitStatus(err) != 2 || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("expected exit status 2 with %q, got %d: %v", tc.want, exitStatus(err), err)
			}
		})
	}
}
