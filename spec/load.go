// Package spec loads OpenAPI 3.0 and 3.1 documents and answers the questions every other package asks of
// them: which operation does a request address, is this request or response valid, what example can be
// served, and what changed between two versions. It wraps pb33f/libopenapi and libopenapi-validator and
// imports nothing else of this module.
package spec

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi-validator/cache"
	"github.com/pb33f/libopenapi/datamodel"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/index"
)

// Options configure Load. The zero value loads an in-memory document named "openapi" that may not
// reference other files.
type Options struct {
	// Name is the document's file name, used in error messages and warnings. Default "openapi".
	Name string
	// BaseDir is the folder relative file $refs are resolved from. Empty means file $refs are not
	// allowed (LoadFile sets it to the document's folder).
	BaseDir string
	// Logger receives libopenapi's own diagnostics. Nil discards them.
	Logger *slog.Logger
}

// Warning is something about a document that does not stop it from being used.
type Warning struct {
	Line   int
	Column int
	Reason string
}

func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%d:%d: %s", w.Line, w.Column, w.Reason)
	}
	return w.Reason
}

// Document is a loaded OpenAPI document, safe for concurrent use. Schemas are compiled on first use, for
// the operation and response being checked, and cached, so loading is fast even for very large documents.
type Document struct {
	name      string
	raw       []byte
	doc       libopenapi.Document
	model     *v3.Document
	openapi   string // the declared openapi version
	effective string // the version the validator treats schemas as (3.0.3 for 3.1 documents using nullable)
	warnings  []Warning
	ops       []*Operation
	byID      map[string]*Operation
	router    *router
	schemas   cache.SchemaCache
	resources cache.SchemaResourceCache // rendered $ref targets, shared by every validator

	validators sync.Map // subKey -> *subValidator, read on every validation without a lock
	checkers   sync.Map // *v3.MediaType -> schemaChecker: compiled request body schemas (fastValid)

	// render serialises everything that renders schemas (building validators, generating and checking
	// values): libopenapi's inline rendering writes into the shared model (DynamicValue.inline and
	// renderCtx), so two renders of one schema at once race.
	render sync.Mutex

	genOnce   sync.Once
	generator *generator
}

// LoadFile reads and loads the document at path; relative file $refs resolve from its folder.
// Errors are *LoadError values naming the file, line and column where known.
func LoadFile(path string) (*Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &LoadError{File: path, Reason: strings.TrimPrefix(err.Error(), "open "+path+": ")}
	}
	return Load(data, Options{Name: path, BaseDir: filepath.Dir(path)})
}

