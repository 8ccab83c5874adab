package tagging

import (
	"strings"
	"unicode/utf8"

	"github.com/releasekit/releasekit/semver"
)

// MaxNameLength bounds a tag name in bytes.
const MaxNameLength = 255

// ValidateName reports whether name is a valid tag name, checking
// refs/tags/name the way `git check-ref-format` does, and also rejecting what
// `git tag` rejects: a leading '-', the name HEAD, and invalid UTF-8. It
// returns a *NameError matching ErrInvalidRefName.
func ValidateName(name string) error {
	bad := func(reason string) error { return &NameError{Name: name, Reason: reason} }
	switch {
	case name == "":
		return bad("empty")
	case len(name) > MaxNameLength:
		return bad("longer than 255 bytes")
	case !utf8.ValidString(name):
		return bad("not valid UTF-8")
	case name[0] == '-':
		return bad("starts with '-'")
	case name == "HEAD" || name == "@":
		return bad("reserved name")
	case strings.HasSuffix(name, "/"), strings.HasPrefix(name, "/"):
		return bad("starts or ends with '/'")
	case strings.HasSuffix(name, "."):
		return bad("ends with '.'")
	case strings.Contains(name, ".."):
		return bad("contains '..'")
	case strings.Contains(name, "@{"):
		return bad("contains '@{'")
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c < 0x20 || c == 0x7f {
			return bad("contains a control character")
		}
		switch c {
		case ' ', '~', '^', ':', '?', '*', '[', '\\':
			return bad("contains '" + string(c) + "'")
		}
	}
	for _, comp := range strings.Split(name, "/") {
		switch {
		case comp == "":
			return bad("contains an empty component ('//')")
		case comp[0] == '.':
			return bad("a component starts with '.'")
		case strings.HasSuffix(comp, ".lock"):
			return bad("a component ends with '.lock'")
		}
	}
	return nil
}

// checkScheme reports whether name is a version tag under scheme.
func checkScheme(name string, scheme semver.Scheme) error {
	if _, err := scheme.Parse(name); err != nil {
		return &NameError{Name: name, Reason: "not a " + scheme.Prefix + "MAJOR.MINOR.PATCH release tag: " + err.Error()}
	}
	return nil
}
