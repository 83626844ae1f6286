package curl_test

import (
	"net/http"
	"testing"

	"github.com/ultra-kit/ultra/internal/curl"
)

func TestCommand(t *testing.T) {
	h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"Bearer s3cret"}, "X-Name": {"o'neil"}}
	cases := []struct {
		name string
		body []byte
		o    curl.Options
		want string
	}{
		{"OneLine", []byte(`{"a":1}`), curl.Options{Flags: "-sS -i", DataFlag: "--data-raw"},
			`curl -sS -i -X POST 'http://h/p?q=1' -H 'Authorization: Bearer s3cret' -H 'Content-Type: application/json' -H 'X-Name: o'\''neil' --data-raw '{"a":1}'`},
		{"MaskedMultiLine", nil, curl.Options{Flags: "-i", Sep: " \\\n  ", Mask: map[string]string{"Authorization": "$AUTHORIZATION"}},
			"curl -i -X POST 'http://h/p?q=1' \\\n  -H \"Authorization: $AUTHORIZATION\" \\\n  -H 'Content-Type: application/json' \\\n  -H 'X-Name: o'\\''neil'"},
		{"EmptyBodyIsSent", []byte{}, curl.Options{},
			`curl -X POST 'http://h/p?q=1' -H 'Authorization: Bearer s3cret' -H 'Content-Type: application/json' -H 'X-Name: o'\''neil' --data-binary ''`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := curl.Command("POST", "http://h/p?q=1", h, c.body, c.o); got != c.want {
				t.Fatalf("got\n%s\nwant\n%s", got, c.want)
			}
		})
	}
}
