// Package ultra carries the Ultra contract and the feature suites inside every binary built from this
// module, so `ultra` needs no files next to it.
package ultra

import (
	"embed"
	"io/fs"
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

// Features returns the embedded features/ folder (its files at the root of the returned FS).
func Features() fs.FS {
	sub, err := fs.Sub(files, "features")
	if err != nil {
		panic("ultra: features are not embedded: " + err.Error())
	}
	return sub
}
