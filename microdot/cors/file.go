package cors

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// FileError is a problem in a configuration file: it names the file, the
// line and the key at fault. Err is the underlying problem, a *ConfigError
// when the value was read but is not a valid configuration.
type FileError struct {
	File string // the name given to ParseConfig (the path, for LoadFile)
	Line int    // 1-based; 0 when the problem concerns the whole file
	Key  string // "" when the problem is not tied to one key
	Err  error  // the problem itself
}

// Error returns "cors: file:line: key "k": problem".
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString("cors: ")
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	if e.Key != "" {
		b.WriteString(": key ")
		b.WriteString(strconv.Quote(e.Key))
	}
	b.WriteString(": ")
	b.WriteString(strings.TrimPrefix(e.Err.Error(), "cors: "))
	return b.String()
}

// Unwrap returns the underlying problem, so that errors.As finds a
// *ConfigError.
func (e *FileError) Unwrap() error { return e.Err }

// LoadFile reads a configuration in wsgicors's keyword format from the file
// at path; see ParseConfig for the format. The Config returned is valid: pass
// it to New (after changing any field you like, such as Logger).
func LoadFile(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, err
	}
	defer f.Close()
	return ParseConfig(f, path)
}

// ParseConfig reads a configuration in wsgicors's keyword format from r;
// name (usually the file name) prefixes every error. It accepts a whole
// PasteDeploy ini file, whose [filter:cors] section (or the one section with
// "use = egg:wsgicors#middleware") it reads, or a bare list of keywords:
//
//	[filter:cors]
//	use = egg:wsgicors#middleware
//	policy = api, public
//	matchstrategy = firstmatch
//	api_origin = https://app.example.com https://*.example.com
//	api_methods = GET, POST, PUT, DELETE
//	api_headers = Content-Type, Authorization
//	api_expose_headers = X-Request-Id
//	api_credentials = true
//	api_maxage = 600
//	public_origin = *
//
// policy lists the policies in the order they are tried (a policy named deny
// ends the search); matchstrategy is firstmatch (the default) or verbmatch.
// Each policy's keys are its name, '_' and one of origin, methods, headers,
// expose_headers, credentials, maxage and private_network. Without a policy
// key, the unprefixed keys describe a single policy. Lists are separated by
// commas and/or whitespace; "*" and "copy" keep their wsgicors meanings. A
// policy without methods allows only GET, HEAD and POST; one without headers
// allows no request header, as in wsgicors.
//
// Two keys of the whole file, dangerously_allow_insecure_origins and
// dangerously_allow_public_suffix_wildcards (true or false), set the Config
// opt-ins of the same names, for a LAN device whose dashboard is served over
// plain http with credentials, say.
//
// Lines starting with '#' or ';' are comments; a line indented more than the
// key above it continues that key's value; keys are case-sensitive. Every
// problem is reported, each as a *FileError naming the line and the key.
func ParseConfig(r io.Reader, name string) (Config, error) {
	p := fileParser{name: name}
	if err := p.read(r); err != nil {
		return Config{}, err
	}
	cfg := p.interpret()
	if len(p.errs) > 0 {
		return Config{}, joinBounded(p.errs, p.wrap)
	}
	if _, err := compile(cfg, nil); err != nil {
		return Config{}, p.locate(err)
	}
	return cfg, nil
}

// entry is one key = value line (with its continuation lines).
type entry struct {
	key, value string
	line       int
	more       []string // continuation lines, joined to value at the end
}

type section struct {
	name    string
	line    int
	entries []*entry
	keys    map[string]*entry
}

func (s *section) add(e *entry) (old *entry) {
	if s.keys == nil {
		s.keys = map[string]*entry{}
	}
	if old = s.keys[e.key]; old == nil {
		s.keys[e.key] = e
	}
	s.entries = append(s.entries, e)
	return old
}

type fileParser struct {
	name     string
	top      section // keys before any section header
	sections []*section
	errs     []error
	// where records, for a policy name and a Config field, the entry that
	// set it, so that validation errors can name a line.
	where  map[[2]string]*entry
	policy *entry // the policy key, if any
}

