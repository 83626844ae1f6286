package bigapi

import "fmt"

// field is one property of a resource: its schema, an example value that satisfies it, and whether
// clients send it (readOnly fields are only in the full representation).
type field struct {
	name     string
	schema   obj
	example  any
	required bool
	readOnly bool
}

// palette is the pool of property shapes resources draw from: every format, bound and composition the
// validator and the example generator have to get right.
func palette(r resource) []field {
	statuses := r.statuses
	return []field{
		{"display_name", o("type", "string", "minLength", 1, "maxLength", 120, "description", "Human-readable name shown in lists and search results."), r.title + " one", true, false},
		{"status", o("type", "string", "enum", strs(statuses...), "default", statuses[0], "description", "Lifecycle state. Transitions are validated by the server."), statuses[0], true, false},
		{"description", o("description", "Free text, markdown allowed.", "anyOf", list(o("type", "string", "maxLength", 4000), o("type", "null"))), "Created by the nightly import.", false, false},
		{"summary", o("type", "string", "nullable", true, "maxLength", 280, "description", "A one-line summary; null when never set (3.0 `nullable`)."), null{}, false, false},
		{"priority", o("type", "integer", "minimum", 1, "maximum", 5, "default", 3), 2, false, false},
		{"score", o("type", "number", "minimum", 0, "exclusiveMaximum", 1, "description", "Relevance in [0, 1)."), 0.75, false, false},
		{"ratio", o("type", "number", "multipleOf", 0.01, "minimum", -100, "maximum", 100), 12.5, false, false},
		{"count", o("type", "integer", "format", "int64", "minimum", 0, "description", "Number of child items."), 42, false, false},
		{"enabled", o("type", "boolean", "default", true), true, false, false},
		{"owner_email", o("type", "string", "format", "email", "maxLength", 254), "owner@example.com", r.index%3 == 0, false},
		{"homepage", o("type", "string", "format", "uri", "nullable", true), "https://example.com/" + r.plural, false, false},
		{"external_id", sref("ExternalId"), "ext_0042", false, false},
		{"price", sref("Amount"), o("value", "19.99", "currency", "EUR"), r.index%2 == 0, false},
		{"tags", o("type", "array", "uniqueItems", true, "maxItems", 10, "items", o("type", "string", "pattern", "^[a-z][a-z0-9-]{0,31}$")), strs("blue", "green-2"), false, false},
		{"metadata", sref("Metadata"), o("source", "import", "batch", "7"), false, false},
		{"counters", o("type", "object", "additionalProperties", o("type", "integer", "minimum", 0), "maxProperties", 32, "description", "Named counters."), o("views", 10, "likes", 3), false, false},
		{"address", sref("Address"), o("line1", "1 Main Street", "city", "Springfield", "country", "US", "postal_code", "12345"), false, false},
		{"contacts", o("type", "array", "maxItems", 20, "items", sref("Contact")), list(o("name", "Ann Lee", "email", "ann@example.com", "role", "billing")), false, false},
		{"owner", sref("UserRef"), o("id", uuid(r.index, 1), "name", "Ann Lee"), false, false},
		{"attachments", o("type", "array", "items", sref("Attachment")), list(o("kind", "link", "url", "https://example.com/spec.pdf", "title", "Spec")), false, false},
		{"payment_method", sref("PaymentMethod"), o("type", "Card", "last4", "4242", "brand", "visa", "exp_month", 12, "exp_year", 2030), false, false},
		{"schedule", sref("Schedule"), "2026-03-01T09:00:00Z", false, false},
		{"notes", o("type", "array", "items", sref("Note")), list(o("text", "Call back on Monday")), false, false},
		{"notify", sref("NotificationChannel"), o("channel", "email", "address", "ops@example.com"), false, false},
		{"settings", sref("Settings"), o("locale", "en-US", "timezone", "Europe/Berlin", "theme", "dark"), false, false},
		{"category", sref("Category"), o("name", "Root"), false, false},
		{"tree", sref("TreeNode"), o("label", "root", "children", list(o("label", "leaf"))), false, false},
		{"last_ip", o("type", "string", "format", "ipv4", "readOnly", true), "192.0.2.10", false, true},
		{"host", o("type", "string", "format", "hostname"), "api.example.com", false, false},
		{"due_on", o("type", "string", "format", "date", "nullable", true), "2026-06-30", false, false},
		{"version", o("type", "string", "pattern", `^\d+\.\d+\.\d+$`, "description", "Semantic version."), "1.4.2", false, false},
		{"color", o("type", "string", "pattern", "^#[0-9a-f]{6}$", "default", "#336699"), "#336699", false, false},
		{"locale", sref("Locale"), "de-DE", false, false},
		{"rating", o("type", "integer", "enum", list(1, 2, 3, 4, 5)), 4, false, false},
		{"coordinates", o("type", "array", "minItems", 2, "maxItems", 2, "items", o("type", "number", "minimum", -180, "maximum", 180), "description", "Longitude, latitude."), list(13.4, 52.5), false, false},
		{"windows", o("type", "array", "maxItems", 7, "items", o("type", "object", "required", strs("day", "opens", "closes"), "additionalProperties", false,
			"properties", o("day", o("type", "string", "enum", strs("mon", "tue", "wed", "thu", "fri", "sat", "sun")), "opens", o("type", "string", "format", "time"), "closes", o("type", "string", "format", "time")))),
			list(o("day", "mon", "opens", "09:00:00Z", "closes", "17:00:00Z")), false, false},
		{"parent_id", o("anyOf", list(sref("ResourceId"), o("type", "null")), "description", "The parent, null at the top."), null{}, false, false},
		{"revision", o("type", "integer", "readOnly", true, "minimum", 1, "description", "Incremented on every write."), 3, true, true},
	}
}

// pick chooses the fields of resource r: a window of the palette that moves with the index, so each
// resource has its own mix, always with the required core.
func pick(r resource) []field {
	all := palette(r)
	var out []field
	for i, f := range all {
		if i < 2 || f.required || (i+r.index)%3 != 0 {
			out = append(out, f)
		}
	}
	return out
}

func uuid(a, b int) string {
	return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", 0x1000+a, b, a%4096, b%4096, a*7919+b)
}
