package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pb33f/libopenapi/datamodel/high/base"
)

func (g *repairer) fixString(s *base.Schema, str string) any {
	if !validFormat(s.Format, str) {
		str = g.formatted(s.Format)
	}
	if s.Pattern != "" {
		if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(str) {
			// Rendering the schema without its examples makes the renderer generate from the pattern.
			c := *s
			c.Example, c.Examples = nil, nil
			if r, ok := g.value(&c).(string); ok && re.MatchString(r) {
				str = r
			}
		}
	}
	n := int64(utf8.RuneCountInString(str))
	if s.MinLength != nil && n < *s.MinLength {
		str += strings.Repeat("x", int(*s.MinLength-n))
	}
	if s.MaxLength != nil && n > *s.MaxLength {
		str = string([]rune(str)[:*s.MaxLength])
	}
	return str
}

// formatted returns a valid value for a string format.
func (g *repairer) formatted(format string) string {
	switch format {
	case "date-time":
		return "2025-01-01T12:00:00Z"
	case "date":
		return "2025-01-01"
	case "time":
		return "12:00:00Z"
	case "email":
		return "user@example.com"
	case "uri", "url", "iri":
		return "https://example.com/"
	case "uri-reference", "iri-reference":
		return "/example"
	case "hostname":
		return "example.com"
	case "ipv4":
		return "192.0.2.1"
	case "ipv6":
		return "2001:db8::1"
	case "uuid":
		b := make([]byte, 16)
		g.rnd.Read(b)
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	}
	return ""
}

// validFormat checks the formats the validator asserts; unknown formats are always valid.
func validFormat(format, s string) bool {
	var err error
	switch format {
	case "date-time":
		_, err = time.Parse(time.RFC3339, s)
	case "date":
		_, err = time.Parse("2006-01-02", s)
	case "time":
		_, err = time.Parse("15:04:05Z07:00", s)
	case "email":
		var a *mail.Address
		a, err = mail.ParseAddress(s)
		if err == nil && a.Address != s {
			return false
		}
	case "uri", "url", "iri":
		var u *url.URL
		u, err = url.Parse(s)
		if err == nil && !u.IsAbs() {
			return false
		}
	case "uri-reference", "iri-reference":
		_, err = url.Parse(s)
	case "hostname":
		return s != "" && !strings.ContainsAny(s, " /:@_") && len(s) <= 253
	case "ipv4":
		var a netip.Addr
		a, err = netip.ParseAddr(s)
		return err == nil && a.Is4()
	case "ipv6":
		var a netip.Addr
		a, err = netip.ParseAddr(s)
		return err == nil && a.Is6()
	case "uuid":
		return uuidRE.MatchString(s)
	}
	return err == nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func fixNumber(s *base.Schema, f float64) any {
	integer := slices.Contains(s.Type, "integer") && !slices.Contains(s.Type, "number")
	if integer {
		f = math.Round(f)
	}
	step := 1.0
	if !integer {
		step = 0.5
	}
	if s.Minimum != nil && f < *s.Minimum {
		f = *s.Minimum
	}
	if s.Maximum != nil && f > *s.Maximum {
		f = *s.Maximum
	}
	if e := s.ExclusiveMinimum; e != nil {
		if e.IsB() && f <= e.B {
			f = e.B + step
		} else if e.IsA() && e.A && s.Minimum != nil && f <= *s.Minimum {
			f = *s.Minimum + step
		}
	}
	if e := s.ExclusiveMaximum; e != nil {
		if e.IsB() && f >= e.B {
			f = e.B - step
		} else if e.IsA() && e.A && s.Maximum != nil && f >= *s.Maximum {
			f = *s.Maximum - step
		}
	}
	if integer {
		f = math.Ceil(f)
		if s.Maximum != nil && f > *s.Maximum {
			f = math.Floor(*s.Maximum)
		}
	}
	if m := s.MultipleOf; m != nil && *m > 0 {
		q := math.Ceil(f / *m) * *m
		if s.Maximum != nil && q > *s.Maximum {
			q = math.Floor(f / *m) * *m
		}
		f = q
	}
	return f
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