func (p *fileParser) fail(line int, key string, format string, args ...any) {
	p.errs = append(p.errs, &FileError{File: p.name, Line: line, Key: key, Err: fmt.Errorf(format, args...)})
}

// wrap makes err, which concerns the whole file, a *FileError.
func (p *fileParser) wrap(err error) error { return &FileError{File: p.name, Err: err} }

func indentOf(s string) int {
	return len(s) - len(strings.TrimLeft(s, " \t"))
}

// read splits the input into sections and entries, as Python's ConfigParser
// does, in one pass.
func (p *fileParser) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	lr := lineReader{p: p, cur: &p.top}
	for n := 1; sc.Scan(); n++ {
		lr.line(n, strings.TrimRight(sc.Text(), "\r"))
	}
	for _, s := range append(p.sections, &p.top) {
		for _, e := range s.entries {
			if len(e.more) > 0 {
				e.value = strings.Join(append([]string{e.value}, e.more...), "\n")
			}
		}
	}
	if err := sc.Err(); err != nil {
		return &FileError{File: p.name, Err: err}
	}
	return nil
}

// lineReader reads one line at a time into a fileParser.
type lineReader struct {
	p          *fileParser
	cur        *section
	last       *entry // the entry a more indented line continues
	lastIndent int
}

func (lr *lineReader) line(n int, raw string) {
	text := strings.TrimSpace(raw)
	switch {
	case text == "":
		lr.last = nil
		return
	case text[0] == '#' || text[0] == ';':
		return
	}
	if ind := indentOf(raw); lr.last != nil && ind > lr.lastIndent {
		lr.last.more = append(lr.last.more, text)
		return
	}
	if text[0] == '[' && text[len(text)-1] == ']' {
		s := &section{name: strings.TrimSpace(text[1 : len(text)-1]), line: n}
		lr.p.sections = append(lr.p.sections, s)
		lr.cur, lr.last = s, nil
		return
	}
	i := strings.IndexAny(text, "=:")
	if i <= 0 {
		lr.p.fail(n, "", "expected key = value, found %q", text)
		lr.last = nil
		return
	}
	e := &entry{key: strings.TrimSpace(text[:i]), value: strings.TrimSpace(text[i+1:]), line: n}
	if old := lr.cur.add(e); old != nil {
		lr.p.fail(n, e.key, "key already set on line %d", old.line)
	}
	lr.last, lr.lastIndent = e, indentOf(raw)
}

// corsSection picks the entries that configure CORS.
func (p *fileParser) corsSection() []*entry {
	if len(p.sections) == 0 {
		return p.top.entries
	}
	if len(p.top.entries) > 0 {
		e := p.top.entries[0]
		p.fail(e.line, e.key, "key outside any section, in a file that has sections: move it into the [filter:cors] section")
	}
	var found []*section
	for _, s := range p.sections {
		if isCORSSection(s) {
			found = append(found, s)
		}
	}
	switch len(found) {
	case 0:
		p.fail(0, "", "no CORS section: name it [filter:cors], or give it the key use = egg:wsgicors#middleware")
		return nil
	case 1:
		return found[0].entries
	}
	p.fail(found[1].line, "", "two CORS sections, [%s] (line %d) and [%s]: keep one", found[0].name, found[0].line, found[1].name)
	return nil
}

func isCORSSection(s *section) bool {
	if s.name == "filter:cors" || s.name == "cors" {
		return true
	}
	for _, e := range s.entries {
		if e.key == "use" && strings.HasPrefix(e.value, "egg:wsgicors") {
			return true
		}
	}
	return false
}

// The file's names for the Config opt-ins that apply to every policy.
const (
	optInsecure     = "dangerously_allow_insecure_origins"
	optPublicSuffix = "dangerously_allow_public_suffix_wildcards"
)