// Load parses an OpenAPI 3.0 or 3.1 document in YAML or JSON. Circular references are allowed. A 3.1
// document that uses the 3.0 keyword nullable is accepted with a warning, nullable meaning type [T, "null"].
// Errors are *LoadError values naming the file, line and column where known.
func Load(data []byte, opts Options) (*Document, error) {
	name := opts.Name
	if name == "" {
		name = "openapi"
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &LoadError{File: name, Line: 1, Column: 1, Reason: "document is empty"}
	}
	cfg := &datamodel.DocumentConfiguration{
		IgnorePolymorphicCircularReferences: true,
		IgnoreArrayCircularReferences:       true,
		// The index's diagnostic metadata (all descriptions, enums, summaries, JSONPaths of inline
		// schemas) is for linters such as vacuum; nothing here reads it, and it is a good part of what
		// the index keeps: skipping it makes loading faster and the live heap smaller.
		SkipMetadataCollection: true,
		Logger:                 opts.Logger,
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.BaseDir != "" {
		cfg.AllowFileReferences = true
		cfg.BasePath = opts.BaseDir
		if opts.Name != "" {
			cfg.SpecFilePath = filepath.Base(opts.Name)
		}
	}
	doc, err := libopenapi.NewDocumentWithConfiguration(data, cfg)
	if err != nil {
		if le := syntaxError(data); le != nil {
			le.File = name
			return nil, le
		}
		if strings.Contains(err.Error(), "spec type not supported") {
			return nil, &LoadError{File: name, Line: 1, Column: 1, Reason: "not an OpenAPI 3 document: no openapi field"}
		}
		return nil, &LoadError{File: name, Line: 1, Column: 1, Reason: firstLine(err.Error())}
	}
	info := doc.GetSpecInfo()
	if info == nil || (info.SpecFormat != datamodel.OAS3 && info.SpecFormat != datamodel.OAS31 && info.SpecFormat != datamodel.OAS32) {
		v := ""
		if info != nil {
			v = info.Version
		}
		if v == "" {
			return nil, &LoadError{File: name, Line: 1, Column: 1, Reason: "not an OpenAPI 3 document: no openapi field"}
		}
		return nil, &LoadError{File: name, Line: 1, Column: 1, Reason: fmt.Sprintf("OpenAPI %s is not supported: use 3.0 or 3.1", v)}
	}
	d := &Document{name: name, raw: data, doc: doc, schemas: cache.NewDefaultCache(), resources: cache.NewDefaultSchemaResourceCache()}
	d.warnings = append(d.warnings, dedupeRequired(info.RootNode)...)
	m, err := doc.BuildV3Model()
	if err != nil {
		if m == nil {
			return nil, buildError(name, err)
		}
		for _, e := range unwrap(err) {
			if le := missingRef(info.RootNode, name, opts.BaseDir, e); le != nil {
				return nil, le
			}
			d.warnings = append(d.warnings, warningFor(e))
		}
	}
	d.model = &m.Model
	d.openapi = m.Model.Version
	d.effective = d.openapi
	if strings.HasPrefix(d.openapi, "3.1") {
		if line := nullableLine(data); line > 0 {
			d.effective = "3.0.3"
			d.warnings = append(d.warnings, Warning{Line: line, Column: 1,
				Reason: `OpenAPI 3.0 keyword "nullable" in a 3.1 document: treated as type [T, "null"]`})
		}
	}
	if err := d.index(); err != nil {
		return nil, &LoadError{File: name, Reason: err.Error()}
	}
	return d, nil
}

// Name is the document's file name as given to Load or LoadFile.
func (d *Document) Name() string { return d.name }

// Title is info.title.
func (d *Document) Title() string {
	if d.model.Info == nil {
		return ""
	}
	return d.model.Info.Title
}

// Version is info.version, the API's own version.
func (d *Document) Version() string {
	if d.model.Info == nil {
		return ""
	}
	return d.model.Info.Version
}

// OpenAPI is the document's openapi field, e.g. "3.1.0".
func (d *Document) OpenAPI() string { return d.openapi }

// Warnings lists what was accepted but worth fixing (3.0 keywords in 3.1, circular references...).
func (d *Document) Warnings() []Warning { return d.warnings }

// Model is libopenapi's high-level model, for the few callers that need more than this package offers.
func (d *Document) Model() *v3.Document { return d.model }

// Raw is the document's bytes as loaded.
func (d *Document) Raw() []byte { return d.raw }

// Libopenapi is the underlying libopenapi document (used for diffs).
func (d *Document) Libopenapi() libopenapi.Document { return d.doc }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func unwrap(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, unwrap(e)...)
		}
		return out
	}
	return []error{err}
}

// buildError turns the first fatal libopenapi build error into a LoadError with a position.
func buildError(name string, err error) error {
	for _, e := range unwrap(err) {
		var re *index.ResolvingError
		if errors.As(e, &re) && re.CircularReference == nil {
			le := &LoadError{File: name, Reason: firstLine(re.Error())}
			if re.Node != nil {
				le.Line, le.Column = re.Node.Line, re.Node.Column
			}
			return le
		}
	}
	for _, e := range unwrap(err) {
		w := warningFor(e)
		return &LoadError{File: name, Line: w.Line, Column: w.Column, Reason: w.Reason}
	}
	return &LoadError{File: name, Reason: firstLine(err.Error())}
}

