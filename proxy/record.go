package proxy

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/ultra-kit/ultra/internal/coverage"
	"github.com/ultra-kit/ultra/spec"
)

// RecordConfig configures NewRecorder. Doc, Raw (the document's bytes as written) and Dir are
// required; a zero Max means 1, an empty FileName "openapi.yaml".
type RecordConfig struct {
	Doc      *spec.Document
	Raw      []byte
	Dir      string
	FileName string // the copy written to Dir, named like the original
	Max      int    // distinct exchanges kept per operation and status
	Redact   Redactor
}

// Recorder writes what passes through the proxy as examples: per operation and status the first
// Max distinct exchanges, secrets redacted, into a copy of the document (Close), plus every exchange
// as a JSON line in Dir/exchanges.jsonl as it passes. Create it with NewRecorder; Observe is safe
// for concurrent use.
type Recorder struct {
	cfg     RecordConfig
	mu      sync.Mutex
	lines   *bufio.Writer
	file    *os.File
	kept    map[string][]recorded // operation id + response key -> kept exchanges
	seen    map[[32]byte]bool
	skipped []string
}

// recorded is one exchange kept as an example.
type recorded struct {
	op                     *spec.Operation
	status, media, reqType string
	reqBody, respBody      []byte
}

// ExchangesFile is the name of the JSON lines file of raw exchanges in the record folder.
const ExchangesFile = "exchanges.jsonl"

// NewRecorder creates Dir and its exchanges file.
func NewRecorder(cfg RecordConfig) (*Recorder, error) {
	if cfg.Doc == nil || len(cfg.Raw) == 0 || cfg.Dir == "" {
		return nil, errors.New("record: a document, its bytes and a folder are required")
	}
	if cfg.Max <= 0 {
		cfg.Max = 1
	}
	if cfg.FileName == "" {
		cfg.FileName = "openapi.yaml"
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	f, err := os.Create(filepath.Join(cfg.Dir, ExchangesFile))
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	return &Recorder{cfg: cfg, file: f, lines: bufio.NewWriter(f), kept: map[string][]recorded{}, seen: map[[32]byte]bool{}}, nil
}

// rawExchange is one line of exchanges.jsonl: the journal's exchange with both bodies in full.
type rawExchange struct {
	Exchange
	RequestBody  string `json:"request_body,omitempty"`
	ResponseBody string `json:"response_body,omitempty"`
}

// Observe records one finished exchange (Config.Observe's shape): x as journaled (headers
// redacted), the full request and response bodies.
func (r *Recorder) Observe(x *Exchange, reqBody, respBody []byte) {
	rd := r.cfg.Redact
	reqBody = rd.Body(x.Request.Header.Get("Content-Type"), reqBody)
	respBody = rd.Body(x.Response.Header.Get("Content-Type"), respBody)
	line, _ := json.Marshal(rawExchange{Exchange: *x, RequestBody: string(reqBody), ResponseBody: string(respBody)})
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lines.Write(append(line, '\n'))
	rec, why := r.example(x, reqBody, respBody)
	if why != "" {
		r.skip(x, why)
		return
	}
	if rec == nil {
		return
	}
	key := x.OperationID + "\x00" + rec.status
	if len(r.kept[key]) >= r.cfg.Max {
		return
	}
	h := sha256.Sum256(bytes.Join([][]byte{[]byte(key), reqBody, {0}, respBody}, nil))
	if r.seen[h] {
		return
	}
	r.seen[h] = true
	r.kept[key] = append(r.kept[key], *rec)
}

func (r *Recorder) skip(x *Exchange, why string) {
	if len(r.skipped) < 100 {
		r.skipped = append(r.skipped, fmt.Sprintf("%s %s -> %d: %s", x.Method, x.Path, x.UpstreamStatus, why))
	}
}

// example decides whether an exchange becomes an example: nil and no reason when it is simply not
// one (not forwarded, undocumented), a reason when it was a candidate that cannot be written.
func (r *Recorder) example(x *Exchange, reqBody, respBody []byte) (*recorded, string) {
	op, ok := r.cfg.Doc.Operation(x.OperationID)
	if !ok || x.UpstreamStatus == 0 || x.Error != "" {
		return nil, ""
	}
	if hasSide(x.Errors, SideRequest) {
		return nil, "the request violates the contract: " + firstOf(x.Errors, SideRequest)
	}
	if hasSide(x.Errors, SideResponse) {
		return nil, "the response violates the contract: " + firstOf(x.Errors, SideResponse)
	}
	if x.Response.Truncated {
		return nil, "the response body was cut (stream longer than the journal's body limit): not recorded"
	}
	key, resp := coverage.Documented(op, x.UpstreamStatus)
	if resp == nil {
		return nil, ""
	}
	rec := &recorded{op: op, status: key, reqBody: reqBody, respBody: respBody}
	if len(respBody) > 0 {
		rec.media = coverage.MediaType(resp, x.Response.Header.Get("Content-Type"))
	}
	if op.RequestBody != nil && len(reqBody) > 0 {
		rec.reqType = coverage.MediaType(&spec.Response{MediaTypes: op.RequestBody.MediaTypes}, x.Request.Header.Get("Content-Type"))
	}
	// redaction can break an example (a redacted field with a pattern): check what will be written
	req, err := http.NewRequest(x.Method, "http://recorded"+x.Path+queryPart(x.Query), bytes.NewReader(reqBody))
	if err != nil {
		return nil, err.Error()
	}
	h := x.Response.Header.Clone()
	h.Del("Content-Encoding")
	if err := op.ValidateResponseParts(req, x.UpstreamStatus, h, respBody); err != nil {
		return nil, "the redacted response no longer validates: " + err.Error()
	}
	if rec.reqType != "" {
		req.Header = x.Request.Header.Clone()
		var ves spec.ValidationErrors
		if err := op.ValidateRequest(req); errors.As(err, &ves) && ves.Has(spec.InBody) {
			rec.reqType = "" // the response is still worth recording
			r.skip(x, "the redacted request body no longer validates, only the response is recorded: "+err.Error())
		}
	}
	return rec, ""
}

func queryPart(q string) string {
	if q == "" {
		return ""
	}
	return "?" + q
}

// RecordResult says what Close wrote.
type RecordResult struct {
	File     string   // the document copy
	Examples int      // examples added (request and response ones)
	Skipped  []string // exchanges that were candidates but were not written, with the reason
}

// Close writes the copy of the document with the kept exchanges as named examples (the first of
// each media type's examples, so a mock serves them by default) and closes the exchanges file.
func (r *Recorder) Close() (RecordResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := RecordResult{File: filepath.Join(r.cfg.Dir, r.cfg.FileName)}
	ferr := r.lines.Flush()
	if err := r.file.Close(); ferr == nil {
		ferr = err
	}
	keys := make([]string, 0, len(r.kept))
	for k := range r.kept {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var all []recorded
	for _, k := range keys {
		all = append(all, r.kept[k]...)
	}
	out, n, problems, err := addExamples(r.cfg.Raw, all)
	res.Skipped = append(append([]string(nil), r.skipped...), problems...)
	res.Examples = n
	if err != nil {
		return res, fmt.Errorf("record: %w", err)
	}
	if err := os.WriteFile(res.File, out, 0o644); err != nil {
		return res, fmt.Errorf("record: %w", err)
	}
	return res, ferr
}

// exampleName is the name of the i-th recorded example of a response ("recorded", "recorded-2").
func exampleName(i int) string {
	if i == 0 {
		return "recorded"
	}
	return fmt.Sprintf("recorded-%d", i+1)
}
