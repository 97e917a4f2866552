package microdot

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A Converter turns one path parameter into a typed value. It is what the
// "int" in "<int:id>" names: Pattern says which text the parameter may hold
// and Parse turns that text into the value that [Request.Param] returns.
//
// Register custom converters with [App.Converter] before the routes that use them.
type Converter struct {
	// Pattern is an RE2 regular expression that the whole parameter must match.
	// An empty Pattern means "[^/]+": one non-empty path segment.
	Pattern string
	// Parse converts the matched text. A non-nil error means "no match": the
	// next route that could match the path is tried, then 404. A nil Parse
	// keeps the text as a string.
	Parse func(string) (any, error)
}

// converter is a compiled Converter.
type converter struct {
	name    string
	pattern string         // regexp source, used when the value is part of a tail regexp
	re      *regexp.Regexp // anchored; nil when check alone decides
	check   func(string) bool
	parse   func(string) (any, error)
	slashes bool // the value may span several segments (path)
}

// convert checks v and converts it. A custom converter's Parse runs here,
// once per match; its value is kept for Request.Param.
func (c *converter) convert(v string) (any, bool) {
	if c.check != nil && !c.check(v) {
		return nil, false
	}
	if c.re != nil && !c.re.MatchString(v) {
		return nil, false
	}
	if c.parse == nil {
		return nil, true
	}
	x, err := c.parse(v)
	if err != nil {
		return nil, false
	}
	return x, true
}

// custom reports whether c's values must be kept from matching: Parse may
// be a lookup, not worth or not safe to repeat. int's is cheap and pure.
func (c *converter) custom() bool { return c.parse != nil && c != intConverter }

var (
	// Parameters come from one path segment, so string needs no slash check:
	// a value that held "%2F" on the wire is one segment with a '/' in it.
	stringConverter = &converter{name: "string", pattern: `[^/]+`, check: nonEmpty}
	pathConverter   = &converter{name: "path", pattern: `.+`, check: nonEmpty, slashes: true}
	intConverter    = &converter{name: "int", pattern: `-?[0-9]+`, check: isInt, parse: parseInt}
	// anyConverter takes what an httprouter catch-all captured, as it is.
	anyConverter = &converter{name: "*", pattern: `/.*`}
)

func builtinConverter(name string) *converter {
	switch name {
	case "string":
		return stringConverter
	case "int":
		return intConverter
	case "path":
		return pathConverter
	}
	return nil
}

func nonEmpty(s string) bool { return s != "" }

// isInt accepts what Microdot's int converter accepts: an optional minus sign and
// decimal digits ("007" is 7), and rejects values that overflow an int.
func isInt(s string) bool {
	_, err := parseInt(s)
	return err == nil
}

func parseInt(s string) (any, error) {
	if s == "" || s == "-" || s[0] == '+' {
		return nil, strconv.ErrSyntax
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return nil, err
	}
	return n, nil
}

func compileConverter(name string, c Converter) (*converter, error) {
	if !validName(name) {
		return nil, fmt.Errorf("converter name %q is not an identifier (letters, digits and _, not starting with a digit)", name)
	}
	if name == "re" || builtinConverter(name) != nil {
		return nil, fmt.Errorf("converter name %q is built in; choose another name", name)
	}
	src := c.Pattern
	if src == "" {
		src = `[^/]+`
	}
	re, err := regexp.Compile(`^(?:` + src + `)$`)
	if err != nil {
		return nil, fmt.Errorf("converter %q: pattern %q is not a valid regular expression: %v", name, src, err)
	}
	// A custom converter always covers exactly one path segment.
	return &converter{name: name, pattern: src, re: re, check: nonEmpty, parse: c.Parse}, nil
}

