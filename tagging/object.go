package tagging

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/releasekit/releasekit/signature"
)

// An Identity is a tagger: a name, an email address and a time. Name and
// Email must be non-empty, without leading or trailing white space, and hold
// no '<', '>' or control character (newline, CR, NUL, ...); the time zone
// of When is kept in the tag object.
type Identity struct {
	Name  string
	Email string
	When  time.Time
}

// String returns the identity as git writes it: "Name <email> 1767603600 +0000".
func (id Identity) String() string {
	_, off := id.When.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%s <%s> %d %c%02d%02d", id.Name, id.Email, id.When.Unix(), sign, off/3600, (off%3600)/60)
}

func (id Identity) validate() error {
	for _, s := range []string{id.Name, id.Email} {
		if s == "" || strings.TrimSpace(s) != s || strings.ContainsAny(s, "<>") || strings.ContainsFunc(s, isControl) {
			return fmt.Errorf("%w: %q <%q>", ErrInvalidTagger, id.Name, id.Email)
		}
	}
	if id.When.IsZero() {
		return fmt.Errorf("%w: no time", ErrInvalidTagger)
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// parseIdentity reads "Name <email> unix +hhmm".
func parseIdentity(s string) (Identity, error) {
	lt := strings.IndexByte(s, '<')
	gt := strings.IndexByte(s, '>')
	if lt < 1 || gt < lt || s[lt-1] != ' ' || strings.Count(s, "<") != 1 || strings.Count(s, ">") != 1 {
		return Identity{}, &Error{Reason: "malformed tag object", Detail: fmt.Sprintf("bad tagger %q", s)}
	}
	id := Identity{Name: s[:lt-1], Email: s[lt+1 : gt]}
	rest := strings.Split(s[gt+1:], " ")
	if len(rest) != 3 || rest[0] != "" {
		return Identity{}, &Error{Reason: "malformed tag object", Detail: fmt.Sprintf("bad tagger date %q", s)}
	}
	sec, err := strconv.ParseInt(rest[1], 10, 64)
	tz := rest[2]
	if err != nil || len(tz) != 5 || (tz[0] != '+' && tz[0] != '-') {
		return Identity{}, &Error{Reason: "malformed tag object", Detail: fmt.Sprintf("bad tagger date %q", s)}
	}
	hh, err1 := strconv.Atoi(tz[1:3])
	mm, err2 := strconv.Atoi(tz[3:5])
	if err1 != nil || err2 != nil || mm > 59 {
		return Identity{}, &Error{Reason: "malformed tag object", Detail: fmt.Sprintf("bad tagger zone %q", s)}
	}
	off := hh*3600 + mm*60
	if tz[0] == '-' {
		off = -off
	}
	id.When = time.Unix(sec, 0).In(time.FixedZone("", off))
	return id, nil
}

// The lines that start a signature block, as git recognises them.
var sigStarts = []struct {
	begin, end string
	format     signature.Format
}{
	{"-----BEGIN PGP SIGNATURE-----", "-----END PGP SIGNATURE-----", signature.OpenPGP},
	{"-----BEGIN PGP MESSAGE-----", "-----END PGP MESSAGE-----", signature.OpenPGP},
	{"-----BEGIN SSH SIGNATURE-----", "-----END SSH SIGNATURE-----", signature.SSH},
	{"-----BEGIN SIGNED MESSAGE-----", "-----END SIGNED MESSAGE-----", formatX509},
}

const formatX509 signature.Format = "x509"

// An Object is a tag object read strictly from its raw bytes.
type Object struct {
	Target     plumbing.Hash // the object header
	TargetType string        // the type header: commit, tree, blob or tag
	Name       string        // the tag header
	Tagger     Identity
	Message    string // the message, without the signature
	// Payload is the signed part of the object: every byte before the
	// signature block (the whole object when unsigned).
	Payload []byte
	// Signature is the armored signature block, nil when unsigned.
	Signature []byte
	// Format is the signature's format, "" when unsigned.
	Format signature.Format
}

// Parse reads a raw tag object (the bytes `git cat-file tag` prints) strictly.
// The headers must be exactly object, type, tag and tagger, in that order,
// each once; a repeated header or a second signature block is an *Error
// ("ambiguous tag object"), anything else unexpected (an unknown header, a
// NUL byte, data after the signature block) is an *Error ("malformed tag
// object") or a *signature.Error ("malformed signature"). Parse does not
// verify anything. The returned slices do not alias raw.
func Parse(raw []byte) (*Object, error) {
	if bytes.IndexByte(raw, 0) >= 0 {
		return nil, &Error{Reason: "malformed tag object", Detail: "NUL byte"}
	}
	head, body, ok := bytes.Cut(raw, []byte("\n\n"))
	if !ok {
		return nil, &Error{Reason: "malformed tag object", Detail: "no blank line after the headers"}
	}
	o := &Object{}
	want := []string{"object", "type", "tag", "tagger"}
	lines := strings.Split(string(head), "\n")
	seen := map[string]bool{}
	for i, line := range lines {
		key, val, _ := strings.Cut(line, " ")
		if seen[key] {
			return nil, &Error{Reason: "ambiguous tag object", Detail: fmt.Sprintf("duplicate %s header", key)}
		}
		seen[key] = true
		if i >= len(want) || key != want[i] {
			return nil, &Error{Reason: "malformed tag object", Detail: fmt.Sprintf("unexpected header %q", key)}
		}
		switch key {
		case "object":
			if len(val) != 40 || strings.ToLower(val) != val || !plumbing.IsHash(val) {
				return nil, &Error{Reason: "malformed tag object", Detail: fmt.Sprintf("bad object header %q", val)}
			}
			o.Target = plumbing.NewHash(val)
		case "type":
			switch val {
			case "commit", "tree", "blob", "tag":
			default:
				return nil, &Error{Reason: "malformed tag object", Detail: fmt.Sprintf("bad type %q", val)}
			}
			o.TargetType = val
		case "tag":
			if ValidateName(val) != nil {
				return nil, &Error{Reason: "malformed tag object", Detail: fmt.Sprintf("bad tag name %q", val)}
			}
			o.Name = val
		case "tagger":
			id, err := parseIdentity(val)
			if err != nil {
				return nil, err
			}
			o.Tagger = id
		}
	}
	if len(lines) != len(want) {
		return nil, &Error{Reason: "malformed tag object", Detail: "missing headers"}
	}
	start := len(raw) - len(body)
	sigAt, count := -1, 0
	var sig struct {
		begin, end string
		format     signature.Format
	}
	for off := start; off < len(raw); {
		line := raw[off:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		for _, s := range sigStarts {
			if bytes.HasPrefix(line, []byte(s.begin)) {
				count++
				if sigAt < 0 {
					sigAt, sig = off, s
				}
			}
		}
		off += len(line)
	}
	if count > 1 {
		return nil, &Error{Reason: "ambiguous tag object", Detail: fmt.Sprintf("%d signature blocks", count)}
	}
	if sigAt < 0 {
		o.Payload = bytes.Clone(raw)
		o.Message = string(body)
		return o, nil
	}
	block := raw[sigAt:]
	if !bytes.HasPrefix(block, []byte(sig.begin+"\n")) || !bytes.HasSuffix(block, []byte("\n"+sig.end+"\n")) ||
		bytes.Count(block, []byte(sig.end)) != 1 {
		return nil, &signature.Error{Reason: "malformed signature", Detail: fmt.Sprintf("the signature block must end the object with %s", sig.end)}
	}
	o.Payload = bytes.Clone(raw[:sigAt])
	o.Message = string(raw[start:sigAt])
	o.Signature = bytes.Clone(block)
	o.Format = sig.format
	return o, nil
}

// encodeHeader writes the unsigned part of a tag object.
func encodeHeader(target plumbing.Hash, typ, name string, tagger Identity, message string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "object %s\ntype %s\ntag %s\ntagger %s\n\n%s", target, typ, name, tagger, message)
	return b.Bytes()
}

// CleanMessage returns message cleaned up as `git tag -m` and `git tag -F`
// do by default (--cleanup=strip, git stripspace with comment removal):
// lines starting with '#' (core.commentChar's default) are removed, trailing
// white space (space, tab, CR; git keeps \v and \f) is removed from every
// line, runs of blank lines are collapsed into one, leading and trailing
// blank lines are removed, and a final newline is added. A CRLF line end
// therefore becomes LF. It returns "" for a message with no text.
func CleanMessage(message string) string {
	var out []string
	blank := false
	for _, line := range strings.Split(message, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimRight(line, " \t\r")
		if line == "" {
			blank = len(out) > 0
			continue
		}
		if blank {
			out = append(out, "")
			blank = false
		}
		out = append(out, line)
	}
	if len(out) == 0 {
		return ""
	}
	return strings.Join(out, "\n") + "\n"
}

// checkMessage rejects what cannot be stored unambiguously.
func checkMessage(m string) error {
	if strings.IndexByte(m, 0) >= 0 {
		return fmt.Errorf("%w: NUL byte", ErrInvalidMessage)
	}
	for _, line := range strings.Split(m, "\n") {
		for _, s := range sigStarts {
			if strings.HasPrefix(line, s.begin) {
				return fmt.Errorf("%w: a line starts a signature block", ErrInvalidMessage)
			}
		}
	}
	return nil
}
