package bigapi

import "slices"

// sharedSchemas are the components every resource uses: two $ref chains five deep (ResourceId and
// Amount), circular schemas (direct, through arrays, through a discriminated oneOf), oneOf and anyOf
// with and without discriminators, and allOf compositions.
func sharedSchemas() obj {
	return o(slices.Concat(valueSchemas(), unionSchemas(), recursiveSchemas())...)
}

// str is a string schema with the given keywords.
func str(pairs ...any) obj { return o("type", "string").with(pairs...) }

// valueSchemas are the $ref chains and the plain object schemas.
func valueSchemas() []any {
	return []any{
		// ResourceId -> ObjectId -> Identifier -> UuidValue -> Uuid: a property that refers to ResourceId
		// reaches its type after five $refs.
		"ResourceId", sref("ObjectId"),
		"ObjectId", sref("Identifier"),
		"Identifier", sref("UuidValue"),
		"UuidValue", sref("Uuid"),
		"Uuid", str("format", "uuid", "description", "An RFC 9562 UUID, lower case."),
		// Amount -> MonetaryAmount -> PriceValue -> CurrencyValue -> Money.
		"Amount", sref("MonetaryAmount"),
		"MonetaryAmount", sref("PriceValue"),
		"PriceValue", sref("CurrencyValue"),
		"CurrencyValue", sref("Money"),
		"Money", o("type", "object", "required", strs("value", "currency"), "additionalProperties", false,
			"description", "A decimal amount as a string, so no precision is lost in transit.",
			"properties", o("value", str("pattern", `^-?\d{1,12}(\.\d{1,2})?$`), "currency", str("pattern", "^[A-Z]{3}$", "description", "ISO 4217 code."))),
		"ExternalId", str("pattern", "^ext_[0-9]{4}$", "description", "The identifier in the customer's own system."),
		"Metadata", o("type", "object", "maxProperties", 16, "additionalProperties", str("maxLength", 500),
			"description", "Up to 16 key-value pairs for the client's own use."),
		"Locale", str("enum", strs("en-US", "de-DE", "fr-FR", "ja-JP", "pt-BR")),
		"GeoPoint", o("type", "object", "required", strs("lat", "lon"), "properties", o(
			"lat", o("type", "number", "minimum", -90, "maximum", 90), "lon", o("type", "number", "minimum", -180, "maximum", 180))),
		"Address", o("type", "object", "required", strs("line1", "city", "country"), "properties", o(
			"line1", str("minLength", 1, "maxLength", 200), "line2", str("nullable", true, "maxLength", 200),
			"city", str("minLength", 1), "region", str(), "postal_code", str("pattern", "^[A-Z0-9 -]{3,10}$"),
			"country", str("pattern", "^[A-Z]{2}$", "description", "ISO 3166-1 alpha-2."), "geo", sref("GeoPoint"))),
		"Contact", o("type", "object", "required", strs("name"), "properties", o(
			"name", str("minLength", 1), "email", str("format", "email"), "phone", str("pattern", `^\+?[0-9 ()-]{6,20}$`),
			"role", str("enum", strs("billing", "technical", "legal", "owner")))),
		// UserRef refers to itself directly through an optional property.
		"UserRef", o("type", "object", "required", strs("id"), "properties", o(
			"id", sref("ResourceId"), "name", str(), "manager", sref("UserRef"))),
	}
}

