// Command ultra is the Ultra contract kit: the gateway, the mock server, the feature suites and the
// contract checks in one binary. Run `ultra --help` for the subcommands.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/ultra-kit/ultra/harness"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "features" {
		// testcontainers (the container target) reads its settings from the process environment only:
		// set them here, at the process edge, so no library code changes the environment.
		for k, v := range harness.DockerEnv(os.Getenv) {
			_ = os.Setenv(k, v)
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args, os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		msg := err.Error()
		var ee *exitError
		if errors.As(err, &ee) {
			msg = ee.msg
		}
		if msg != "" {
			fmt.Fprintln(os.Stderr, "ultra: "+msg)
		}
		os.Exit(exitStatus(err))
	}
}