// missingRef turns a $ref that cannot be resolved into a LoadError at the $ref, unless it sits in an
// extension (x-...), which tools other than ours read: those stay warnings.
func missingRef(root *yaml.Node, name, baseDir string, e error) *LoadError {
	var ie *index.IndexingError
	if !errors.As(e, &ie) || ie.Node == nil || inExtension(root, ie.Node, false, 0) {
		return nil
	}
	ref := refValue(ie.Node)
	if ref == "" {
		return nil
	}
	le := &LoadError{File: name, Line: ie.Node.Line, Column: ie.Node.Column}
	file, _, _ := strings.Cut(ref, "#")
	switch {
	case file != "" && baseDir == "":
		le.Reason = fmt.Sprintf("$ref %q: file references need a document loaded from a file", ref)
	case file != "":
		if _, err := os.Stat(filepath.Join(baseDir, file)); err != nil {
			le.Reason = fmt.Sprintf("$ref %q: file %s not found", ref, file)
		} else {
			le.Reason = fmt.Sprintf("$ref %q: no such component in %s", ref, file)
		}
	default:
		le.Reason = fmt.Sprintf("$ref %q: no such component", ref)
	}
	return le
}

// refValue is the $ref a node holds (the node itself or its "$ref" key's value).
func refValue(n *yaml.Node) string {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == "$ref" {
				return n.Content[i+1].Value
			}
		}
		return ""
	}
	return n.Value
}

// inExtension reports whether target sits under an x- key of root.
func inExtension(root, target *yaml.Node, under bool, depth int) bool {
	if root == nil || depth > 200 {
		return false
	}
	if root == target || (root.Line == target.Line && root.Column == target.Column && root.Kind == target.Kind) {
		return under
	}
	for i, c := range root.Content {
		ext := under
		if root.Kind == yaml.MappingNode && i%2 == 1 && strings.HasPrefix(root.Content[i-1].Value, "x-") {
			ext = true
		}
		if inExtension(c, target, ext, depth+1) {
			return true
		}
	}
	return false
}

func warningFor(e error) Warning {
	w := Warning{Reason: firstLine(e.Error())}
	var re *index.ResolvingError
	var ie *index.IndexingError
	switch {
	case errors.As(e, &re) && re.Node != nil:
		w.Line, w.Column = re.Node.Line, re.Node.Column
	case errors.As(e, &ie) && ie.Node != nil:
		w.Line, w.Column = ie.Node.Line, ie.Node.Column
	}
	return w
}

var nullableRE = regexp.MustCompile(`(?m)^\s*"?nullable"?\s*:`)

// nullableLine returns the 1-based line of the first use of the 3.0 keyword nullable, or 0.
func nullableLine(data []byte) int {
	const keyword = "nullable"
	if !bytes.Contains(data, []byte(keyword)) {
		return 0
	}
	loc := nullableRE.FindIndex(data)
	if loc == nil {
		// JSON on one line: any quoted use counts.
		i := bytes.Index(data, []byte(`"`+keyword+`"`))
		if i < 0 {
			return 0
		}
		return bytes.Count(data[:i], []byte("\n")) + 1
	}
	return bytes.Count(data[:loc[0]], []byte("\n")) + 1
}

// methodsOf maps the upper-case methods of a path item to their operations.
func methodsOf(item *v3.PathItem) map[string]*v3.Operation {
	out := map[string]*v3.Operation{}
	for p := item.GetOperations().First(); p != nil; p = p.Next() {
		out[strings.ToUpper(p.Key())] = p.Value()
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// statusNumber turns "200" into 200 and "2XX" into 200; default and garbage give 0.
func statusNumber(s string) int {
	if len(s) == 3 && (s[1] == 'X' || s[1] == 'x') {
		return int(s[0]-'0') * 100
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0
	}
	return n
}

// CompiledSchemas is how many JSON schemas the document has compiled so far. Loading compiles none;
// validation and generation compile what they use, once. It is meant for tests and diagnostics.
func (d *Document) CompiledSchemas() int {
	n := 0
	d.schemas.Range(func(uint64, *cache.SchemaCacheEntry) bool { n++; return true })
	return n
}
