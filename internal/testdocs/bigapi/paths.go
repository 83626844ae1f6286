package bigapi

import (
	"fmt"
	"strings"
)

func pref(name string) obj { return ref("parameters", name) }

func rref(name string) obj { return ref("responses", name) }

func jsonContent(schema obj, extra ...any) obj {
	return o("application/json", o("schema", schema).with(extra...))
}

// security rotates the schemes over the resources; reads and writes of oauth2 need different scopes.
func (r resource) security(write bool) []any {
	scope := "read"
	if write {
		scope = "write"
	}
	switch r.index % 8 {
	case 0:
		return nil // the document's default: bearerAuth
	case 1:
		return list(o("apiKeyHeader", list()))
	case 2:
		return list(o("oauth2", strs(scope)))
	case 3:
		return list(o("basicAuth", list()))
	case 4:
		return list(o("apiKeyQuery", list()))
	case 5:
		return list(o("apiKeyCookie", list()))
	case 6:
		return list(o("openId", strs(scope)), o("bearerAuth", list()))
	default:
		return list(o("apiKeyHeader", list(), "apiKeyQuery", list())) // both at once
	}
}

func errs(codes ...string) obj {
	out := obj{}
	names := map[string]string{"400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound", "409": "Conflict", "422": "Unprocessable", "429": "TooManyRequests"}
	for _, c := range codes {
		out = append(out, kv{c, rref(names[c])})
	}
	return append(out, kv{"default", rref("ServerError")})
}

func (r resource) idParam() obj {
	return o("name", "id", "in", "path", "required", true, "style", "simple", "description", "The "+strings.ToLower(r.title)+"'s id.", "schema", sref("ResourceId"))
}

func (r resource) op(verb, id, summary string, write bool, pairs ...any) obj {
	base := o("operationId", id, "tags", strs(r.title), "summary", summary,
		"description", fmt.Sprintf("%s. %s", summary, describe(r, field{name: verb})))
	if sec := r.security(write); sec != nil {
		base = base.with("security", sec)
	}
	return base.with(pairs...)
}

func rateHeaders() obj {
	return o("X-RateLimit-Remaining", o("description", "Requests left in the window.", "schema", o("type", "integer", "minimum", 0)),
		"X-Request-Id", o("schema", o("type", "string")))
}

// paths are the resource's operations: list, create, get, replace, update, delete, search, an event
// stream, a bulk create and a versioned or tiled read (label and matrix path parameters).
func (r resource) paths() obj {
	n, p := r.name, r.plural
	lower := strings.ToLower(r.title)
	plural := strings.ToUpper(p[:1]) + p[1:]
	listParams := list(pref("Cursor"), pref("Limit"), pref("Status"), pref("Fields"), pref("Include"), pref("Sort"), pref("Filter"), pref("RequestId"))
	if r.index%2 == 0 {
		listParams = append(listParams, pref("ClientInfo"), pref("Accepts"))
	}
	created := o("description", "Created.", "headers", rateHeaders().with(
		"Location", o("required", true, "schema", o("type", "string", "format", "uri-reference"))), "content", jsonContent(sref(n)))
	got := o("description", "The "+lower+".", "headers", rateHeaders().with("ETag", o("required", true, "schema", o("type", "string"))), "content", jsonContent(sref(n)))
	if !r.secret {
		got = o("description", "The "+lower+".", "headers", rateHeaders().with("ETag", o("required", true, "schema", o("type", "string"))),
			"content", jsonContent(sref(n), "examples", o("typical", o("summary", "A typical "+lower, "value", r.example(true)))))
	}
	item := o(
		"parameters", list(r.idParam()),
		"get", r.op("get", "get"+n, "Get a "+lower, false, "parameters", list(o("name", "If-None-Match", "in", "header", "schema", o("type", "string"))),
			"responses", o("200", got, "304", o("description", "Not modified.")).merge(errs("401", "404"))),
		"put", r.op("replace", "replace"+n, "Replace a "+lower, true, "parameters", list(pref("IfMatch")),
			"requestBody", o("required", true, "description", "The full representation; read-only members may be sent back and are ignored.", "content", jsonContent(sref(n))),
			"responses", o("200", got).merge(errs("400", "401", "404", "409", "422"))),
		"patch", r.op("update", "update"+n, "Update a "+lower, true,
			"requestBody", o("required", true, "content", o("application/merge-patch+json", o("schema", sref(n+"Update")))),
			"responses", o("200", got).merge(errs("400", "401", "404", "422"))),
		"delete", r.op("delete", "delete"+n, "Delete a "+lower, true,
			"parameters", list(o("name", "force", "in", "query", "style", "form", "schema", o("type", "boolean", "default", false))),
			"responses", o("204", o("description", "Deleted.")).merge(errs("401", "404", "409"))),
	)
	out := o(
		"/"+p, o(
			"get", r.op("list", "list"+plural, "List "+p, false, "parameters", listParams,
				"responses", o("200", o("description", "A page of "+p+".", "headers", rateHeaders().with(
					"X-Total-Count", o("schema", o("type", "integer", "minimum", 0))), "content", r.listContent())).merge(errs("400", "401", "429"))),
			"post", r.op("create", "create"+n, "Create a "+lower, true, "parameters", list(pref("IdempotencyKey")),
				"requestBody", o("required", true, "content", jsonContent(sref(n+"Create"), "examples", o(
					"minimal", o("summary", "Only the required members", "value", r.minimal()),
					"full", o("summary", "Every member", "value", r.example(false))))),
				"responses", o("201", created).merge(errs("400", "401", "409", "422", "429"))),
		),
		"/"+p+"/{id}", item,
		"/"+p+"/search", o("post", r.op("search", "search"+plural, "Search "+p, false,
			"requestBody", o("required", true, "content", jsonContent(r.searchRequest())),
			"responses", o("200", o("description", "Matching "+p+".", "content", r.searchContent())).merge(errs("400", "401", "422")))),
		"/"+p+"/{id}/events", o("get", r.op("events", "stream"+n+"Events", "Stream the events of a "+lower, false,
			"parameters", list(r.idParam(), o("name", "Last-Event-ID", "in", "header", "schema", o("type", "string")), pref("Session"), pref("Theme"),
				o("name", "types", "in", "query", "style", "form", "explode", false, "schema", o("type", "array", "items", o("type", "string", "enum", strs("created", "updated", "deleted"))))),
			"responses", o("200", o("description", "Server-sent events, one per change.", "content", o("text/event-stream", o(
				"schema", o("type", "string", "description", "event: <type>\\ndata: <JSON>\\n\\n frames."),
				"example", "event: updated\ndata: {\"id\":\""+uuid(r.index, 3)+"\"}\n\n")))).merge(errs("401", "404")))),
		"/"+p+"/bulk", o("post", r.op("bulk", "bulkCreate"+plural, "Create many "+p, true,
			"requestBody", o("required", true, "content", jsonContent(o("type", "object", "required", strs("items"), "additionalProperties", false, "properties", o(
				"items", o("type", "array", "minItems", 1, "maxItems", 100, "items", sref(n+"Create")),
				"mode", o("type", "string", "enum", strs("all_or_nothing", "best_effort"), "default", "best_effort"))))),
			"responses", o("207", o("description", "One result per item, in order.", "content", jsonContent(sref("BulkResult")))).merge(errs("400", "401", "422")))),
	)
	return append(out, r.sub()...)
}