// unionSchemas are the oneOf and anyOf schemas, with and without discriminators, and the allOf.
func unionSchemas() []any {
	return []any{
		"Attachment", o("oneOf", list(sref("FileAttachment"), sref("LinkAttachment"), sref("ImageAttachment")),
			"discriminator", o("propertyName", "kind", "mapping", o(
				"file", "#/components/schemas/FileAttachment", "link", "#/components/schemas/LinkAttachment", "image", "#/components/schemas/ImageAttachment"))),
		"FileAttachment", o("type", "object", "required", strs("kind", "file_id", "size"), "properties", o(
			"kind", str("enum", strs("file")), "file_id", sref("ResourceId"), "size", o("type", "integer", "minimum", 0, "maximum", 1073741824),
			"mime_type", str("pattern", `^[a-z]+/[a-z0-9.+-]+$`))),
		"LinkAttachment", o("type", "object", "required", strs("kind", "url"), "properties", o(
			"kind", str("enum", strs("link")), "url", str("format", "uri"), "title", str("maxLength", 200))),
		"ImageAttachment", o("type", "object", "required", strs("kind", "url", "width", "height"), "properties", o(
			"kind", str("enum", strs("image")), "url", str("format", "uri"), "width", o("type", "integer", "minimum", 1),
			"height", o("type", "integer", "minimum", 1), "alt", str("nullable", true))),
		// PaymentMethod's discriminator has no mapping: the values are the schema names.
		"PaymentMethod", o("oneOf", list(sref("Card"), sref("BankTransfer"), sref("Wallet")), "discriminator", o("propertyName", "type")),
		"Card", o("type", "object", "required", strs("type", "last4", "brand"), "properties", o(
			"type", str("enum", strs("Card")), "last4", str("pattern", `^\d{4}$`), "brand", str("enum", strs("visa", "mastercard", "amex")),
			"exp_month", o("type", "integer", "minimum", 1, "maximum", 12), "exp_year", o("type", "integer", "minimum", 2020, "maximum", 2100))),
		"BankTransfer", o("type", "object", "required", strs("type", "iban"), "properties", o(
			"type", str("enum", strs("BankTransfer")), "iban", str("pattern", "^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$"), "bic", str("pattern", "^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$"))),
		"Wallet", o("type", "object", "required", strs("type", "provider"), "properties", o(
			"type", str("enum", strs("Wallet")), "provider", str("enum", strs("apple_pay", "google_pay", "paypal")), "account_email", str("format", "email"))),
		// Schedule is a oneOf without a discriminator: a timestamp, a cron rule or an interval.
		"Schedule", o("oneOf", list(str("format", "date-time"), sref("CronSchedule"), sref("IntervalSchedule"))),
		"CronSchedule", o("type", "object", "required", strs("cron"), "additionalProperties", false, "properties", o(
			"cron", str("pattern", `^(\S+ ){4}\S+$`), "timezone", str("default", "UTC"))),
		"IntervalSchedule", o("type", "object", "required", strs("every_seconds"), "additionalProperties", false, "properties", o(
			"every_seconds", o("type", "integer", "minimum", 60, "maximum", 86400))),
		// Note is an anyOf without a discriminator.
		"Note", o("anyOf", list(sref("TextNote"), sref("ChecklistNote"))),
		"TextNote", o("type", "object", "required", strs("text"), "properties", o("text", str("minLength", 1, "maxLength", 2000), "pinned", o("type", "boolean"))),
		"ChecklistNote", o("type", "object", "required", strs("items"), "properties", o("items", o("type", "array", "minItems", 1, "items",
			o("type", "object", "required", strs("label", "done"), "properties", o("label", str(), "done", o("type", "boolean")))))),
		// NotificationChannel is an anyOf with a discriminator.
		"NotificationChannel", o("anyOf", list(sref("EmailChannel"), sref("WebhookChannel"), sref("SmsChannel")),
			"discriminator", o("propertyName", "channel", "mapping", o(
				"email", "#/components/schemas/EmailChannel", "webhook", "#/components/schemas/WebhookChannel", "sms", "#/components/schemas/SmsChannel"))),
		"EmailChannel", o("type", "object", "required", strs("channel", "address"), "properties", o("channel", str("enum", strs("email")), "address", str("format", "email"))),
		"WebhookChannel", o("type", "object", "required", strs("channel", "url"), "properties", o("channel", str("enum", strs("webhook")), "url", str("format", "uri"),
			"secret", str("writeOnly", true, "minLength", 16))),
		"SmsChannel", o("type", "object", "required", strs("channel", "number"), "properties", o("channel", str("enum", strs("sms")), "number", str("pattern", `^\+[1-9][0-9]{6,14}$`))),
		// Settings is an allOf of three parts.
		"Settings", o("allOf", list(sref("BaseSettings"), sref("ThemeSettings"), o("type", "object", "properties", o(
			"beta_features", o("type", "array", "items", str("enum", strs("search-v2", "dark-launch", "bulk-edit"))))))),
		"BaseSettings", o("type", "object", "required", strs("locale"), "properties", o("locale", sref("Locale"), "timezone", str("pattern", `^[A-Za-z]+/[A-Za-z_]+$`))),
		"ThemeSettings", o("type", "object", "properties", o("theme", str("enum", strs("light", "dark", "system"), "default", "system"))),
	}
}

