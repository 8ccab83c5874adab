package commits

import (
	"strings"
	"unicode/utf8"
)

// normalizeNewlines turns CRLF and lone CR into LF.
func normalizeNewlines(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' {
			c = '\n'
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		}
		out = append(out, c)
	}
	return string(out)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

// trimTrailingBlank removes trailing blank lines, keeping the last
// non-blank line as written.
func trimTrailingBlank(s string) string {
	k := len(s) - 1
	for k >= 0 && (s[k] == '\n' || s[k] == ' ' || s[k] == '\t') {
		k--
	}
	if k < 0 {
		return ""
	}
	if e := strings.IndexByte(s[k:], '\n'); e >= 0 {
		return s[:k+e]
	}
	return s
}

// checkBytes returns the offset of the first byte that is not valid
// UTF-8 or is a control character other than tab and line feed. Eight
// bytes at a time are skipped when none of them is below 0x20, DEL or
// above 0x7f.
func checkBytes(s string) (int, error) {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for i < len(s) {
		if i+8 <= len(s) {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			del := x ^ (0x7f * ones)
			if (x|((x-0x20*ones)&^x)|((del-ones)&^del))&highs == 0 {
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f {
				return i, ErrControlChar
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i, ErrInvalidUTF8
		}
		i += size
	}
	return 0, nil
}

// lineOf returns the 1-based line of offset pos.
func lineOf(s string, pos int) int {
	if pos > len(s) {
		pos = len(s)
	}
	return strings.Count(s[:pos], "\n") + 1
}

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