func compileRegexConverter(src string) (*converter, error) {
	re, err := regexp.Compile(`^(?:` + src + `)$`)
	if err != nil {
		return nil, fmt.Errorf("regular expression %q does not compile: %v", src, err)
	}
	return &converter{name: "re", pattern: src, re: re, check: nonEmpty}, nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

type segKind uint8

const (
	segStatic   segKind = iota // literal text
	segLiteral                 // literal text that httprouter would read as a wildcard (":" or "*")
	segParam                   // one segment through a converter
	segPath                    // <path:name>: one or more segments, never empty
	segCatchAll                // httprouter's *name: the rest of the path with its leading slash
)

type segment struct {
	kind segKind
	text string // segStatic, segLiteral
	name string // parameters
	conv *converter
}

// pattern is a parsed route pattern.
type pattern struct {
	source   string
	segments []segment
	names    []string // parameter names, in order
	key      string   // what the pattern matches: equal keys match the same paths
	static   bool     // no parameter at all
	custom   bool     // some parameter has a custom converter whose values are kept
	plain    bool     // only static segments and plain string parameters: httprouter's values are ours
	tail     *tail    // set when the shape ends in a catch-all
}

// tail matches what an httprouter catch-all captured.
type tail struct {
	from   int            // the index of the segment the catch-all starts at
	simple segKind        // segPath or segCatchAll when the catch-all is the last segment alone
	conv   *converter     // for simple tails
	re     *regexp.Regexp // otherwise: one group per parameter, named t0, t1, ...
	groups []int          // group index for each tail parameter
	convs  []*converter
	static bool   // the segments are static: the value must be text
	text   string // segments joined, with their leading slashes
	// static segments that are not valid UTF-8, and their group indexes
	texts      []string
	textGroups []int
}

// lookupConverter finds a converter by name; app-registered ones come first.
type converterSet map[string]*converter

func (s converterSet) find(name string) *converter {
	if c := builtinConverter(name); c != nil {
		return c
	}
	return s[name]
}

// parsePattern parses src. Errors say what is wrong with which part and what
// would be right; the App turns them into registration panics.
func parsePattern(src string, convs converterSet) (*pattern, error) {
	if src == "" || src[0] != '/' {
		return nil, fmt.Errorf("pattern %q must begin with '/'", src)
	}
	for i := 0; i < len(src); i++ {
		if c := src[i]; c < 0x20 || c == 0x7f {
			return nil, fmt.Errorf("pattern %q contains the control character %q", src, c)
		}
	}
	p := &pattern{source: src, static: true}
	parts := strings.Split(src[1:], "/")
	seen := map[string]bool{}
	addName := func(name string) error {
		if !validName(name) {
			return fmt.Errorf("pattern %q: parameter name %q is not an identifier (letters, digits and _, not starting with a digit)", src, name)
		}
		if seen[name] {
			return fmt.Errorf("pattern %q: parameter %q appears twice", src, name)
		}
		seen[name] = true
		p.names = append(p.names, name)
		return nil
	}
	for i, part := range parts {
		var seg segment
		switch {
		case strings.HasPrefix(part, "<") && strings.HasSuffix(part, ">") && len(part) >= 2:
			inner := part[1 : len(part)-1]
			typ, name := "string", inner
			if rest, ok := strings.CutPrefix(inner, "re:"); ok {
				j := strings.LastIndexByte(rest, ':')
				if j < 0 {
					return nil, fmt.Errorf("pattern %q: %q needs the form <re:REGEX:name>", src, part)
				}
				c, err := compileRegexConverter(rest[:j])
				if err != nil {
					return nil, fmt.Errorf("pattern %q: %v", src, err)
				}
				seg = segment{kind: segParam, name: rest[j+1:], conv: c}
			} else {
				if j := strings.IndexByte(inner, ':'); j >= 0 {
					typ, name = inner[:j], inner[j+1:]
				}
				c := convs.find(typ)
				if c == nil {
					return nil, fmt.Errorf("pattern %q: unknown converter %q; the built-in ones are string, int, path and re, and App.Converter registers more", src, typ)
				}
				seg = segment{kind: segParam, name: name, conv: c}
				if c.slashes {
					seg.kind = segPath
				}
			}
		case strings.ContainsAny(part, "<>"):
			return nil, fmt.Errorf("pattern %q: segment %q: a <parameter> must fill a whole path segment", src, part)
		case strings.HasPrefix(part, ":"):
			seg = segment{kind: segParam, name: part[1:], conv: stringConverter}
		case strings.HasPrefix(part, "*"):
			if i != len(parts)-1 {
				return nil, fmt.Errorf("pattern %q: the catch-all %q must be the last segment", src, part)
			}
			for _, prev := range p.segments {
				if prev.kind == segPath {
					return nil, fmt.Errorf("pattern %q: the catch-all %q cannot follow a <path:...> parameter, which already takes the rest of the path", src, part)
				}
			}
			seg = segment{kind: segCatchAll, name: part[1:]}
		case strings.ContainsAny(part, ":*"):
			seg = segment{kind: segLiteral, text: part}
		default:
			seg = segment{kind: segStatic, text: part}
		}
		if (seg.kind == segStatic || seg.kind == segLiteral) && strings.ContainsAny(seg.text, "?#") {
			return nil, fmt.Errorf("pattern %q: segment %q contains '?' or '#'; a pattern is a path, without query or fragment", src, seg.text)
		}
		if seg.kind != segStatic && seg.kind != segLiteral {
			if err := addName(seg.name); err != nil {
				return nil, err
			}
			p.static = false
		}
		p.segments = append(p.segments, seg)
	}
	var key strings.Builder
	for _, seg := range p.segments {
		key.WriteByte('/')
		switch seg.kind {
		case segStatic, segLiteral:
			key.WriteString(seg.text)
		case segCatchAll:
			key.WriteString("*")
		default:
			fmt.Fprintf(&key, "<%s:%s>", seg.conv.name, seg.conv.pattern)
		}
	}
	p.key = key.String()
	for _, seg := range p.segments {
		if seg.conv != nil && seg.conv.custom() {
			p.custom = true
		}
	}
	// The pattern alone, as a tree holding only it would: this compiles its
	// tail, so that a bad one panics at registration.
	own, _, err := p.fit(p.kinds())
	if err != nil {
		return nil, err
	}
	return own, nil
}

// buildTail compiles the matcher for segments[from:], which httprouter
// captures as one catch-all value, its leading slash included.
func buildTail(p *pattern, from int) (*tail, error) {
	t := &tail{from: from}
	rest := p.segments[from:]
	if len(rest) == 1 && (rest[0].kind == segPath || rest[0].kind == segCatchAll) {
		t.simple = rest[0].kind
		t.conv = rest[0].conv
		return t, nil
	}
	if t.text, t.static = staticText(rest); t.static {
		return t, nil
	}
	var re strings.Builder
	re.WriteString(`^`)
	for _, seg := range rest {
		switch seg.kind {
		case segStatic, segLiteral:
			if !utf8.ValidString(seg.text) {
				// A regexp reads an invalid byte as U+FFFD: capture the
				// segment and compare it after the match.
				fmt.Fprintf(&re, "/(?P<s%d>[^/]*)", len(t.texts))
				t.texts = append(t.texts, seg.text)
				continue
			}
			re.WriteString("/" + regexp.QuoteMeta(seg.text))
		case segParam, segPath:
			fmt.Fprintf(&re, "/(?P<t%d>%s)", len(t.convs), seg.conv.pattern)
			t.convs = append(t.convs, seg.conv)
		case segCatchAll:
			fmt.Fprintf(&re, "(?P<t%d>/.*)", len(t.convs))
			t.convs = append(t.convs, anyConverter)
		}
	}
	re.WriteByte('$')
	compiled, err := regexp.Compile(re.String())
	if err != nil {
		return nil, fmt.Errorf("pattern %q: cannot compile its segments after a path parameter: %v", p.source, err)
	}
	t.re = compiled
	for i := range t.convs {
		t.groups = append(t.groups, compiled.SubexpIndex(fmt.Sprintf("t%d", i)))
	}
	for i := range t.texts {
		t.textGroups = append(t.textGroups, compiled.SubexpIndex(fmt.Sprintf("s%d", i)))
	}
	return t, nil
}

// kinds returns what a tree holding only p has at each of its positions,
// up to its first <path:...> parameter or catch-all.
func (p *pattern) kinds() []treeKind {
	out := make([]treeKind, 0, len(p.segments))
	for _, seg := range p.segments {
		switch seg.kind {
		case segStatic:
			out = append(out, treeStatic)
		case segLiteral, segParam:
			out = append(out, treeParam)
		default:
			return append(out, treeCatchAll)
		}
	}
	return out
}

// staticText returns the static segments segs as a path, and whether all of
// them are static.
func staticText(segs []segment) (string, bool) {
	var b strings.Builder
	for _, seg := range segs {
		if seg.kind != segStatic && seg.kind != segLiteral {
			return "", false
		}
		b.WriteString("/" + seg.text)
	}
	return b.String(), true
}

// treeKind is what the httprouter tree holds at one position of a pattern.
type treeKind uint8

const (
	treeStatic   treeKind = iota // the segment's text
	treeParam                    // a parameter: one segment, checked after the lookup
	treeCatchAll                 // a catch-all: this segment and the rest of the path
)

// fit returns p as the shared tree holds it, kinds[i] saying what the tree
// has at position i (up to and including a catch-all), and the tree path to
// register. A static segment where the tree has a parameter becomes a
// literal that the route checks after the lookup; from a catch-all on, the
// segments become a tail matched against the catch-all's value.
func (p *pattern) fit(kinds []treeKind) (*pattern, string, error) {
	q := *p
	q.segments = slices.Clone(p.segments)
	q.tail = nil
	var path strings.Builder
	wild := 0
	for i, k := range kinds {
		path.WriteByte('/')
		switch k {
		case treeStatic:
			path.WriteString(q.segments[i].text)
			continue
		case treeParam:
			if q.segments[i].kind == segStatic {
				q.segments[i].kind = segLiteral
			}
			fmt.Fprintf(&path, ":p%d", wild)
			wild++
			continue
		}
		fmt.Fprintf(&path, "*p%d", wild)
		t, err := buildTail(&q, i)
		if err != nil {
			return nil, "", err
		}
		q.tail = t
		break
	}
	q.plain = q.tail == nil
	for _, seg := range q.segments {
		if seg.kind == segLiteral || (seg.kind == segParam && seg.conv != stringConverter) {
			q.plain = false
		}
	}
	return &q, path.String(), nil
}
