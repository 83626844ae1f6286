package providers

import (
	"encoding/base64"
	"encoding/binary"
	"math"
	"strings"
	"unicode"
)

// embed returns the mock's embedding of text: a deterministic unit vector of dims components built
// by feature hashing the text's lower-case words (each word adds ±1 at four hashed positions), plus a
// small component from the whole text so that every text, even an empty one, has a direction. Texts
// sharing words therefore have a clearly higher cosine similarity than unrelated texts, which lets
// retrieval tests mean something.
func embed(text string, dims int) []float32 {
	v := make([]float64, dims)
	words := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		h := hashOf(w)
		for k := 0; k < 4; k++ {
			h = splitmix(h)
			sign := 1.0
			if h>>63 == 1 {
				sign = -1
			}
			v[int(h%uint64(dims))] += sign
		}
	}
	h := hashOf("\x01", text)
	for i := 0; i < 8; i++ {
		h = splitmix(h)
		v[int(h%uint64(dims))] += 0.05 * (float64(h>>40)/float64(1<<24) - 0.5)
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	norm = math.Sqrt(norm)
	out := make([]float32, dims)
	if norm == 0 {
		out[0] = 1
		return out
	}
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}

// splitmix is one step of the SplitMix64 generator.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// embeddingBase64 encodes a vector as OpenAI's encoding_format base64 does: little-endian float32s.
func embeddingBase64(v []float32) string {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return base64.StdEncoding.EncodeToString(b)
}
