package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/ultra-kit/ultra/internal/provider"
	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/mockserver/cassette"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// tapeFlags are ultra mock's record and replay flags.
type tapeFlags struct {
	record, replay   string
	upstreams        listFlag
	timing, fallback bool
}

// newTapeFlags registers the flags on fs.
func newTapeFlags(fs *flag.FlagSet) *tapeFlags {
	f := &tapeFlags{}
	fs.StringVar(&f.record, "record", "", "forward the calls of the --upstream providers to them and write each exchange as a cassette in `DIR` (secrets redacted)")
	fs.Var(&f.upstreams, "upstream", "with --record, where a provider's calls go (`provider=URL`, e.g. openai=https://api.openai.com/v1); repeatable")
	fs.StringVar(&f.replay, "replay", "", "answer the provider calls from the cassettes in `DIR`")
	fs.BoolVar(&f.timing, "replay-timing", false, "with --replay, send each stream chunk at its recorded time (default: as fast as possible)")
	fs.BoolVar(&f.fallback, "replay-fallback", false, "with --replay, answer a call no cassette matches with the generated mock answer (default: a 404 naming the closest cassette)")
	return f
}

// apply checks the flags and loads what they name into cfg (ProviderRecord or ProviderReplay). It
// returns the line saying what is recorded or replayed, "" for neither.
func (f *tapeFlags) apply(cfg *mockserver.Config) (string, error) {
	switch {
	case f.record != "" && f.replay != "":
		return "", usageErr("mock: --record and --replay cannot be used together")
	case f.record == "" && len(f.upstreams) > 0:
		return "", usageErr("mock: --upstream needs --record DIR")
	case f.replay == "" && (f.timing || f.fallback):
		return "", usageErr("mock: --replay-timing and --replay-fallback need --replay DIR")
	case (f.record != "" || f.replay != "") && !cfg.Providers:
		return "", usageErr("mock: --record and --replay need the provider mocks (drop --no-providers)")
	case f.record != "":
		return f.applyRecord(cfg)
	case f.replay != "":
		return f.applyReplay(cfg)
	}
	return "", nil
}

func (f *tapeFlags) applyRecord(cfg *mockserver.Config) (string, error) {
	if len(f.upstreams) == 0 {
		return "", usageErr("mock: --record needs at least one --upstream provider=URL")
	}
	rec := &providers.Record{Dir: f.record, Upstreams: map[string]*url.URL{}}
	var parts []string
	for _, kv := range f.upstreams {
		name, u, err := parseUpstream(kv)
		if err != nil {
			return "", err
		}
		if rec.Upstreams[name] != nil {
			return "", usageErr("mock: --upstream %s is given twice", name)
		}
		rec.Upstreams[name] = u
		parts = append(parts, name+" → "+u.Redacted())
	}
	if err := writableDir(f.record); err != nil {
		return "", usageErr("mock: --record: %v", err)
	}
	cfg.ProviderRecord = rec
	return fmt.Sprintf("ultra mock: recording %s into %s (the other providers answer from the mocks)\n", strings.Join(parts, ", "), f.record), nil
}

// parseUpstream reads one --upstream provider=URL.
func parseUpstream(kv string) (string, *url.URL, error) {
	name, raw, ok := strings.Cut(kv, "=")
	if !ok || name == "" || raw == "" {
		return "", nil, usageErr("mock: --upstream wants provider=URL, got %q", kv)
	}
	if _, known := provider.Lookup(name); !known {
		return "", nil, usageErr("mock: --upstream: unknown provider %q (known: %s)", name, strings.Join(provider.Names(), ", "))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", nil, usageErr("mock: --upstream %s: %q is not an http(s) URL", name, raw)
	}
	return name, u, nil
}

// writableDir creates dir when missing and checks a file can be written in it.
func writableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	probe, err := os.CreateTemp(dir, ".ultra-probe-*")
	if err != nil {
		return err
	}
	probe.Close()
	return os.Remove(probe.Name())
}

func (f *tapeFlags) applyReplay(cfg *mockserver.Config) (string, error) {
	lib, err := cassette.Load(f.replay)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Path == f.replay {
			return "", usageErr("mock: --replay %s: %v", f.replay, pe.Err)
		}
		return "", usageErr("mock: --replay: %v", err)
	}
	if lib.Len() == 0 && !f.fallback {
		return "", usageErr("mock: --replay %s: no cassettes (*.json) in it", f.replay)
	}
	cfg.ProviderReplay = &providers.Replay{Cassettes: lib, Timing: f.timing, Fallback: f.fallback}
	unmatched, timing := "a 404 naming the closest cassette", "as fast as possible"
	if f.fallback {
		unmatched = "the generated answer"
	}
	if f.timing {
		timing = "at the recorded times"
	}
	plural := "s"
	if lib.Len() == 1 {
		plural = ""
	}
	return fmt.Sprintf("ultra mock: replaying %d cassette%s from %s (unmatched calls get %s; streams %s)\n", lib.Len(), plural, f.replay, unmatched, timing), nil
}