// recursiveSchemas are the circular schemas and the envelopes.
func recursiveSchemas() []any {
	return []any{
		// Category and TreeNode are circular: a direct optional self-reference and a cycle through an array.
		"Category", o("type", "object", "required", strs("name"), "properties", o(
			"name", str("minLength", 1), "parent", sref("Category"), "children", o("type", "array", "items", sref("Category")))),
		"TreeNode", o("type", "object", "required", strs("label"), "properties", o(
			"label", str(), "weight", o("type", "number"), "children", o("type", "array", "maxItems", 8, "items", sref("TreeNode")))),
		// Filter is a discriminated oneOf whose branches hold Filters again: a cycle through the oneOf.
		"Filter", o("oneOf", list(sref("FieldFilter"), sref("AndFilter"), sref("OrFilter"), sref("NotFilter")),
			"discriminator", o("propertyName", "op", "mapping", o(
				"eq", "#/components/schemas/FieldFilter", "ne", "#/components/schemas/FieldFilter", "lt", "#/components/schemas/FieldFilter",
				"gt", "#/components/schemas/FieldFilter", "contains", "#/components/schemas/FieldFilter",
				"and", "#/components/schemas/AndFilter", "or", "#/components/schemas/OrFilter", "not", "#/components/schemas/NotFilter"))),
		"FieldFilter", o("type", "object", "required", strs("op", "field", "value"), "properties", o(
			"op", str("enum", strs("eq", "ne", "lt", "gt", "contains")), "field", str("pattern", `^[a-z_]+(\.[a-z_]+)*$`),
			"value", o("anyOf", list(str(), o("type", "number"), o("type", "boolean"))))),
		"AndFilter", o("type", "object", "required", strs("op", "filters"), "properties", o(
			"op", str("enum", strs("and")), "filters", o("type", "array", "minItems", 1, "maxItems", 10, "items", sref("Filter")))),
		"OrFilter", o("type", "object", "required", strs("op", "filters"), "properties", o(
			"op", str("enum", strs("or")), "filters", o("type", "array", "minItems", 1, "maxItems", 10, "items", sref("Filter")))),
		"NotFilter", o("type", "object", "required", strs("op", "filter"), "properties", o("op", str("enum", strs("not")), "filter", sref("Filter"))),
		"ResourceBase", o("type", "object", "required", strs("id", "object", "created_at"), "properties", o(
			"id", str("format", "uuid", "readOnly", true), "object", str("readOnly", true, "description", "The resource type."),
			"created_at", str("format", "date-time", "readOnly", true), "updated_at", str("format", "date-time", "nullable", true, "readOnly", true))),
		"ListEnvelope", o("type", "object", "required", strs("object", "has_more"), "properties", o(
			"object", str("enum", strs("list")), "has_more", o("type", "boolean"), "next_cursor", str("nullable", true),
			"total", o("type", "integer", "minimum", 0))),
		"BulkResult", o("type", "object", "required", strs("results"), "properties", o("results", o("type", "array", "items",
			o("oneOf", list(sref("BulkSuccess"), sref("BulkFailure")), "discriminator", o("propertyName", "outcome", "mapping", o(
				"ok", "#/components/schemas/BulkSuccess", "error", "#/components/schemas/BulkFailure")))))),
		"BulkSuccess", o("type", "object", "required", strs("outcome", "index", "id"), "properties", o(
			"outcome", str("enum", strs("ok")), "index", o("type", "integer", "minimum", 0), "id", sref("ResourceId"))),
		"BulkFailure", o("type", "object", "required", strs("outcome", "index", "error"), "properties", o(
			"outcome", str("enum", strs("error")), "index", o("type", "integer", "minimum", 0), "error", sref("Problem"))),
		"Problem", o("type", "object", "required", strs("type", "title", "status"), "description", "An RFC 9457 problem document.", "properties", o(
			"type", str("format", "uri-reference"), "title", str(), "status", o("type", "integer", "minimum", 100, "maximum", 599),
			"detail", str(), "instance", str("format", "uri-reference"), "errors", o("type", "array", "items", o("type", "object",
				"required", strs("pointer", "reason"), "properties", o("pointer", str(), "reason", str()))))),
	}
}

