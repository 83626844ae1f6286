package main

import (
	"context"
	"fmt"

	ultra "github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/spec"
)

func runLint(ctx context.Context, args []string, e env) error {
	fs := newFlags("lint", "[FILE]", e)
	strict := fs.Bool("strict", false, "treat warnings as errors")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageErr("lint: one file at most, got %d", fs.NArg())
	}
	var doc *spec.Document
	var err error
	name := ultra.ContractName
	if fs.NArg() == 1 {
		name = fs.Arg(0)
		doc, err = spec.LoadFile(name)
	} else {
		doc, err = ultra.LoadContract()
	}
	if err != nil {
		fmt.Fprintln(e.stdout, err)
		return failed("")
	}
	errs, warns := 0, 0
	for _, p := range doc.Lint() {
		fmt.Fprintf(e.stdout, "%s:%s\n", name, p)
		if p.Severity == spec.SeverityError {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(e.stdout, "%s: %d operations, %d errors, %d warnings\n", name, len(doc.Operations()), errs, warns)
	if errs > 0 || (*strict && warns > 0) {
		return failed("")
	}
	return nil
}
