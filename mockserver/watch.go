package mockserver

import (
	"bytes"
	"context"
	"os"
	"time"

	"github.com/ultra-kit/ultra/spec"
)

// DefaultWatchInterval is how often Watch looks at a file when given no interval.
const DefaultWatchInterval = 500 * time.Millisecond

// Watch reloads the document mounted at prefix whenever the file at path changes, until ctx is done.
// It polls the file's size and modification time every interval (0 means DefaultWatchInterval) and
// reloads only when the content differs. A change that fails to load, or whose routes conflict with
// another mount, is logged and the last good document keeps being served. Files the document
// references with $ref are not watched.
func (s *Server) Watch(ctx context.Context, prefix, path string, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultWatchInterval
	}
	var lastMod time.Time
	var lastSize int64 = -1
	last, _ := os.ReadFile(path)
	if fi, err := os.Stat(path); err == nil {
		lastMod, lastSize = fi.ModTime(), fi.Size()
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fi, err := os.Stat(path)
		if err != nil {
			if lastSize != -2 {
				s.log.Warn("watch: cannot read the document; serving the last good one", "file", path, "error", err)
			}
			lastSize = -2
			continue
		}
		if fi.ModTime().Equal(lastMod) && fi.Size() == lastSize {
			continue
		}
		lastMod, lastSize = fi.ModTime(), fi.Size()
		data, err := os.ReadFile(path)
		if err != nil || bytes.Equal(data, last) {
			continue
		}
		last = data
		doc, err := spec.LoadFile(path)
		if err == nil {
			err = s.Reload(prefix, doc)
		}
		if err != nil {
			s.log.Warn("watch: reload failed; serving the last good document", "file", path, "error", err.Error())
			continue
		}
		s.log.Info("watch: reloaded", "file", path, "operations", len(doc.Operations()))
	}
}