func securitySchemes() obj {
	return o(
		"bearerAuth", o("type", "http", "scheme", "bearer", "bearerFormat", "JWT"),
		"basicAuth", o("type", "http", "scheme", "basic"),
		"apiKeyHeader", o("type", "apiKey", "in", "header", "name", "X-API-Key"),
		"apiKeyQuery", o("type", "apiKey", "in", "query", "name", "api_key"),
		"apiKeyCookie", o("type", "apiKey", "in", "cookie", "name", "sid"),
		"oauth2", o("type", "oauth2", "flows", o(
			"authorizationCode", o("authorizationUrl", "https://auth.example.com/authorize", "tokenUrl", "https://auth.example.com/token",
				"scopes", o("read", "Read every resource", "write", "Create and change resources", "admin", "Delete resources and manage keys")),
			"clientCredentials", o("tokenUrl", "https://auth.example.com/token", "scopes", o("read", "Read every resource", "write", "Create and change resources")))),
		"openId", o("type", "openIdConnect", "openIdConnectUrl", "https://auth.example.com/.well-known/openid-configuration"),
	)
}

// sharedParameters cover every location and style: query form (explode true and false),
// spaceDelimited, pipeDelimited and deepObject; header simple (explode true and false); cookie form.
func sharedParameters() obj {
	p := func(name, in, style string, explode any, required bool, schema obj, desc string) obj {
		return o("name", name, "in", in, "required", required, "style", style, "explode", explode, "description", desc, "schema", schema)
	}
	return o(
		"Cursor", p("cursor", "query", "form", nil, false, o("type", "string", "maxLength", 200), "Opaque cursor from next_cursor."),
		"Limit", p("limit", "query", "form", nil, false, o("type", "integer", "minimum", 1, "maximum", 100, "default", 20), "Page size."),
		"Status", p("status", "query", "form", true, false, o("type", "array", "items", o("type", "string", "minLength", 1)), "Repeat to match any of several states (status=a&status=b)."),
		"Fields", p("fields", "query", "form", false, false, o("type", "array", "items", o("type", "string", "pattern", "^[a-z_]+$")), "Comma-separated fields to return."),
		"Include", p("include", "query", "spaceDelimited", false, false, o("type", "array", "items", o("type", "string", "enum", strs("owner", "attachments", "notes", "metadata"))), "Space-separated relations to embed."),
		"Sort", p("sort", "query", "pipeDelimited", false, false, o("type", "array", "items", o("type", "string", "pattern", "^-?[a-z_]+$")), "Pipe-separated sort keys, - for descending."),
		"Filter", p("filter", "query", "deepObject", true, false, o("type", "object", "properties", o(
			"created_after", o("type", "string", "format", "date-time"), "owner", o("type", "string"), "min_priority", o("type", "integer", "minimum", 1, "maximum", 5))),
			"filter[created_after]=...&filter[min_priority]=2"),
		"RequestId", p("X-Request-Id", "header", "simple", nil, false, o("type", "string", "pattern", "^[A-Za-z0-9-]{8,64}$"), "Echoed in the response for tracing."),
		"IfMatch", p("If-Match", "header", "simple", nil, true, o("type", "string", "minLength", 1), "The ETag of the version being replaced."),
		"IdempotencyKey", p("Idempotency-Key", "header", "simple", nil, false, o("type", "string", "format", "uuid"), "Replays with the same key return the first answer."),
		"ClientInfo", p("X-Client-Info", "header", "simple", true, false, o("type", "object", "properties", o(
			"os", o("type", "string"), "version", o("type", "string", "pattern", `^\d+\.\d+$`))), "os=linux,version=1.2"),
		"Accepts", p("X-Accept-Features", "header", "simple", false, false, o("type", "array", "items", o("type", "string", "enum", strs("beta", "preview", "legacy"))), "beta,preview"),
		"Session", p("session_id", "cookie", "form", nil, false, o("type", "string", "minLength", 16, "maxLength", 64), "The web session."),
		"Theme", p("theme", "cookie", "form", nil, false, o("type", "string", "enum", strs("light", "dark")), "UI theme the stream renders for."),
	)
}

// sharedResponses are the error responses every operation refers to.
func sharedResponses() obj {
	problem := func(desc string) obj {
		return o("description", desc, "content", o("application/problem+json", o("schema", sref("Problem"))))
	}
	return o(
		"BadRequest", problem("The request is malformed."),
		"Unauthorized", problem("Credentials are missing or invalid.").with("headers", o("WWW-Authenticate", o("schema", o("type", "string")))),
		"Forbidden", problem("The credentials do not allow this."),
		"NotFound", problem("No such resource."),
		"Conflict", problem("The resource changed meanwhile."),
		"Unprocessable", problem("The body breaks the schema."),
		"TooManyRequests", problem("Rate limited.").with("headers", o("Retry-After", o("required", true, "schema", o("type", "integer", "minimum", 0)))),
		"ServerError", problem("Unexpected error."),
	)
}
