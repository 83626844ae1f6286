package gateway

import (
	_ "embed"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ultra-kit/ultra/internal/provider"
)

//go:embed models.yaml
var defaultModels []byte

// Model is one model clients can name: Name is the gateway name (gpt4o), Provider is a provider name of
// internal/provider (openai, anthropic...), ProviderModel is the id sent to the provider (gpt-4o).
type Model struct {
	Name          string `yaml:"name"`
	Provider      string `yaml:"provider"`
	ProviderModel string `yaml:"provider_model"`
}

var modelNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,63}$`)

// LoadModels reads a models YAML file ({models: [{name, provider, provider_model}]}); an empty path
// means the embedded default. Errors name the file and the bad entry.
func LoadModels(path string) ([]Model, error) {
	data, name := defaultModels, "embedded models.yaml"
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("MODELS_FILE: %w", err)
		}
		data, name = b, path
	}
	return parseModels(data, name)
}

func parseModels(data []byte, name string) ([]Model, error) {
	var doc struct {
		Models []Model `yaml:"models"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(doc.Models) == 0 {
		return nil, fmt.Errorf("%s: no models", name)
	}
	seen := map[string]bool{}
	for i, m := range doc.Models {
		switch {
		case !modelNameRE.MatchString(m.Name):
			return nil, fmt.Errorf("%s: model %d: name %q must match ^[a-z0-9][a-z0-9_.-]*$ (1-64 chars)", name, i+1, m.Name)
		case seen[m.Name]:
			return nil, fmt.Errorf("%s: model %q listed twice", name, m.Name)
		case !known(m.Provider):
			return nil, fmt.Errorf("%s: model %q: provider must be one of %s, not %q", name, m.Name, strings.Join(provider.Names(), ", "), m.Provider)
		case m.ProviderModel == "":
			return nil, fmt.Errorf("%s: model %q: provider_model is empty", name, m.Name)
		}
		seen[m.Name] = true
	}
	return doc.Models, nil
}

// known reports whether name is a provider of the table.
func known(name string) bool {
	_, ok := provider.Lookup(name)
	return ok
}

func handleAvailableModels(models []Model, h *health) http.Handler {
	type model struct {
		Name          string `json:"name"`
		Provider      string `json:"provider"`
		ProviderModel string `json:"provider_model"`
		Available     bool   `json:"available"`
		Status        string `json:"status"`
	}
	type response struct {
		Status          string   `json:"status"`
		AvailableModels []string `json:"available_models"`
		Models          []model  `json:"models"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp := response{AvailableModels: []string{}, Models: make([]model, 0, len(models))}
		status := map[string]string{}
		for _, m := range models {
			st, ok := status[m.Provider]
			if !ok {
				st = h.modelStatus(m.Provider)
				status[m.Provider] = st
			}
			resp.Models = append(resp.Models, model{m.Name, m.Provider, m.ProviderModel, st == "ready", st})
			if st == "ready" {
				resp.AvailableModels = append(resp.AvailableModels, m.Name)
			}
		}
		switch len(resp.AvailableModels) {
		case len(resp.Models):
			resp.Status = "ok"
		case 0:
			resp.Status = "unavailable"
		default:
			resp.Status = "degraded"
		}
		writeJSON(w, http.StatusOK, resp)
	})
}
