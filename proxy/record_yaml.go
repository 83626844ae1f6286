package proxy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"
)

// addExamples edits the document's YAML node tree (so its order and comments survive) adding each
// recorded exchange as a named example: under the response's media type, and the request body's
// when it has one. A media type's single `example` becomes the named example "documented" so the
// two keywords never sit together. It returns the new bytes, the examples added and what could
// not be added (a $ref'd response, a key missing from the tree).
func addExamples(raw []byte, recs []recorded) ([]byte, int, []string, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		return nil, 0, nil, fmt.Errorf("parse the document: %w", err)
	}
	if len(root.Content) == 0 {
		return nil, 0, nil, fmt.Errorf("the document is empty")
	}
	doc := root.Content[0]
	added, problems := 0, []string{}
	count := map[string]int{} // media node path -> examples added there
	for _, rec := range recs {
		opNode := lookup(doc, "paths", rec.op.Path, strings.ToLower(rec.op.Method))
		if opNode == nil {
			problems = append(problems, fmt.Sprintf("%s: not found in the document's YAML", rec.op.ID))
			continue
		}
		where := rec.op.ID + " " + rec.status
		if rec.media != "" {
			resp := lookup(opNode, "responses", rec.status)
			if resp != nil && get(resp, "$ref") != nil {
				problems = append(problems, where+": the response is a $ref, shared with others: not recorded")
			} else if media := lookup(resp, "content", rec.media); media == nil {
				problems = append(problems, where+": media type "+rec.media+" not found in the YAML")
			} else {
				key := where + " " + rec.media
				if err := prependExample(media, exampleName(count[key]), "recorded from the upstream's "+rec.status+" answer", rec.media, rec.respBody); err != nil {
					problems = append(problems, where+": "+err.Error())
				} else {
					count[key]++
					added++
				}
			}
		}
		if rec.reqType != "" {
			body := get(opNode, "requestBody")
			if body != nil && get(body, "$ref") != nil {
				problems = append(problems, where+": the request body is a $ref: its example is not recorded")
				continue
			}
			media := lookup(body, "content", rec.reqType)
			if media == nil {
				continue
			}
			key := rec.op.ID + " request " + rec.status
			name := "recorded-" + strings.ToLower(rec.status)
			if count[key] > 0 {
				name += fmt.Sprintf("-%d", count[key]+1)
			}
			if err := prependExample(media, name, "the request that got the "+rec.status+" answer", rec.reqType, rec.reqBody); err == nil {
				count[key]++
				added++
			}
		}
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, 0, nil, fmt.Errorf("render the document: %w", err)
	}
	return b.Bytes(), added, problems, nil
}

// prependExample puts a named example first in media's examples.
func prependExample(media *yaml.Node, name, summary, mediaType string, body []byte) error {
	value, err := valueNode(mediaType, body)
	if err != nil {
		return err
	}
	examples := get(media, "examples")
	if examples == nil {
		examples = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		if single := get(media, "example"); single != nil {
			examples.Content = append(examples.Content, scalar("documented"), mapping("value", single))
			remove(media, "example")
		}
		media.Content = append(media.Content, scalar("examples"), examples)
	}
	for get(examples, name) != nil {
		name += "-new"
	}
	ex := mapping("summary", scalar(summary), "value", value)
	examples.Content = append([]*yaml.Node{scalar(name), ex}, examples.Content...)
	return nil
}

// valueNode is the example value: JSON bodies as YAML structure (block style, strings quoted as in
// JSON), other bodies as a string.
func valueNode(mediaType string, body []byte) (*yaml.Node, error) {
	mt := strings.ToLower(mediaType)
	if strings.Contains(mt, "json") {
		if !json.Valid(body) {
			return nil, fmt.Errorf("the %s body is not JSON", mediaType)
		}
		var n yaml.Node
		if err := yaml.Unmarshal(body, &n); err != nil || len(n.Content) == 0 {
			return nil, fmt.Errorf("the %s body cannot be written as YAML: %v", mediaType, err)
		}
		block(n.Content[0])
		return n.Content[0], nil
	}
	s := scalar(string(body))
	if strings.Contains(s.Value, "\n") {
		s.Style = yaml.LiteralStyle
	} else {
		s.Style = yaml.DoubleQuotedStyle
	}
	return s, nil
}

// block turns flow collections (as JSON parses) into block style and drops JSON's quotes from
// strings (the encoder quotes those that would read as another type), recursively.
func block(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && !strings.Contains(n.Value, "\n") {
		n.Style = 0
	}
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		if len(n.Content) > 0 {
			n.Style = 0
		}
		for _, c := range n.Content {
			block(c)
		}
	}
}

func scalar(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

func mapping(kv ...any) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Content = append(m.Content, scalar(kv[i].(string)), kv[i+1].(*yaml.Node))
	}
	return m
}

// get is the value under key in a mapping node; nil when n is not a mapping or has no such key.
func get(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		n = get(n, k)
	}
	return n
}

func remove(n *yaml.Node, key string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			n.Content = append(n.Content[:i], n.Content[i+2:]...)
			return
		}
	}
}
