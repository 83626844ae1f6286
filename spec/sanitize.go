package spec

import (
	"fmt"

	"github.com/pb33f/go-yaml"
)

// dedupeRequired removes repeated names from every schema's required list, before libopenapi builds its
// model. JSON Schema requires the list to be unique and the validator refuses to compile a schema whose
// list is not (OpenAI's document has such lists); the names mean the same thing once, so the duplicates
// are dropped with a warning. Example values are left alone.
func dedupeRequired(root *yaml.Node) []Warning {
	var out []Warning
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || depth > 200 {
			return
		}
		switch n.Kind {
		case yaml.DocumentNode, yaml.SequenceNode:
			for _, c := range n.Content {
				walk(c, depth+1)
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				switch {
				case k.Value == "example" || k.Value == "examples" || k.Value == "default" || k.Value == "const" || k.Value == "enum":
					continue
				case k.Value == "required" && v.Kind == yaml.SequenceNode:
					seen := map[string]bool{}
					kept := v.Content[:0:0]
					for _, item := range v.Content {
						if item.Kind == yaml.ScalarNode && seen[item.Value] {
							out = append(out, Warning{Line: item.Line, Column: item.Column,
								Reason: fmt.Sprintf("required lists %q more than once: the repeat is ignored", item.Value)})
							continue
						}
						seen[item.Value] = true
						kept = append(kept, item)
					}
					if len(kept) != len(v.Content) {
						v.Content = kept
					}
				default:
					walk(v, depth+1)
				}
			}
		}
	}
	walk(root, 0)
	return out
}
