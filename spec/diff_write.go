package spec

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Formats accepted by Write.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
)

// Write renders the changes as text, json or markdown (markdown fits a pull-request comment).
// It returns an error for an unknown format or a failed write.
func (c *Changes) Write(w io.Writer, format string) error {
	var b strings.Builder
	breaking, other := c.Breaking(), c.NonBreaking()
	switch format {
	case FormatJSON:
		out := struct {
			*Changes
			Breaking    int  `json:"breaking"`
			NonBreaking int  `json:"non_breaking"`
			Major       bool `json:"major_version_changed"`
		}{c, len(breaking), len(other), c.MajorChanged()}
		if out.Changes.Changes == nil {
			out.Changes.Changes = []Change{}
		}
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	case FormatText, "":
		fmt.Fprintf(&b, "%s (%s) → %s (%s): %d breaking, %d non-breaking\n", c.OldName, c.OldVersion, c.NewName, c.NewVersion, len(breaking), len(other))
		for _, group := range []struct {
			title string
			list  []Change
		}{{"Breaking changes", breaking}, {"Non-breaking changes", other}} {
			if len(group.list) == 0 {
				continue
			}
			fmt.Fprintf(&b, "\n%s:\n", group.title)
			for _, ch := range group.list {
				fmt.Fprintf(&b, "  %s:%d:%d %s [%s]\n      at %s\n", c.nameFor(ch), ch.Line, ch.Column, ch.Message, ch.Rule, ch.Pointer)
			}
		}
	case FormatMarkdown:
		fmt.Fprintf(&b, "### Contract changes: `%s` %s → `%s` %s\n\n", c.OldName, c.OldVersion, c.NewName, c.NewVersion)
		if len(breaking) == 0 {
			b.WriteString("No breaking changes.\n")
		} else {
			fmt.Fprintf(&b, "**%d breaking change(s)**", len(breaking))
			if c.MajorChanged() {
				b.WriteString(" (major version changed)")
			}
			b.WriteString("\n")
		}
		for _, group := range []struct {
			title string
			list  []Change
		}{{"Breaking", breaking}, {"Non-breaking", other}} {
			if len(group.list) == 0 {
				continue
			}
			fmt.Fprintf(&b, "\n#### %s (%d)\n\n| Location | Change | Rule | Line |\n|---|---|---|---|\n", group.title, len(group.list))
			for _, ch := range group.list {
				fmt.Fprintf(&b, "| `%s` | %s | `%s` | %d |\n", mdEscape(ch.Pointer), mdEscape(ch.Message), ch.Rule, ch.Line)
			}
		}
	default:
		return fmt.Errorf("unknown format %q (use text, json or markdown)", format)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// nameFor is the document a change's line refers to.
func (c *Changes) nameFor(ch Change) string {
	if ch.Kind == ChangeRemoved {
		return c.OldName
	}
	return c.NewName
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
