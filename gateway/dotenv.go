package gateway

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DotenvGetenv layers the file .env.<ENVIRONMENT> of dir under getenv: the returned function answers
// getenv's value, and for a variable getenv leaves empty the file's. ENVIRONMENT is read through getenv
// (empty means development); for a value that is not development, testing or production no file is
// read, and LoadConfig reports the value. A missing file means no layer; an unreadable or malformed
// one is an error naming the file and line. cmd/ultra composes it with os.Getenv; library code and
// the in-process targets call LoadConfig without it, so they never depend on the working directory.
func DotenvGetenv(dir string, getenv func(string) string) (func(string) string, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	switch env := environmentName(getenv); env {
	case EnvDevelopment, EnvTesting, EnvProduction:
		file, err := readDotEnv(filepath.Join(dir, ".env."+env))
		if err != nil {
			return nil, err
		}
		return func(k string) string {
			if v := getenv(k); v != "" {
				return v
			}
			return file[k]
		}, nil
	}
	return getenv, nil
}

// environmentName is ENVIRONMENT lower-cased, development when empty.
func environmentName(getenv func(string) string) string {
	if env := strings.ToLower(strings.TrimSpace(getenv("ENVIRONMENT"))); env != "" {
		return env
	}
	return EnvDevelopment
}

// readDotEnv parses KEY=VALUE lines (# comments, optional export prefix and quotes). A missing file
// is not an error.
func readDotEnv(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: expected KEY=VALUE", path, n)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		} else if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimSpace(v[:i])
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, nil
}