// sub is the tenth operation: a label-style version for even resources, a matrix-style tile for odd ones.
func (r resource) sub() obj {
	lower := strings.ToLower(r.title)
	if r.index%2 == 0 {
		return o("/"+r.plural+"/{id}/versions/{version}", o("get", r.op("version", "get"+r.name+"Version", "Get one version of a "+lower, false,
			"parameters", list(r.idParam(), o("name", "version", "in", "path", "required", true, "style", "label", "explode", false,
				"description", "Label style: /versions/.3", "schema", o("type", "integer", "minimum", 1))),
			"responses", o("200", o("description", "That version.", "content", jsonContent(sref(r.name)))).merge(errs("401", "404")))))
	}
	return o("/"+r.plural+"/{id}/tiles/{coords}", o("get", r.op("tile", "get"+r.name+"Tile", "Get a tile of a "+lower+"'s map", false,
		"parameters", list(r.idParam(), o("name", "coords", "in", "path", "required", true, "style", "matrix", "explode", r.index%4 == 1,
			"description", "Matrix style: /tiles/;coords=3,4 (or ;coords=3;coords=4 exploded)",
			"schema", o("type", "array", "minItems", 2, "maxItems", 3, "items", o("type", "integer", "minimum", 0)))),
		"responses", o("200", o("description", "The tile.", "content", jsonContent(sref("TreeNode")))).merge(errs("401", "404")))))
}

func (r resource) searchRequest() obj {
	return o("type", "object", "additionalProperties", false, "properties", o(
		"query", o("type", "string", "maxLength", 500, "description", "Full-text query; quotes for phrases."),
		"filter", sref("Filter"),
		"sort", o("type", "array", "maxItems", 5, "items", o("type", "object", "required", strs("field"), "properties", o(
			"field", o("type", "string", "pattern", "^[a-z_]+$"), "direction", o("type", "string", "enum", strs("asc", "desc"), "default", "asc")))),
		"page", o("type", "object", "properties", o("size", o("type", "integer", "minimum", 1, "maximum", 100), "cursor", o("type", "string", "nullable", true))),
		"facets", o("type", "array", "uniqueItems", true, "items", o("type", "string", "enum", strs("status", "tags", "owner", "priority"))),
		"fuzzy", o("oneOf", list(o("type", "boolean"), o("type", "object", "required", strs("distance"), "properties", o("distance", o("type", "integer", "minimum", 1, "maximum", 2))))),
		"highlight", o("type", "boolean", "default", false),
	))
}

// searchContent answers JSON, and for every third resource also a text/event-stream of hits.
func (r resource) searchContent() obj {
	result := o("type", "object", "required", strs("object", "hits"), "properties", o(
		"object", o("type", "string", "enum", strs("search_result")),
		"hits", o("type", "array", "items", o("type", "object", "required", strs("score", "item"), "properties", o(
			"score", o("type", "number", "minimum", 0), "item", sref(r.name),
			"highlights", o("type", "object", "additionalProperties", o("type", "array", "items", o("type", "string")))))),
		"facets", o("type", "object", "additionalProperties", o("type", "object", "additionalProperties", o("type", "integer", "minimum", 0))),
		"next_cursor", o("type", "string", "nullable", true)))
	c := jsonContent(result)
	if r.index%3 == 0 {
		c = append(c, kv{"text/event-stream", o("schema", o("type", "string", "description", "One `data:` frame per hit, then `event: done`."))})
	}
	return c
}

// listContent is the list page, with an example page of two for resources whose representation has no
// write-only member.
func (r resource) listContent() obj {
	if r.secret {
		return jsonContent(sref(r.name + "List"))
	}
	page := o("object", "list", "has_more", true, "next_cursor", "c_2", "total", 40, "data", list(r.example(true), r.example(true)))
	return jsonContent(sref(r.name+"List"), "examples", o("page", o("summary", "The first page", "value", page)))
}
