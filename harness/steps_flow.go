package harness

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// The steps of this file carry values through a flow: scenario headers, captures, credentials from
// variables, bodies from tables, and the assertions flows need. They hold for any API.

func (st *steps) setHeader(ctx context.Context, name, value string) error {
	return onState(ctx, func(s *scenario) error {
		v, err := s.interpolate(value)
		if err != nil {
			return err
		}
		s.headers.Set(name, v)
		return nil
	})
}

func (st *steps) saveField(ctx context.Context, path, name string) error {
	return withJSON(ctx, fmt.Sprintf("save %q", path), func(s *scenario, j gjson.Result, g gomega.Gomega) {
		v := j.Get(path)
		g.Expect(v.Exists()).To(gomega.BeTrue(), "field %s is present to save as %s", path, name)
		if v.Exists() {
			s.vars[name] = v.String()
		}
	})
}

func (st *steps) saveHeader(ctx context.Context, header, name string) error {
	return withLast(ctx, fmt.Sprintf("save header %q", header), func(s *scenario, g gomega.Gomega) {
		v := s.last.Header.Get(header)
		g.Expect(v).NotTo(gomega.BeEmpty(), "header %s is present to save as %s", header, name)
		s.vars[name] = v
	})
}

func (st *steps) setVar(ctx context.Context, value, name string) error {
	return onState(ctx, func(s *scenario) error {
		v, err := s.interpolate(value)
		s.vars[name] = v
		return err
	})
}

func (st *steps) bearerAuth(ctx context.Context, token string) error {
	return onState(ctx, func(s *scenario) error {
		v, err := s.interpolate(token)
		s.auth = "Bearer " + v
		return err
	})
}

func (st *steps) basicAuth(ctx context.Context, user, password string) error {
	return onState(ctx, func(s *scenario) error {
		if err := s.interpolateAll(&user, &password); err != nil {
			return err
		}
		s.auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))
		return nil
	})
}

func (st *steps) apiKeyAuth(ctx context.Context, key, header string) error {
	return st.setHeader(ctx, header, key)
}

// sendTable sends a JSON object built from a two-column table of field and value. A field may be a
// dotted path ("author.name"); a value that parses as JSON (42, true, null, "quoted", [1]) is taken
// as such, anything else as a string. A first row "field | value" is a header and skipped.
func (st *steps) sendTable(ctx context.Context, method, path string, table *godog.Table) error {
	body, err := tableJSON(table)
	if err != nil {
		return err
	}
	_, err = st.send(ctx, Request{Method: method, Path: path, Body: body})
	return err
}

func tableJSON(table *godog.Table) ([]byte, error) {
	body := []byte("{}")
	for i, row := range table.Rows {
		if len(row.Cells) != 2 {
			return nil, fmt.Errorf("step: expected two columns (field | value) in row %d, got %d", i+1, len(row.Cells))
		}
		k, v := row.Cells[0].Value, row.Cells[1].Value
		if i == 0 && strings.EqualFold(k, "field") && strings.EqualFold(v, "value") {
			continue
		}
		var err error
		if json.Valid([]byte(v)) {
			body, err = sjson.SetRawBytes(body, k, []byte(v))
		} else {
			body, err = sjson.SetBytes(body, k, v)
		}
		if err != nil {
			return nil, fmt.Errorf("step: field %q: %w", k, err)
		}
	}
	return body, nil
}

func (st *steps) fieldMatches(ctx context.Context, path, expr string) error {
	re, err := regexp.Compile(expr)
	if err != nil {
		return fmt.Errorf("step: %q is not a regular expression: %w", expr, err)
	}
	return field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
		g.Expect(v.String()).To(gomega.MatchRegexp(re.String()))
	})
}

func (st *steps) bodyContains(ctx context.Context, doc *godog.DocString) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	text, err := s.interpolate(doc.Content)
	if err != nil {
		return err
	}
	var want any
	if err := json.Unmarshal([]byte(text), &want); err != nil {
		return fmt.Errorf("step: the expected body is not JSON: %w", err)
	}
	return withJSON(ctx, "response body", func(s *scenario, j gjson.Result, g gomega.Gomega) {
		if where := subset(want, j.Value(), ""); where != "" {
			g.Expect(where).To(gomega.BeEmpty(), "expected the body to contain %s", strings.TrimSpace(text))
		}
	})
}

// subset returns "" when want is contained in got (objects: every key of want, recursively; lists:
// every item of want contained in some item of got; other values: equal), else the JSON pointer
// where it is not, with what was found.
func subset(want, got any, at string) string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: expected an object, got %s", orSlash(at), compact(got))
		}
		for k, wv := range w {
			gv, ok := g[k]
			if !ok {
				return fmt.Sprintf("%s/%s: expected %s, got no such field", at, k, compact(wv))
			}
			if where := subset(wv, gv, at+"/"+k); where != "" {
				return where
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: expected a list, got %s", orSlash(at), compact(got))
		}
	items:
		for _, wv := range w {
			for _, gv := range g {
				if subset(wv, gv, at) == "" {
					continue items
				}
			}
			return fmt.Sprintf("%s: expected an item containing %s, got %s", orSlash(at), compact(wv), compact(got))
		}
		return ""
	default:
		if !jsonEqual(got, want) {
			return fmt.Sprintf("%s: expected %s, got %s", orSlash(at), compact(want), compact(got))
		}
		return ""
	}
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return excerpt(b)
}

func (st *steps) respondedWithin(ctx context.Context, ms int) error {
	return withLast(ctx, "response time", func(s *scenario, g gomega.Gomega) {
		g.Expect(s.last.Duration).To(gomega.BeNumerically("<", time.Duration(ms)*time.Millisecond),
			"response time of %s %s", s.last.Method, s.last.URL)
	})
}

func (st *steps) eachItemHas(ctx context.Context, path, key string) error {
	return field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
		g.Expect(v.IsArray()).To(gomega.BeTrue(), "%s is a list", v.Raw)
		items := v.Array()
		g.Expect(items).NotTo(gomega.BeEmpty(), "%s has items", path)
		for i, it := range items {
			g.Expect(it.Get(key).Exists()).To(gomega.BeTrue(), "item %d of %s has %q: %s", i, path, key, excerpt([]byte(it.Raw)))
		}
	})
}
