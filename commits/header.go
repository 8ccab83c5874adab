package commits

import (
	"strconv"
	"strings"

	conventionalcommits "github.com/leodido/go-conventionalcommits"
	ccparser "github.com/leodido/go-conventionalcommits/parser"
)

// parseHeader validates a header line with go-conventionalcommits in
// free-form mode, maps its verdict and column to our errors, and applies
// the checks it does not make (strict type, empty scope).
//
// go-conventionalcommits costs 1.5 µs and 14 allocations for a valid
// header and up to 10 µs and 90 allocations to reject a plain sentence (its
// logging calls box their arguments even without a logger), several times
// the budget of a history read. Two byte scanners therefore answer for it
// on the shapes most headers have: headerFast accepts the common valid
// headers, and headerReject rejects the common plain subjects ("Update
// README", "Fix the parser (#12)") with the error and column it gives.
// Every other header goes to the machine. FuzzParse checks, on every
// input, that the verdict, fields, error and column equal the machine's.
func parseHeader(h string, lenient bool) (parsedHeader, error) {
	f, ok := headerFast(h)
	if ok {
		return f, nil
	}
	if sentinel, pos, ok := headerReject(h); ok {
		return parsedHeader{}, newParseError(pos, 1, sentinel)
	}
	if err := headerMachine(h); err != nil {
		return parsedHeader{}, err
	}
	f, pos, err := headerFields(h, lenient)
	if err != nil {
		return parsedHeader{}, newParseError(pos, 1, err)
	}
	return f, nil
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool  { return isLetter(c) || isDigit(c) }

// isTypeByte reports the bytes of a strict type after its first letter.
func isTypeByte(c byte) bool { return isAlnum(c) || c == '_' || c == '-' }

// headerFast accepts type[(scope)][!]: description with a strict type,
// a printable ASCII scope that is not blank, and a description that starts
// with neither a tab nor white space only. It returns ok false for anything
// else, valid or not.
func headerFast(h string) (parsedHeader, bool) {
	var f parsedHeader
	n := len(h)
	if n == 0 || !isLetter(h[0]) {
		return f, false
	}
	i := 1
	for i < n && isTypeByte(h[i]) {
		i++
	}
	f.typ = h[:i]
	if i < n && h[i] == '(' {
		j := i + 1
		blank := true
		for ; j < n && h[j] != ')'; j++ {
			c := h[j]
			if c < 0x20 || c > 0x7e || c == '(' {
				return f, false
			}
			if c != ' ' {
				blank = false
			}
		}
		if j == n || blank {
			return f, false
		}
		f.scope, f.scopePos = h[i+1:j], i+1
		i = j + 1
	}
	if i < n && h[i] == '!' {
		f.bang = true
		i++
	}
	if i+1 >= n || h[i] != ':' || h[i+1] != ' ' {
		return f, false
	}
	i += 2
	for i < n && h[i] == ' ' {
		i++
	}
	if i == n || h[i] == '\t' {
		return f, false
	}
	f.desc = strings.TrimRight(h[i:], " \t")
	return f, true
}

// headerReject returns the error go-conventionalcommits gives for the
// shapes of plain subjects: printable ASCII without "(", "!" or ":" (an
// early exit, at the end); a non-ASCII byte before any of them (an illegal
// type character at the start, a missing colon after it); and such a
// prefix followed by one complete "(…)" group that ends the header (an
// early exit) or is followed by anything but "!" or ":" (a missing colon).
// ok is false for every other header.
func headerReject(h string) (sentinel error, pos int, ok bool) {
	n := len(h)
	if n == 0 {
		return ErrEmpty, 0, true
	}
	i := 0
	for ; i < n; i++ {
		c := h[i]
		if c >= 0x80 {
			if i == 0 {
				return errInvalidType, 0, true
			}
			return errColon, i, true
		}
		if c < 0x20 || c == 0x7f {
			return nil, 0, false
		}
		if c == '(' || c == '!' || c == ':' {
			break
		}
	}
	if i == n {
		return errIncompleteHeader, n, true
	}
	if h[i] != '(' || i == 0 {
		return nil, 0, false
	}
	j := i + 1
	for ; j < n && h[j] != ')'; j++ {
		if c := h[j]; c < 0x20 || c > 0x7e || c == '(' {
			return nil, 0, false
		}
	}
	switch {
	case j == n:
		return nil, 0, false
	case j == n-1:
		return errIncompleteHeader, n, true
	case h[j+1] == '!' || h[j+1] == ':':
		return nil, 0, false
	}
	return errColon, j + 1, true
}

// headerMachine runs go-conventionalcommits on the header alone and maps
// its error, if any. The machine is not safe for concurrent use, so each
// call makes its own; this path only runs for unusual headers.
func headerMachine(h string) error {
	mc := ccparser.NewMachine(ccparser.WithTypes(conventionalcommits.TypesFreeForm))
	_, err := mc.Parse([]byte(h))
	if err == nil {
		return nil
	}
	return mapMachineError(h, err.Error())
}

// matchTemplate reports whether s was made from the template t (one %s
// at most) and returns what %s stood for.
func matchTemplate(s, t string) (string, bool) {
	pre, suf, ok := strings.Cut(t, "%s")
	if !ok {
		return "", strings.HasPrefix(s, t)
	}
	if !strings.HasPrefix(s, pre) {
		return "", false
	}
	arg, _, ok := strings.Cut(s[len(pre):], suf)
	return arg, ok
}

// mapMachineError turns one of go-conventionalcommits' error texts into
// a *ParseError. Its column is kept, except that an early exit, which it
// reports at the last byte read, is moved to the end of the header; an
// early exit after the colon is an empty description.
func mapMachineError(h, s string) error {
	pos := 0
	if i := strings.LastIndex(s, ": col="); i >= 0 {
		if n, err := strconv.Atoi(s[i+len(": col="):]); err == nil && n >= 0 && n <= len(h) {
			pos = n
		}
	}
	// go-conventionalcommits' untyped error templates and our sentinels.
	machineErrors := [...]struct {
		template string
		err      error
	}{
		{ccparser.ErrTypeIncomplete, errIncompleteHeader},
		{ccparser.ErrType, errInvalidType},
		{ccparser.ErrColon, errColon},
		{ccparser.ErrScopeIncomplete, errMalformedScope},
		{ccparser.ErrScope, errMalformedScope},
		{ccparser.ErrEmpty, ErrEmpty},
		{ccparser.ErrEarly, errIncompleteHeader},
		{ccparser.ErrDescriptionInit, errMissingSpace},
		{ccparser.ErrDescription, errEmptyDescription},
		{ccparser.ErrNewline, errMissingBlankLine},
		{ccparser.ErrMissingBlankLineAtBeginning, errMissingBlankLine},
		{ccparser.ErrTrailerIncomplete, errInvalidFooter},
		{ccparser.ErrTrailer, errInvalidFooter},
	}
	sentinel := ErrNotConventional
	for _, e := range machineErrors {
		arg, ok := matchTemplate(s, e.template)
		if !ok {
			continue
		}
		sentinel = e.err
		switch e.template {
		case ccparser.ErrEarly:
			pos = len(h)
			if arg == ":" {
				sentinel = errEmptyDescription
			}
		case ccparser.ErrEmpty:
			pos = 0
		}
		break
	}
	return newParseError(pos, 1, sentinel)
}

// headerFields reads the fields of a header that go-conventionalcommits
// accepted, from the original bytes (the machine lower-cases the scope),
// and applies the checks it does not make. It returns the error and its
// offset.
func headerFields(h string, lenient bool) (parsedHeader, int, error) {
	var f parsedHeader
	i := strings.IndexAny(h, "(!:")
	if i < 0 {
		return f, 0, errColon
	}
	f.typ = h[:i]
	if pos, ok := checkType(f.typ, lenient); !ok {
		return f, pos, errInvalidType
	}
	if h[i] == '(' {
		j := strings.IndexByte(h[i+1:], ')')
		if j < 0 {
			return f, len(h), errMalformedScope
		}
		f.scope, f.scopePos = h[i+1:i+1+j], i+1
		if strings.TrimSpace(f.scope) == "" && !lenient {
			return f, i + 1, errEmptyScope
		}
		i += j + 2
	}
	if i < len(h) && h[i] == '!' {
		f.bang = true
		i++
	}
	if i >= len(h) || h[i] != ':' {
		return f, i, errColon
	}
	f.desc = strings.Trim(h[i+1:], " \t")
	if f.desc == "" {
		return f, len(h), errEmptyDescription
	}
	return f, 0, nil
}

// checkType checks a type: strict types match [A-Za-z][A-Za-z0-9_-]*;
// lenient types start with a letter, end with no space and may also hold
// " ,./+". It returns the offset of the first bad byte.
func checkType(t string, lenient bool) (int, bool) {
	if t == "" || !isLetter(t[0]) {
		return 0, false
	}
	for i := 1; i < len(t); i++ {
		c := t[i]
		if isTypeByte(c) {
			continue
		}
		if lenient && (c == ' ' || c == ',' || c == '.' || c == '/' || c == '+') {
			continue
		}
		return i, false
	}
	if t[len(t)-1] == ' ' {
		return len(t) - 1, false
	}
	return 0, true
}
