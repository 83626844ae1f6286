package providers

import "github.com/ultra-kit/ultra/mockserver/sse"

// AppendEvent exposes the SSE encoder the provider mocks stream with to the external tests.
var AppendEvent = sse.AppendEvent
