package cors

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
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
		return Config{}, errors.Join(p.errs...)
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
}

type section struct {
	name    string
	line    int
	entries []*entry
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

func indentOf(s string) int {
	return len(s) - len(strings.TrimLeft(s, " \t"))
}

// read splits the input into sections and entries, as Python's ConfigParser
// does.
func (p *fileParser) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	cur := &p.top
	var last *entry
	lastIndent := 0
	n := 0
	for sc.Scan() {
		n++
		raw := strings.TrimRight(sc.Text(), "\r")
		text := strings.TrimSpace(raw)
		switch {
		case text == "":
			last = nil
			continue
		case text[0] == '#' || text[0] == ';':
			continue
		}
		ind := indentOf(raw)
		if last != nil && ind > lastIndent {
			last.value += "\n" + text
			continue
		}
		if text[0] == '[' && text[len(text)-1] == ']' {
			s := &section{name: strings.TrimSpace(text[1 : len(text)-1]), line: n}
			p.sections = append(p.sections, s)
			cur, last = s, nil
			continue
		}
		i := strings.IndexAny(text, "=:")
		if i <= 0 {
			p.fail(n, "", "expected key = value, found %q", text)
			last = nil
			continue
		}
		e := &entry{key: strings.TrimSpace(text[:i]), value: strings.TrimSpace(text[i+1:]), line: n}
		for _, old := range cur.entries {
			if old.key == e.key {
				p.fail(n, e.key, "key already set on line %d", old.line)
			}
		}
		cur.entries = append(cur.entries, e)
		last, lastIndent = e, ind
	}
	if err := sc.Err(); err != nil {
		return &FileError{File: p.name, Err: err}
	}
	return nil
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

// interpret turns the CORS entries into a Config.
func (p *fileParser) interpret() Config {
	entries := p.corsSection()
	p.where = map[[2]string]*entry{}
	var cfg Config
	var names []string
	for _, e := range entries {
		switch e.key {
		case "policy":
			p.policy = e
			names = splitList(e.value)
			if len(names) == 0 {
				p.fail(e.line, e.key, "lists no policy")
			}
		case "matchstrategy":
			cfg.MatchStrategy = MatchStrategy(e.value)
			p.where[[2]string{"", "MatchStrategy"}] = e
		case optInsecure, optPublicSuffix:
			// Opt-ins for the whole file, as the Config fields they set.
			b, ok := parseBool(e.value)
			if !ok {
				p.fail(e.line, e.key, "must be true or false, not %q", e.value)
			}
			if e.key == optInsecure {
				cfg.DangerouslyAllowInsecureOrigins = b
				p.where[[2]string{"", "DangerouslyAllowInsecureOrigins"}] = e
			} else {
				cfg.DangerouslyAllowPublicSuffixWildcards = b
				p.where[[2]string{"", "DangerouslyAllowPublicSuffixWildcards"}] = e
			}
		}
	}
	direct := p.policy == nil
	policies := make([]Policy, len(names))
	used := make([]bool, len(names))
	for i, n := range names {
		policies[i].Name = n
		if slices.Index(names, n) < i {
			p.fail(p.policy.line, p.policy.key, "policy %q is listed twice", n)
		}
	}
	var single Policy
	for _, e := range entries {
		switch e.key {
		case "policy", "matchstrategy", "use", optInsecure, optPublicSuffix:
			continue
		}
		var pol *Policy
		var kw string
		if direct {
			if _, ok := policyKeys[e.key]; ok {
				pol, kw = &single, e.key
			}
		} else {
			for i, n := range names {
				rest, ok := strings.CutPrefix(e.key, n+"_")
				if _, known := policyKeys[rest]; ok && known {
					if pol != nil {
						p.fail(e.line, e.key, "ambiguous key: it could belong to policy %q or %q", pol.Name, n)
					}
					pol, kw = &policies[i], rest
					used[i] = true
				}
			}
		}
		if pol == nil {
			switch _, unprefixed := policyKeys[e.key]; {
			case direct:
				p.fail(e.line, e.key, "unknown key (expected origin, methods, headers, expose_headers, credentials, maxage, private_network, policy, matchstrategy, "+optInsecure+" or "+optPublicSuffix+")")
			case unprefixed:
				p.fail(e.line, e.key, "an unprefixed key is not used when policy is set: write it as <policy>_%s", e.key)
			default:
				p.fail(e.line, e.key, "unknown key: it is not <policy>_<keyword> for any policy listed in policy = %s", p.policy.value)
			}
			continue
		}
		p.where[[2]string{pol.Name, policyKeys[kw]}] = e
		p.setKey(pol, kw, e)
	}
	for i, n := range names {
		if !used[i] && n != DenyPolicy {
			p.fail(p.policy.line, p.policy.key, "policy %q has no keys: define at least %s_origin", n, n)
		}
	}
	if direct {
		if single.AllowedMethods == nil {
			single.AllowedMethods = []string{}
		}
		if single.AllowedHeaders == nil {
			single.AllowedHeaders = []string{}
		}
		cfg.AllowedOrigins = single.AllowedOrigins
		cfg.AllowCredentials = single.AllowCredentials
		cfg.AllowedMethods = single.AllowedMethods
		cfg.ExposeHeaders = single.ExposeHeaders
		cfg.AllowedHeaders = single.AllowedHeaders
		cfg.MaxAge = single.MaxAge
		cfg.AllowPrivateNetwork = single.AllowPrivateNetwork
		return cfg
	}
	for i := range policies {
		if policies[i].Name == DenyPolicy {
			continue
		}
		if policies[i].AllowedMethods == nil {
			policies[i].AllowedMethods = []string{}
		}
		if policies[i].AllowedHeaders == nil {
			policies[i].AllowedHeaders = []string{}
		}
	}
	cfg.Policies = policies
	return cfg
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
			out = append(out, e)
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
	return errors.Join(out...)
}

// flatten lists the errors joined in err.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
