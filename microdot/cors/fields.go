package cors

import "net/http"

// maxFields is the number of header fields one response of the extension
// carries at most: a preflight's Allow-Origin, Allow-Credentials,
// Allow-Methods, Allow-Headers, Max-Age, Allow-Private-Network and Vary.
const maxFields = 7

// fields collects the CORS header fields of one response, then writes them
// all at once with one backing array for their values. It is the only way
// the extension writes headers, so what is counted is what is written.
type fields struct {
	n    int
	keys [maxFields]string
	vals [maxFields]string
}

// add records the field key: value. Vary is merged into the response's
// own Vary when written; any other key replaces what the handler set.
func (f *fields) add(key, value string) {
	f.keys[f.n] = key
	f.vals[f.n] = value
	f.n++
}

// write puts the collected fields into h. Each value is a one-element slice
// of a backing array that belongs to this response alone, capped so that an
// append reallocates.
func (f *fields) write(h http.Header, sl *slabs[string], r *http.Request) {
	v := sl.take(f.n, r)
	for i := 0; i < f.n; i++ {
		v[i] = f.vals[i]
		if f.keys[i] == hVary {
			addVary(h, f.vals[i], v[i:i+1:i+1])
			continue
		}
		h[f.keys[i]] = v[i : i+1 : i+1]
	}
}