// policyKeys maps each per-policy keyword to the Config field it sets.
var policyKeys = map[string]string{
	"origin":          "AllowedOrigins",
	"methods":         "AllowedMethods",
	"headers":         "AllowedHeaders",
	"expose_headers":  "ExposeHeaders",
	"credentials":     "AllowCredentials",
	"maxage":          "MaxAge",
	"private_network": "AllowPrivateNetwork",
}

// splitList splits a list separated by commas and/or whitespace.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool {
		return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
}

func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0":
		return false, true
	}
	return false, false
}

// interpret turns the CORS entries into a Config: first the keys of the
// whole file, then each policy's keys.
func (p *fileParser) interpret() Config {
	entries := p.corsSection()
	p.where = map[[2]string]*entry{}
	var cfg Config
	names := p.fileKeys(entries, &cfg)
	pt := p.newPolicyTable(names)
	for _, e := range entries {
		switch e.key {
		case "policy", "matchstrategy", "use", optInsecure, optPublicSuffix:
			continue
		}
		if pol, kw := pt.lookup(p, e); pol != nil {
			p.where[[2]string{pol.Name, policyKeys[kw]}] = e
			p.setKey(pol, kw, e)
		}
	}
	if pt.direct {
		cfg.setSingle(withFileDefaults(pt.single))
		return cfg
	}
	for i, n := range names {
		if !pt.used[i] && n != DenyPolicy {
			p.fail(p.policy.line, p.policy.key, "policy %q has no keys: define at least %s_origin", n, n)
		}
		if n != DenyPolicy {
			pt.policies[i] = withFileDefaults(pt.policies[i])
		}
	}
	cfg.Policies = pt.policies
	return cfg
}

// fileKeys reads the keys that concern the whole file into cfg and returns
// the policy names the policy key lists.
func (p *fileParser) fileKeys(entries []*entry, cfg *Config) []string {
	var names []string
	for _, e := range entries {
		switch e.key {
		case "policy":
			p.policy = e
			if names = splitList(e.value); len(names) == 0 {
				p.fail(e.line, e.key, "lists no policy")
			}
		case "matchstrategy":
			cfg.MatchStrategy = MatchStrategy(e.value)
			p.where[[2]string{"", "MatchStrategy"}] = e
		case optInsecure:
			cfg.DangerouslyAllowInsecureOrigins = p.optIn(e, "DangerouslyAllowInsecureOrigins")
		case optPublicSuffix:
			cfg.DangerouslyAllowPublicSuffixWildcards = p.optIn(e, "DangerouslyAllowPublicSuffixWildcards")
		}
	}
	return names
}

// optIn reads the opt-in of entry e, which sets the Config field field.
func (p *fileParser) optIn(e *entry, field string) bool {
	b, ok := parseBool(e.value)
	if !ok {
		p.fail(e.line, e.key, "must be true or false, not %q", e.value)
	}
	p.where[[2]string{"", field}] = e
	return b
}

// withFileDefaults gives pol the defaults of wsgicors: a policy without
// methods allows only GET, HEAD and POST, one without headers none.
func withFileDefaults(pol Policy) Policy {
	if pol.AllowedMethods == nil {
		pol.AllowedMethods = []string{}
	}
	if pol.AllowedHeaders == nil {
		pol.AllowedHeaders = []string{}
	}
	return pol
}

// setSingle sets c's single-policy fields from pol.
func (c *Config) setSingle(pol Policy) {
	c.AllowedOrigins = pol.AllowedOrigins
	c.AllowCredentials = pol.AllowCredentials
	c.AllowedMethods = pol.AllowedMethods
	c.ExposeHeaders = pol.ExposeHeaders
	c.AllowedHeaders = pol.AllowedHeaders
	c.MaxAge = pol.MaxAge
	c.AllowPrivateNetwork = pol.AllowPrivateNetwork
}

// policyTable finds the policy each key belongs to.
type policyTable struct {
	direct   bool // no policy key: unprefixed keys describe single
	single   Policy
	policies []Policy
	used     []bool
	index    map[string]int // policy name to index in policies
}

