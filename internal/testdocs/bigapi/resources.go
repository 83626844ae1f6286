package bigapi

import (
	"fmt"
	"strings"
)

// resource is one collection of the API; each gets the same ten operations over its own schemas.
type resource struct {
	index    int
	name     string // schema name, e.g. "Invoice"
	plural   string // path segment, e.g. "invoices"
	title    string
	statuses []string
	secret   bool // has a required writeOnly property
}

var resourceNames = []struct{ name, plural string }{
	{"Account", "accounts"}, {"User", "users"}, {"Team", "teams"}, {"Project", "projects"}, {"Repository", "repositories"},
	{"Issue", "issues"}, {"Comment", "comments"}, {"Pipeline", "pipelines"}, {"Job", "jobs"}, {"Artifact", "artifacts"},
	{"Invoice", "invoices"}, {"Payment", "payments"}, {"Subscription", "subscriptions"}, {"Product", "products"}, {"Order", "orders"},
	{"Shipment", "shipments"}, {"Warehouse", "warehouses"}, {"Station", "stations"}, {"Trip", "trips"}, {"Booking", "bookings"},
	{"Ticket", "tickets"}, {"Model", "models"}, {"File", "files"}, {"Dataset", "datasets"}, {"Webhook", "webhooks"},
	{"Report", "reports"}, {"Document", "documents"}, {"Invitation", "invitations"}, {"Role", "roles"}, {"Policy", "policies"},
	{"Credential", "credentials"}, {"Deployment", "deployments"}, {"Environment", "environments"}, {"Alert", "alerts"},
	{"Dashboard", "dashboards"}, {"Vehicle", "vehicles"},
}

var statusSets = [][]string{
	{"draft", "active", "archived"},
	{"pending", "processing", "succeeded", "failed", "cancelled"},
	{"open", "in_progress", "resolved", "closed"},
	{"enabled", "disabled"},
}

func resources() []resource {
	out := make([]resource, len(resourceNames))
	for i, n := range resourceNames {
		out[i] = resource{index: i, name: n.name, plural: n.plural, title: n.name, statuses: statusSets[i%len(statusSets)], secret: i%4 == 1}
	}
	return out
}

// schemas are the resource's components: its fields, the full representation (allOf of ResourceBase
// and the fields), the create and update bodies and the list page.
func (r resource) schemas() obj {
	fields := pick(r)
	props, createProps, updateProps := obj{}, obj{}, obj{}
	var required, createRequired []any
	for _, f := range fields {
		desc := describe(r, f)
		for _, p := range f.schema {
			if p.k == "description" {
				desc = p.v.(string) + " " + desc
			}
		}
		s := f.schema.with("description", desc)
		if f.schema[0].k == "$ref" {
			s = f.schema // a $ref's siblings are ignored by 3.0 readers: keep it bare
		}
		props = append(props, kv{f.name, s})
		if f.required {
			required = append(required, f.name)
		}
		if f.readOnly {
			continue
		}
		createProps = append(createProps, kv{f.name, s})
		updateProps = append(updateProps, kv{f.name, s})
		if f.required {
			createRequired = append(createRequired, f.name)
		}
	}
	if r.secret {
		secret := o("type", "string", "writeOnly", true, "minLength", 12, "description", "Shared secret; accepted on write, never returned.")
		props = append(props, kv{"signing_secret", secret})
		createProps = append(createProps, kv{"signing_secret", secret})
		required = append(required, "signing_secret")
		createRequired = append(createRequired, "signing_secret")
	}
	return o(
		r.name+"Fields", o("type", "object", "required", required, "properties", props),
		r.name, o("description", fmt.Sprintf("A %s as the API returns it.", strings.ToLower(r.title)),
			"allOf", list(sref("ResourceBase"), sref(r.name+"Fields"))),
		r.name+"Create", o("type", "object", "additionalProperties", false, "required", createRequired, "properties", createProps,
			"description", fmt.Sprintf("What a client sends to create a %s.", strings.ToLower(r.title))),
		r.name+"Update", o("type", "object", "additionalProperties", false, "minProperties", 1, "properties", updateProps,
			"description", "A JSON merge patch: send only what changes."),
		r.name+"List", o("allOf", list(sref("ListEnvelope"), o("type", "object", "required", strs("data"), "properties", o(
			"data", o("type", "array", "items", sref(r.name)))))),
	)
}

// example is a valid value of the resource's create body (full adds the read-only fields a response has).
func (r resource) example(full bool) obj {
	var out obj
	if full {
		out = o("id", uuid(r.index, 7), "object", strings.ToLower(r.name), "created_at", "2026-01-15T10:30:00Z", "updated_at", null{})
	}
	for _, f := range pick(r) {
		if f.readOnly && !full {
			continue
		}
		out = append(out, kv{f.name, f.example})
	}
	if r.secret && !full {
		out = append(out, kv{"signing_secret", "s3cr3t-value-0042"})
	}
	return out
}

// minimal is the smallest valid create body: the required fields only.
func (r resource) minimal() obj {
	var out obj
	for _, f := range pick(r) {
		if f.required && !f.readOnly {
			out = append(out, kv{f.name, f.example})
		}
	}
	if r.secret {
		out = append(out, kv{"signing_secret", "another-secret-0099"})
	}
	return out
}

var words = strings.Fields(`the value is checked on every write and reported back in error responses with a JSON pointer
to the offending member; clients should treat unknown enum members as opaque and keep them when they round-trip
a resource, because new members are added without a version bump. Changes are visible to list and search after a
short indexing delay, typically under two seconds, and are included in the audit log with the acting credential`)

// describe writes a field description long and varied enough to give the document a realistic size.
func describe(r resource, f field) string {
	n := 28 + (r.index*7+len(f.name))%48
	start := (r.index*13 + len(f.name)*5) % len(words)
	var b strings.Builder
	fmt.Fprintf(&b, "The %s of the %s. ", strings.ReplaceAll(f.name, "_", " "), strings.ToLower(r.title))
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(words[(start+i)%len(words)])
	}
	b.WriteByte('.')
	return b.String()
}
