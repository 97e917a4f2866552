package microdot

// shapeTrie holds the positions of every route pattern of an App: at each,
// static segments, a parameter, or a catch-all. httprouter accepts only one
// of these at a position (besides an empty last segment, "/users/" beside
// "/users/:id"), so generalize turns the positions where routes disagree
// into the general kind: a static segment beside a parameter becomes that
// parameter, and anything beside a catch-all becomes the catch-all. The
// routes then check what they had there after the lookup.
type shapeTrie struct {
	static   map[string]*shapeTrie
	param    *shapeTrie
	catchAll bool
}

// add records the positions of p.
func (t *shapeTrie) add(p *pattern) {
	n := t
	for i, k := range p.kinds() {
		switch k {
		case treeStatic:
			n = n.child(p.segments[i].text)
		case treeParam:
			if n.param == nil {
				n.param = &shapeTrie{}
			}
			n = n.param
		case treeCatchAll:
			n.catchAll = true
		}
	}
}

func (t *shapeTrie) child(text string) *shapeTrie {
	if t.static == nil {
		t.static = map[string]*shapeTrie{}
	}
	c := t.static[text]
	if c == nil {
		c = &shapeTrie{}
		t.static[text] = c
	}
	return c
}

func (t *shapeTrie) leaf() bool { return len(t.static) == 0 && t.param == nil && !t.catchAll }

// merge adds the positions of o to t.
func (t *shapeTrie) merge(o *shapeTrie) {
	t.catchAll = t.catchAll || o.catchAll
	if o.param != nil {
		if t.param == nil {
			t.param = &shapeTrie{}
		}
		t.param.merge(o.param)
	}
	for text, c := range o.static {
		t.child(text).merge(c)
	}
}

// generalize makes t a tree that httprouter accepts.
func (t *shapeTrie) generalize() {
	if e := t.static[""]; t.param != nil && e != nil && !e.leaf() {
		// "/a//b" beside "/a/<x>": a parameter cannot be empty, a catch-all can.
		t.catchAll = true
	}
	if t.catchAll {
		t.static, t.param = nil, nil
		return
	}
	if t.param != nil {
		for text, c := range t.static {
			if text == "" {
				continue // a leaf, see above
			}
			t.param.merge(c)
			delete(t.static, text)
		}
		t.param.generalize()
	}
	for _, c := range t.static {
		c.generalize()
	}
}

// kinds returns what the generalized tree has at each position of p.
func (t *shapeTrie) kinds(p *pattern) []treeKind {
	out := make([]treeKind, 0, len(p.segments))
	n := t
	for _, seg := range p.segments {
		switch {
		case n.catchAll:
			return append(out, treeCatchAll)
		case n.param != nil && (seg.kind != segStatic || seg.text != ""):
			out = append(out, treeParam)
			n = n.param
		default:
			out = append(out, treeStatic)
			n = n.static[seg.text]
		}
	}
	return out
}
