package formdata

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SafeName returns a file name made from name, a name that a client sent,
// that stays inside any directory it is joined to, on any system: only
// what follows the last '/' or '\', without control characters, invalid
// UTF-8, the characters Windows refuses (<>:"|?*), leading and trailing
// dots and spaces, or a Windows device name (CON, NUL, COM1 ...), and at
// most 255 bytes long. A name with nothing left is "upload".
func SafeName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.ToValidUTF8(name, "_")
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r == utf8.RuneError:
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, name)
	name = strings.Trim(name, ". ")
	if isDeviceName(name) {
		name = "_" + name
	}
	if len(name) > 255 {
		cut := 255
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = strings.TrimRight(name[:cut], ". ")
	}
	if name == "" {
		return "upload"
	}
	return name
}

// isDeviceName reports whether name, whatever its extension, names a
// Windows device.
func isDeviceName(name string) bool {
	base, _, _ := strings.Cut(name, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if rest, ok := strings.CutPrefix(base, "COM"); ok {
		base = rest
	} else if rest, ok := strings.CutPrefix(base, "LPT"); ok {
		base = rest
	} else {
		return false
	}
	switch base {
	case "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
		return true
	}
	return false
}
