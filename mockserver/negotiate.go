package mockserver

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// prefs are a client's choices of response, Prism-style: from the Prefer header (code=404,
// example=name, dynamic=true) or the __code, __example and __dynamic query parameters.
type prefs struct {
	code    string
	example string
	dynamic bool
}

func (p prefs) zero() bool { return p.code == "" && p.example == "" && !p.dynamic }

// readPrefs reads the client's preferences. When the query holds __ parameters it returns the query
// without them (validation must not see them) and true.
func readPrefs(r *http.Request) (prefs, string, bool) {
	var p prefs
	for _, v := range r.Header.Values("Prefer") {
		for _, part := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ';' }) {
			k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
			p.set(strings.ToLower(strings.TrimSpace(k)), strings.Trim(strings.TrimSpace(val), `"`))
		}
	}
	q := r.URL.RawQuery
	if !strings.Contains(q, "__") {
		return p, q, false
	}
	kept := make([]string, 0, 4)
	changed := false
	for _, part := range strings.Split(q, "&") {
		k, val, _ := strings.Cut(part, "=")
		if key, err := url.QueryUnescape(k); err == nil && (key == "__code" || key == "__example" || key == "__dynamic") {
			if v, err := url.QueryUnescape(val); err == nil {
				p.set(key[2:], v)
			}
			changed = true
			continue
		}
		kept = append(kept, part)
	}
	return p, strings.Join(kept, "&"), changed
}

func (p *prefs) set(key, val string) {
	switch key {
	case "code":
		p.code = val
	case "example":
		p.example = val
	case "dynamic":
		b, err := strconv.ParseBool(val)
		p.dynamic = err == nil && b
	}
}

// negotiate picks the offered media type the Accept header likes best (offer order breaks ties). An
// empty Accept takes the first offer; ok is false when the client accepts none of them.
func negotiate(accept string, offers []string) (string, bool) {
	if len(offers) == 0 {
		return "", true
	}
	accept = strings.TrimSpace(accept)
	if accept == "" || accept == "*/*" {
		return offers[0], true
	}
	best, bestQ, bestSpec := "", 0.0, -1
	for _, offer := range offers {
		o := strings.ToLower(strings.TrimSpace(mediaBase(offer)))
		q, spec := -1.0, -1
		for _, rng := range strings.Split(accept, ",") {
			mt, params, _ := strings.Cut(rng, ";")
			mt = strings.ToLower(strings.TrimSpace(mt))
			s := matchSpecificity(mt, o)
			if s < 0 || s < spec {
				continue
			}
			rq := 1.0
			for _, prm := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(prm), "=")
				if strings.EqualFold(k, "q") {
					if f, err := strconv.ParseFloat(v, 64); err == nil {
						rq = f
					}
				}
			}
			if s > spec || rq > q {
				spec, q = s, rq
			}
		}
		if q > 0 && (q > bestQ || (q == bestQ && spec > bestSpec)) {
			best, bestQ, bestSpec = offer, q, spec
		}
	}
	return best, best != ""
}

// matchSpecificity says how well an Accept range covers a media type: 3 exact, 2 via a +json style
// suffix, 1 type/*, 0 */*, -1 not at all.
func matchSpecificity(rng, mt string) int {
	switch {
	case rng == mt:
		return 3
	case rng == "*/*" || rng == "*":
		return 0
	case strings.HasSuffix(rng, "/*") && strings.HasPrefix(mt, rng[:len(rng)-1]):
		return 1
	}
	// application/json accepts application/problem+json and the like.
	if i := strings.IndexByte(rng, '/'); i > 0 {
		if j := strings.LastIndexByte(mt, '+'); j > 0 && strings.HasPrefix(mt, rng[:i+1]) && mt[j+1:] == rng[i+1:] {
			return 2
		}
	}
	return -1
}

func mediaBase(mt string) string {
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		return mt[:i]
	}
	return mt
}
