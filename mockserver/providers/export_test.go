package providers

// AppendEvent exposes the SSE encoder to the external tests.
var AppendEvent = appendEvent
