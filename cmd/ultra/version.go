package main

import (
	"context"
	"fmt"
	"runtime/debug"

	ultra "github.com/ultra-kit/ultra"
)

// version is set at link time by `make build` (-X main.version=...); otherwise the module version.
var version = ""

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func runVersion(ctx context.Context, args []string, e env) error {
	fs := newFlags("version", "", e)
	if err := parse(fs, args); err != nil {
		return err
	}
	contract := "unknown"
	if d, err := ultra.LoadContract(); err == nil {
		contract = d.Version()
	}
	fmt.Fprintf(e.stdout, "ultra %s (contract %s)\n", buildVersion(), contract)
	return nil
}
