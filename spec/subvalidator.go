package spec

import (
	"net/http"
	"strconv"
	"strings"
	"sync"

	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// A validator is built on first use for the least it has to check, over a copy of the operation's path
// item trimmed to it: one per operation for requests (no responses), one per operation, response and
// media type for responses (no request side, other responses' schemas left out). Building a
// libopenapi-validator compiles every schema the item reaches, and one path of a large document can
// hold dozens of big response schemas; compiling only what is used keeps start-up and memory small.
// Compiled schemas are shared through the document's caches.
type subKey struct {
	template, method string
	response         bool
	code, media      string // the documented response key ("200", "4XX", "default") and media type
}

type subValidator struct {
	once sync.Once
	item *v3.PathItem
	v    validator.Validator
	// params, for request validators only, is v without request body validation (see fastValid).
	params validator.Validator
}

// validatorFor returns the validators and trimmed path item for k, building them on first use with trim.
func (d *Document) validatorFor(k subKey, trim func() *v3.PathItem) *subValidator {
	v, ok := d.validators.Load(k)
	if !ok {
		v, _ = d.validators.LoadOrStore(k, &subValidator{})
	}
	sv := v.(*subValidator)
	sv.once.Do(func() {
		sv.item = trim()
		sub := *d.model
		sub.Version = d.effective
		sub.Paths = &v3.Paths{PathItems: orderedmap.New[string, *v3.PathItem]()}
		sub.Paths.PathItems.Set(k.template, sv.item)
		sub.Webhooks = nil
		d.render.Lock()
		defer d.render.Unlock()
		d.precompile(sv.item, k.response)
		opts := []config.Option{
			config.WithFormatAssertions(),
			config.WithSchemaCache(d.schemas), config.WithSchemaResourceCache(d.resources),
		}
		sv.v = validator.NewValidatorFromV3Model(&sub, opts...)
		if !k.response {
			sv.params = validator.NewValidatorFromV3Model(&sub, append(opts, config.WithoutRequestBodyValidation())...)
		}
	})
	return sv
}

// onlyOperation copies item keeping only the operation for method, as edit returns it from a copy.
func onlyOperation(item *v3.PathItem, method string, edit func(*v3.Operation)) *v3.PathItem {
	if item == nil {
		return nil
	}
	c := *item
	for m, slot := range map[string]**v3.Operation{
		http.MethodGet: &c.Get, http.MethodPut: &c.Put, http.MethodPost: &c.Post, http.MethodDelete: &c.Delete,
		http.MethodOptions: &c.Options, http.MethodHead: &c.Head, http.MethodPatch: &c.Patch, http.MethodTrace: &c.Trace, "QUERY": &c.Query,
	} {
		if *slot == nil {
			continue
		}
		if m != method {
			*slot = nil
			continue
		}
		o := **slot
		o.Callbacks = nil
		edit(&o)
		*slot = &o
	}
	if item.AdditionalOperations != nil {
		c.AdditionalOperations = orderedmap.New[string, *v3.Operation]()
		for p := item.AdditionalOperations.First(); p != nil; p = p.Next() {
			if strings.EqualFold(p.Key(), method) && p.Value() != nil {
				o := *p.Value()
				o.Callbacks = nil
				edit(&o)
				c.AdditionalOperations.Set(p.Key(), &o)
			}
		}
	}
	return &c
}

func (op *Operation) requestValidator() *subValidator {
	d := op.doc
	return d.validatorFor(subKey{template: op.Path, method: op.Method}, func() *v3.PathItem {
		item, _ := d.model.Paths.PathItems.Get(op.Path)
		return onlyOperation(item, op.Method, func(o *v3.Operation) { o.Responses = nil })
	})
}

// responseValidator returns the validator for a response with this status and content type. An
// undocumented status or media type gets a validator over the response keys alone, which reports it.
func (op *Operation) responseValidator(status int, contentType string) *subValidator {
	d := op.doc
	code, resp := documentedResponse(op.Model.Responses, status)
	media := ""
	if resp != nil && resp.Content != nil {
		if mt, ok := helpers.FindMediaType(resp.Content, contentType); ok {
			for p := resp.Content.First(); p != nil; p = p.Next() {
				if p.Value() == mt {
					media = p.Key()
					break
				}
			}
		}
	}
	return d.validatorFor(subKey{template: op.Path, method: op.Method, response: true, code: code, media: media}, func() *v3.PathItem {
		item, _ := d.model.Paths.PathItems.Get(op.Path)
		c := onlyOperation(item, op.Method, func(o *v3.Operation) {
			o.Parameters, o.RequestBody, o.Security = nil, nil, nil
			o.Responses = trimResponses(o.Responses, code, media)
		})
		if c != nil {
			c.Parameters = nil
		}
		return c
	})
}

// documentedResponse finds the response key that covers status the way the validator does: the exact
// code, its range, then default. It returns "" and nil when none does.
func documentedResponse(rs *v3.Responses, status int) (string, *v3.Response) {
	if rs == nil {
		return "", nil
	}
	if rs.Codes != nil {
		code := strconv.Itoa(status)
		if r := rs.Codes.GetOrZero(code); r != nil {
			return code, r
		}
		rng := strconv.Itoa(status/100) + "XX"
		if r := rs.Codes.GetOrZero(rng); r != nil {
			return rng, r
		}
	}
	if rs.Default != nil {
		return "default", rs.Default
	}
	return "", nil
}

// trimResponses keeps every response key (so an undocumented status is still reported against the
// full list) but only the kept response's schemas: other responses and media types become empty.
func trimResponses(rs *v3.Responses, code, media string) *v3.Responses {
	if rs == nil {
		return nil
	}
	c := *rs
	c.Codes = orderedmap.New[string, *v3.Response]()
	for p := rs.Codes.First(); p != nil; p = p.Next() {
		c.Codes.Set(p.Key(), keepMedia(p.Value(), p.Key() == code, media))
	}
	if rs.Default != nil {
		c.Default = keepMedia(rs.Default, code == "default", media)
	}
	return &c
}

func keepMedia(r *v3.Response, kept bool, media string) *v3.Response {
	if r == nil {
		return nil
	}
	c := &v3.Response{Description: r.Description}
	if kept {
		c.Headers = r.Headers
	}
	if r.Content != nil {
		c.Content = orderedmap.New[string, *v3.MediaType]()
		for p := r.Content.First(); p != nil; p = p.Next() {
			mt := &v3.MediaType{}
			if kept && p.Key() == media {
				mt = p.Value()
			}
			c.Content.Set(p.Key(), mt)
		}
	}
	return c
}
