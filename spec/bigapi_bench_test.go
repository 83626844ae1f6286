package spec_test

import (
	"os"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

func BenchmarkLoadBig(b *testing.B) {
	data, err := os.ReadFile(bigAPI)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := spec.Load(data, spec.Options{Name: "bigapi.yaml"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateRequestBigCreate validates a create body with discriminated attachments and the
// five-deep price $ref chain.
func BenchmarkValidateRequestBigCreate(b *testing.B) {
	benchValidate(b, mustLoad(b, bigAPI), "POST", "/accounts",
		`{"display_name":"Acme","status":"draft","owner_email":"ops@example.com","price":{"value":"10.00","currency":"EUR"},"homepage":null,`+
			`"attachments":[{"kind":"link","url":"https://example.com/a"},{"kind":"image","url":"https://example.com/i.png","width":2,"height":3}],`+
			`"payment_method":{"type":"Card","last4":"4242","brand":"visa"},"tags":["blue","green"],"metadata":{"source":"bench"}}`,
		"Authorization", "Bearer t")
}

// BenchmarkValidateRequestBigSearch validates a search body whose filter recurses through a oneOf.
func BenchmarkValidateRequestBigSearch(b *testing.B) {
	benchValidate(b, mustLoad(b, bigAPI), "POST", "/accounts/search",
		`{"query":"blue","filter":{"op":"and","filters":[{"op":"not","filter":{"op":"eq","field":"status","value":"active"}},{"op":"gt","field":"priority","value":2}]},"page":{"size":20}}`,
		"Authorization", "Bearer t")
}

// BenchmarkValidateRequestBigList validates a GET with query parameters in every style.
func BenchmarkValidateRequestBigList(b *testing.B) {
	benchValidate(b, mustLoad(b, bigAPI), "GET",
		"/accounts?limit=5&status=draft&status=active&fields=id,display_name&include=owner%20notes&sort=-created_at|display_name&filter[min_priority]=2",
		"", "Authorization", "Bearer t", "X-Client-Info", "os=linux,version=1.2")
}

// BenchmarkDiffBig compares the big document with a copy whose string bounds are all tightened and
// whose nullable fields are no longer nullable, so every schema rule runs (hundreds of changes, each resolved in
// both documents).
func BenchmarkDiffBig(b *testing.B) {
	data, err := os.ReadFile(bigAPI)
	if err != nil {
		b.Fatal(err)
	}
	old, err := spec.Load(data, spec.Options{Name: "bigapi.yaml"})
	if err != nil {
		b.Fatal(err)
	}
	changed := strings.NewReplacer("maxLength: 120", "maxLength: 60", "nullable: true", "nullable: false").Replace(string(data))
	nw, err := spec.Load([]byte(changed), spec.Options{Name: "bigapi-new.yaml"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c, err := spec.Diff(old, nw)
		if err != nil || !c.HasBreaking() {
			b.Fatalf("expected breaking changes, got err %v", err)
		}
	}
}
