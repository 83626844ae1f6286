package bigapi

import (
	"bytes"
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// obj is a YAML mapping that keeps its keys in the order they were written, so the document comes out
// byte for byte the same on every run.
type obj []kv

type kv struct {
	k string
	v any
}

// o builds an obj from alternating keys and values; a nil value drops its key, so optional keys can
// be written inline.
func o(pairs ...any) obj {
	if len(pairs)%2 != 0 {
		panic(fmt.Sprintf("bigapi: odd number of arguments to o: %v", pairs))
	}
	out := make(obj, 0, len(pairs)/2)
	for i := 0; i < len(pairs); i += 2 {
		if pairs[i+1] == nil {
			continue
		}
		out = append(out, kv{pairs[i].(string), pairs[i+1]})
	}
	return out
}

// with returns a copy of m with more keys: a key m already has keeps its place and takes the new value.
func (m obj) with(pairs ...any) obj {
	out := append(obj{}, m...)
next:
	for _, p := range o(pairs...) {
		for i := range out {
			if out[i].k == p.k {
				out[i].v = p.v
				continue next
			}
		}
		out = append(out, p)
	}
	return out
}

// null is an explicit YAML null (a nil value drops its key instead).
type null struct{}

func ref(kind, name string) obj { return o("$ref", "#/components/"+kind+"/"+name) }

func sref(name string) obj { return ref("schemas", name) }

func list(vs ...any) []any { return vs }

func strs(vs ...string) []any {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

func toNode(v any) *yaml.Node {
	switch x := v.(type) {
	case obj:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, p := range x {
			n.Content = append(n.Content, toNode(p.k), toNode(p.v))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, e := range x {
			n.Content = append(n.Content, toNode(e))
		}
		return n
	case string:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: x}
	case int:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(x)}
	case float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(x, 'f', -1, 64)}
	case bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(x)}
	case null:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	panic(fmt.Sprintf("bigapi: cannot write %T", v))
}

func encode(v obj) []byte {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(toNode(v)); err != nil {
		panic(fmt.Sprintf("bigapi: encode: %v", err))
	}
	if err := enc.Close(); err != nil {
		panic(fmt.Sprintf("bigapi: encode: %v", err))
	}
	return buf.Bytes()
}

// merge returns a copy of m with the keys of more appended.
func (m obj) merge(more obj) obj { return append(append(obj{}, m...), more...) }
