package commits

import (
	"strings"
)

const (
	footerOther       = iota // not a token: a continuation line
	footerToken              // "Key: value"
	footerHash               // "Key #value"
	footerBadBreaking        // a misspelt breaking-change token
	// footerEmptyBreaking is "BREAKING CHANGE:" (or "BREAKING-CHANGE:")
	// with nothing after it, the Angular habit of putting the note in the
	// next paragraph: a token whose value is the text that follows, when
	// some text follows (the callers look ahead), else not a token.
	footerEmptyBreaking
)

// footerLine classifies one line of a footer block and returns the key
// and the offset of the value in the line. A token is "BREAKING CHANGE:
// value", or "Key: value" or "Key #value" with a key of ASCII letters,
// digits, "_" and "-" that starts with a letter or digit. A key that starts
// with "breaking" in any case but is neither "BREAKING CHANGE" nor
// "BREAKING-CHANGE", followed by ": ", is a misspelt breaking token; the
// breaking tokens only take the ": " separator (so "BREAKING CHANGE #5" is
// not a token).
func footerLine(line string) (key string, vi int, kind int) {
	const bc = "BREAKING CHANGE: "
	if k, rest, ok := strings.Cut(line, ":"); ok && isBreakingKey(k) && isBlank(rest) {
		return k, len(line), footerEmptyBreaking
	}
	if strings.HasPrefix(line, bc) {
		if !isBlank(line[len(bc):]) {
			return line[:len(bc)-2], len(bc), footerToken
		}
		return "", 0, footerOther
	}
	n := len(line)
	i := 0
	for i < n && isTypeByte(line[i]) {
		i++
	}
	if i > 0 && isAlnum(line[0]) && i+2 < n {
		key = line[:i]
		breakingLike := isBreakingLike(key)
		switch {
		case line[i] == ':' && line[i+1] == ' ' && !isBlank(line[i+2:]):
			if breakingLike && key != "BREAKING-CHANGE" {
				return key, i + 2, footerBadBreaking
			}
			return key, i + 2, footerToken
		case line[i] == ' ' && line[i+1] == '#' && !breakingLike && !isBlank(line[i+2:]):
			return key, i + 2, footerHash
		}
	}
	// A misspelt breaking token with spaces in its key: "breaking change:".
	if isBreakingLike(line) {
		c := strings.Index(line, ": ")
		if c > 0 && c <= 40 && !isBlank(line[c+2:]) {
			k := line[:c]
			for j := 0; j < len(k); j++ {
				if !isTypeByte(k[j]) && k[j] != ' ' {
					return "", 0, footerOther
				}
			}
			return k, c + 2, footerBadBreaking
		}
	}
	return "", 0, footerOther
}

func isBreakingLike(s string) bool {
	return len(s) >= 8 && strings.EqualFold(s[:8], "breaking")
}

func isBreakingKey(k string) bool {
	return k == "BREAKING CHANGE" || k == "BREAKING-CHANGE"
}

const (
	keyOther = iota
	keyRefs
	keyCloses
	keyOwners
	keyRisk
	keyReleaseAs
)

// keyKind classifies the footer keys that fill Message fields, in any
// case.
func keyKind(k string) int {
	if len(k) < 3 || len(k) > 10 {
		return keyOther
	}
	switch k[0] | 0x20 {
	case 'r':
		switch {
		case strings.EqualFold(k, "refs"), strings.EqualFold(k, "ref"), strings.EqualFold(k, "references"):
			return keyRefs
		case strings.EqualFold(k, "risk"):
			return keyRisk
		case strings.EqualFold(k, "release-as"):
			return keyReleaseAs
		case strings.EqualFold(k, "resolves"), strings.EqualFold(k, "resolve"), strings.EqualFold(k, "resolved"):
			return keyCloses
		}
	case 'c':
		if strings.EqualFold(k, "closes") || strings.EqualFold(k, "close") || strings.EqualFold(k, "closed") {
			return keyCloses
		}
	case 'f':
		if strings.EqualFold(k, "fixes") || strings.EqualFold(k, "fix") || strings.EqualFold(k, "fixed") {
			return keyCloses
		}
	case 'o':
		if strings.EqualFold(k, "owners") || strings.EqualFold(k, "owner") {
			return keyOwners
		}
	}
	return keyOther
}

// footerFields derives Refs, Closes, Risk, Owners and ReleaseAs. hash
// lists the footers written "Key #value", whose first item gets its "#"
// back.
func footerFields(m *Message, hash []int) {
	var refs, closes, owners stringSet
	for i, f := range m.Footers {
		h := len(hash) > 0 && hash[0] == i
		if h {
			hash = hash[1:]
		}
		switch keyKind(f.Key) {
		case keyRefs:
			m.Refs = splitList(m.Refs, &refs, f.Value, h)
		case keyCloses:
			m.Closes = splitList(m.Closes, &closes, f.Value, h)
		case keyOwners:
			m.Owners = splitList(m.Owners, &owners, f.Value, h)
		case keyRisk:
			if m.Risk == "" {
				m.Risk = strings.ToLower(strings.TrimSpace(f.Value))
			}
		case keyReleaseAs:
			if m.ReleaseAs == "" {
				m.ReleaseAs = strings.TrimSpace(f.Value)
			}
		}
	}
}

// splitList appends the items of a footer value, split on commas and
// white space. hash puts back the "#" of a "Key #value" footer.
func splitList(dst []string, set *stringSet, v string, hash bool) []string {
	for len(v) > 0 {
		i := strings.IndexAny(v, ", \t\n")
		tok := v
		if i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		if tok == "" {
			continue
		}
		if hash {
			tok = "#" + tok
			hash = false
		}
		dst = set.add(dst, tok)
	}
	return dst
}

// stringSet is a set of strings for de-duplication in linear time.
type stringSet struct{ m map[string]struct{} }

// add appends s to dst unless dst already holds it.
func (set *stringSet) add(dst []string, s string) []string {
	if set.m == nil {
		if len(dst) < 16 {
			for _, x := range dst {
				if x == s {
					return dst
				}
			}
			return append(dst, s)
		}
		set.m = make(map[string]struct{}, 2*len(dst))
		for _, x := range dst {
			set.m[x] = struct{}{}
		}
	}
	if _, ok := set.m[s]; ok {
		return dst
	}
	set.m[s] = struct{}{}
	return append(dst, s)
}
