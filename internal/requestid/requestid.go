// Package requestid is the one home of request IDs: which client-supplied IDs a server echoes, and
// the process-unique IDs the mock server and the provider mocks hand out.
package requestid

import (
	"crypto/rand"
	"encoding/hex"
	"sync/atomic"
)

// Usable reports whether a client-supplied request ID can be echoed: 1 to 128 printable ASCII
// characters (no spaces or control characters, so it is safe in headers and logs).
func Usable(id string) bool {
	if len(id) == 0 || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

// Source hands out IDs unique within the process and, with high probability, across processes: a
// random 12-hex-digit prefix chosen by NewSource, then a counter of at least 8 hex digits. It is safe
// for concurrent use. The zero value works but has an empty random part; use NewSource.
type Source struct {
	random string
	n      atomic.Uint64
}

// NewSource returns a Source with a fresh random part.
func NewSource() *Source {
	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	return &Source{random: hex.EncodeToString(b[:])}
}

// Next returns the next ID with prefix in front, e.g. Next("chatcmpl-") is
// "chatcmpl-3f2a9c1b7d4e00000001".
func (s *Source) Next(prefix string) string {
	n := s.n.Add(1)
	var buf [64]byte
	b := append(buf[:0], prefix...)
	b = append(b, s.random...)
	return string(appendHex(b, n))
}

// appendHex appends n in lower-case hex, left-padded with zeros to 8 digits.
func appendHex(b []byte, n uint64) []byte {
	const digits = "0123456789abcdef"
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = digits[n&15]
		n >>= 4
		if n == 0 {
			break
		}
	}
	for len(tmp)-i < 8 {
		i--
		tmp[i] = '0'
	}
	return append(b, tmp[i:]...)
}
