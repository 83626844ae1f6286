package providers

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/ultra-kit/ultra/internal/problem"
	"github.com/ultra-kit/ultra/mockserver/fault"
)

// provider holds what the three mocks share: the request-id header, the error format, the messages
// they answer faults with, and the key check.
type provider struct {
	s          *Server
	name       string
	idHeader   string // response header carrying the request id
	idPrefix   string // prefix of that id
	writeError func(http.ResponseWriter, apiError)
	overloaded int // status of an overloaded fault

	msgMissingKey, msgBadKey             string
	msgRateLimit, msgOverloaded, msgFail string
}

// begin sets the request-id header every response carries, keeping one a parent handler (the mock
// server's journal) already set under the same name.
func (p *provider) begin(w http.ResponseWriter) {
	if w.Header().Get(p.idHeader) == "" {
		w.Header().Set(p.idHeader, p.s.newID(p.idPrefix))
	}
}

// authorize checks key and answers 401 when it is missing or not accepted; it reports whether the
// request may go on.
func (p *provider) authorize(w http.ResponseWriter, key string) bool {
	if key == "" {
		p.writeError(w, apiError{Status: http.StatusUnauthorized, Message: p.msgMissingKey})
		return false
	}
	if accepted, ok := p.s.keys[p.name]; ok && !accepted[key] {
		p.writeError(w, apiError{Status: http.StatusUnauthorized, Message: fmt.Sprintf(p.msgBadKey, mask(key)), Code: "invalid_api_key"})
		return false
	}
	return true
}

// mask shows a key the way OpenAI does in its error message: the first three and last four characters.
func mask(key string) string {
	if len(key) <= 8 {
		return "****"
	}
	return key[:3] + "*****" + key[len(key)-4:]
}

// readBody reads the request body, bounded by maxBodyBytes. On failure it answers (400 or 413) and
// returns ok false.
func (p *provider) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	if err != nil {
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			p.writeError(w, apiError{Status: http.StatusRequestEntityTooLarge, Message: "request body is larger than " + strconv.Itoa(maxBodyBytes) + " bytes"})
			return nil, false
		}
		p.writeError(w, apiError{Status: http.StatusBadRequest, Message: "could not read the request body: " + err.Error()})
		return nil, false
	}
	return body, true
}

// jsonProblem describes a json.Unmarshal error in words, naming the field for type errors.
func jsonProblem(err error) (field, msg string) {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return te.Field, fmt.Sprintf("invalid type for '%s': expected %s, but got %s instead", te.Field, te.Type, te.Value)
	}
	return "", "invalid JSON body: " + err.Error()
}

// faults decides the faults for a request (targets "provider:model", "provider", "*"), waits out the
// latency and answers the faults that replace the whole response. It returns the decision and
// whether the handler should go on answering; stream faults and truncate are left to the caller.
func (p *provider) faults(w http.ResponseWriter, r *http.Request, model string, streaming bool) (fault.Decision, bool) {
	var d fault.Decision
	if model != "" {
		d = p.s.faults.Decide(p.name+":"+model, p.name, "*")
	} else {
		d = p.s.faults.Decide(p.name, "*")
	}
	if len(d.FaultIDs) > 0 {
		p.s.log.Debug("provider fault", "provider", p.name, "model", model, "kind", string(d.Kind), "delay", d.Delay, "faults", d.FaultIDs)
	}
	if !fault.Sleep(r.Context(), d.Delay, p.s.closing) {
		return d, false
	}
	if d.Kind == fault.KindStreamError && !streaming {
		d.Kind = fault.KindError // a non-streaming request cannot fail mid-way: fail it whole
	}
	switch {
	case d.Kind == fault.KindReset:
		fault.Abort(w, true)
		return d, false
	case d.Answers():
		p.writeError(w, p.faultError(d))
		return d, false
	}
	return d, true
}

// faultError is the error answer of a fault that replaces the response, in the provider's words.
func (p *provider) faultError(d fault.Decision) apiError {
	status := d.StatusFor(http.StatusInternalServerError, p.overloaded)
	switch d.Kind {
	case fault.KindRateLimit:
		ra := d.RetryAfter
		if ra <= 0 {
			ra = time.Second // a rate limit always says when to come back
		}
		return apiError{Status: status, Message: p.msgRateLimit, Code: "rate_limit_exceeded", RetryAfter: ra}
	case fault.KindOverloaded:
		return apiError{Status: status, Message: p.msgOverloaded, RetryAfter: d.RetryAfter}
	case fault.KindUnauthorized:
		return apiError{Status: status, Message: fmt.Sprintf(p.msgBadKey, "****"), Code: "invalid_api_key"}
	}
	return apiError{Status: status, Message: p.failMessage(status), RetryAfter: d.RetryAfter}
}

// failMessage is the message of a forced error status.
func (p *provider) failMessage(status int) string {
	switch {
	case status == http.StatusTooManyRequests:
		return p.msgRateLimit
	case status == p.overloaded:
		return p.msgOverloaded
	case status >= 500:
		return p.msgFail
	}
	return fmt.Sprintf("mock fault: forced status %d", status)
}

// respond writes a non-streaming answer, or half of it before closing the connection under a
// truncate or stream_drop fault.
func (p *provider) respond(w http.ResponseWriter, d fault.Decision, v any) {
	if d.Kind != fault.KindTruncate && d.Kind != fault.KindStreamDrop {
		problem.WriteJSON(w, http.StatusOK, v)
		return
	}
	body, err := json.Marshal(v)
	if err != nil {
		problem.WriteJSON(w, http.StatusOK, v)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	cutBody(w, http.StatusOK, body)
}

// cutBody writes status and the first half of body under a Content-Length promising all of it, then
// closes the connection (the truncate and stream_drop faults of a non-streamed answer).
func cutBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body[:len(body)/2])
	fault.Abort(w, false)
}

// handleUnknown answers paths under the provider's prefix that no route matches.
func (p *provider) handleUnknown() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.begin(w)
		p.writeError(w, apiError{Status: http.StatusNotFound, Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)})
	})
}
