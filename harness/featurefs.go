package harness

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing/fstest"

	ultra "github.com/ultra-kit/ultra"
)

// EmbeddedPrefix is where FeatureFiles puts the embedded Ultra suites when they run next to files
// from disk.
const EmbeddedPrefix = "ultra"

// lineSuffix is a ":LINE" selector after a feature file name, as godog takes it.
var lineSuffix = regexp.MustCompile(`:\d+$`)

// FeatureFiles reads the feature files at paths (files, or folders searched recursively for
// *.feature; each optionally with a godog ":LINE" suffix) into one file system for Options.Features,
// and returns it with the paths to select in it. Files are named as given (relative to the working
// directory when they lie under it). With embedded, the embedded Ultra suites join them under
// EmbeddedPrefix. It returns an error naming the path when one does not exist, is not a .feature
// file, or holds none.
func FeatureFiles(paths []string, embedded bool) (fs.FS, []string, error) {
	mfs := fstest.MapFS{}
	var sel []string
	for _, p := range paths {
		line := lineSuffix.FindString(p)
		file := strings.TrimSuffix(p, line)
		name, err := displayName(file)
		if err != nil {
			return nil, nil, err
		}
		n, err := addFeatures(mfs, file, name)
		if err != nil {
			return nil, nil, err
		}
		if n == 0 {
			return nil, nil, fmt.Errorf("features: %s holds no .feature file", p)
		}
		sel = append(sel, name+line)
	}
	if embedded {
		err := fs.WalkDir(ultra.Features(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
				return err
			}
			data, err := fs.ReadFile(ultra.Features(), p)
			mfs[path.Join(EmbeddedPrefix, p)] = &fstest.MapFile{Data: data, Mode: 0o444}
			return err
		})
		if err != nil {
			return nil, nil, fmt.Errorf("features: the embedded suites: %w", err)
		}
		sel = append(sel, EmbeddedPrefix)
	}
	return mfs, sel, nil
}

// displayName is the slash-separated name a file on disk gets in the feature file system.
func displayName(file string) (string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", fmt.Errorf("features: %s: %w", file, err)
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			if rel == "." {
				return ".", nil
			}
			return filepath.ToSlash(rel), nil
		}
	}
	return strings.TrimPrefix(filepath.ToSlash(abs), "/"), nil
}

// addFeatures copies the .feature files at file (a file or a folder) into mfs under name.
func addFeatures(mfs fstest.MapFS, file, name string) (int, error) {
	info, err := os.Stat(file)
	if err != nil {
		return 0, fmt.Errorf("features: %w", err)
	}
	if !info.IsDir() {
		if !strings.HasSuffix(file, ".feature") {
			return 0, fmt.Errorf("features: %s is not a .feature file", file)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return 0, fmt.Errorf("features: %w", err)
		}
		mfs[name] = &fstest.MapFile{Data: data, Mode: 0o444}
		return 1, nil
	}
	n := 0
	err = filepath.WalkDir(file, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".feature") {
			return err
		}
		rel, err := filepath.Rel(file, p)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		mfs[path.Join(name, filepath.ToSlash(rel))] = &fstest.MapFile{Data: data, Mode: 0o444}
		n++
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("features: %w", err)
	}
	return n, nil
}
