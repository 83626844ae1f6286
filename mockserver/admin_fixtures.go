package mockserver

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"

	"github.com/ultra-kit/ultra/internal/problem"
	"github.com/ultra-kit/ultra/mockserver/fixture"
)

// The admin API of the LLM provider mocks' scripted answers (package fixture), under
// /__admin/llm/fixtures; the routes are registered in routes.go.

// errFixtureNotFound is a fixture id the set does not hold.
var errFixtureNotFound = errors.New("no such fixture")

type fixturesResponse struct {
	Fixtures []fixture.Fixture `json:"fixtures"`
}

func (s *Server) handleFixturesList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.WriteJSONLine(w, http.StatusOK, fixturesResponse{Fixtures: s.fixtures.List()})
	})
}

// handleFixturesAdd appends one fixture, a list, or {"fixtures": [...]} (JSON or YAML), all or
// none, and answers 201 with their ids and the fixtures as stored.
func (s *Server) handleFixturesAdd() http.Handler {
	type response struct {
		IDs      []string          `json:"ids"`
		Fixtures []fixture.Fixture `json:"fixtures"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := readBody(r)
		if err != nil {
			adminFail(w, r, err)
			return
		}
		if len(bytes.TrimSpace(b)) == 0 {
			adminFail(w, r, &badRequestError{errors.New(`send a fixture object, a list of them or {"fixtures": [...]}`)})
			return
		}
		list, err := fixture.Parse(b)
		if err == nil && len(list) == 0 {
			err = errors.New("no fixtures given")
		}
		if err != nil {
			adminFail(w, r, &badRequestError{fmt.Errorf("fixtures: %w", err)})
			return
		}
		added, err := s.fixtures.Add(list...)
		if err != nil {
			adminFail(w, r, &badRequestError{fmt.Errorf("fixtures: %w", err)})
			return
		}
		out := response{IDs: make([]string, len(added)), Fixtures: added}
		for i, f := range added {
			out.IDs[i] = f.ID
		}
		problem.WriteJSONLine(w, http.StatusCreated, out)
	})
}

func (s *Server) handleFixturesClear() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fixtures.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) handleFixtureGet() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		f, ok := s.fixtures.Get(id)
		if !ok {
			adminFail(w, r, fmt.Errorf("fixture %q: %w", id, errFixtureNotFound))
			return
		}
		problem.WriteJSONLine(w, http.StatusOK, f)
	})
}

func (s *Server) handleFixtureRemove() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !s.fixtures.Remove(id) {
			adminFail(w, r, fmt.Errorf("fixture %q: %w", id, errFixtureNotFound))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
