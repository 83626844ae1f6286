// Package curl writes the shell command that sends a request again, for reports: the harness's
// scenario reports and verify's failures print the same kind of line.
package curl

import (
	"net/http"
	"sort"
	"strings"
)

// Options shape the command. The zero value is one line, no extra flags, nothing masked, the body
// as --data-binary.
type Options struct {
	// Flags come right after "curl" ("-i", "-sS -i"); empty means none.
	Flags string
	// Sep goes before every argument after the URL; empty means a space. " \\\n  " puts each on a
	// line of its own.
	Sep string
	// Mask maps canonical header names to a placeholder written instead of their values, inside
	// double quotes so a shell variable expands ({"Authorization": "$AUTHORIZATION"}): reports then
	// carry no credentials.
	Mask map[string]string
	// DataFlag is the option that carries the body; empty means --data-binary.
	DataFlag string
}

// Command is `curl [flags] -X METHOD 'URL'`, then one -H per header value (names sorted) and, when
// body is non-nil, the body. Every literal is single-quoted for a POSIX shell.
func Command(method, url string, header http.Header, body []byte, o Options) string {
	sep, data := o.Sep, o.DataFlag
	if sep == "" {
		sep = " "
	}
	if data == "" {
		data = "--data-binary"
	}
	var b strings.Builder
	b.WriteString("curl ")
	if o.Flags != "" {
		b.WriteString(o.Flags + " ")
	}
	b.WriteString("-X " + method + " " + Quote(url))
	names := make([]string, 0, len(header))
	for k := range header {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range header[k] {
			if p, ok := o.Mask[http.CanonicalHeaderKey(k)]; ok {
				b.WriteString(sep + `-H "` + k + ": " + p + `"`)
				continue
			}
			b.WriteString(sep + "-H " + Quote(k+": "+v))
		}
	}
	if body != nil {
		b.WriteString(sep + data + " " + Quote(string(body)))
	}
	return b.String()
}

// Quote single-quotes s for a POSIX shell.
func Quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
