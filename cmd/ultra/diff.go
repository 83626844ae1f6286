package main

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"

	"github.com/ultra-kit/ultra/spec"
)

// runDiff lists the changes between two contract versions: exit 1 when any breaks clients, 2 when an
// input cannot be read.
func runDiff(ctx context.Context, args []string, e env) error {
	fs := newFlags("diff", "OLD NEW   (files or git:REV:path)", e)
	format := fs.String("format", "text", "output format: text, json or markdown")
	allowMajor := fs.Bool("allow-major", false, "exit 0 on breaking changes when the major part of info.version changed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usageErr("diff: want OLD and NEW, got %d arguments", fs.NArg())
	}
	switch *format {
	case spec.FormatText, spec.FormatJSON, spec.FormatMarkdown:
	default:
		return usageErr("diff: unknown format %q (use text, json or markdown)", *format)
	}
	// The two documents load at once: loading is most of a diff's time and uses one core each.
	var old *spec.Document
	var oldErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		old, oldErr = loadRevision(ctx, fs.Arg(0))
	}()
	nw, err := loadRevision(ctx, fs.Arg(1))
	<-done
	if oldErr != nil {
		return usageErr("diff: %v", oldErr)
	}
	if err != nil {
		return usageErr("diff: %v", err)
	}
	changes, err := spec.Diff(old, nw)
	if err != nil {
		return usageErr("diff: %v", err)
	}
	if err := changes.Write(e.stdout, *format); err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	if n := len(changes.Breaking()); n > 0 {
		if *allowMajor && changes.MajorChanged() {
			return nil
		}
		return failed("diff: %d breaking change(s)", n)
	}
	return nil
}

// loadRevision loads a document from a file, or from git with "git:REV:path" (git show REV:path).
func loadRevision(ctx context.Context, arg string) (*spec.Document, error) {
	rest, ok := strings.CutPrefix(arg, "git:")
	if !ok {
		return spec.LoadFile(arg)
	}
	rev, file, ok := strings.Cut(rest, ":")
	if !ok || rev == "" || file == "" {
		return nil, fmt.Errorf("%s: want git:REV:path", arg)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "git", "show", rev+":"+file)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("%s: git show: %s", arg, msg)
	}
	// $refs to sibling files cannot be resolved from a revision: the document must be self-contained.
	return spec.Load(stdout.Bytes(), spec.Options{Name: arg})
}
