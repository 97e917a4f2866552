package formdata

import "os"

// Limits bound what a client may send in a form. A zero field takes its
// default; a negative one means no limit (MaxParts, MaxFieldBytes and
// MaxFileBytes only).
type Limits struct {
	// MaxParts is the number of parts (fields and files) a form may hold:
	// 100 by default.
	MaxParts int
	// MaxHeaderBytes bounds the header of each part (its
	// Content-Disposition and Content-Type lines): 8 KiB by default.
	MaxHeaderBytes int
	// MaxFieldBytes bounds the value of each field that is not a file:
	// 64 KiB by default.
	MaxFieldBytes int64
	// MaxFileBytes bounds each file. By default (0) only the App's
	// MaxBodyBytes does.
	MaxFileBytes int64
	// MaxMemory is what Parse keeps in memory: the values of the fields
	// (a form whose fields exceed it is refused) and the files that fit
	// after them; the others go to temporary files. 1 MiB by default.
	MaxMemory int64
	// TempDir is where Parse and File.Copy put files that do not fit in
	// memory: os.TempDir() by default.
	TempDir string
}

// The defaults of Limits.
const (
	DefaultMaxParts       = 100
	DefaultMaxHeaderBytes = 8 << 10
	DefaultMaxFieldBytes  = 64 << 10
	DefaultMaxMemory      = 1 << 20
)

// withDefaults returns l with its zero fields set to their defaults.
func (l Limits) withDefaults() Limits {
	if l.MaxParts == 0 {
		l.MaxParts = DefaultMaxParts
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxFieldBytes == 0 {
		l.MaxFieldBytes = DefaultMaxFieldBytes
	}
	if l.MaxMemory <= 0 {
		l.MaxMemory = DefaultMaxMemory
	}
	if l.TempDir == "" {
		l.TempDir = os.TempDir()
	}
	return l
}
