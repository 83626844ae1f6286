package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/ultra-kit/ultra/internal/problem"
)

// The assertions of this file hold for any API: status, problem documents, headers and body fields
// (gjson paths: "a.b", "list.#.name").

func (st *steps) statusIs(ctx context.Context, status int) error {
	return withLast(ctx, "response status", func(s *scenario, g gomega.Gomega) {
		g.Expect(s.last.Status).To(gomega.Equal(status))
	})
}

func (st *steps) isProblem(ctx context.Context, status int, code string) error {
	return withProblem(ctx, "problem", func(s *scenario, p *problem.Problem, g gomega.Gomega) {
		g.Expect(s.last.Status).To(gomega.Equal(status), "status")
		g.Expect(p.Status).To(gomega.Equal(status), "problem status")
		g.Expect(p.Code).To(gomega.Equal(code), "problem code")
		g.Expect(p.Title).NotTo(gomega.BeEmpty(), "problem title")
		g.Expect(p.Type).NotTo(gomega.BeEmpty(), "problem type")
	})
}

func (st *steps) problemFieldError(ctx context.Context, pointer string) error {
	return withProblem(ctx, "problem errors", func(s *scenario, p *problem.Problem, g gomega.Gomega) {
		g.Expect(p.Pointers()).To(gomega.ContainElement(pointer))
	})
}

func (st *steps) headerPresent(ctx context.Context, name string) error {
	return withLast(ctx, "header "+name, func(s *scenario, g gomega.Gomega) {
		g.Expect(s.last.Header.Values(name)).NotTo(gomega.BeEmpty())
	})
}

func (st *steps) headerIs(ctx context.Context, name, want string) error {
	if err := expectValues(ctx, &want); err != nil {
		return err
	}
	return withLast(ctx, "header "+name, func(s *scenario, g gomega.Gomega) {
		g.Expect(s.last.Header.Get(name)).To(gomega.Equal(want))
	})
}

func (st *steps) headerContains(ctx context.Context, name, want string) error {
	if err := expectValues(ctx, &want); err != nil {
		return err
	}
	return withLast(ctx, "header "+name, func(s *scenario, g gomega.Gomega) {
		g.Expect(s.last.Header.Get(name)).To(gomega.ContainSubstring(want))
	})
}

func (st *steps) headerInteger(ctx context.Context, name, kind string) error {
	return withLast(ctx, "header "+name, func(s *scenario, g gomega.Gomega) {
		v := s.last.Header.Get(name)
		n, err := strconv.Atoi(v)
		g.Expect(err).NotTo(gomega.HaveOccurred(), "header %s = %q is not an integer", name, v)
		if kind == "positive" {
			g.Expect(n).To(gomega.BeNumerically(">", 0))
		} else {
			g.Expect(n).To(gomega.BeNumerically(">=", 0))
		}
	})
}

func (st *steps) fieldOneOf(ctx context.Context, path, options string) error {
	if err := expectValues(ctx, &options); err != nil {
		return err
	}
	return field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
		g.Expect(v.String()).To(gomega.BeElementOf(list(options)))
	})
}

func (st *steps) fieldNonEmptyString(ctx context.Context, path string) error {
	return field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
		g.Expect(v.Type).To(gomega.Equal(gjson.String), "type of %s", v.Raw)
		g.Expect(v.String()).NotTo(gomega.BeEmpty())
	})
}

func (st *steps) fieldNumberAtLeast(ctx context.Context, path string, min float64) error {
	return field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
		g.Expect(v.Type).To(gomega.Equal(gjson.Number), "type of %s", v.Raw)
		g.Expect(v.Float()).To(gomega.BeNumerically(">=", min))
	})
}

func (st *steps) fieldEmptyList(ctx context.Context, path string) error {
	return field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
		g.Expect(v.IsArray()).To(gomega.BeTrue(), "%s is a list", v.Raw)
		g.Expect(v.Array()).To(gomega.BeEmpty())
	})
}

func (st *steps) fieldNonEmptyList(ctx context.Context, path string) error {
	return field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
		g.Expect(v.IsArray()).To(gomega.BeTrue(), "%s is a list", v.Raw)
		g.Expect(v.Array()).NotTo(gomega.BeEmpty())
	})
}

func (st *steps) fieldPresent(ctx context.Context, path string) error {
	return withJSON(ctx, "field "+path, func(s *scenario, j gjson.Result, g gomega.Gomega) {
		g.Expect(j.Get(path).Exists()).To(gomega.BeTrue(), "field %s is present", path)
	})
}

func (st *steps) fieldAbsent(ctx context.Context, path string) error {
	return withJSON(ctx, "field "+path, func(s *scenario, j gjson.Result, g gomega.Gomega) {
		g.Expect(j.Get(path).Exists()).To(gomega.BeFalse(), "field %s is absent, got %s", path, j.Get(path).Raw)
	})
}

func (st *steps) fieldIs(ctx context.Context, path, literal string) error {
	var want any
	if err := json.Unmarshal([]byte(literal), &want); err != nil {
		return fmt.Errorf("step: %s is not a JSON value: %w", literal, err)
	}
	if text, ok := want.(string); ok {
		if err := expectValues(ctx, &text); err != nil {
			return err
		}
		want = text
	}
	return field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
		if want == nil {
			g.Expect(v.Value()).To(gomega.BeNil())
			return
		}
		g.Expect(v.Value()).To(gomega.Equal(want))
	})
}

func (st *steps) fieldContains(ctx context.Context, path, want string) error {
	if err := expectValues(ctx, &want); err != nil {
		return err
	}
	return field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
		g.Expect(v.String()).To(gomega.ContainSubstring(want))
	})
}

func (st *steps) fieldLists(ctx context.Context, path, items string) error {
	if err := expectValues(ctx, &items); err != nil {
		return err
	}
	return field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
		g.Expect(strs(v)).To(gomega.ContainElements(list(items)))
	})
}

func (st *steps) fieldDoesNotList(ctx context.Context, path, items string) error {
	if err := expectValues(ctx, &items); err != nil {
		return err
	}
	return withJSON(ctx, "field "+path, func(s *scenario, j gjson.Result, g gomega.Gomega) {
		got := strs(j.Get(path))
		for _, it := range list(items) {
			g.Expect(got).NotTo(gomega.ContainElement(it))
		}
	})
}

func withLast(ctx context.Context, what string, fn func(*scenario, gomega.Gomega)) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	if s.last == nil {
		return fmt.Errorf("%s: expected a response, got none (no request was sent in this scenario)", what)
	}
	return s.check(what, func(g gomega.Gomega) { fn(s, g) })
}

func withJSON(ctx context.Context, what string, fn func(*scenario, gjson.Result, gomega.Gomega)) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	j, err := s.lastJSON()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return s.check(what, func(g gomega.Gomega) { fn(s, j, g) })
}

// expectValues interpolates a step's expected values ({NAME}, {env:VAR}, ...).
func expectValues(ctx context.Context, ps ...*string) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	return s.interpolateAll(ps...)
}

// field checks one field of the last JSON response, failing clearly when it is missing.
func field(ctx context.Context, path string, fn func(gjson.Result, gomega.Gomega)) error {
	return withJSON(ctx, fmt.Sprintf("response field %q", path), func(s *scenario, j gjson.Result, g gomega.Gomega) {
		v := j.Get(path)
		g.Expect(v.Exists()).To(gomega.BeTrue(), "field %s is present", path)
		if v.Exists() {
			fn(v, g)
		}
	})
}

func strs(v gjson.Result) []string {
	var out []string
	for _, e := range v.Array() {
		out = append(out, e.String())
	}
	return out
}
