package spec

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors that callers branch on with errors.Is.
var (
	// ErrOperationNotFound means no path template of the document matches a request path.
	ErrOperationNotFound = errors.New("no operation matches the path")
	// ErrMethodNotAllowed means a path template matches but has no operation for the method.
	// The error carrying it is a *MethodNotAllowedError listing the allowed methods.
	ErrMethodNotAllowed = errors.New("method not allowed")
	// ErrNoExample means a response has neither an example nor a schema to generate one from.
	ErrNoExample = errors.New("no example")
	// ErrNoResponse means an operation documents no response for the requested status.
	ErrNoResponse = errors.New("no such response")
)

// MethodNotAllowedError reports a path that exists with other methods. It matches ErrMethodNotAllowed.
type MethodNotAllowedError struct {
	Method  string
	Path    string
	Allowed []string // upper-case methods, sorted
}

func (e *MethodNotAllowedError) Error() string {
	return fmt.Sprintf("%s %s: method not allowed (allowed: %s)", e.Method, e.Path, strings.Join(e.Allowed, ", "))
}

// Is reports whether target is ErrMethodNotAllowed.
func (e *MethodNotAllowedError) Is(target error) bool { return target == ErrMethodNotAllowed }

// LoadError is a document that could not be loaded. File is the document's name, Line and Column are
// 1-based and zero when unknown.
type LoadError struct {
	File   string
	Line   int
	Column int
	Reason string
}

func (e *LoadError) Error() string {
	switch {
	case e.Line > 0 && e.Column > 0:
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Reason)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Reason)
	default:
		return fmt.Sprintf("%s: %s", e.File, e.Reason)
	}
}

// In says which part of an exchange a ValidationError is about.
type In string

// The parts of a request or response a ValidationError can point into.
const (
	InPath        In = "path"
	InQuery       In = "query"
	InHeader      In = "header"
	InCookie      In = "cookie"
	InBody        In = "body"
	InSecurity    In = "security"     // required credentials are missing
	InContentType In = "content-type" // the Content-Type is not documented
	InStatus      In = "status"       // the response status is not documented
)

// ValidationError is one violation of the contract. Pointer is an RFC 6901 JSON pointer into the body
// for In == InBody ("" for the whole body), and the parameter or header name otherwise.
type ValidationError struct {
	In      In     `json:"in"`
	Pointer string `json:"pointer"`
	Reason  string `json:"reason"`
	// Keyword is the JSON Schema keyword location that failed, when a schema failed.
	Keyword string `json:"keyword,omitempty"`
}

func (e *ValidationError) Error() string {
	if e.Pointer == "" {
		return fmt.Sprintf("%s: %s", e.In, e.Reason)
	}
	return fmt.Sprintf("%s %s: %s", e.In, e.Pointer, e.Reason)
}

// ValidationErrors is every violation found in one request or response. It is returned as an error
// by the Validate methods; use errors.As to get it.
type ValidationErrors []*ValidationError

func (es ValidationErrors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	parts := make([]string, 0, len(es))
	for _, e := range es {
		parts = append(parts, e.Error())
	}
	return fmt.Sprintf("%d contract violations: %s", len(es), strings.Join(parts, "; "))
}

// Only reports whether every error is about the given part, e.g. all InSecurity means "credentials missing".
func (es ValidationErrors) Only(in In) bool {
	if len(es) == 0 {
		return false
	}
	for _, e := range es {
		if e.In != in {
			return false
		}
	}
	return true
}

// Has reports whether any error is about the given part.
func (es ValidationErrors) Has(in In) bool {
	for _, e := range es {
		if e.In == in {
			return true
		}
	}
	return false
}

// Without returns the errors that are not about the given part.
func (es ValidationErrors) Without(in In) ValidationErrors {
	var out ValidationErrors
	for _, e := range es {
		if e.In != in {
			out = append(out, e)
		}
	}
	return out
}
