package cassette_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/ultra-kit/ultra/mockserver/cassette"
)

// FuzzNormalize: a normalised JSON body is valid JSON and normalises to itself, so a recorded body
// and the same body sent again always match.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{`{"b":1,"a":[1,2]}`, `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`, `[1,"x",null]`, `1e400`, `"\u00e9"`, `{"api_key":"s"}`, `nope`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		norm, ok := cassette.Normalize(body)
		if !ok {
			if !bytes.Equal(norm, body) {
				t.Fatalf("a body that is not JSON changed: %q → %q", body, norm)
			}
			return
		}
		if !json.Valid(norm) {
			t.Fatalf("normalised %q is not JSON: %q", body, norm)
		}
		again, ok := cassette.Normalize(norm)
		if !ok || !bytes.Equal(again, norm) {
			t.Fatalf("not idempotent: %q → %q → %q", body, norm, again)
		}
	})
}

// FuzzChunker: however a stream arrives, its chunks join back into it byte for byte.
func FuzzChunker(f *testing.F) {
	f.Add([]byte("data: a\n\ndata: b\r\n\r\n"), uint8(3), true)
	f.Add([]byte(`[{"a":"}"},`+"\r\n"+`{"b":[1]}]`), uint8(5), false)
	f.Fuzz(func(t *testing.T, stream []byte, step uint8, sse bool) {
		kind := cassette.StreamJSONArray
		if sse {
			kind = cassette.StreamSSE
		}
		c := cassette.NewChunker(kind)
		n := int(step%16) + 1
		for i := 0; i < len(stream); i += n {
			c.Add(stream[i:min(i+n, len(stream))], int64(i))
		}
		var joined []byte
		for _, ch := range c.Chunks(int64(len(stream))) {
			joined = append(joined, ch.Bytes()...)
		}
		if !bytes.Equal(joined, stream) {
			t.Fatalf("chunks of %q join into %q", stream, joined)
		}
	})
}
