package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// exitError carries a specific exit status (2 for usage and configuration errors) up to main.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// exitStatus is the process exit status for an error of run: 0 for nil, an exitError's code, else 1.
func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// usageErr is a command-line mistake: exit status 2 with a one-line message.
func usageErr(format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf(format, args...)}
}

// failed is a completed run with failures (checks, lint errors): exit status 1, message optional.
func failed(format string, args ...any) error {
	return &exitError{code: 1, msg: fmt.Sprintf(format, args...)}
}

// env is the process environment seen by subcommands.
type env struct {
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, e env) error
}

func commands() []command {
	return []command{
		{"gateway", "run the Ultra API gateway (ULTRA_ADDR, default 127.0.0.1:8000)", runGateway},
		{"mock", "serve any OpenAPI document and the LLM provider mocks (default 127.0.0.1:8086)", runMock},
		{"proxy", "check live traffic against a contract: a validating reverse proxy (default 127.0.0.1:8087)", runProxy},
		{"coverage", "merge coverage files from proxy, mock, verify and features into one table (and HTML, JSON)", runCoverage},
		{"token", "mint a development or testing JWT for the configured key", runToken},
		{"features", "run the embedded feature suites against a target", runFeatures},
		{"verify", "check a live service against its contract with generated requests", runVerify},
		{"diff", "list the changes between two versions of a contract and which break clients", runDiff},
		{"lint", "load and check an OpenAPI document (default: the embedded Ultra contract)", runLint},
		{"version", "print the version", runVersion},
	}
}

// run is the whole program: main only builds the context and the streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	e := env{getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) < 2 {
		usage(stdout)
		return nil
	}
	name := args[1]
	switch name {
	case "-h", "--help", "-help", "help":
		usage(stdout)
		return nil
	case "--version", "-version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			err := c.run(ctx, args[2:], e)
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		}
	}
	return usageErr("unknown command %q (run 'ultra --help' for the list)", name)
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString("ultra: the Ultra contract kit\n\nUsage: ultra <command> [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-9s %s\n", c.name, c.summary)
	}
	b.WriteString("\nRun 'ultra <command> --help' for a command's flags.\n")
	io.WriteString(w, b.String())
}

// newFlags returns a FlagSet that reports errors instead of exiting and prints help to stdout.
func newFlags(name, synopsis string, e env) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: ultra %s %s\n\nFlags:\n", name, synopsis)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(e.stderr)
	}
	return fs
}

// parse parses flags, turning mistakes into exit status 2.
func parse(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return flag.ErrHelp // the flag package has already printed fs.Usage
	}
	if err != nil {
		return usageErr("%s: %v", fs.Name(), err)
	}
	return nil
}
