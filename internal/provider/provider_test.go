package provider_test

import (
	"regexp"
	"testing"

	"github.com/ultra-kit/ultra/internal/provider"
)

func TestAPIRoot(t *testing.T) {
	cases := []struct {
		provider, base, want string
	}{
		{"openai", "", "https://api.openai.com/v1"},
		{"openai", "https://api.openai.com/v1", "https://api.openai.com/v1"},
		{"openai", "http://127.0.0.1:8086/openai", "http://127.0.0.1:8086/openai/v1"},
		{"openai", "http://127.0.0.1:8086/openai/v1/", "http://127.0.0.1:8086/openai/v1"},
		{"anthropic", "", "https://api.anthropic.com/v1"},
		{"anthropic", "https://api.anthropic.com", "https://api.anthropic.com/v1"},
		{"anthropic", "https://api.anthropic.com/", "https://api.anthropic.com/v1"},
		{"anthropic", "http://HOST/anthropic", "http://HOST/anthropic/v1"},
		{"anthropic", "http://HOST/anthropic/v1", "http://HOST/anthropic/v1"},
		{"gemini", "", "https://generativelanguage.googleapis.com/v1beta"},
		{"gemini", "https://generativelanguage.googleapis.com", "https://generativelanguage.googleapis.com/v1beta"},
		{"gemini", "http://HOST/gemini/v1", "http://HOST/gemini/v1"},
		{"gemini", "http://HOST/gemini/v1beta", "http://HOST/gemini/v1beta"},
		{"gemini", "http://HOST/gemini/v1alpha2", "http://HOST/gemini/v1alpha2"},
		// a segment that only looks a bit like a version is not one
		{"openai", "http://HOST/version1", "http://HOST/version1/v1"},
		{"openai", "http://v1", "http://v1/v1"}, // a host named v1 is not a version segment
	}
	for _, c := range cases {
		t.Run(c.provider+"="+c.base, func(t *testing.T) {
			p, ok := provider.Lookup(c.provider)
			if !ok {
				t.Fatalf("no provider %q", c.provider)
			}
			if got := p.APIRoot(c.base); got != c.want {
				t.Errorf("APIRoot(%q) = %q, want %q", c.base, got, c.want)
			}
		})
	}
}

func TestSDKBaseURL(t *testing.T) {
	want := map[string]string{
		"openai":    "http://HOST/openai/v1",
		"anthropic": "http://HOST/anthropic",
		"gemini":    "http://HOST/gemini",
	}
	for _, p := range provider.All() {
		w, ok := want[p.Name]
		if !ok {
			continue // rows added later are checked by TestTable
		}
		if got := p.SDKBaseURL("http://HOST/"); got != w {
			t.Errorf("%s: SDKBaseURL = %q, want %q", p.Name, got, w)
		}
	}
}

// TestTable checks every row: unique names, variables and mounts, a default https URL in its own
// convention, at least one version, and a base URL that APIRoot turns into mount + first version.
func TestTable(t *testing.T) {
	seen := map[string]string{}
	varRE := regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	for _, p := range provider.All() {
		for _, v := range []string{p.Name, p.KeyVar, p.BaseURLVar, p.MockMount} {
			if prev, dup := seen[v]; dup {
				t.Errorf("%q is used by both %s and %s", v, prev, p.Name)
			}
			seen[v] = p.Name
		}
		if !varRE.MatchString(p.KeyVar) || !varRE.MatchString(p.BaseURLVar) {
			t.Errorf("%s: bad variable names %q %q", p.Name, p.KeyVar, p.BaseURLVar)
		}
		if len(p.Versions) == 0 || p.Title == "" || p.API == "" || p.ErrorFormat == "" || p.MockMount != "/"+p.Name {
			t.Errorf("%s: incomplete row %+v", p.Name, p)
		}
		if got := provider.HasVersion(p.DefaultBaseURL); got != p.VersionInBase {
			t.Errorf("%s: DefaultBaseURL %q has a version %v, but VersionInBase is %v", p.Name, p.DefaultBaseURL, got, p.VersionInBase)
		}
		if got, want := p.APIRoot(p.SDKBaseURL("http://h")), "http://h"+p.MockRoots()[0]; got != want {
			t.Errorf("%s: APIRoot(SDKBaseURL) = %q, want %q", p.Name, got, want)
		}
	}
	names := provider.Names()
	if len(names) != len(provider.All()) || names[0] != "openai" {
		t.Errorf("Names() = %v", names)
	}
	if _, ok := provider.Lookup("nope"); ok {
		t.Error("Lookup found a provider that is not in the table")
	}
	a := provider.All()
	a[0].Name = "changed"
	if provider.All()[0].Name != "openai" {
		t.Error("All returned shared state")
	}
}
