package providers_test

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"github.com/openai/openai-go/v3"

	"github.com/ultra-kit/ultra/mockserver/providers"
)

func cosine(a, b []float64) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += a[i] * b[i]
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	return dot / math.Sqrt(na*nb)
}

func TestOpenAIEmbeddings(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	client := openaiClient(srv.URL, srv.Client(), "sk-test")
	texts := []string{
		"The cat sat on the warm mat",
		"A cat sleeps on a mat in the sun",
		"Quarterly revenue grew by four percent",
	}

	t.Run("DefaultSizes", func(t *testing.T) {
		for model, want := range map[string]int{"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536} {
			got, err := client.Embeddings.New(t.Context(), openai.EmbeddingNewParams{Model: model,
				Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String(texts[0])}})
			if err != nil {
				t.Fatalf("%s: %v", model, err)
			}
			v := got.Data[0].Embedding
			if len(v) != want || got.Model != model || got.Usage.PromptTokens == 0 {
				t.Errorf("%s: expected %d dimensions and usage, got %d, %+v", model, want, len(v), got.Usage)
			}
			if n := cosine(v, v); math.Abs(n-1) > 1e-6 {
				t.Errorf("%s: expected a unit vector", model)
			}
		}
	})

	t.Run("SharedWordsAreCloser", func(t *testing.T) {
		got, err := client.Embeddings.New(t.Context(), openai.EmbeddingNewParams{Model: "text-embedding-3-small",
			Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: texts}})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Data) != 3 || got.Data[2].Index != 2 {
			t.Fatalf("expected three indexed embeddings, got %d", len(got.Data))
		}
		near, far := cosine(got.Data[0].Embedding, got.Data[1].Embedding), cosine(got.Data[0].Embedding, got.Data[2].Embedding)
		if near < 0.3 || far > 0.15 || near <= far {
			t.Errorf("expected related texts close (%.3f) and unrelated ones far (%.3f)", near, far)
		}
		again, _ := client.Embeddings.New(t.Context(), openai.EmbeddingNewParams{Model: "text-embedding-3-small",
			Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String(texts[0])}})
		if cosine(again.Data[0].Embedding, got.Data[0].Embedding) < 0.999999 {
			t.Error("expected the same vector for the same text")
		}
	})

	t.Run("DimensionsAndBase64", func(t *testing.T) {
		body := map[string]any{"model": "text-embedding-3-large", "input": texts[0], "dimensions": 256}
		_, data := call(t, srv.Client(), "POST", srv.URL+"/openai/v1/embeddings", body, map[string]string{"Authorization": "Bearer k"})
		floats, _ := dig(decode(t, data), "data", 0, "embedding").([]any)
		body["encoding_format"] = "base64"
		_, data = call(t, srv.Client(), "POST", srv.URL+"/openai/v1/embeddings", body, map[string]string{"Authorization": "Bearer k"})
		enc, _ := dig(decode(t, data), "data", 0, "embedding").(string)
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil || len(floats) != 256 || len(raw) != 4*256 {
			t.Fatalf("expected 256 floats and 1024 base64 bytes, got %d, %d (%v)", len(floats), len(raw), err)
		}
		for i := range floats {
			if f := math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:])); f != float32(floats[i].(float64)) {
				t.Fatalf("component %d: base64 %v, float %v", i, f, floats[i])
			}
		}
	})

	t.Run("Errors", func(t *testing.T) {
		cases := map[string]openai.EmbeddingNewParams{
			"EmptyInput":       {Model: "text-embedding-3-small", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("")}},
			"AdaDimensions":    {Model: "text-embedding-ada-002", Dimensions: openai.Int(8), Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("x")}},
			"TooManyDimension": {Model: "text-embedding-3-small", Dimensions: openai.Int(5000), Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("x")}},
		}
		for name, p := range cases {
			_, err := client.Embeddings.New(t.Context(), p)
			if apiErr, ok := errors.AsType[*openai.Error](err); !ok || apiErr.StatusCode != 400 {
				t.Errorf("%s: expected a 400, got %v", name, err)
			}
		}
	})
}
