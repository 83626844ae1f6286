package mockserver

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ultra-kit/ultra/internal/problem"
	"github.com/ultra-kit/ultra/mockserver/fault"
)

// maxAdminBody bounds admin request bodies.
const maxAdminBody = 1 << 20

func (s *Server) handleHealth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.WriteJSONLine(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

func (s *Server) handleJournalList() http.Handler {
	type response struct {
		Requests []entry `json:"requests"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.WriteJSONLine(w, http.StatusOK, response{Requests: s.journal.list()})
	})
}

func (s *Server) handleJournalClear() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.journal.clear()
		w.WriteHeader(http.StatusNoContent)
	})
}

type faultsResponse struct {
	Faults []fault.Fault `json:"faults"`
}

func (s *Server) handleFaultsList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.WriteJSONLine(w, http.StatusOK, faultsResponse{Faults: s.faults.List()})
	})
}

// readBody reads an admin request body, bounded.
func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
	if err != nil {
		return nil, &badRequestError{fmt.Errorf("read body: %w", err)}
	}
	if len(b) > maxAdminBody {
		return nil, &badRequestError{errors.New("body is larger than 1 MiB")}
	}
	return b, nil
}

func (s *Server) handleFaultsReplace() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := readBody(r)
		if err != nil {
			adminFail(w, r, err)
			return
		}
		list, err := fault.Parse(b)
		if err != nil {
			adminFail(w, r, &badRequestError{err})
			return
		}
		got, err := s.faults.Replace(list)
		if err != nil {
			adminFail(w, r, &badRequestError{err})
			return
		}
		problem.WriteJSONLine(w, http.StatusOK, faultsResponse{Faults: got})
	})
}

func (s *Server) handleFaultsAdd() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := readBody(r)
		if err != nil {
			adminFail(w, r, err)
			return
		}
		list, err := fault.Parse(append(append([]byte("faults: ["), b...), ']'))
		if err != nil || len(list) != 1 {
			if err == nil {
				err = errors.New("send one fault object")
			}
			adminFail(w, r, &badRequestError{err})
			return
		}
		f, err := s.faults.Add(list[0])
		if err != nil {
			adminFail(w, r, &badRequestError{fmt.Errorf("fault: %w", err)})
			return
		}
		problem.WriteJSONLine(w, http.StatusCreated, f)
	})
}

func (s *Server) handleFaultsClear() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.faults.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) handleFaultsRemove() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if !s.faults.Remove(id) {
			adminFail(w, r, fmt.Errorf("fault %q: %w", id, errFaultNotFound))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) handleCoverage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		problem.WriteJSONLine(w, http.StatusOK, s.mounts.Load().coverage())
	})
}

func (s *Server) handleAdminUnknown() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		adminFail(w, r, fmt.Errorf("%s %s: %w (see /__admin/health, requests, faults, coverage, state, llm/fixtures)", r.Method, r.URL.Path, errAdminNotFound))
	})
}
