// Package ultra carries the Ultra contract and the feature suites inside every binary built from this
// module, so `ultra` needs no files next to it.
package ultra

import (
	"embed"
	"io/fs"
	"sync"

	"github.com/ultra-kit/ultra/spec"
)

//go:embed openapi.yaml
//go:embed features
var files embed.FS

// Contract returns the Ultra API contract, openapi.yaml, as embedded at build time.
func Contract() []byte {
	b, err := files.ReadFile("openapi.yaml")
	if err != nil {
		panic("ultra: openapi.yaml is not embedded: " + err.Error()) // impossible: go:embed guarantees it
	}
	return b
}

// ContractName is the name the embedded contract carries in messages (spec.Document.Name).
const ContractName = "openapi.yaml (embedded)"

// loadContract parses the embedded contract once per process; the document is read-only after Load
// and safe for concurrent use, so every caller shares it.
var loadContract = sync.OnceValues(func() (*spec.Document, error) {
	return spec.Load(Contract(), spec.Options{Name: ContractName})
})

// LoadContract returns the embedded contract parsed by spec.Load, parsing it on the first call
// only. Every caller gets the same *spec.Document (treat it as read-only); the error is spec.Load's,
// which only a broken build can produce.
func LoadContract() (*spec.Document, error) { return loadContract() }

// Features returns the embedded features/ folder (its files at the root of the returned FS).
func Features() fs.FS {
	sub, err := fs.Sub(files, "features")
	if err != nil {
		panic("ultra: features are not embedded: " + err.Error())
	}
	return sub
}