func (p *fileParser) newPolicyTable(names []string) *policyTable {
	pt := &policyTable{
		direct:   p.policy == nil,
		policies: make([]Policy, len(names)),
		used:     make([]bool, len(names)),
		index:    make(map[string]int, len(names)),
	}
	for i, n := range names {
		pt.policies[i].Name = n
		if _, dup := pt.index[n]; dup {
			p.fail(p.policy.line, p.policy.key, "policy %q is listed twice", n)
			continue
		}
		pt.index[n] = i
	}
	return pt
}

// lookup returns the policy and the keyword of entry e, or nil after
// reporting why e belongs to none. It tries every '_' of the key as the
// end of a policy name, so it costs time in proportion to the key alone.
func (pt *policyTable) lookup(p *fileParser, e *entry) (*Policy, string) {
	_, unprefixed := policyKeys[e.key]
	if pt.direct {
		if unprefixed {
			return &pt.single, e.key
		}
		p.fail(e.line, e.key, "unknown key (expected origin, methods, headers, expose_headers, credentials, maxage, private_network, policy, matchstrategy, "+optInsecure+" or "+optPublicSuffix+")")
		return nil, ""
	}
	var pol *Policy
	var kw string
	for i := 0; i < len(e.key); i++ {
		if e.key[i] != '_' {
			continue
		}
		ix, ok := pt.index[e.key[:i]]
		if _, known := policyKeys[e.key[i+1:]]; !ok || !known {
			continue
		}
		if pol != nil {
			p.fail(e.line, e.key, "ambiguous key: it could belong to policy %q or %q", pol.Name, e.key[:i])
		}
		pol, kw = &pt.policies[ix], e.key[i+1:]
		pt.used[ix] = true
	}
	switch {
	case pol != nil:
	case unprefixed:
		p.fail(e.line, e.key, "an unprefixed key is not used when policy is set: write it as <policy>_%s", e.key)
	default:
		p.fail(e.line, e.key, "unknown key: it is not <policy>_<keyword> for any policy listed in policy = %s", p.policy.value)
	}
	return pol, kw
}

// setKey stores the value of entry e, keyword kw, into pol.
func (p *fileParser) setKey(pol *Policy, kw string, e *entry) {
	v := e.value
	if v == "" {
		return // an empty value leaves the setting unset, as in wsgicors
	}
	if i := strings.IndexAny(v, "#;"); i > 0 && (v[i-1] == ' ' || v[i-1] == '\t') {
		p.fail(e.line, e.key, "comments go on their own line: %q is part of the value", v[i:])
		return
	}
	switch kw {
	case "origin":
		pol.AllowedOrigins = splitList(v)
	case "methods":
		pol.AllowedMethods = splitList(v)
	case "headers":
		pol.AllowedHeaders = splitList(v)
	case "expose_headers":
		pol.ExposeHeaders = splitList(v)
	case "credentials":
		b, ok := parseBool(v)
		if !ok {
			p.fail(e.line, e.key, "credentials %q is not true or false", v)
		}
		pol.AllowCredentials = b
	case "private_network":
		b, ok := parseBool(v)
		if !ok {
			p.fail(e.line, e.key, "private_network %q is not true or false", v)
		}
		pol.AllowPrivateNetwork = b
	case "maxage":
		n, err := strconv.Atoi(v)
		if err != nil {
			p.fail(e.line, e.key, "maxage %q is not a whole number of seconds", v)
		}
		pol.MaxAge = n
	}
}

// locate wraps each *ConfigError of err in a *FileError naming the entry
// that set the field at fault.
func (p *fileParser) locate(err error) error {
	var out []error
	for _, e := range flatten(err) {
		var ce *ConfigError
		if !errors.As(e, &ce) {
			out = append(out, p.wrap(e))
			continue
		}
		fe := &FileError{File: p.name, Err: ce}
		if at := p.where[[2]string{ce.Policy, ce.Field}]; at != nil {
			fe.Line, fe.Key = at.line, at.key
		} else if p.policy != nil {
			fe.Line, fe.Key = p.policy.line, p.policy.key
		}
		out = append(out, fe)
	}
	return errors.Join(out...) // bounded by compile already
}

// flatten lists the errors joined in err.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
