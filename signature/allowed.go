package signature

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// An AllowedSigner is one entry of an SSH allowed_signers file (see
// ssh-keygen(1), "ALLOWED SIGNERS"): the principals (patterns) allowed to
// sign with Key, the namespaces it may sign in (nil: any), and the time
// window it is valid in (zero: unbounded).
type AllowedSigner struct {
	Principals    []string
	Namespaces    []string
	ValidAfter    time.Time
	ValidBefore   time.Time
	CertAuthority bool // a CA key: such entries never match here (certificates are unsupported)
	Key           ssh.PublicKey
	Line          int // the 1-based line number in the file
}

// ParseAllowedSigners reads an allowed_signers file: one entry per line,
// "principals [options] keytype base64-key [comment]", with '#' comments and
// blank lines ignored. The options understood are cert-authority,
// namespaces="list" and valid-after/valid-before="YYYYMMDD[HHMM[SS]][Z]"
// (without Z the time is local, as in ssh-keygen); any other option is an
// error, so that a restriction is never silently dropped. A bad line is an
// *AllowedSignersError.
func ParseAllowedSigners(data []byte) ([]AllowedSigner, error) {
	var out []AllowedSigner
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		a, err := parseAllowedLine(line)
		if err != nil {
			return nil, &AllowedSignersError{Line: n, Reason: err.Error()}
		}
		a.Line = n
		out = append(out, a)
	}
	if err := sc.Err(); err != nil {
		return nil, &AllowedSignersError{Line: n + 1, Reason: err.Error()}
	}
	return out, nil
}

// nextToken splits off one whitespace-delimited token; double quotes protect
// white space.
func nextToken(s string) (tok, rest string) {
	s = strings.TrimLeft(s, " \t")
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			inQuote = !inQuote
		case (s[i] == ' ' || s[i] == '\t') && !inQuote:
			return s[:i], s[i:]
		}
	}
	return s, ""
}

func isKeyType(s string) bool {
	return strings.HasPrefix(s, "ssh-") || strings.HasPrefix(s, "ecdsa-") || strings.HasPrefix(s, "sk-")
}

func parseAllowedLine(line string) (AllowedSigner, error) {
	var a AllowedSigner
	princ, rest := nextToken(line)
	princ = strings.Trim(princ, `"`)
	if princ == "" {
		return a, fmt.Errorf("no principals")
	}
	a.Principals = strings.Split(princ, ",")
	tok, rest := nextToken(rest)
	if !isKeyType(tok) {
		if err := a.parseOptions(tok); err != nil {
			return a, err
		}
		tok, rest = nextToken(rest)
	}
	if !isKeyType(tok) {
		return a, fmt.Errorf("missing key type")
	}
	b64, _ := nextToken(rest)
	blob, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return a, fmt.Errorf("bad key encoding")
	}
	key, err := ssh.ParsePublicKey(blob)
	if err != nil {
		return a, fmt.Errorf("bad key: %v", err)
	}
	if key.Type() != tok {
		return a, fmt.Errorf("key type %s does not match the key %s", tok, key.Type())
	}
	a.Key = key
	return a, nil
}

func (a *AllowedSigner) parseOptions(opts string) error {
	for opts != "" {
		var opt string
		inQuote := false
		i := 0
		for ; i < len(opts); i++ {
			if opts[i] == '"' {
				inQuote = !inQuote
			} else if opts[i] == ',' && !inQuote {
				break
			}
		}
		if inQuote {
			return fmt.Errorf("unterminated quote")
		}
		opt, opts = opts[:i], opts[min(i+1, len(opts)):]
		name, val, hasVal := strings.Cut(opt, "=")
		if hasVal {
			if len(val) < 2 || val[0] != '"' || val[len(val)-1] != '"' {
				return fmt.Errorf("option %s: value must be quoted", name)
			}
			val = val[1 : len(val)-1]
		}
		switch strings.ToLower(name) {
		case "cert-authority":
			a.CertAuthority = true
		case "namespaces":
			if val == "" {
				return fmt.Errorf("empty namespaces")
			}
			a.Namespaces = strings.Split(val, ",")
		case "valid-after", "valid-before":
			t, err := parseSSHTime(val)
			if err != nil {
				return fmt.Errorf("option %s: %v", name, err)
			}
			if strings.ToLower(name) == "valid-after" {
				a.ValidAfter = t
			} else {
				a.ValidBefore = t
			}
		default:
			return fmt.Errorf("unsupported option %q", name)
		}
	}
	return nil
}

func parseSSHTime(s string) (time.Time, error) {
	loc := time.Local
	if strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z") {
		loc, s = time.UTC, s[:len(s)-1]
	}
	layouts := map[int]string{8: "20060102", 12: "200601021504", 14: "20060102150405"}
	layout, ok := layouts[len(s)]
	if !ok {
		return time.Time{}, fmt.Errorf("bad time %q", s)
	}
	return time.ParseInLocation(layout, s, loc)
}

// matchList matches s against a comma-separated style pattern list as
// OpenSSH's match_pattern_list does: '*' and '?' wildcards, and a '!'
// pattern that matches denies.
func matchList(s string, patterns []string) bool {
	ok := false
	for _, p := range patterns {
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if wildcard(p, s) {
			if neg {
				return false
			}
			ok = true
		}
	}
	return ok
}

// wildcard matches s against p, where '*' matches any run of bytes and '?'
// any one byte.
func wildcard(p, s string) bool {
	star, match := -1, 0
	i, j := 0, 0
	for j < len(s) {
		switch {
		case i < len(p) && (p[i] == '?' || p[i] == s[j]):
			i++
			j++
		case i < len(p) && p[i] == '*':
			star, match = i, j
			i++
		case star >= 0:
			i = star + 1
			match++
			j = match
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}

func (a AllowedSigner) allows(namespace, principal string, at time.Time) error {
	if a.Namespaces != nil && !matchList(namespace, a.Namespaces) {
		return &Error{Reason: "wrong signature namespace", Detail: fmt.Sprintf("line %d does not allow namespace %q", a.Line, namespace)}
	}
	if !a.ValidBefore.IsZero() && !at.Before(a.ValidBefore) {
		return fmt.Errorf("%w: line %d valid before %s", ErrKeyExpired, a.Line, a.ValidBefore.UTC().Format(time.RFC3339))
	}
	if !a.ValidAfter.IsZero() && at.Before(a.ValidAfter) {
		return &Error{Reason: "signing key not yet valid", Detail: fmt.Sprintf("line %d valid after %s", a.Line, a.ValidAfter.UTC().Format(time.RFC3339))}
	}
	if principal != "" && !matchList(principal, a.Principals) {
		return &Error{Reason: "principal not allowed", Detail: fmt.Sprintf("%q on line %d", principal, a.Line)}
	}
	return nil
}
